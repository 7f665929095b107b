// name-addr / addr-spec values (RFC 3261 §20.10, §20.20, §20.39, §25.1):
//   (name-addr / addr-spec) *( SEMI param )
//   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
//   display-name = *(token LWS) / quoted-string
#include "messages/header_views.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {
constexpr auto npos = std::string_view::npos;

bool is_token_display_name(std::string_view s) {
  for (char c : s)
    if (!text::is_token_char(c) && !text::is_lws(c)) return false;
  return true;
}
}  // namespace

expected<name_addr> parse_name_addr(std::string_view element) {
  name_addr na;
  na.text = element;
  std::string_view s = element;
  if (s.empty()) return failure{"empty address"};
  std::size_t pos = 0;
  if (s[0] == '"') {
    std::size_t end = text::skip_quoted(s, 0);
    if (end == npos) return failure{"unterminated quoted string in display name"};
    na.display_name = s.substr(0, end);
    pos = end;
    while (pos < s.size() && text::is_lws(s[pos])) ++pos;
    if (pos >= s.size() || s[pos] != '<') return failure{"display name not followed by <URI>"};
  } else {
    std::size_t lt = s.find('<');
    if (lt != npos) {
      // RFC 4475 §3.1.1.6 (lwsdisp): no LWS before '<' is accepted.
      na.display_name = text::trim(s.substr(0, lt));
      if (!is_token_display_name(na.display_name))
        return failure{"display name with characters that require quoting"};
      pos = lt;
    }
  }

  if (pos < s.size() && s[pos] == '<') {
    std::size_t gt = s.find('>', pos);
    if (gt == npos) return failure{"missing '>' after URI"};
    std::string_view inner = s.substr(pos + 1, gt - pos - 1);
    if (inner.empty()) return failure{"empty URI in <>"};
    // LAQUOT = SWS "<", RAQUOT = ">" SWS: no whitespace inside the brackets (RFC 4475 §3.1.2.14).
    if (text::is_lws(inner.front()) || text::is_lws(inner.back())) return failure{"whitespace inside <> around URI"};
    auto u = parse_uri(inner);
    if (!u) return u.error();
    na.address = *u;
    na.bracketed = true;
    pos = gt + 1;
  } else {
    // addr-spec: the URI ends at the first ';' (header parameters follow) or whitespace.
    std::size_t end = pos;
    while (end < s.size() && s[end] != ';' && !text::is_lws(s[end])) ++end;
    std::string_view uri_text = s.substr(pos, end - pos);
    // §20: a URI with a comma, question mark or semicolon MUST be in <> (RFC 4475 §3.1.2.13).
    if (uri_text.find('?') != npos || uri_text.find(',') != npos)
      return failure{"URI containing '?' or ',' must be enclosed in <>"};
    auto u = parse_uri(uri_text);
    if (!u) return u.error();
    na.address = *u;
    pos = end;
  }

  std::string_view rest = text::trim(s.substr(pos));
  if (!rest.empty() && rest[0] != ';') return failure{"unexpected text after address"};
  if (const char* reason = validate_params(rest)) return failure{reason};
  na.params = rest;
  return na;
}

std::string name_addr::display_name_unquoted() const {
  if (!display_name.empty() && display_name.front() == '"') return text::unquote(display_name);
  return std::string(display_name);
}

namespace {
// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
int parse_qvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int whole = v[0] - '0';
  int milli = 0;
  if (v.size() > 1) {
    if (v[1] != '.' || v.size() > 5) return -1;
    int scale = 100;
    for (std::size_t i = 2; i < v.size(); ++i, scale /= 10) {
      if (!text::is_digit(v[i])) return -1;
      milli += (v[i] - '0') * scale;
    }
  }
  if (whole == 1 && milli != 0) return -1;
  return whole * 1000 + milli;
}
}  // namespace

expected<contact> parse_contact(std::string_view element) {
  auto na = parse_name_addr(element);
  if (!na) return na.error();
  contact c;
  c.address = *na;
  if (auto e = na->param("expires")) {
    auto seconds = parse_delta_seconds(*e);
    c.expires = seconds ? *seconds : 3600u;  // §10.2.1.1: malformed values read as 3600
  }
  if (auto q = na->param("q")) {
    c.q_milli = parse_qvalue(*q);
    if (c.q_milli < 0) return failure{"invalid Contact q-value"};
  }
  return c;
}

}  // namespace sipactor
