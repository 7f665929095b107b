// Character classes and small lexical helpers of the RFC 3261 §25 grammar. Table driven, no
// locale, no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipactor::text {

enum char_class : std::uint16_t {
  alpha = 1 << 0,
  digit = 1 << 1,
  hex = 1 << 2,
  token = 1 << 3,       // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
  word = 1 << 4,        // word: token chars plus "(" ")" "<" ">" ":" "\" DQUOTE "/" "[" "]" "?" "{" "}"
  unreserved = 1 << 5,  // RFC 3261 §25.1: alphanum / mark
  ws = 1 << 6,          // SP / HTAB
  user = 1 << 7,        // unreserved / escaped / user-unreserved (& = + $ , ; ? /)
  password = 1 << 8,    // unreserved / escaped / & = + $ ,
  param = 1 << 9,       // paramchar: unreserved / escaped / param-unreserved ([ ] / : & + $)
  uri_header = 1 << 10, // hname/hvalue chars: unreserved / escaped / [ ] / ? : + $, and = &
  host = 1 << 11,       // hostname chars (alphanum - . and, tolerated, _)
  uric = 1 << 12,       // RFC 2396 uric: reserved / unreserved / escaped (and # [ ])
  lws = 1 << 13,        // SP / HTAB / CR / LF
  upper = 1 << 14,      // A-Z
};

struct char_table {
  std::uint16_t bits[256];
  constexpr void add(std::string_view chars, std::uint16_t cls) {
    for (char c : chars) bits[static_cast<unsigned char>(c)] |= cls;
  }
  constexpr char_table() : bits{} {
    for (int c = 'a'; c <= 'z'; ++c) bits[c] |= alpha;
    for (int c = 'A'; c <= 'Z'; ++c) bits[c] |= alpha | upper;
    for (int c = '0'; c <= '9'; ++c) bits[c] |= digit | hex;
    for (int c = 'a'; c <= 'f'; ++c) bits[c] |= hex;
    for (int c = 'A'; c <= 'F'; ++c) bits[c] |= hex;
    for (int c = 0; c < 256; ++c)
      if (bits[c] & (alpha | digit)) bits[c] |= token | word | unreserved | user | password | param | uri_header | host | uric;
    add("-.!%*_+`'~", token | word);
    add("()<>:\\\"/[]?{}", word);
    add("-_.!~*'()", unreserved | user | password | param | uri_header | uric);
    add("%&=+$,;?/", user);
    add("%&=+$,", password);
    add("%[]/:&+$", param);
    add("%[]/?:+$=&", uri_header);
    add("-._", host);
    add(";/?:@&=+$,%#[]", uric);
    add(" \t", ws | lws);
    add("\r\n", lws);
  }
};

// Hidden: reached PC-relative, not through the GOT, from the position-independent library.
[[gnu::visibility("hidden")]] inline constexpr char_table table{};

constexpr bool is(char c, std::uint16_t cls) noexcept {
  return (table.bits[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_alpha(char c) noexcept { return is(c, alpha); }
constexpr bool is_digit(char c) noexcept { return is(c, digit); }
constexpr bool is_alnum(char c) noexcept { return is(c, alpha | digit); }
constexpr bool is_hex(char c) noexcept { return is(c, hex); }
constexpr bool is_token_char(char c) noexcept { return is(c, token); }
constexpr bool is_word_char(char c) noexcept { return is(c, word); }
constexpr bool is_unreserved(char c) noexcept { return is(c, unreserved); }
constexpr bool is_ws(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr char to_lower(char c) noexcept {
  return static_cast<char>(c | ((table.bits[static_cast<unsigned char>(c)] & upper) != 0 ? 0x20 : 0));
}

constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// Linear white space inside a header value: folding was already replaced by spaces, but
// CR/LF are trimmed too so the helpers work on raw text.
// The same as is(c, lws), without the table load: the parsers call it at every element boundary.
constexpr bool is_lws(char c) noexcept {
  constexpr std::uint64_t set = 1ull << ' ' | 1ull << '\t' | 1ull << '\r' | 1ull << '\n';
  return static_cast<unsigned char>(c) <= ' ' && ((set >> static_cast<unsigned char>(c)) & 1) != 0;
}
constexpr bool lws_is_the_table_class() noexcept {
  for (int c = 0; c < 256; ++c)
    if (is_lws(static_cast<char>(c)) != is(static_cast<char>(c), lws)) return false;
  return true;
}
static_assert(lws_is_the_table_class());

inline std::string_view trim_left(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && is_lws(s[i])) ++i;
  return s.substr(i);
}
inline std::string_view trim_right(std::string_view s) noexcept {
  std::size_t n = s.size();
  while (n > 0 && is_lws(s[n - 1])) --n;
  return s.substr(0, n);
}
inline std::string_view trim(std::string_view s) noexcept { return trim_right(trim_left(s)); }

inline bool all_of(std::string_view s, std::uint16_t cls) noexcept {
  for (char c : s)
    if (!is(c, cls)) return false;
  return true;
}
inline bool is_token(std::string_view s) noexcept { return !s.empty() && all_of(s, token); }

// Decimal digits only (leading zeros allowed); false on empty, non-digit or > max.
inline bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept {
  if (s.empty()) return false;
  std::uint64_t value = 0;
  if (s.size() <= 19) {
    // No overflow: 19 digits stay below 10^19 < 2^64. The value only grows with each digit, so
    // comparing it with max once at the end decides as the loop below does.
    for (char c : s) {
      const unsigned d = static_cast<unsigned char>(c) - '0';
      if (d > 9) return false;
      value = value * 10 + d;
    }
    if (value > max) return false;
    out = value;
    return true;
  }
  for (char c : s) {
    unsigned d = static_cast<unsigned char>(c) - '0';
    // (2^64 - 1 - 9) / 10 is a constant: no division per digit.
    if (d > 9 || value > (~std::uint64_t{0} - 9) / 10) return false;
    value = value * 10 + d;
    if (value > max) return false;
  }
  out = value;
  return true;
}
inline std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) noexcept {
  std::uint64_t v = 0;
  if (!parse_decimal(s, max, v)) return std::nullopt;
  return v;
}

// Position just after a quoted-string starting at s[pos] == '"' (quoted-pairs honoured), or npos
// when it is not terminated.
std::size_t skip_quoted(std::string_view s, std::size_t pos) noexcept;

// Position of the first `c` at top level: outside quoted strings and <...>, or npos.
std::size_t find_top_level(std::string_view s, char c, std::size_t from = 0) noexcept;

// Calls f(element) for each comma-separated element at top level (outside quotes and <>).
// Elements are trimmed; empty elements are passed too so callers can reject ",,".
template <class F>
bool for_each_element(std::string_view s, F&& f) {
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = find_top_level(s, ',', start);
    std::string_view element = trim(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start));
    if (!f(element)) return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

// The content of a quoted-string with quoted-pairs resolved; s may or may not carry the quotes.
std::string unquote(std::string_view s);

// %HH escapes decoded (RFC 3261 §19.1.2); invalid escapes are kept literally.
std::string unescape(std::string_view s);

}  // namespace sipactor::text
