// RFC 3261 §19.1.1 / §25.1 SIP-URI and SIPS-URI, RFC 3966 telephone-uri, RFC 3986 absolute URIs.
#include "messages/uri.hpp"

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

// user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = & = + $ , ; ? /
bool is_user_char(char c) noexcept {
  if (text::is_unreserved(c) || c == '%') return true;
  switch (c) {
    case '&': case '=': case '+': case '$': case ',': case ';': case '?': case '/':
      return true;
    default:
      return false;
  }
}
// password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
bool is_password_char(char c) noexcept {
  return text::is_unreserved(c) || c == '%' || c == '&' || c == '=' || c == '+' || c == '$' ||
         c == ',';
}
// uric of RFC 2396: reserved / unreserved / escaped (plus '#' fragments, tolerated).
bool is_uric(char c) noexcept {
  if (text::is_unreserved(c)) return true;
  switch (c) {
    case ';': case '/': case '?': case ':': case '@': case '&': case '=': case '+': case '$':
    case ',': case '%': case '#': case '[': case ']':
      return true;
    default:
      return false;
  }
}
// phonedigit-hex / visual-separator / "+" (RFC 3966 §3)
bool is_tel_char(char c) noexcept {
  return text::is_hex(c) || c == '*' || c == '#' || c == '-' || c == '.' || c == '(' ||
         c == ')' || c == '+';
}

bool valid_ipv4(std::string_view s) noexcept {
  int parts = 0;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t dot = s.find('.', pos);
    std::string_view part = s.substr(pos, dot == npos ? npos : dot - pos);
    if (part.empty() || part.size() > 3) return false;
    auto v = text::parse_decimal(part, 255);
    if (!v) return false;
    ++parts;
    if (dot == npos) break;
    pos = dot + 1;
  }
  return parts == 4;
}

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
  auto last_colon = s.rfind(':');
  std::string_view tail = s.substr(last_colon + 1);
  if (tail.find('.') != npos) return valid_ipv4(tail);
  return true;
}

bool valid_hostname(std::string_view s) noexcept {
  // hostname = *( domainlabel "." ) toplabel [ "." ]; '_' tolerated (seen in deployed DNS names).
  if (s.empty()) return false;
  if (s.back() == '.') s.remove_suffix(1);
  std::size_t label_len = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (label_len == 0 || s[i - 1] == '-') return false;
      label_len = 0;
    } else if (text::is_alnum(c) || c == '_' || (c == '-' && label_len > 0)) {
      ++label_len;
    } else {
      return false;
    }
  }
  return label_len > 0 && s.back() != '-';
}

failure fail(const char* reason) { return failure{reason}; }

