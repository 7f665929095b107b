// The UA core (RFC 3261 §8): the transaction user of a UA. It runs the §8.2 checks on new
// requests, answers OPTIONS (§11), CANCEL (§9.2) and requests for unknown dialogs (481,
// §12.2.2), starts a call actor per INVITE (actors/ua_call.hpp) and hands other requests to the
// application; it takes the application's commands (actors/ua_api.hpp).
//
// It is sharded by Call-ID like the transaction layer: the entry is an actor pool whose dispatch
// hashes on the sender's thread, so every message of one call meets one shard (which keeps the
// call's dialog registrations). Commands without a Call-ID go to any shard (place_call and
// cancel_call by call_ref, so that a cancel finds its call).
#pragma once

#include <caf/all.hpp>

#include <vector>

#include "actors/ua_env.hpp"

namespace sipactor {

struct ua_core {
  caf::actor entry;                // the transaction layer's TU; where the application sends commands
  std::vector<caf::actor> shards;
};

// Spawns the shards and the entry, and sets env->ua. The caller completes `env` (transactions,
// transport, listening points) before any message can reach the core: the transport starts
// after, and the transaction layer holds everything until it has the transport (actors/stack.cpp).
ua_core spawn_ua_core(caf::actor_system& sys, const std::shared_ptr<ua_env>& env);

}  // namespace sipactor
