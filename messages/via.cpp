// Via header field values, RFC 3261 §20.42 and §25.1:
//   Via = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
//   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
//   sent-protocol = protocol-name SLASH protocol-version SLASH transport   (SLASH = SWS "/" SWS)
//   sent-by = host [ COLON port ]
#include "messages/header_views.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

struct cursor {
  std::string_view s;
  std::size_t pos;
  bool done() const noexcept { return pos >= s.size(); }
  char peek() const noexcept { return done() ? '\0' : s[pos]; }
  std::size_t skip_ws() noexcept {
    std::size_t start = pos;
    while (pos < s.size() && text::is_lws(s[pos])) ++pos;
    return pos - start;
  }
  std::string_view scan(std::uint16_t cls) noexcept {
    std::size_t start = pos;
    while (pos < s.size() && text::is(s[pos], cls)) ++pos;
    return s.substr(start, pos - start);
  }
  bool eat(char c) noexcept {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
};

}  // namespace

const char* parse_via_at(std::string_view s, std::size_t& pos, via& v) noexcept {
  cursor c{s, pos};
  c.skip_ws();
  std::size_t start = c.pos;
  std::string_view name = c.scan(text::token);
  c.skip_ws();
  if (!c.eat('/')) return name.empty() && (c.done() || c.peek() == ',') ? "empty Via value" : "malformed Via sent-protocol";
  c.skip_ws();
  std::string_view version = c.scan(text::token);
  c.skip_ws();
  if (!c.eat('/')) return "malformed Via sent-protocol";
  c.skip_ws();
  v.transport = c.scan(text::token);
  if (name.size() != 3 || !text::iequals(name, "SIP")) return "Via protocol is not SIP";
  if (version != "2.0") return "Via protocol version is not 2.0";
  if (v.transport.empty()) return "Via transport missing";
  if (c.skip_ws() == 0) return "Via sent-by missing";

  std::size_t host_start = c.pos;
  if (c.peek() == '[') {
    while (!c.done() && c.peek() != ']') ++c.pos;
    if (!c.eat(']')) return "unterminated IPv6 reference in Via";
  } else {
    c.scan(text::host);
  }
  v.host = s.substr(host_start, c.pos - host_start);
  if (classify_host(v.host) == host_kind::none) return "invalid Via sent-by host";
  c.skip_ws();
  if (c.eat(':')) {
    c.skip_ws();
    std::uint64_t port = 0;
    if (!text::parse_decimal(c.scan(text::digit), 65535, port) || port == 0) return "invalid Via sent-by port";
    v.port = static_cast<std::uint16_t>(port);
    c.skip_ws();
  }
  std::size_t params_start = c.pos;
  while (c.peek() == ';') {
    param p;
    const char* reason = nullptr;
    std::size_t param_start = c.pos;
    c.pos = detail::read_param(s, c.pos, p, &reason);
    if (reason != nullptr) return reason;
    if (detail::repeats_param(s.substr(params_start, param_start - params_start), p.name, false)) return "duplicate Via parameter";
    if (p.name.size() == 6 && text::iequals(p.name, "branch")) {
      if (!p.has_value) return "Via branch without value";
      v.branch = p.value;
    } else if (p.name.size() == 8 && text::iequals(p.name, "received")) {
      if (!p.has_value) return "Via received without value";
      v.received = p.value;
    } else if (p.name.size() == 5 && text::iequals(p.name, "maddr")) {
      v.maddr = p.value;
    } else if (p.name.size() == 5 && text::iequals(p.name, "rport")) {
      // RFC 3581 §3: response-port = "rport" [EQUAL 1*DIGIT]
      v.rport = true;
      if (p.has_value) {
        std::uint64_t port = 0;
        if (!text::parse_decimal(p.value, 65535, port)) return "invalid Via rport value";
        v.rport_value = static_cast<std::uint16_t>(port);
      }
    }
  }
  v.params = text::trim_right(s.substr(params_start, c.pos - params_start));
  if (!c.done() && c.peek() != ',') return "unexpected text after Via sent-by";
  v.text = text::trim_right(s.substr(start, c.pos - start));
  pos = c.pos;
  return nullptr;
}

expected<via> parse_via(std::string_view element) {
  via v;
  std::size_t pos = 0;
  if (const char* reason = parse_via_at(element, pos, v)) return failure{reason};
  if (pos != element.size()) return failure{"more than one Via value"};
  return v;
}

}  // namespace sipactor
