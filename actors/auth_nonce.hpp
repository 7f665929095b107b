// Nonces for Digest challenges (RFC 2617 §3.2.1, RFC 7616 §5.4/§5.5) and the nonce-count replay
// check (RFC 2617 §3.2.2, §4.5).
//
// A nonce carries its issue time and a random salt, authenticated by an HMAC-SHA256 under a
// server secret that also covers the realm:
//   nonce = hex64(issue time, s) salt(16 of [0-9a-z]) hex128(HMAC-SHA256(secret, time salt ":" realm))
// so the server needs no table to tell its own live nonces from stale or forged ones. The salt
// makes every challenge's nonce distinct, which the nonce-count check relies on.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace sipactor::auth {

// Wall-clock time: a nonce may be checked by another process sharing the secret.
using auth_clock = std::chrono::system_clock;

enum class nonce_status : std::uint8_t {
  valid,
  stale,   // ours, but older than the lifetime (or from the future: a clock stepped back)
  forged,  // not ours: wrong shape, another realm, another secret (e.g. before a restart)
};

struct nonce_check {
  nonce_status status = nonce_status::forged;
  std::int64_t issued = 0;  // seconds since the epoch; meaningful unless forged
};

class nonce_issuer {
 public:
  static constexpr std::chrono::seconds default_lifetime{300};
  static constexpr std::size_t nonce_length = 64;

  // A fresh random secret: nonces die with the process.
  explicit nonce_issuer(std::chrono::seconds lifetime = default_lifetime);
  // A given secret, for nodes that must accept each other's nonces, and for tests.
  nonce_issuer(std::string secret, std::chrono::seconds lifetime);

  std::string issue(std::string_view realm, auth_clock::time_point now) const;
  nonce_check check(std::string_view nonce, std::string_view realm, auth_clock::time_point now) const;

  std::chrono::seconds lifetime() const noexcept { return lifetime_; }

 private:
  std::string mac_hex(std::string_view time_and_salt, std::string_view realm) const;

  std::string secret_;
  std::chrono::seconds lifetime_;
};

// The highest nc seen for each nonce still alive. RFC 2617 §3.2.2: "the server can detect
// replays by noting nc values"; a request whose nc is not above the last accepted one for its
// nonce is a replay (the transaction layer already absorbed retransmissions).
//
// Memory is bounded twice: an entry goes when its nonce expires, and when `capacity` entries
// exist the one of the oldest nonce is dropped early. A dropped nonce's later requests would
// pass unnoticed, so every nonce issued no later than the newest dropped one is then refused
// as `forgotten` (the client gets a fresh nonce).
class nonce_count_table {
 public:
  enum class verdict : std::uint8_t { accepted, replayed, forgotten };

  explicit nonce_count_table(std::chrono::seconds lifetime = nonce_issuer::default_lifetime,
                             std::size_t capacity = 100000);

  // Records nc for a nonce that passed nonce_issuer::check, issued at `issued`.
  verdict accept(std::string_view nonce, std::int64_t issued, std::uint32_t nc, auth_clock::time_point now);

  std::size_t size() const noexcept { return highest_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct entry {
    std::uint32_t highest_nc;
    std::int64_t issued;
  };
  void expire(std::int64_t now_s);
  void erase_oldest();

  std::chrono::seconds lifetime_;
  std::size_t capacity_;
  std::int64_t forgotten_up_to_ = INT64_MIN;  // issue times at or below: refused when unknown
  std::unordered_map<std::string, entry> highest_;
  // (issue time, nonce) in age order; the views point at keys of highest_, which stay put.
  std::set<std::pair<std::int64_t, std::string_view>> by_age_;
};

// Seconds since the epoch, as nonces carry them.
std::int64_t epoch_seconds(auth_clock::time_point t) noexcept;

}  // namespace sipactor::auth
