// RFC 3261 §19.1.1 / §25.1 SIP-URI and SIPS-URI, RFC 3966 telephone-uri, RFC 3986 absolute URIs.
#include "messages/uri.hpp"

#include <cstring>

#include "messages/host_syntax.hpp"
#include "messages/params.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

constexpr auto npos = std::string_view::npos;

bool valid_escapes(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !text::is_hex(s[i + 1]) || !text::is_hex(s[i + 2])) return false;
    i += 2;
  }
  return true;
}

// phonedigit-hex / visual-separator / "+" (RFC 3966 §3)
bool is_tel_char(char c) noexcept {
  return text::is_hex(c) || c == '*' || c == '#' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+';
}

using detail::valid_ipv4;
using detail::valid_hostname;

bool valid_ipv6(std::string_view s) noexcept {  // without brackets
  if (s.size() < 2) return false;
  int colons = 0;
  bool double_colon = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') {
      ++colons;
      if (i + 1 < s.size() && s[i + 1] == ':') {
        if (double_colon) return false;
        double_colon = true;
      }
    } else if (!text::is_hex(c) && c != '.') {
      return false;
    }
  }
  if (colons < 2 || colons > 7) return false;
  std::string_view tail = s.substr(s.rfind(':') + 1);
  return tail.find('.') == npos || valid_ipv4(tail);
}

// Advances i over characters of class `cls`.
inline std::size_t scan(std::string_view s, std::size_t i, std::uint16_t cls) noexcept {
  while (i < s.size() && text::is(s[i], cls)) ++i;
  return i;
}

// SIP-URI / SIPS-URI after "sip:" (RFC 3261 §25.1), in one pass:
//   [ userinfo "@" ] hostport uri-parameters [ headers ]
const char* parse_sip(std::string_view rest, uri& u) noexcept {
  if (rest.empty()) return "empty SIP URI";
  std::size_t i = 0;
  // '@' cannot appear unescaped anywhere but at the end of userinfo, while user parts may hold
  // ';' '?' '/' (RFC 4475 §3.1.1.2, §3.1.1.9): user characters up to '@' (or ':' password '@')
  // are the userinfo; anything else means there is none and the host starts at 0.
  const std::size_t n = rest.size();
  bool escaped = false;
  while (i < n && text::is(rest[i], text::user)) escaped |= rest[i++] == '%';
  std::size_t user_end = i;
  if (i < n && rest[i] == ':') {
    ++i;
    while (i < n && text::is(rest[i], text::password)) escaped |= rest[i++] == '%';
  }
  if (i < n && rest[i] == '@') {
    if (user_end == 0) return "empty user part in SIP URI";
    u.user = rest.substr(0, user_end);
    if (user_end < i) {
      u.password = rest.substr(user_end + 1, i - user_end - 1);
      u.has_password = true;
    }
    if (escaped && !valid_escapes(rest.substr(0, i))) return "invalid %-escape in SIP URI userinfo";
    u.has_userinfo = true;
    ++i;
  } else if (i < n && std::memchr(rest.data() + i, '@', n - i) != nullptr) {
    return "invalid character in SIP URI userinfo";
  } else {
    i = 0;
  }

  std::size_t host_start = i;
  if (i < rest.size() && rest[i] == '[') {
    const void* close = std::memchr(rest.data() + i, ']', rest.size() - i);
    if (close == nullptr) return "unterminated IPv6 reference in SIP URI";
    i = static_cast<std::size_t>(static_cast<const char*>(close) - rest.data()) + 1;
    u.host = rest.substr(host_start, i - host_start);
    if (!valid_ipv6(u.host.substr(1, u.host.size() - 2))) return "invalid IPv6 address in SIP URI";
    u.host_type = host_kind::ipv6;
  } else {
    bool numeric = true;  // digits and dots only: must be an IPv4address
    for (; i < rest.size() && text::is(rest[i], text::host); ++i) numeric &= text::is_digit(rest[i]) || rest[i] == '.';
    u.host = rest.substr(host_start, i - host_start);
    u.host_type = numeric ? (valid_ipv4(u.host) ? host_kind::ipv4 : host_kind::none)
                          : (valid_hostname(u.host) ? host_kind::name : host_kind::none);
    if (u.host_type == host_kind::none) return "invalid host in SIP URI";
  }
  if (i < rest.size() && rest[i] == ':') {
    std::size_t digits = scan(rest, i + 1, text::digit);
    std::uint64_t port = 0;
    if (!text::parse_decimal(rest.substr(i + 1, digits - i - 1), 65535, port) || port == 0)
      return "invalid port in SIP URI";
    u.port = static_cast<std::uint16_t>(port);
    i = digits;
  }
  if (i < rest.size() && rest[i] == ';') {
    // uri-parameters = *( ";" pname [ "=" pvalue ] )
    std::size_t params_start = i;
    while (i < rest.size() && rest[i] == ';') {
      std::size_t name_end = scan(rest, i + 1, text::param);
      if (name_end == i + 1) return "invalid parameter in SIP URI";
      if (detail::repeats_param(rest.substr(params_start, i - params_start), rest.substr(i + 1, name_end - i - 1), true))
        return "duplicate parameter in SIP URI";
      i = name_end;
      if (i < rest.size() && rest[i] == '=') {
        std::size_t value_end = scan(rest, i + 1, text::param);
        if (value_end == i + 1) return "invalid parameter in SIP URI";
        i = value_end;
      }
    }
    u.params = rest.substr(params_start, i - params_start);
    if (!valid_escapes(u.params)) return "invalid %-escape in SIP URI parameter";
  }
  if (i < rest.size() && rest[i] == '?') {
    std::size_t end = scan(rest, i + 1, text::uri_header);
    if (end == i + 1 || end != rest.size()) return "invalid headers in SIP URI";
    u.headers = rest.substr(i + 1);
    if (!valid_escapes(u.headers)) return "invalid %-escape in SIP URI headers";
    i = end;
  }
  if (i != rest.size()) return "invalid character in SIP URI";
  return nullptr;
}

