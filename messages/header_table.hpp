// The known header names and their perfect hash, inline for the parser's header-line loop
// (parser.cpp) and lookup_header() (header_names.cpp). Internal to messages/.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "messages/branch_hints.hpp"
#include "messages/header_names.hpp"
#include "messages/text.hpp"

namespace sipactor::detail {

struct name_entry {
  std::string_view name;
  header_id id;
};

// Hidden: the library is position independent, and a default-visibility inline variable would be
// reached through the GOT, one more dependent load per lookup.
[[gnu::visibility("hidden")]] inline constexpr name_entry long_names[] = {
    {"Accept", header_id::accept},
    {"Accept-Encoding", header_id::accept_encoding},
    {"Accept-Language", header_id::accept_language},
    {"Alert-Info", header_id::alert_info},
    {"Allow", header_id::allow},
    {"Allow-Events", header_id::allow_events},
    {"Authentication-Info", header_id::authentication_info},
    {"Authorization", header_id::authorization},
    {"Call-ID", header_id::call_id},
    {"Call-Info", header_id::call_info},
    {"Contact", header_id::contact},
    {"Content-Disposition", header_id::content_disposition},
    {"Content-Encoding", header_id::content_encoding},
    {"Content-Language", header_id::content_language},
    {"Content-Length", header_id::content_length},
    {"Content-Type", header_id::content_type},
    {"CSeq", header_id::cseq},
    {"Date", header_id::date},
    {"Error-Info", header_id::error_info},
    {"Event", header_id::event},
    {"Expires", header_id::expires},
    {"From", header_id::from},
    {"In-Reply-To", header_id::in_reply_to},
    {"Max-Forwards", header_id::max_forwards},
    {"MIME-Version", header_id::mime_version},
    {"Min-Expires", header_id::min_expires},
    {"Organization", header_id::organization},
    {"Path", header_id::path},
    {"Priority", header_id::priority},
    {"Proxy-Authenticate", header_id::proxy_authenticate},
    {"Proxy-Authorization", header_id::proxy_authorization},
    {"Proxy-Require", header_id::proxy_require},
    {"RAck", header_id::rack},
    {"Reason", header_id::reason},
    {"Record-Route", header_id::record_route},
    {"Refer-To", header_id::refer_to},
    {"Referred-By", header_id::referred_by},
    {"Reply-To", header_id::reply_to},
    {"Require", header_id::require},
    {"Retry-After", header_id::retry_after},
    {"Route", header_id::route},
    {"RSeq", header_id::rseq},
    {"Server", header_id::server},
    {"Session-Expires", header_id::session_expires},
    {"Subject", header_id::subject},
    {"Subscription-State", header_id::subscription_state},
    {"Supported", header_id::supported},
    {"Timestamp", header_id::timestamp},
    {"To", header_id::to},
    {"Unsupported", header_id::unsupported},
    {"User-Agent", header_id::user_agent},
    {"Via", header_id::via},
    {"Warning", header_id::warning},
    {"WWW-Authenticate", header_id::www_authenticate},
};

// RFC 3261 §7.3.3 and the extensions that define compact forms (RFC 3265, 3515, 3892, 4028).
constexpr header_id compact_form(char c) noexcept {
  switch (text::to_lower(c)) {
    case 'c': return header_id::content_type;
    case 'e': return header_id::content_encoding;
    case 'f': return header_id::from;
    case 'i': return header_id::call_id;
    case 'k': return header_id::supported;
    case 'l': return header_id::content_length;
    case 'm': return header_id::contact;
    case 'o': return header_id::event;
    case 'r': return header_id::refer_to;
    case 's': return header_id::subject;
    case 't': return header_id::to;
    case 'u': return header_id::allow_events;
    case 'v': return header_id::via;
    case 'b': return header_id::referred_by;
    case 'x': return header_id::session_expires;
    default: return header_id::other;
  }
}

// A perfect hash of the name's first and last folded words (below) and its length: one slot per
// known name, checked at compile time. Each name is kept as three folded words, so a lookup is
// the loads of the name's words, one multiply, two table reads and a few compares.
inline constexpr std::size_t max_name_length = 20;
constexpr unsigned name_slot(std::uint64_t w0, std::uint64_t w2, std::size_t n) noexcept {
  return static_cast<unsigned>(((w0 ^ (w2 << 1) ^ n) * 0x903715c8fcaf4a5bull) >> 56);
}

// A name of 2 to 20 octets as three words, each octet OR 0x20: 8-octet words at 0, at
// min(8, n - 8) and at n - 8 (overlapping); shorter names use 4- or 2-octet words at both ends.
// Our names hold only letters and '-', and a header name is a token: for such pairs, equal words
// after OR-ing 0x20 into every octet is exactly case-insensitive equality.
struct name_words {
  std::uint64_t w0 = 0, w1 = 0, w2 = 0;
};
constexpr std::uint64_t fold_le(const char* p, std::size_t width) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i] | 0x20)) << (8 * i);
  return v;
}
constexpr name_words words_of(const char* p, std::size_t n) noexcept {
  if (n >= 8) return {fold_le(p, 8), fold_le(p + (n >= 16 ? 8 : n - 8), 8), fold_le(p + n - 8, 8)};
  if (n >= 4) return {fold_le(p, 4), 0, fold_le(p + n - 4, 4)};
  return {fold_le(p, 2), 0, fold_le(p + n - 2, 2)};
}
// sizeof(Word) octets at p as one little-endian number (an unaligned load).
template <class Word>
inline Word load_word(const char* p) noexcept {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
// The same as words_of at run time, with plain loads.
template <class Word>
inline std::uint64_t load_folded(const char* p) noexcept {
  return static_cast<Word>(load_word<Word>(p) | static_cast<Word>(0x2020202020202020ull));
}

struct name_slot_entry {
  name_words words;
  std::uint8_t length = 0;
  header_id id = header_id::other;
};
// 256 one-octet slots (1 + index into entry; 0: no name hashes here) in front of the 54 entries:
// 2 KiB in all, a few cache lines per message.
struct name_hash {
  std::array<std::uint8_t, 256> slot{};
  std::array<name_slot_entry, std::size(long_names) + 1> entry{};  // entry[0]: matches nothing
  bool collision = false;
  bool bad_length = false;
  constexpr name_hash() {
    for (std::size_t i = 0; i < std::size(long_names); ++i) {
      const name_entry& e = long_names[i];
      const std::size_t n = e.name.size();
      bad_length |= n > max_name_length || n < 2;
      const name_words w = words_of(e.name.data(), n);
      std::uint8_t& s = slot[name_slot(w.w0, w.w2, n)];
      collision |= s != 0;
      s = static_cast<std::uint8_t>(i + 1);
      entry[i + 1].words = w;
      entry[i + 1].length = static_cast<std::uint8_t>(n);
      entry[i + 1].id = e.id;
    }
  }
};
[[gnu::visibility("hidden")]] inline constexpr name_hash by_hash{};
static_assert(!by_hash.collision, "two header names share a hash slot: choose another multiplier");
static_assert(!by_hash.bad_length, "a long header name is shorter than 2 or longer than max_name_length");

// lookup_header() for a name that is a token (header names are).
__attribute__((always_inline)) inline header_id find_header(const char* name, std::size_t n) noexcept {
  if (n == 1) return compact_form(name[0]);
  if (n == 0 || n > max_name_length) return header_id::other;
  std::uint64_t w0, w2;
  if (n >= 8) {
    w0 = load_folded<std::uint64_t>(name);
    w2 = load_folded<std::uint64_t>(name + n - 8);
  } else if (n >= 4) {
    w0 = load_folded<std::uint32_t>(name);
    w2 = load_folded<std::uint32_t>(name + n - 4);
  } else {
    w0 = load_folded<std::uint16_t>(name);
    w2 = load_folded<std::uint16_t>(name + n - 2);
  }
  const name_slot_entry& e = by_hash.entry[by_hash.slot[name_slot(w0, w2, n)]];
  // Up to 16 octets the first and last words cover the name; the middle word only past that.
  if (((e.length ^ n) | (e.words.w0 ^ w0) | (e.words.w2 ^ w2)) != 0) return header_id::other;
  if (SIPACTOR_UNLIKELY(n > 16) && e.words.w1 != load_folded<std::uint64_t>(name + 8)) return header_id::other;
  return e.id;
}

}  // namespace sipactor::detail
