// Helpers for the UA core and dialog tests: messages written line by line, and the round trip
// every generated message must survive (parse(serialize()) with the project's parser).
#pragma once

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "actors/ua_outgoing_request.hpp"
#include "messages/builder.hpp"
#include "messages/parser.hpp"

namespace sipactor::ua_test {

// A message from its start line and header lines; CRLF line ends and Content-Length are added.
inline std::string sip(std::initializer_list<std::string_view> lines, std::string_view body = {}) {
  std::string out;
  for (std::string_view line : lines) out.append(line).append("\r\n");
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return out;
}

inline message_ptr parsed(const std::string& bytes) {
  parse_result r = parse_message(bytes);
  INFO((r.error ? r.error->reason : std::string("ok")) << "\n" << bytes);
  REQUIRE(r.ok());
  return r.message;
}

// The generated message parses again from its own bytes, to an equal message.
inline message_ptr round_trip(const message_ptr& m) {
  REQUIRE(m);
  parse_result again = parse_message(std::string(m->bytes()));
  INFO((again.error ? again.error->reason : std::string("ok")) << "\n" << m->bytes());
  REQUIRE(again.ok());
  CHECK(*again.message == *m);
  return again.message;
}

inline message_ptr built(const message_builder& b) {
  parse_result r = b.build();
  INFO((r.error ? r.error->reason : std::string("ok")) << "\n" << b.serialize());
  REQUIRE(r.ok());
  return round_trip(r.message);
}

inline message_ptr finished(outgoing_request& out, std::string_view transport = "UDP",
                            std::string_view sent_by = "client.example.com:5060") {
  parse_result r = out.finish(transport, sent_by);
  INFO((r.error ? r.error->reason : std::string("ok")) << "\n" << out.request.serialize());
  REQUIRE(r.ok());
  return round_trip(r.message);
}

// Every value of a header, line by line, in order.
inline std::vector<std::string> values(const message& m, header_id id) {
  std::vector<std::string> out;
  m.for_each_header(id, [&](const header& h) { out.emplace_back(h.value); });
  return out;
}

// The Route values of a message, element by element.
inline std::vector<std::string> route_values(const message& m) {
  std::vector<std::string> out;
  for (const name_addr& r : m.routes()) out.emplace_back(r.text);
  return out;
}

inline std::string header_or_empty(const message& m, std::string_view name) {
  auto v = m.header_value(name);
  return v ? std::string(*v) : std::string();
}

}  // namespace sipactor::ua_test
