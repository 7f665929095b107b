// The client side of Digest authentication (RFC 3261 §22.2-§22.4, RFC 2617 §3.2.2, RFC 8760
// §2.4): answering a 401/407 challenge with Authorization/Proxy-Authorization credentials.
// Used by UAs and by the load generator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/auth_digest.hpp"
#include "messages/expected.hpp"
#include "messages/header_views.hpp"

namespace sipactor::auth {

// What a client knows: a password, or HA1 values precomputed for the realm it will answer.
struct digest_account {
  std::string username;
  std::optional<std::string> password;  // "" is a password (§22.1: "anonymous" has it)
  std::string ha1_md5;                  // used when there is no password
  std::string ha1_sha256;

  bool can_answer(digest_algorithm a) const noexcept;
  // HA1 for `realm`, from the password if there is one.
  std::string ha1(digest_algorithm a, std::string_view realm) const;
};

struct digest_request {
  std::string_view method;      // the request's method (an ACK copies its INVITE's credentials, §22.1)
  std::string_view digest_uri;  // the Request-URI (§22.4 item 3)
  std::uint32_t nc = 1;         // 1 for the first request with this nonce, then 2, 3, ...
  std::string_view cnonce;      // new_cnonce() unless a test needs a fixed one
};

// Picks the Digest challenge to answer: among those for `realm` (any realm when empty), the one
// with the strongest algorithm the account can answer, the first of equals. RFC 8760 §2.4 has a
// client take the topmost challenge it supports "unless a local policy dictates otherwise"; a
// server that lists its preference first (ours, RFC 8760 §2.3) gets the same answer, and a
// reordered list cannot talk us down to MD5. nullptr when none can be answered.
const auth_value* choose_challenge(const std::vector<auth_value>& challenges, const digest_account& account,
                                   std::string_view realm = {});

// The credentials value answering `challenge`: Digest username=..., realm, nonce, uri,
// response, algorithm, cnonce, opaque (when challenged with one), qop=auth, nc. Without qop in
// the challenge, RFC 2069 credentials (RFC 2617 §3.2.2.1). Fails when the challenge is not
// Digest, lacks realm or nonce, names an algorithm we lack or offers qop without "auth".
expected<std::string> credentials_value(const auth_value& challenge, const digest_account& account,
                                        const digest_request& request);

// A client nonce: 16 random characters of [0-9a-z] (about 83 bits).
std::string new_cnonce();

}  // namespace sipactor::auth
