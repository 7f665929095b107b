// Stored Digest credentials and where a verifier looks them up. Only HA1 values are kept
// (RFC 2617 §4.13: HA1 is password-equivalent for its realm, but the password itself, reused
// elsewhere, is never stored). The users file (auth_users.hpp) implements credential_store; a
// database can implement it too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "actors/auth_digest.hpp"

namespace sipactor::auth {

struct user_credentials {
  std::string user;
  std::string realm;
  std::string ha1_md5;     // 32 lowercase hex digits, or empty when unknown
  std::string ha1_sha256;  // 64 lowercase hex digits, or empty when unknown

  const std::string& ha1(digest_algorithm a) const noexcept {
    return a == digest_algorithm::sha256 ? ha1_sha256 : ha1_md5;
  }
};

// HA1 for both algorithms from a password (which is not kept).
inline user_credentials hash_password(std::string user, std::string realm, std::string_view password) {
  user_credentials c;
  c.ha1_md5 = compute_ha1(digest_algorithm::md5, user, realm, password);
  c.ha1_sha256 = compute_ha1(digest_algorithm::sha256, user, realm, password);
  c.user = std::move(user);
  c.realm = std::move(realm);
  return c;
}

// Synchronous lookups. A store that must not block an actor (a database) is asked from its own
// actor instead, between digest_authenticator::begin and ::finish.
class credential_store {
 public:
  virtual ~credential_store() = default;
  // The HA1 of `user` in `realm` for `algorithm`, or nullopt when there is none.
  virtual std::optional<std::string> find_ha1(std::string_view user, std::string_view realm,
                                              digest_algorithm algorithm) const = 0;
};

}  // namespace sipactor::auth
