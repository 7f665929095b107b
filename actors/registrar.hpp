// The registrar (RFC 3261 §10.3) and the redirect server (§8.3) as a transaction user: it takes
// tu_request from the transaction layer and answers through the request's server transaction.
//
// For a REGISTER, in order:
//   - overload: more than max_in_flight REGISTERs waiting for the location service get 503
//     with Retry-After (§21.5.4; DESIGN.md: "overload is answered, not suffered");
//   - prepare_register() (actors/registrar_rules.hpp, §10.3 steps 1-5), whose step 3 is Digest
//     authentication (§22, RFC 2617, RFC 8760) when users are configured: 401 with a SHA-256 and
//     an MD5 challenge, stale=true for an expired nonce or a replayed nonce count, 403 for a wrong
//     response or an unknown user, 400 for unreadable credentials (actors/auth_verifier.hpp);
//   - location_register to the shard of the AOR (§10.3 steps 6-7): it answers after the store
//     committed, so the 200 (§10.3 step 8, register_ok) is sent only for a durable binding;
//     500 when the store failed or the REGISTER is out of order (register_rejected).
// With redirect on, a request of another method (§8.3) gets 302 with a Contact per binding of
// the Request-URI's AOR, q-values kept (§8.3: "the Contact header field MAY contain [...] q");
// 480 (Temporarily Unavailable, §21.4.18) when none is bound and the user is known from the
// users file, else 404 (§21.4.5); CANCEL gets 200 or 481 (§9.2), ACK nothing.
//
// Sharding. The registrar is N actors behind one entry. A request carrying Digest credentials
// goes to the shard given by a hash of its nonce, every other request by a hash of its Call-ID.
// Why the nonce: the nonce-count replay table (RFC 2617 §3.2.2) belongs to one
// digest_authenticator, so all uses of one nonce must meet the same one, whatever Call-ID or
// To the client (or a replayer) puts in the request; nonces are stateless (time + HMAC under a
// secret all shards share), so a challenge issued by one shard is accepted by any other. The
// order of REGISTERs for one AOR (§10.3: "processed in the order that they are received") is
// kept by the location service, which applies an AOR's REGISTERs one after the other.
//
// Realms: one per served domain (issue 6: "realm per domain"). The challenge's realm is the
// Request-URI's domain, as configured in registrar_config::domains; users are looked up with
// that realm (`sipactor user add --realm DOMAIN`).
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
#include "actors/location_service.hpp"
#include "actors/registrar_rules.hpp"

namespace sipactor {

struct registrar_auth_config {
  // Nobody in it (or null): no authentication (§10.3 step 3: "the registrar MAY take the From
  // address as the asserted identity of the originator").
  std::shared_ptr<const auth::user_table> users;
  // Shared by every shard: a challenge and its answer may meet different shards. Empty: a random
  // one at spawn.
  std::string nonce_secret;
  std::chrono::seconds nonce_lifetime = auth::nonce_issuer::default_lifetime;
  std::vector<auth::digest_algorithm> algorithms = auth::default_algorithms();
  bool enabled() const noexcept { return users && users->size() > 0; }
};

struct registrar_actor_config {
  registrar_config rules;
  registrar_auth_config auth;
  bool redirect = false;  // §8.3: answer other methods with 302 from the location service
  std::size_t shards = 0;  // 0: one per hardware thread
  // REGISTERs waiting for the location service, over all shards, before new ones get 503.
  std::size_t max_in_flight = 8192;
  std::uint32_t retry_after = 5;  // seconds, in the 503 (§20.33)
  // Wall-clock seconds at spawn (0: now); the authenticator's clock is this plus the actor
  // clock's progress, so that nonce expiry follows CAF's virtual clock in tests.
  wall_seconds wall_origin = 0;
  // Gets registrar_event; may be empty. `report_every_request`: also successes and challenges,
  // else only failures (403, 400, 500, 503).
  caf::actor events;
  bool report_every_request = false;
};

// What happened to one request, for the log.
struct registrar_event {
  std::string event;  // "register", "fetch", "auth", "reject", "overload", "redirect"
  int status = 0;
  std::string aor;
  std::string detail;
  std::size_t bindings = 0;
};

struct registrar {
  caf::actor entry;                // takes tu_request (and the layer's other TU events, ignored)
  std::vector<caf::actor> shards;  // answer registrar_stats_atom with registrar_counters
};

struct registrar_counters {
  std::uint64_t registers = 0;     // REGISTERs received
  std::uint64_t stored = 0;        // answered 200
  std::uint64_t challenged = 0;    // 401
  std::uint64_t refused = 0;       // other rejections (4xx, 500)
  std::uint64_t overloaded = 0;    // 503
  std::uint64_t redirected = 0;    // 302
  std::uint64_t in_flight = 0;     // waiting for the location service now
  registrar_counters& operator+=(const registrar_counters& o) noexcept;
};

using registrar_stats_atom = caf::atom_constant<caf::atom("regstats")>;

// The registrar's shards, writing to (and, in redirect mode, reading from) `location`.
registrar spawn_registrar(caf::actor_system& sys, const registrar_actor_config& config, const location_service& location);

// The sum of the shards' counters, asked from `self` (blocking: statistics, tests).
registrar_counters registrar_stats(caf::scoped_actor& self, const registrar& r);

void stop_registrar(const registrar& r);

// The shard of the registrar for a request (see "Sharding" above); `shards` > 0.
std::size_t registrar_shard_of(const message& request, std::size_t shards);

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::registrar_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::registrar_counters)
