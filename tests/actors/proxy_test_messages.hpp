// Messages and configuration for the proxy tests: a proxy at 192.0.2.10:5060 (UDP and TCP)
// responsible for example.com, Alice's UA at 198.51.100.7, Bob's contacts at 192.0.2.21 and .22.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/proxy_config.hpp"
#include "messages/builder.hpp"
#include "messages/parser.hpp"

namespace sipactor::proxy_test {

inline message_ptr parsed(const std::string& text) {
  auto r = parse_message(text);
  INFO(text);
  REQUIRE(r.ok());
  return r.message;
}

inline proxy_config config() {
  proxy_config c;
  c.domains = {"example.com"};
  c.aliases = {"proxy.example.com"};
  c.listening = {{transport::transport_kind::udp, *transport::socket_address::from("192.0.2.10", 5060)},
                 {transport::transport_kind::tcp, *transport::socket_address::from("192.0.2.10", 5060)}};
  c.routes = {{"static.example.net", "sip:192.0.2.99:5080"}};
  return c;
}

struct request_parts {
  std::string method = "INVITE";
  std::string request_uri = "sip:bob@example.com";
  std::string vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKalice1";
  std::string to_tag;
  std::string cseq = "1";
  std::string call_id = "call-1@198.51.100.7";
  std::string from = "Alice <sip:alice@example.com>;tag=a1";
  std::vector<std::string> extra;  // header lines
};

inline message_ptr request(const request_parts& p) {
  std::string text = p.method + " " + p.request_uri + " SIP/2.0\r\n";
  std::string_view vias = p.vias;
  while (!vias.empty()) {  // one Via line per '|'
    auto bar = vias.find('|');
    text += "Via: " + std::string(vias.substr(0, bar)) + "\r\n";
    vias = bar == std::string_view::npos ? std::string_view{} : vias.substr(bar + 1);
  }
  bool own_max_forwards = false;
  for (const std::string& line : p.extra) own_max_forwards = own_max_forwards || line.rfind("Max-Forwards:", 0) == 0;
  if (!own_max_forwards) text += "Max-Forwards: 70\r\n";
  text += "To: Bob <sip:bob@example.com>" + (p.to_tag.empty() ? "" : ";tag=" + p.to_tag) + "\r\n" +
          "From: " + p.from + "\r\n"
          "Call-ID: " + p.call_id + "\r\n"
          "CSeq: " + p.cseq + " " + p.method + "\r\n"
          "Contact: <sip:alice@198.51.100.7:5060>\r\n";
  for (const std::string& line : p.extra) text += line + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return parsed(text);
}

inline message_ptr request(std::initializer_list<std::string> extra = {}) {
  request_parts p;
  p.extra = extra;
  return request(p);
}

inline std::vector<std::string> values(const message& m, header_id id) {
  std::vector<std::string> out;
  m.for_each_header(id, [&](const header& h) { out.emplace_back(h.value); });
  return out;
}

}  // namespace sipactor::proxy_test
