#include "actors/auth_nonce.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "messages/identifiers.hpp"
#include "messages/text.hpp"

namespace sipactor::auth {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";
constexpr std::size_t time_digits = 16;
constexpr std::size_t salt_digits = 16;  // [0-9a-z]
constexpr std::size_t mac_digits = 32;  // HMAC-SHA256 truncated to 128 bits (RFC 2104 §5)
static_assert(time_digits + salt_digits + mac_digits == nonce_issuer::nonce_length);
// A nonce from up to this far in the future still counts as live: nodes sharing a secret may
// disagree a little on the time.
constexpr std::int64_t clock_skew_s = 30;

void append_hex(std::string& out, const unsigned char* bytes, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    out += hex_digits[bytes[i] >> 4];
    out += hex_digits[bytes[i] & 0x0f];
  }
}

void append_hex64(std::string& out, std::uint64_t v) {
  for (int shift = 60; shift >= 0; shift -= 4) out += hex_digits[(v >> shift) & 0x0f];
}

bool is_lower_alnum(std::string_view s) noexcept {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

}  // namespace

std::int64_t epoch_seconds(auth_clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// About 330 bits from the kernel's generator (identifiers.cpp).
nonce_issuer::nonce_issuer(std::chrono::seconds lifetime) : nonce_issuer(random_token(64), lifetime) {}

nonce_issuer::nonce_issuer(std::string secret, std::chrono::seconds lifetime)
    : secret_(std::move(secret)), lifetime_(lifetime) {}

std::string nonce_issuer::mac_hex(std::string_view time_and_salt, std::string_view realm) const {
  std::string data;
  data.reserve(time_and_salt.size() + 1 + realm.size());
  data.append(time_and_salt).append(":").append(realm);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length) == nullptr ||
      length * 2 < mac_digits)
    return {};
  std::string out;
  out.reserve(mac_digits);
  append_hex(out, mac, mac_digits / 2);
  return out;
}

std::string nonce_issuer::issue(std::string_view realm, auth_clock::time_point now) const {
  std::string nonce;
  nonce.reserve(nonce_length);
  append_hex64(nonce, static_cast<std::uint64_t>(epoch_seconds(now)));
  // The salt only has to make nonces distinct (~83 bits); its secrecy does not matter.
  nonce += random_token(salt_digits);
  nonce += mac_hex(nonce, realm);
  return nonce;
}

nonce_check nonce_issuer::check(std::string_view nonce, std::string_view realm, auth_clock::time_point now) const {
  nonce_check result;
  if (nonce.size() != nonce_length || !is_lower_alnum(nonce)) return result;
  std::string expected_mac = mac_hex(nonce.substr(0, time_digits + salt_digits), realm);
  std::string_view received_mac = nonce.substr(time_digits + salt_digits);
  if (expected_mac.size() != received_mac.size() ||
      CRYPTO_memcmp(expected_mac.data(), received_mac.data(), received_mac.size()) != 0)
    return result;
  std::uint64_t issued = 0;
  for (char c : nonce.substr(0, time_digits)) issued = (issued << 4) | static_cast<std::uint64_t>(text::hex_value(c));
  result.issued = static_cast<std::int64_t>(issued);
  std::int64_t now_s = epoch_seconds(now);
  bool expired = now_s - result.issued > lifetime_.count();
  bool from_future = result.issued - now_s > clock_skew_s;
  result.status = expired || from_future ? nonce_status::stale : nonce_status::valid;
  return result;
}

nonce_count_table::nonce_count_table(std::chrono::seconds lifetime, std::size_t capacity)
    : lifetime_(lifetime), capacity_(capacity == 0 ? 1 : capacity) {}

void nonce_count_table::erase_oldest() {
  auto oldest = by_age_.begin();
  std::string key(oldest->second);
  by_age_.erase(oldest);
  highest_.erase(key);
}

void nonce_count_table::expire(std::int64_t now_s) {
  while (!by_age_.empty() && now_s - by_age_.begin()->first > lifetime_.count()) erase_oldest();
}

nonce_count_table::verdict nonce_count_table::accept(std::string_view nonce, std::int64_t issued, std::uint32_t nc,
                                                     auth_clock::time_point now) {
  std::int64_t now_s = epoch_seconds(now);
  expire(now_s);
  auto found = highest_.find(std::string(nonce));
  if (found != highest_.end()) {
    if (nc <= found->second.highest_nc) return verdict::replayed;
    found->second.highest_nc = nc;
    return verdict::accepted;
  }
  if (nc == 0) return verdict::replayed;  // RFC 2617 §3.2.2: the first request says 00000001
  if (issued <= forgotten_up_to_ || now_s - issued > lifetime_.count()) return verdict::forgotten;
  if (highest_.size() >= capacity_) {
    // Forget the oldest nonce, or this one when it is older still.
    std::int64_t oldest = by_age_.begin()->first;
    forgotten_up_to_ = std::max(forgotten_up_to_, std::min(oldest, issued));
    if (oldest >= issued) return verdict::forgotten;
    erase_oldest();
  }
  auto inserted = highest_.emplace(std::string(nonce), entry{nc, issued}).first;
  by_age_.emplace(issued, std::string_view(inserted->first));
  return verdict::accepted;
}

}  // namespace sipactor::auth
