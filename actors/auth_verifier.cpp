#include "actors/auth_verifier.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "messages/text.hpp"
#include "messages/uri.hpp"

namespace sipactor::auth {

namespace {

auth_result unauthenticated(std::string detail) {
  auth_result r;
  r.outcome = auth_outcome::unauthenticated;
  r.detail = std::move(detail);
  return r;
}

bool contains(const std::vector<std::string>& realms, std::string_view realm) {
  // RFC 2617 §1.2: the realm is an opaque string; compared exactly.
  return std::find(realms.begin(), realms.end(), realm) != realms.end();
}

bool offered(const std::vector<digest_algorithm>& algorithms, digest_algorithm a) {
  return std::find(algorithms.begin(), algorithms.end(), a) != algorithms.end();
}

}  // namespace

digest_authenticator::digest_authenticator(auth_policy policy)
    : policy_(std::move(policy)),
      nonces_(policy_.nonce_lifetime),
      counts_(policy_.nonce_lifetime, policy_.nonce_count_capacity) {}

digest_authenticator::digest_authenticator(auth_policy policy, std::string nonce_secret)
    : policy_(std::move(policy)),
      nonces_(std::move(nonce_secret), policy_.nonce_lifetime),
      counts_(policy_.nonce_lifetime, policy_.nonce_count_capacity) {}

auth_result digest_authenticator::challenge(auth_clock::time_point now, bool stale, std::string detail) const {
  auth_result r;
  r.outcome = auth_outcome::challenge;
  r.status = challenge_status(policy_.role);
  r.reason = std::string(challenge_reason(policy_.role));
  r.detail = std::move(detail);
  r.header_name = challenge_header(policy_.role);
  r.realm = policy_.realms.empty() ? std::string{} : policy_.realms.front();
  // One nonce for every algorithm's challenge: the client answers only one of them.
  std::string nonce = nonces_.issue(r.realm, now);
  r.challenges = challenge_values({r.realm, nonce, policy_.opaque, stale}, policy_.algorithms);
  return r;
}

auth_result digest_authenticator::bad_request(std::string reason) const {
  auth_result r;
  r.outcome = auth_outcome::bad_request;
  r.status = 400;
  r.detail = reason;
  r.reason = std::move(reason);
  return r;
}

auth_result digest_authenticator::bad_credentials(auth_clock::time_point now, std::string detail) const {
  if (policy_.rechallenge_bad_credentials) return challenge(now, false, std::move(detail));
  auth_result r;
  r.outcome = auth_outcome::forbidden;
  r.status = 403;
  r.reason = "Forbidden";  // the same for a wrong password and an unknown user
  r.detail = std::move(detail);
  return r;
}

auth_step digest_authenticator::begin(const message& request, auth_clock::time_point now) const {
  auth_step step;
  pending_check& p = step.pending;
  p.ack = request.method() == sip_method::ack;
  p.never_challenge = p.ack || request.method() == sip_method::cancel;  // §22.1
  p.method = p.ack ? std::string("INVITE") : std::string(request.method_name());

  auto decided = [&](auth_result r) {
    if (p.never_challenge) r = unauthenticated(r.detail.empty() ? r.reason : r.detail);
    step.result = std::move(r);
    return std::move(step);
  };

  std::string_view header = credentials_header(policy_.role);
  const auto& values = policy_.role == challenger::proxy ? request.proxy_authorization() : request.authorization();
  if (!values) return decided(bad_request("malformed " + std::string(header) + ": " + values.reason()));

  // §22.3: use the credentials for one of our realms; leave the others to their proxies.
  const char* unreadable = nullptr;
  bool other_realms = false;
  bool found = false;
  for (const auto& value : *values) {
    if (!text::iequals(value.scheme, "Digest")) continue;  // §22: never Basic
    if (value.param("realm") && !contains(policy_.realms, value.param_unquoted("realm"))) {
      other_realms = true;
      continue;
    }
    auto read = read_digest_credentials(value);
    if (!read) {
      if (unreadable == nullptr) unreadable = read.reason();
      continue;
    }
    if (!offered(policy_.algorithms, read->algorithm)) {
      if (unreadable == nullptr) unreadable = "Digest algorithm not offered";
      continue;
    }
    p.credentials = std::move(*read);
    found = true;
    break;
  }
  if (!found) {
    if (unreadable != nullptr) return decided(bad_request(unreadable));
    return decided(challenge(now, false, other_realms ? "credentials for other realms only" : "no credentials"));
  }

  const digest_credentials& c = p.credentials;
  // RFC 3261 §22.4: RFC 2069 credentials (no qop) are MD5 only; RFC 7616 §3.4 requires qop.
  if (c.qop.empty() && (!policy_.accept_rfc2069 || c.algorithm != digest_algorithm::md5))
    return decided(bad_request("Digest credentials without qop"));
  uri digest_uri;
  if (parse_uri_into(c.uri, digest_uri) != nullptr) return decided(bad_request("malformed Digest uri"));
  // RFC 2617 §3.2.2.5, with RFC 3261 §22.4 item 6 as the policy's way out.
  if (policy_.check_digest_uri && !uri_equivalent(digest_uri, request.request_uri()))
    return decided(bad_request("Digest uri does not match the Request-URI"));

  nonce_check nonce = nonces_.check(c.nonce, c.realm, now);
  if (nonce.status == nonce_status::forged) return decided(challenge(now, false, "nonce not issued here"));
  p.nonce_issued = nonce.issued;
  p.nonce_stale = nonce.status == nonce_status::stale;
  return step;
}

auth_result digest_authenticator::finish(const pending_check& p, const std::optional<std::string>& ha1,
                                         auth_clock::time_point now) {
  const digest_credentials& c = p.credentials;
  bool known = ha1 && !ha1->empty();
  // An unknown user costs the same hashing as a known one, so response times do not list the
  // users. The stand-in HA1 is public, hence `known` in the verdict below.
  std::string stand_in = known ? std::string{} : hash_hex(c.algorithm, c.username + ":" + c.realm);
  std::string expected_response = compute_response(
      c.algorithm, {known ? *ha1 : stand_in, c.nonce, c.nc_text, c.cnonce, c.qop, p.method, c.uri});
  bool correct = digests_equal(expected_response, c.response) && known;

  if (!correct) {
    std::string detail = known ? "wrong response for user " + c.username : "unknown user " + c.username;
    if (p.never_challenge) return unauthenticated(std::move(detail));
    return bad_credentials(now, std::move(detail));
  }
  // §22.1: an ACK's credentials were accepted with its INVITE, possibly just before the nonce
  // expired; they stay acceptable.
  if (p.nonce_stale && !p.ack) {
    if (p.never_challenge) return unauthenticated("stale nonce");
    return challenge(now, true, "stale nonce");  // RFC 2617 §3.2.1
  }
  if (!c.qop.empty() && !p.never_challenge) {
    switch (counts_.accept(c.nonce, p.nonce_issued, c.nc, now)) {
      case nonce_count_table::verdict::accepted:
        break;
      case nonce_count_table::verdict::replayed:
        return challenge(now, true, "nonce count " + c.nc_text + " not above the last one (replay)");
      case nonce_count_table::verdict::forgotten:
        return challenge(now, true, "nonce count no longer tracked");
    }
  }
  auth_result r;
  r.outcome = auth_outcome::authenticated;
  r.user = c.username;
  r.realm = c.realm;
  r.algorithm = c.algorithm;
  return r;
}

auth_result digest_authenticator::verify(const message& request, const credential_store& store,
                                         auth_clock::time_point now) {
  auth_step step = begin(request, now);
  if (step.result) return std::move(*step.result);
  const digest_credentials& c = step.pending.credentials;
  return finish(step.pending, store.find_ha1(c.username, c.realm, c.algorithm), now);
}

std::size_t shard_by_nonce(const message& request, challenger role, std::size_t shards) {
  const auto& credentials = role == challenger::proxy ? request.proxy_authorization() : request.authorization();
  if (credentials) {
    for (const auto& value : *credentials) {
      if (!text::iequals(value.scheme, "Digest")) continue;
      std::string nonce = value.param_unquoted("nonce");
      if (!nonce.empty()) return std::hash<std::string>{}(nonce) % shards;
    }
  }
  return std::hash<std::string_view>{}(request.call_id()) % shards;
}

message_builder response_for(const message& request, const auth_result& result, std::string_view to_tag) {
  message_builder b = message_builder::response_to(request, result.status, result.reason, to_tag);
  for (const auto& value : result.challenges) b.add_header(result.header_name, value);
  return b;
}

}  // namespace sipactor::auth
