// Character classes and small lexical helpers of the RFC 3261 §25 grammar. Table driven, no
// locale, no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipactor::text {

enum char_class : std::uint8_t {
  alpha = 1 << 0,
  digit = 1 << 1,
  hex = 1 << 2,
  token = 1 << 3,     // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
  word = 1 << 4,      // word: token chars plus "(" ")" "<" ">" ":" "\" DQUOTE "/" "[" "]" "?" "{" "}"
  unreserved = 1 << 5,  // RFC 3261 §25.1: alphanum / mark
  ws = 1 << 6,        // SP / HTAB
};

struct char_table {
  std::uint8_t bits[256];
  constexpr char_table() : bits{} {
    for (int c = 'a'; c <= 'z'; ++c) bits[c] |= alpha | token | word | unreserved;
    for (int c = 'A'; c <= 'Z'; ++c) bits[c] |= alpha | token | word | unreserved;
    for (int c = '0'; c <= '9'; ++c) bits[c] |= digit | hex | token | word | unreserved;
    for (int c = 'a'; c <= 'f'; ++c) bits[c] |= hex;
    for (int c = 'A'; c <= 'F'; ++c) bits[c] |= hex;
    for (char c : std::string_view("-.!%*_+`'~")) bits[static_cast<unsigned char>(c)] |= token | word;
    for (char c : std::string_view("()<>:\\\"/[]?{}")) bits[static_cast<unsigned char>(c)] |= word;
    for (char c : std::string_view("-_.!~*'()")) bits[static_cast<unsigned char>(c)] |= unreserved;
    bits[static_cast<unsigned char>(' ')] |= ws;
    bits[static_cast<unsigned char>('\t')] |= ws;
  }
};

inline constexpr char_table table{};

constexpr bool is(char c, std::uint8_t cls) noexcept {
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
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
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
constexpr bool is_lws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

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

inline bool all_of(std::string_view s, std::uint8_t cls) noexcept {
  for (char c : s)
    if (!is(c, cls)) return false;
  return true;
}
inline bool is_token(std::string_view s) noexcept { return !s.empty() && all_of(s, token); }

// Decimal digits only (leading zeros allowed); nullopt on empty, non-digit or > max.
std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) noexcept;

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
