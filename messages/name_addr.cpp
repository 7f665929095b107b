// name-addr / addr-spec values (RFC 3261 §20.10, §20.20, §20.39, §25.1):
//   (name-addr / addr-spec) *( SEMI param )
//   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
//   display-name = *(token LWS) / quoted-string
#include <cstring>

#include "messages/header_views.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {
constexpr auto npos = std::string_view::npos;
}  // namespace

const char* parse_name_addr_at(std::string_view s, std::size_t& pos, name_addr& na) noexcept {
  const std::size_t n = s.size();
  std::size_t i = pos;
  while (i < n && text::is_lws(s[i])) ++i;
  const std::size_t start = i;
  if (i >= n || s[i] == ',') return "empty address";

  if (s[i] == '"') {
    std::size_t end = text::skip_quoted(s, i);
    if (end == npos) return "unterminated quoted string in display name";
    na.display_name = s.substr(i, end - i);
    i = end;
    while (i < n && text::is_lws(s[i])) ++i;
    if (i >= n || s[i] != '<') return "display name not followed by <URI>";
  } else {
    // A token display name: words up to '<' (RFC 4475 §3.1.1.6: no LWS before '<' is accepted).
    std::size_t j = i;
    while (j < n && (text::is_token_char(s[j]) || text::is_lws(s[j]))) ++j;
    if (j < n && s[j] == '<') {
      na.display_name = text::trim(s.substr(i, j - i));
      i = j;
    }
  }

  if (s[i] == '<') {
    std::size_t close = i + 1;
    while (close < n && s[close] != '>') ++close;  // URIs are short: a loop beats memchr here
    if (close == n) return "missing '>' after URI";
    std::string_view inner = s.substr(i + 1, close - i - 1);
    if (inner.empty()) return "empty URI in <>";
    // LAQUOT = SWS "<", RAQUOT = ">" SWS: no whitespace inside the brackets (RFC 4475 §3.1.2.14).
    if (text::is_lws(inner.front()) || text::is_lws(inner.back())) return "whitespace inside <> around URI";
    if (const char* reason = parse_uri_into(inner, na.address)) return reason;
    na.bracketed = true;
    i = close + 1;
  } else {
    // addr-spec: the URI ends at the first ';' (header parameters follow), ',' or whitespace.
    std::size_t j = i;
    while (j < n && s[j] != ';' && s[j] != ',' && !text::is_lws(s[j]) && s[j] != '?') ++j;
    // §20: a URI with a comma, question mark or semicolon MUST be in <> (RFC 4475 §3.1.2.13).
    if (j < n && s[j] == '?') return "URI containing '?' must be enclosed in <>";
    if (const char* reason = parse_uri_into(s.substr(i, j - i), na.address)) {
      // "Bell, Alexander <sip:...>": words that needed quoting before a bracketed URI.
      if (std::memchr(s.data() + i, '<', n - i) != nullptr) return "display name with characters that require quoting";
      return reason;
    }
    i = j;
  }

  while (i < n && text::is_lws(s[i])) ++i;
  const std::size_t params_start = i;
  while (i < n && s[i] == ';') {
    param p;
    const char* reason = nullptr;
    std::size_t param_start = i;
    i = detail::read_param(s, i, p, &reason);
    if (reason != nullptr) return reason;
    if (detail::repeats_param(s.substr(params_start, param_start - params_start), p.name, false)) return "duplicate parameter";
    if (p.name.size() == 3 && text::iequals(p.name, "tag")) {
      if (!p.has_value) return "tag parameter without value";  // tag-param = "tag" EQUAL token
      na.tag_value = p.value;
    }
  }
  if (i < n && s[i] != ',') return "unexpected text after address";
  na.params = text::trim_right(s.substr(params_start, i - params_start));
  na.text = text::trim_right(s.substr(start, i - start));
  pos = i;
  return nullptr;
}

expected<name_addr> parse_name_addr(std::string_view element) {
  name_addr na;
  std::size_t pos = 0;
  if (const char* reason = parse_name_addr_at(element, pos, na)) return failure{reason};
  if (pos != element.size()) return failure{"more than one address"};
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

const char* read_contact_params(const name_addr& address, contact& c) {
  if (address.params.empty()) return nullptr;
  if (auto e = address.param("expires")) {
    auto seconds = parse_delta_seconds(*e);
    c.expires = seconds ? *seconds : 3600u;  // §10.2.1.1: malformed values read as 3600
  }
  if (auto q = address.param("q")) {
    c.q_milli = parse_qvalue(*q);
    if (c.q_milli < 0) return "invalid Contact q-value";
  }
  return nullptr;
}

const char* check_contact_params(const name_addr& address) {
  if (address.params.empty()) return nullptr;
  auto q = address.param("q");
  return q && parse_qvalue(*q) < 0 ? "invalid Contact q-value" : nullptr;
}

expected<contact> parse_contact(std::string_view element) {
  auto na = parse_name_addr(element);
  if (!na) return na.error();
  contact c;
  if (const char* reason = read_contact_params(*na, c)) return failure{reason};
  c.address = *na;
  return c;
}

}  // namespace sipactor