expected<uri> parse_sip(std::string_view text, std::size_t rest_pos, uri u) {
  std::string_view rest = text.substr(rest_pos);
  if (rest.empty()) return fail("empty SIP URI");
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"')
      return fail("invalid character in SIP URI");

  std::size_t host_start = 0;
  // '@' cannot appear unescaped anywhere but at the end of userinfo, while user parts may hold
  // ';' '?' '/' (RFC 4475 §3.1.1.2, §3.1.1.9): the first '@' ends the userinfo.
  std::size_t at = rest.find('@');
  if (at != npos) {
    std::string_view userinfo = rest.substr(0, at);
    std::size_t colon = userinfo.find(':');
    u.user = userinfo.substr(0, colon);
    if (u.user.empty()) return fail("empty user part in SIP URI");
    for (char c : u.user)
      if (!is_user_char(c)) return fail("invalid character in SIP URI user part");
    if (colon != npos) {
      u.password = userinfo.substr(colon + 1);
      u.has_password = true;
      for (char c : u.password)
        if (!is_password_char(c)) return fail("invalid character in SIP URI password");
    }
    if (!valid_escapes(userinfo)) return fail("invalid %-escape in SIP URI userinfo");
    u.has_userinfo = true;
    host_start = at + 1;
  }

  std::size_t pos = host_start;
  if (pos < rest.size() && rest[pos] == '[') {
    std::size_t close = rest.find(']', pos);
    if (close == npos) return fail("unterminated IPv6 reference in SIP URI");
    u.host = rest.substr(pos, close + 1 - pos);
    if (!valid_ipv6(u.host.substr(1, u.host.size() - 2))) return fail("invalid IPv6 address in SIP URI");
    u.host_type = host_kind::ipv6;
    pos = close + 1;
  } else {
    std::size_t end = pos;
    while (end < rest.size() && rest[end] != ':' && rest[end] != ';' && rest[end] != '?') ++end;
    u.host = rest.substr(pos, end - pos);
    u.host_type = classify_host(u.host);
    if (u.host_type == host_kind::none) return fail("invalid host in SIP URI");
    pos = end;
  }
  if (pos < rest.size() && rest[pos] == ':') {
    std::size_t end = pos + 1;
    while (end < rest.size() && text::is_digit(rest[end])) ++end;
    auto port = text::parse_decimal(rest.substr(pos + 1, end - pos - 1), 65535);
    if (!port || *port == 0) return fail("invalid port in SIP URI");
    u.port = static_cast<std::uint16_t>(*port);
    pos = end;
  }
  if (pos < rest.size() && rest[pos] == ';') {
    std::size_t q = rest.find('?', pos);
    u.params = rest.substr(pos, q == npos ? npos : q - pos);
    if (validate_params(u.params) != nullptr || !valid_escapes(u.params))
      return fail("invalid parameter in SIP URI");
    pos = q == npos ? rest.size() : q;
  }
  if (pos < rest.size() && rest[pos] == '?') {
    u.headers = rest.substr(pos + 1);
    if (u.headers.empty() || !valid_escapes(u.headers)) return fail("invalid headers in SIP URI");
    pos = rest.size();
  }
  if (pos != rest.size()) return fail("unexpected character after host in SIP URI");
  return u;
}

expected<uri> parse_tel(std::string_view rest, uri u) {
  std::size_t semi = rest.find(';');
  u.user = rest.substr(0, semi);
  if (u.user.empty()) return fail("empty telephone number in tel URI");
  for (std::size_t i = 0; i < u.user.size(); ++i) {
    char c = u.user[i];
    if (!is_tel_char(c) || (c == '+' && i != 0)) return fail("invalid character in tel URI number");
  }
  if (semi != npos) {
    u.params = rest.substr(semi);
    for (char c : u.params)
      if (static_cast<unsigned char>(c) <= 0x20) return fail("whitespace in tel URI");
    if (validate_params(u.params) != nullptr) return fail("invalid parameter in tel URI");
  }
  return u;
}

}  // namespace

host_kind classify_host(std::string_view host) noexcept {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return valid_ipv6(host.substr(1, host.size() - 2)) ? host_kind::ipv6 : host_kind::none;
  if (!host.empty() && text::is_digit(host.back()) && valid_ipv4(host)) return host_kind::ipv4;
  return valid_hostname(host) ? host_kind::name : host_kind::none;
}

expected<uri> parse_uri(std::string_view text) {
  uri u;
  u.text = text;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  std::size_t i = 0;
  if (text.empty() || !text::is_alpha(text[0])) return fail("URI does not start with a scheme");
  while (i < text.size() && (text::is_alnum(text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.')) ++i;
  if (i >= text.size() || text[i] != ':') return fail("URI scheme not followed by ':'");
  std::string_view scheme = text.substr(0, i);
  if (text::iequals(scheme, "sip")) {
    u.scheme = uri_scheme::sip;
    return parse_sip(text, i + 1, u);
  }
  if (text::iequals(scheme, "sips")) {
    u.scheme = uri_scheme::sips;
    return parse_sip(text, i + 1, u);
  }
  if (text::iequals(scheme, "tel")) {
    u.scheme = uri_scheme::tel;
    return parse_tel(text.substr(i + 1), u);
  }
  u.scheme = uri_scheme::other;
  std::string_view rest = text.substr(i + 1);
  if (rest.empty()) return fail("empty URI after scheme");
  for (char c : rest)
    if (!is_uric(c)) return fail("invalid character in URI");
  if (!valid_escapes(rest)) return fail("invalid %-escape in URI");
  return u;
}

std::optional<std::string_view> uri::param(std::string_view name) const {
  return find_param(params, name);
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
