// RFC 3261 §25.1 host syntax, inline for the parsers' hot paths (uri.cpp, fast_views.cpp):
//   IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT
//   hostname    = *( domainlabel "." ) toplabel [ "." ]
#pragma once

#include <string_view>

#include "messages/text.hpp"

namespace sipactor::detail {

// Each octet at most 255.
inline bool valid_ipv4(std::string_view s) noexcept {
  const char* p = s.data();
  const char* end = p + s.size();
  for (int part = 0; part < 4; ++part) {
    unsigned value = 0;
    const char* start = p;
    while (p < end && static_cast<unsigned>(*p - '0') <= 9 && p - start < 3) value = value * 10 + static_cast<unsigned>(*p++ - '0');
    if (p == start || value > 255) return false;
    if (part < 3) {
      if (p == end || *p != '.') return false;
      ++p;
    }
  }
  return p == end;
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
