// The server side of Digest authentication (RFC 3261 §22.1-§22.4, RFC 2617 §3.2-§3.3, RFC 8760
// §2.3): what a registrar, UAS or proxy answers to a request's credentials. No actors and no
// I/O: the actor that owns a digest_authenticator calls it, so one instance is never shared.
//
// Outcomes, and why:
// - no credentials for one of our realms (none at all, another realm, another scheme such as
//   Basic which §22 forbids accepting): challenge, 401 or 407 (§22.2, §22.3). Credentials for
//   other realms are left alone: §22.3 says they belong to another proxy.
// - credentials that cannot be read (header syntax; username, realm, nonce, uri or response
//   missing; qop without nc/cnonce; an algorithm or qop we did not offer; no qop where qop is
//   required): 400 with the reason. A new challenge would not help a client that cannot write
//   what we asked for, and would make it loop.
// - digest-uri that is not a URI: 400. One that differs from the Request-URI: 400 (RFC 2617
//   §3.2.2.5) unless policy.check_digest_uri is off (RFC 3261 §22.4 item 6 allows a server to
//   accept it, for requests retargeted upstream).
// - a nonce that is not ours (wrong shape or MAC, another realm, a secret from before a
//   restart): a fresh challenge without stale; the client lost nothing but time.
// - wrong response, or an unknown user: 403 "Forbidden", the same answer for both, after the
//   same hashing work, so that neither the status nor the time tells which users exist (§22.1
//   allows 403 or a repeated challenge; a client MUST NOT retry the rejected credentials, so a
//   repeated challenge mostly makes UAs loop or prompt; policy.rechallenge_bad_credentials
//   selects the challenge instead).
// - a stale nonce with a correct response: challenge with stale=true (RFC 2617 §3.2.1: only
//   when the digest was valid, so the client retries without asking its user).
// - a correct response whose nc is not above the last accepted one for that nonce (a replay;
//   retransmissions never reach here, the transaction layer absorbs them): challenge with
//   stale=true and a fresh nonce. The legitimate sender of a repeated request recovers at once;
//   a replayer cannot answer the new nonce. nc is checked only after the response, so forged
//   requests cannot use up a client's nonce counts.
// - ACK and CANCEL are never challenged (§22.1): they come out authenticated or
//   `unauthenticated` (status 0) and the caller decides. An ACK carries its INVITE's
//   credentials, so it is checked with method INVITE, without the nc check, and a nonce that
//   went stale since the INVITE is still accepted.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/auth_credentials.hpp"
#include "actors/auth_digest.hpp"
#include "actors/auth_nonce.hpp"
#include "messages/builder.hpp"
#include "messages/message.hpp"

namespace sipactor::auth {

struct auth_policy {
  challenger role = challenger::user_agent;
  // Realms whose credentials we accept; the first is the one challenged (§22.1: globally
  // unique, a domain name is RECOMMENDED). Must not be empty.
  std::vector<std::string> realms;
  // Offered, most preferred first (RFC 8760 §2.3); credentials in any of them are accepted.
  std::vector<digest_algorithm> algorithms = default_algorithms();
  std::string opaque;  // sent in challenges when not empty; not checked (the nonce is)
  std::chrono::seconds nonce_lifetime = nonce_issuer::default_lifetime;
  std::size_t nonce_count_capacity = 100000;
  bool check_digest_uri = true;
  // RFC 3261 §22.4: RFC 2069 clients (MD5 without qop) MUST be accepted. RFC 7616 makes qop
  // mandatory, so SHA-256 credentials without qop are never accepted.
  bool accept_rfc2069 = true;
  bool rechallenge_bad_credentials = false;
};

enum class auth_outcome : std::uint8_t {
  authenticated,    // user, realm and algorithm are set
  challenge,        // answer status (401/407) with one header_name field per value of challenges
  forbidden,        // answer 403
  bad_request,      // answer 400
  unauthenticated,  // ACK or CANCEL without acceptable credentials: not answered by us (§22.1)
};

struct auth_result {
  auth_outcome outcome = auth_outcome::unauthenticated;
  int status = 0;       // 0 for authenticated and unauthenticated
  std::string reason;   // reason phrase
  std::string detail;   // for logs only, never sent: it tells an unknown user from a wrong password
  std::string user;
  std::string realm;
  digest_algorithm algorithm = digest_algorithm::md5;
  std::string_view header_name;  // WWW-Authenticate or Proxy-Authenticate, for a challenge
  std::vector<std::string> challenges;

  bool authenticated() const noexcept { return outcome == auth_outcome::authenticated; }
};

// Credentials read and checked as far as possible without their HA1.
struct pending_check {
  digest_credentials credentials;  // look up credentials.username, .realm, .algorithm
  std::string method;              // A2's method: the request's, INVITE for an ACK
  std::int64_t nonce_issued = 0;
  bool nonce_stale = false;
  bool never_challenge = false;  // ACK, CANCEL
  bool ack = false;
};

struct auth_step {
  std::optional<auth_result> result;  // decided: no lookup needed
  pending_check pending;              // otherwise: finish() with the HA1 looked up
};

class digest_authenticator {
 public:
  // Nonces under a fresh random secret.
  explicit digest_authenticator(auth_policy policy);
  // Nonces under a given secret: several processes accept each other's nonces; tests.
  digest_authenticator(auth_policy policy, std::string nonce_secret);

  // A challenge with a fresh nonce (§22.2, §22.3), e.g. for a request without credentials.
  auth_result challenge(auth_clock::time_point now, bool stale = false, std::string detail = {}) const;

  // In two steps so that an actor can ask a credentials actor for the HA1 in between:
  auth_step begin(const message& request, auth_clock::time_point now) const;
  // `ha1`: the stored HA1 for pending.credentials' user, realm and algorithm; nullopt when the
  // user is unknown. Records the nonce count when the request is accepted.
  auth_result finish(const pending_check& pending, const std::optional<std::string>& ha1, auth_clock::time_point now);

  // Both steps with a synchronous store.
  auth_result verify(const message& request, const credential_store& store, auth_clock::time_point now);

  const auth_policy& policy() const noexcept { return policy_; }
  const nonce_issuer& nonces() const noexcept { return nonces_; }
  const nonce_count_table& nonce_counts() const noexcept { return counts_; }

 private:
  auth_result bad_request(std::string reason) const;
  auth_result bad_credentials(auth_clock::time_point now, std::string detail) const;

  auth_policy policy_;
  nonce_issuer nonces_;
  nonce_count_table counts_;
};

// A shard for a request that an authenticator may check (`role`: the header it reads): a hash of
// the nonce of its first Digest credentials, so that every use of one nonce meets the same
// nonce-count table wherever it comes from; without a nonce, a hash of the Call-ID. `shards` > 0.
std::size_t shard_by_nonce(const message& request, challenger role, std::size_t shards);

// The response to send for a challenge, forbidden or bad_request result (§8.2.6; for a
// challenge, one header field per challenge value in the policy's order, RFC 8760 §2.3).
message_builder response_for(const message& request, const auth_result& result, std::string_view to_tag = {});

}  // namespace sipactor::auth
