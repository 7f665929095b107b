// Via header field values, RFC 3261 §20.42 and §25.1:
//   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
//   sent-protocol = protocol-name SLASH protocol-version SLASH transport   (SLASH = SWS "/" SWS)
//   sent-by = host [ COLON port ]
#include "messages/header_views.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

struct cursor {
  std::string_view s;
  std::size_t pos = 0;
  bool done() const { return pos >= s.size(); }
  char peek() const { return done() ? '\0' : s[pos]; }
  std::size_t skip_ws() {
    std::size_t start = pos;
    while (!done() && text::is_lws(s[pos])) ++pos;
    return pos - start;
  }
  std::string_view token() {
    std::size_t start = pos;
    while (!done() && text::is_token_char(s[pos])) ++pos;
    return s.substr(start, pos - start);
  }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
};

}  // namespace

expected<via> parse_via(std::string_view element) {
  via v;
  v.text = element;
  cursor c{element};
  std::string_view name = c.token();
  c.skip_ws();
  if (!c.eat('/')) return failure{"malformed Via sent-protocol"};
  c.skip_ws();
  std::string_view version = c.token();
  c.skip_ws();
  if (!c.eat('/')) return failure{"malformed Via sent-protocol"};
  c.skip_ws();
  v.transport = c.token();
  if (!text::iequals(name, "SIP")) return failure{"Via protocol is not SIP"};
  if (version != "2.0") return failure{"Via protocol version is not 2.0"};
  if (v.transport.empty()) return failure{"Via transport missing"};
  if (c.skip_ws() == 0) return failure{"Via sent-by missing"};

  std::size_t host_start = c.pos;
  if (c.peek() == '[') {
    while (!c.done() && c.peek() != ']') ++c.pos;
    if (!c.eat(']')) return failure{"unterminated IPv6 reference in Via"};
  } else {
    while (!c.done() && (text::is_alnum(c.peek()) || c.peek() == '.' || c.peek() == '-' || c.peek() == '_')) ++c.pos;
  }
  v.host = element.substr(host_start, c.pos - host_start);
  if (classify_host(v.host) == host_kind::none) return failure{"invalid Via sent-by host"};
  c.skip_ws();
  if (c.eat(':')) {
    c.skip_ws();
    std::size_t port_start = c.pos;
    while (!c.done() && text::is_digit(c.peek())) ++c.pos;
    auto port = text::parse_decimal(element.substr(port_start, c.pos - port_start), 65535);
    if (!port || *port == 0) return failure{"invalid Via sent-by port"};
    v.port = static_cast<std::uint16_t>(*port);
    c.skip_ws();
  }
  v.params = element.substr(c.pos);
  if (!v.params.empty() && v.params[0] != ';') return failure{"unexpected text after Via sent-by"};

  const char* bad = nullptr;
  const char* reason = for_each_param(v.params, [&](const param& p) {
    if (text::iequals(p.name, "branch")) {
      if (!p.has_value) bad = "Via branch without value";
      v.branch = p.value;
    } else if (text::iequals(p.name, "received")) {
      if (!p.has_value) bad = "Via received without value";
      v.received = p.value;
    } else if (text::iequals(p.name, "maddr")) {
      v.maddr = p.value;
    } else if (text::iequals(p.name, "rport")) {
      // RFC 3581 §3: response-port = "rport" [EQUAL 1*DIGIT]
      v.rport = true;
      if (p.has_value) {
        auto port = text::parse_decimal(p.value, 65535);
        if (!port) bad = "invalid Via rport value";
        else v.rport_value = static_cast<std::uint16_t>(*port);
      }
    }
    return bad == nullptr;
  });
  if (reason != nullptr) return failure{reason};
  if (bad != nullptr) return failure{bad};
  return v;
}

}  // namespace sipactor
