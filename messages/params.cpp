#include "messages/params.hpp"

namespace sipactor {
namespace detail {

std::size_t read_param(std::string_view s, std::size_t pos, param& out, const char** reason) noexcept {
  // SEMI = SWS ";" SWS; generic-param = token [ EQUAL gen-value ]; EQUAL = SWS "=" SWS;
  // gen-value = token / host / quoted-string. URI paramchars ([ ] / : & + $) are accepted too.
  constexpr auto npos = std::string_view::npos;
  constexpr std::uint16_t name_chars = text::token | text::param;
  const std::size_t n = s.size();
  if (s[pos] != ';') {
    *reason = "expected ';' before a parameter";
    return npos;
  }
  ++pos;
  while (pos < n && text::is_lws(s[pos])) ++pos;
  std::size_t name_start = pos;
  while (pos < n && text::is(s[pos], name_chars)) ++pos;
  if (pos == name_start) {
    *reason = "empty parameter name";
    return npos;
  }
  out.name = s.substr(name_start, pos - name_start);
  out.value = {};
  out.has_value = false;
  while (pos < n && text::is_lws(s[pos])) ++pos;
  if (pos < n && s[pos] == '=') {
    ++pos;
    while (pos < n && text::is_lws(s[pos])) ++pos;
    std::size_t value_start = pos;
    if (pos < n && s[pos] == '"') {
      pos = text::skip_quoted(s, pos);
      if (pos == npos) {
        *reason = "unterminated quoted string in parameter value";
        return npos;
      }
    } else {
      while (pos < n && text::is(s[pos], name_chars)) ++pos;
      if (pos == value_start) {
        *reason = "empty parameter value";
        return npos;
      }
    }
    out.value = s.substr(value_start, pos - value_start);
    out.has_value = true;
    while (pos < n && text::is_lws(s[pos])) ++pos;
  }
  return pos;
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

bool repeats_param(std::string_view before, std::string_view name, bool uri) {
  if (before.empty()) return false;
  std::string plain = uri && name.find('%') != std::string_view::npos ? text::unescape(name) : std::string(name);
  bool repeated = false;
  for_each_param(before, [&](const param& p) {
    repeated = uri ? param_name_equals(p.name, plain) : text::iequals(p.name, plain);
    return !repeated;
  });
  return repeated;
}

}  // namespace detail

std::optional<std::string_view> find_param(std::string_view raw, std::string_view name) {
  std::optional<std::string_view> found;
  for_each_param(raw, [&](const param& p) {
    if (text::iequals(p.name, name)) {
      found = p.value;
      return false;
    }
    return true;
  });
  return found;
}

const char* validate_unique_params(std::string_view raw, bool uri) {
  const char* duplicate = nullptr;
  const char* reason = for_each_param(raw, [&](const param& p) {
    std::size_t before = static_cast<std::size_t>(p.name.data() - raw.data());
    if (detail::repeats_param(raw.substr(0, before), p.name, uri)) duplicate = "duplicate parameter";
    return duplicate == nullptr;
  });
  return reason != nullptr ? reason : duplicate;
}

std::optional<std::string_view> find_uri_param(std::string_view raw, std::string_view name) {
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
