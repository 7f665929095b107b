// Parameter lists: `;name[=value]` after a header value (generic-param, RFC 3261 §25.1) or inside
// a URI (uri-parameter, §19.1.1). Kept as raw text and searched on demand, so a parsed message
// stores one span per list instead of one object per parameter.
#pragma once

#include <optional>
#include <string_view>

#include "messages/text.hpp"

namespace sipactor {

struct param {
  std::string_view name;
  std::string_view value;  // raw: quotes and %-escapes kept
  bool has_value = false;
};

namespace detail {
// Reads one `;name[=value]` at s[pos] (s[pos] == ';'). Returns the position after it and its
// trailing whitespace, or npos with *reason set.
std::size_t read_param(std::string_view s, std::size_t pos, param& out, const char** reason) noexcept;
// Case-insensitive comparison of a URI parameter name with a plain name, %-escapes decoded
// (§19.1.4). Header parameters have no escapes: there "%74ag" is not "tag".
bool param_name_equals(std::string_view raw, std::string_view name) noexcept;
// Whether `name` (as written) already appears among the parameters in `before`: §7.3.1, "any
// given parameter-name MUST NOT appear more than once". Case-insensitive; for URI parameters
// (`uri`) with %-escapes decoded on both sides.
bool repeats_param(std::string_view before, std::string_view name, bool uri);
}  // namespace detail

// Calls f(param) for each parameter in `raw` (which starts with ';' or is blank). Returns nullptr
// when the whole list is well formed, else the reason.
template <class F>
const char* for_each_param(std::string_view raw, F&& f) {
  std::size_t pos = 0;
  for (;;) {
    while (pos < raw.size() && text::is_lws(raw[pos])) ++pos;
    if (pos >= raw.size()) return nullptr;
    param p;
    const char* reason = nullptr;
    pos = detail::read_param(raw, pos, p, &reason);
    if (reason != nullptr) return reason;
    if (pos < raw.size() && raw[pos] != ';') return "unexpected character in parameter list";
    if (!f(p)) return nullptr;
  }
}

inline const char* validate_params(std::string_view raw) {
  return for_each_param(raw, [](const param&) { return true; });
}

// The value of header parameter `name` (empty for a flag parameter), or nullopt when absent.
std::optional<std::string_view> find_param(std::string_view raw, std::string_view name);
// The same for a URI parameter, whose name may be %-escaped ("%6C%72" is "lr").
std::optional<std::string_view> find_uri_param(std::string_view raw, std::string_view name);
// Checks a whole list: well formed and no name twice.
const char* validate_unique_params(std::string_view raw, bool uri);

inline bool has_param(std::string_view raw, std::string_view name) {
  return find_param(raw, name).has_value();
}

}  // namespace sipactor
