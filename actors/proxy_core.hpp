// The proxy core (RFC 3261 §16): the transaction user of a proxy. For each request it runs the
// steps of §16.3 (validation) and §16.4 (route preprocessing), then hands a request to be
// forwarded statefully to a response context actor of its own (§16.5-§16.10,
// actors/proxy_context.cpp). It forwards statelessly what needs no transaction: the ACK for a
// 2xx, responses that matched no client transaction (§16.7, RFC 6026 §7.2) and, in stateless
// mode, everything (§16.11). It answers a CANCEL (§16.10) and passes REGISTERs for its domains
// to the registrar.
//
// Sharded by Call-ID like the UA core: the entry is an actor pool whose dispatch hashes on the
// sender's thread, so a CANCEL meets the shard that knows the response context of its INVITE.
//
// What the entry takes:
//   tu_request                  from the transaction layer (stateful operation)
//   stray_response              from the transaction layer: forwarded by its Via (§16.7)
//   transport::inbound_message  from the transport, when the core is its sink (stateless, §16.11)
//   transaction_timeout, transaction_transport_error, transaction_terminated of server
//                               transactions: nothing to do (§16.9: "it drops the response")
//   transport::stats_atom       answered by each shard with proxy_counters
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/location_service.hpp"
#include "actors/proxy_config.hpp"
#include "actors/proxy_targets.hpp"
#include "transport/sip_locator.hpp"

namespace sipactor {

struct proxy_env;

struct proxy_counters {
  std::uint64_t contexts = 0;            // response contexts started (stateful requests)
  std::uint64_t rejected = 0;            // requests answered by §16.3 or §16.5 without forwarding
  std::uint64_t stateless_requests = 0;  // requests forwarded (or answered) without a transaction, ACKs for 2xx among them
  std::uint64_t stray_responses = 0;     // responses forwarded by their Via without a context
  std::uint64_t cancels = 0;             // CANCELs answered (§16.10)
  std::uint64_t registers = 0;           // REGISTERs passed to the registrar (or answered 501)
  std::uint64_t unanswered = 0;          // INVITE contexts now running that have sent no final response
  proxy_counters& operator+=(const proxy_counters& o) noexcept;
};

struct proxy_core {
  caf::actor entry;  // the transaction layer's TU (or the transport's sink when stateless)
  std::vector<caf::actor> shards;
  // Filled by the spawn functions; complete_proxy_core() finishes it before traffic flows.
  std::shared_ptr<proxy_env> env;
};

// Spawns the shards and the entry. `transactions` (the layer's entry) and `transport` may be empty
// when they are spawned after the core (the layer needs its TU): complete_proxy_core() gives
// them. `target_source` answers target_query for our domains (§16.5); empty: 480 for them.
proxy_core spawn_proxy_core(caf::actor_system& sys, const proxy_config& config, caf::actor transactions,
                            caf::actor transport, caf::actor target_source);
// The same, the targets of our domains read from the registrar's location service.
proxy_core spawn_proxy_core(caf::actor_system& sys, const proxy_config& config, caf::actor transactions,
                            caf::actor transport, const location_service& locations);

// Gives the core what was spawned after it, and the listen points when the transport picked
// ports (empty: the configured ones stay). Call before the transaction layer gets its transport
// (set_transport), which is when messages start to flow.
void complete_proxy_core(proxy_core& core, caf::actor transactions, caf::actor transport,
                         std::vector<transport::listen_point> listening = {});

// RFC 3263: next hops that name a host are located through `locator` (before traffic flows).
// Without one they cannot be reached (408 with the reason).
void set_proxy_locator(proxy_core& core, transport::sip_locator_actor locator);

// The sum of the shards' counters, asked from `self` (blocking).
proxy_counters proxy_core_counters(caf::scoped_actor& self, const proxy_core& core);

// Stops the entry and the shards; running response contexts finish on their own.
void stop_proxy_core(const proxy_core& core);

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::proxy_counters)