const char* parse_tel(std::string_view rest, uri& u) noexcept {
  std::size_t semi = rest.find(';');
  u.user = rest.substr(0, semi);
  if (u.user.empty()) return "empty telephone number in tel URI";
  for (std::size_t i = 0; i < u.user.size(); ++i) {
    char c = u.user[i];
    if (!is_tel_char(c) || (c == '+' && i != 0)) return "invalid character in tel URI number";
  }
  if (semi != npos) {
    u.params = rest.substr(semi);
    for (char c : u.params)
      if (static_cast<unsigned char>(c) <= 0x20) return "whitespace in tel URI";
    if (const char* reason = validate_unique_params(u.params, true)) return reason == std::string_view("duplicate parameter") ? "duplicate parameter in tel URI" : "invalid parameter in tel URI";
  }
  return nullptr;
}

}  // namespace

host_kind classify_host(std::string_view host) noexcept {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return valid_ipv6(host.substr(1, host.size() - 2)) ? host_kind::ipv6 : host_kind::none;
  if (!host.empty() && text::is_digit(host.back()) && valid_ipv4(host)) return host_kind::ipv4;
  return valid_hostname(host) ? host_kind::name : host_kind::none;
}

const char* parse_uri_into(std::string_view text, uri& u) noexcept {
  u.text = text;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  if (text.empty() || !text::is_alpha(text[0])) return "URI does not start with a scheme";
  std::size_t i = 1;
  while (i < text.size() && (text::is_alnum(text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.')) ++i;
  if (i >= text.size() || text[i] != ':') return "URI scheme not followed by ':'";
  std::string_view scheme = text.substr(0, i);
  std::string_view rest = text.substr(i + 1);
  if (i == 3 && text::iequals(scheme, "sip")) {
    u.scheme = uri_scheme::sip;
    return parse_sip(rest, u);
  }
  if (i == 4 && text::iequals(scheme, "sips")) {
    u.scheme = uri_scheme::sips;
    return parse_sip(rest, u);
  }
  if (i == 3 && text::iequals(scheme, "tel")) {
    u.scheme = uri_scheme::tel;
    return parse_tel(rest, u);
  }
  u.scheme = uri_scheme::other;
  if (rest.empty()) return "empty URI after scheme";
  if (scan(rest, 0, text::uric) != rest.size()) return "invalid character in URI";
  if (!valid_escapes(rest)) return "invalid %-escape in URI";
  return nullptr;
}

expected<uri> parse_uri(std::string_view text) {
  uri u;
  if (const char* reason = parse_uri_into(text, u)) return failure{reason};
  return u;
}

std::optional<std::string_view> uri::param(std::string_view name) const {
  return find_uri_param(params, name);
}

std::string uri::user_unescaped() const { return text::unescape(user); }

std::string uri::host_canonical() const {
  std::string_view h = host;
  if (host_type == host_kind::ipv6) h = h.substr(1, h.size() - 2);
  std::string out(h);
  for (char& c : out) c = text::to_lower(c);
  return out;
}

}  // namespace sipactor
