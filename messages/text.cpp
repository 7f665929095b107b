#include "messages/text.hpp"

namespace sipactor::text {

std::size_t skip_quoted(std::string_view s, std::size_t pos) noexcept {
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // quoted-pair: the next octet is literal
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::size_t find_top_level(std::string_view s, char c, std::size_t from) noexcept {
  bool in_angle = false;
  for (std::size_t i = from; i < s.size(); ++i) {
    char ch = s[i];
    if (ch == '"' && !in_angle) {
      std::size_t end = skip_quoted(s, i);
      if (end == std::string_view::npos) return std::string_view::npos;
      i = end - 1;
    } else if (ch == '<') {
      in_angle = true;
    } else if (ch == '>') {
      in_angle = false;
    } else if (ch == c && !in_angle) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace sipactor::text
