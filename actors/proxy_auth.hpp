// Proxy-to-user authentication (RFC 3261 §16.3 item 6, §22.3): the step between the transaction
// layer's TU and the proxy core that makes our own users prove who they are before the proxy
// forwards their requests.
//
// Which requests (needs_proxy_authentication): "If an element requires credentials before
// forwarding a request, the request MUST be inspected as described in Section 22.3" (§16.3 item
// 6). This proxy requires them for requests that start something in the name of one of its users:
//   - the From URI's host is one of our domains (a request claiming one of our users as its
//     originator; calls from other domains to our users are not ours to authenticate);
//   - outside a dialog (no To tag): requests inside a dialog follow the route set the dialog's
//     initial request, which was authenticated, established (§12.2);
//   - not REGISTER (the registrar authenticates it, §10.3 step 3), not ACK and not CANCEL ("Since
//     ACK and CANCEL requests cannot be resubmitted ... they cannot be challenged", §22.1).
//
// What happens (one shard of the authenticator, actors/auth_verifier.hpp decides):
//   - no credentials for our realm, or a stale or replayed nonce: 407 with a Proxy-Authenticate
//     per algorithm (§22.3, RFC 8760 §2.3); the realm is the From URI's domain, so the users
//     file's entries (`sipactor user add --realm DOMAIN`) serve REGISTER and calls alike;
//   - a wrong response or an unknown user: 403; unreadable credentials: 400 with the reason;
//   - valid credentials of another user than the From URI's: 403 "Forbidden (From does not match
//     the authenticated user)" (a user may not place requests in another user's name);
//   - valid credentials: the request goes on to the proxy core without the Proxy-Authorization
//     values of our realms (§22.3: a value "MUST NOT be consumed by any proxy whose realm does not
//     match": ours are consumed, the others stay for the proxies they belong to).
//
// Sharded by the nonce of the credentials for our realm (else by Call-ID), as the registrar is
// (actors/registrar.hpp, "Sharding"): every use of one nonce meets the one nonce-count table
// that detects a replay.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/auth_digest.hpp"
#include "actors/auth_nonce.hpp"
#include "actors/auth_users.hpp"
#include "actors/location_binding.hpp"
#include "messages/message.hpp"

namespace sipactor {

struct proxy_auth_config {
  std::shared_ptr<const auth::user_table> users;  // must not be empty
  std::vector<std::string> domains;               // our domains, each its own realm (lower case)
  std::vector<auth::digest_algorithm> algorithms = auth::default_algorithms();
  std::chrono::seconds nonce_lifetime = auth::nonce_issuer::default_lifetime;
  std::string nonce_secret;  // shared by the shards; empty: a random one at spawn
  std::size_t shards = 0;    // 0: one per hardware thread
  // Wall-clock seconds at spawn (0: now); nonce times follow the actor clock from there.
  wall_seconds wall_origin = 0;
  caf::actor next;    // where authenticated requests go (the proxy core's entry)
  caf::actor events;  // gets proxy_auth_event for every refusal (and, when asked, every request)
  bool report_every_request = false;
};

// What happened to one request, for the log.
struct proxy_auth_event {
  int status = 0;        // 0: authenticated and passed on
  std::string from;      // the From URI
  std::string user;      // the authenticated user, when there is one
  std::string detail;    // why (never sent to the client)
};

struct proxy_auth_counters {
  std::uint64_t authenticated = 0;  // passed on
  std::uint64_t challenged = 0;     // 407
  std::uint64_t refused = 0;        // 403, 400
  proxy_auth_counters& operator+=(const proxy_auth_counters& o) noexcept;
};

struct proxy_authenticator {
  caf::actor entry;  // takes tu_request
  std::vector<caf::actor> shards;
};

using proxy_auth_stats_atom = caf::atom_constant<caf::atom("pxauthst")>;

// The rule above, for a request whose Request-URI this proxy will route.
bool needs_proxy_authentication(const std::vector<std::string>& domains, const message& request);

// The request without the Proxy-Authorization values for `realms` (lower case), or the request
// itself when it has none of them.
message_ptr without_proxy_credentials_for(const message_ptr& request, const std::vector<std::string>& realms);

// The shard for a request (see "Sharded" above); `shards` > 0.
std::size_t proxy_auth_shard_of(const message& request, std::size_t shards);

proxy_authenticator spawn_proxy_authenticator(caf::actor_system& sys, const proxy_auth_config& config);

// The sum of the shards' counters, asked from `self` (blocking: statistics, tests).
proxy_auth_counters proxy_auth_stats(caf::scoped_actor& self, const proxy_authenticator& a);

void stop_proxy_authenticator(const proxy_authenticator& a);

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::proxy_auth_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::proxy_auth_counters)
