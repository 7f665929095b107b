// One shard of the transaction router: the map from transaction key to transaction actor for
// the keys that hash to it (see transaction_layer.hpp for the contract of the whole layer).
#pragma once

#include <caf/all.hpp>

#include <cstddef>

#include "actors/transaction_layer.hpp"

namespace sipactor {

// A shard takes transport::inbound_message, client_request, transaction_terminated from its
// transactions, (transport_atom, actor) and transport::stats_atom (answered with its counters).
// It keeps up to config.idle_per_kind ended transactions of each kind for reuse
// (transaction_reuse.hpp).
caf::actor spawn_router_shard(caf::actor_system& sys, const transaction_layer_config& config, caf::actor transport,
                              caf::actor tu);

}  // namespace sipactor
