// REGISTER requests for the registrar tests (RFC 3261 §10, RFC 3665 §2.1), made by the project's
// parser, and the registrar configuration they are sent to.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/location_binding.hpp"
#include "actors/registrar_rules.hpp"
#include "messages/parser.hpp"

namespace sipactor::test {

// 2023-11-14 22:13:20 UTC, a Tuesday: the wall time the service tests start at.
inline constexpr wall_seconds test_epoch = 1700000000;

inline message_ptr parse_sip(const std::string& text) {
  auto r = parse_message(text);
  INFO(text);
  REQUIRE(r.ok());
  return r.message;
}

// A REGISTER as Bob's UA sends it to the registrar of biloxi.example.com (RFC 3665 §2.1).
struct register_message {
  std::string method = "REGISTER";
  std::string request_uri = "sip:biloxi.example.com";
  std::string to = "Bob <sip:bob@biloxi.example.com>";
  std::string call_id = "1j9FpLxk3uxtm8tn@biloxi.example.com";
  std::uint32_t cseq = 1;
  std::vector<std::string> contacts;  // one Contact header line each
  std::optional<std::string> expires;
  std::vector<std::string> extra;  // whole header lines, without CRLF

  register_message& contact(std::string value) {
    contacts.push_back(std::move(value));
    return *this;
  }
  message_ptr build() const {
    std::string text = method + " " + request_uri + " SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP client.biloxi.example.com:5060;branch=z9hG4bKnashds" + std::to_string(cseq) +
                       "\r\nMax-Forwards: 70\r\nFrom: Bob <sip:bob@biloxi.example.com>;tag=a73kszlfl\r\n"
                       "To: " + to + "\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\n";
    for (const auto& c : contacts) text += "Contact: " + c + "\r\n";
    if (expires) text += "Expires: " + *expires + "\r\n";
    for (const auto& e : extra) text += e + "\r\n";
    return parse_sip(text + "Content-Length: 0\r\n\r\n");
  }
};

inline registrar_config biloxi_registrar() {
  registrar_config c;
  c.domains = {"biloxi.example.com"};
  return c;
}

}  // namespace sipactor::test
