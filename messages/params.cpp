#include "messages/params.hpp"

namespace sipactor {
namespace detail {

namespace {
// gen-value = token / host / quoted-string; URI pvalues add "[]/:&+$" and %-escapes.
bool is_param_value_char(char c) noexcept {
  if (text::is_token_char(c)) return true;
  switch (c) {
    case '[': case ']': case '/': case ':': case '&': case '+': case '$': case '@':
      return true;
    default:
      return false;
  }
}
bool is_param_name_char(char c) noexcept {
  // pname allows param-unreserved characters too (RFC 3261 §25.1 paramchar).
  return text::is_token_char(c) || c == '[' || c == ']' || c == '/' || c == ':' || c == '&' ||
         c == '$';
}
std::size_t skip_ws(std::string_view s, std::size_t pos) noexcept {
  while (pos < s.size() && text::is_lws(s[pos])) ++pos;
  return pos;
}
}  // namespace

std::size_t read_param(std::string_view s, std::size_t pos, param& out, const char** reason) noexcept {
  constexpr auto npos = std::string_view::npos;
  if (s[pos] != ';') {
    *reason = "expected ';' before a parameter";
    return npos;
  }
  pos = skip_ws(s, pos + 1);
  std::size_t name_start = pos;
  while (pos < s.size() && is_param_name_char(s[pos])) ++pos;
  if (pos == name_start) {
    *reason = "empty parameter name";
    return npos;
  }
  out.name = s.substr(name_start, pos - name_start);
  pos = skip_ws(s, pos);
  if (pos < s.size() && s[pos] == '=') {
    pos = skip_ws(s, pos + 1);
    std::size_t value_start = pos;
    if (pos < s.size() && s[pos] == '"') {
      pos = text::skip_quoted(s, pos);
      if (pos == npos) {
        *reason = "unterminated quoted string in parameter value";
        return npos;
      }
    } else {
      while (pos < s.size() && is_param_value_char(s[pos])) ++pos;
      if (pos == value_start) {
        *reason = "empty parameter value";
        return npos;
      }
    }
    out.value = s.substr(value_start, pos - value_start);
    out.has_value = true;
  }
  std::size_t after = skip_ws(s, pos);
  if (after < s.size() && s[after] != ';') {
    *reason = "unexpected character in parameter list";
    return npos;
  }
  return after;
}

bool param_name_equals(std::string_view raw, std::string_view name) noexcept {
  std::size_t i = 0, j = 0;
  while (i < raw.size() && j < name.size()) {
    char c = raw[i];
    if (c == '%' && i + 2 < raw.size() && text::hex_value(raw[i + 1]) >= 0 &&
        text::hex_value(raw[i + 2]) >= 0) {
      c = static_cast<char>(text::hex_value(raw[i + 1]) * 16 + text::hex_value(raw[i + 2]));
      i += 3;
    } else {
      ++i;
    }
    if (text::to_lower(c) != text::to_lower(name[j])) return false;
    ++j;
  }
  return i == raw.size() && j == name.size();
}

}  // namespace detail

std::optional<std::string_view> find_param(std::string_view raw, std::string_view name) {
  std::optional<std::string_view> found;
  for_each_param(raw, [&](const param& p) {
    if (detail::param_name_equals(p.name, name)) {
      found = p.value;
      return false;
    }
    return true;
  });
  return found;
}

}  // namespace sipactor
