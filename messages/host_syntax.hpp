// RFC 3261 §25.1 host syntax, inline for the parsers' hot paths (uri.cpp, fast_views.cpp):
//   IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT
//   hostname    = *( domainlabel "." ) toplabel [ "." ]
#pragma once

#include <string_view>

#include "messages/text.hpp"

namespace sipactor::detail {

// Each octet at most 255. Unrolled: this runs for most hosts of most messages.
inline bool valid_ipv4(std::string_view s) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n < 7 || n > 15) return false;
  auto digit = [p](std::size_t k) { return static_cast<unsigned>(p[k] - '0'); };
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    unsigned value = digit(i);
    if (value > 9) return false;
    std::size_t k = i + 1;
    if (k < n && digit(k) <= 9) {
      value = value * 10 + digit(k++);
      if (k < n && digit(k) <= 9) value = value * 10 + digit(k++);
    }
    if (value > 255) return false;
    if (part == 3) return k == n;
    if (k >= n || p[k] != '.') return false;
    i = k + 1;
    if (i >= n) return false;
  }
  return false;
}

// '_' is tolerated (seen in deployed DNS names).
inline bool valid_hostname(std::string_view s) noexcept {
  if (s.empty()) return false;
  if (s.back() == '.') s.remove_suffix(1);
  std::size_t label_len = 0;
  char prev = '.';
  char label_start = '\0';
  for (char c : s) {
    if (c == '.') {
      if (label_len == 0 || prev == '-') return false;
      label_len = 0;
    } else if (text::is_alnum(c) || c == '_' || (c == '-' && label_len > 0)) {
      if (label_len++ == 0) label_start = c;
    } else {
      return false;
    }
    prev = c;
  }
  // toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum: "1.2.3.256" is no host name.
  return label_len > 0 && prev != '-' && text::is_alpha(label_start);
}

}  // namespace sipactor::detail
