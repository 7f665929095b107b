// The location service (RFC 3261 §10): the registrar writes bindings into it and proxies and
// redirect servers read them. N shards, each holding the bindings of the AORs that hash to it
// (location_shard_of on the canonical AOR), chosen on the sender's side: no global map and no
// actor every REGISTER passes through.
//
// A shard applies a REGISTER's changes (§10.3 steps 6-7, actors/registrar_rules.hpp), has the
// store commit them (actors/location_store.hpp) and only then makes them visible and answers:
// "The binding updates MUST be committed (that is, made visible to the proxy or redirect server)
// if and only if all binding updates and additions succeed" (§10.3 step 7). REGISTERs for one
// AOR are applied one after the other in the order they arrive (§10.3: "MUST be processed in the
// order that they are received"); those for other AORs do not wait. Bindings leave when they
// expire, on a timer of the actor clock (virtual under CAF's test_coordinator).
#pragma once

#include <caf/all.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/location_binding.hpp"
#include "actors/location_store.hpp"
#include "actors/registrar_rules.hpp"

namespace sipactor {

struct location_config {
  std::size_t shards = 0;  // 0: one per hardware thread
  // Wall-clock seconds (Unix time) at spawn; 0: now. Shards read wall time as this plus the
  // actor clock's progress since spawn, so that expiry follows the actor clock (and tests can
  // fix the date).
  wall_seconds wall_origin = 0;
};

// A REGISTER that passed prepare_register() (§10.3 steps 1-5), for the shard of its AOR.
struct location_register {
  register_request request;
};
struct location_register_result {
  // Empty: stored. Else the response: 500 for an out-of-order REGISTER (§10.3 steps 6-7) or a
  // store that could not commit ("the request MUST fail with a 500 (Server Error) response").
  std::optional<registrar_rejection> rejection;
  std::string detail;                      // the store's reason, for the log
  std::vector<location_binding> bindings;  // the AOR's bindings now, most preferred first (§10.3 step 8)
  wall_seconds now = 0;                    // the shard's time for the 200's "expires" and Date
  bool ok() const noexcept { return !rejection.has_value(); }
};

// The current bindings of a canonical AOR (canonical_aor), most preferred first (§16.5, §16.6).
struct location_lookup {
  std::string aor;
};
struct location_bindings {
  std::vector<location_binding> bindings;
};

using location_count_atom = caf::atom_constant<caf::atom("loccount")>;
// A shard's own timer message: remove the bindings that have expired by then.
using location_wake_atom = caf::atom_constant<caf::atom("locwake")>;

using location_shard_actor =
    caf::typed_actor<caf::replies_to<location_register>::with<location_register_result>,
                     caf::replies_to<location_lookup>::with<location_bindings>,
                     caf::replies_to<location_count_atom>::with<std::uint64_t>,  // bindings held
                     caf::reacts_to<location_wake_atom, caf::actor_clock::time_point>>;

struct location_service {
  location_store_actor store;
  std::vector<location_shard_actor> shards;
  const location_shard_actor& shard_for(std::string_view aor) const {
    return shards[location_shard_of(aor, shards.size())];
  }
};

// Spawns the shards; each first loads its bindings from `store` (expired ones are dropped)
// and handles nothing else until it has them.
location_service spawn_location_service(caf::actor_system& sys, const location_config& config,
                                        location_store_actor store);

// The number of bindings the shards hold, asked from `self` (blocking: tests, statistics).
std::uint64_t location_binding_count(caf::scoped_actor& self, const location_service& service);

// Stops the shards, then the store (which commits what it has batched before it quits).
void stop_location_service(const location_service& service);

}  // namespace sipactor

// Local messages only: no inspect().
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_register)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_register_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_lookup)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_bindings)
