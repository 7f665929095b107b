// The transaction layer (RFC 3261 §17): a router of N shards in front of the four transaction
// actors. The shard for a message is chosen by hashing its transaction key (shard_of), on the
// sender's thread, so there is no global map and no single actor every message passes through.
//
// Inputs, sent to `transaction_layer::entry`:
//   transport::inbound_message   from the transport (the layer is its sink). A request starts a
//                                server transaction or goes to the one it matches (§17.2.3); a
//                                response goes to the client transaction it matches (§17.1.3).
//                                An ACK that matches nothing (ACK for a 2xx) and a response that
//                                matches nothing go to the TU (tu_request with no transaction,
//                                stray_response).
//   client_request               from a TU: start a client transaction. Sent with request(), the
//                                answer is the transaction's handle.
// Events go to the TU as described in transaction_messages.hpp.
#pragma once

#include <caf/all.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "actors/transaction_messages.hpp"

namespace sipactor {

struct transaction_layer_config {
  transaction_config timers;
  // Router shards; 0: one per hardware thread.
  std::size_t shards = 0;
  // Ended transaction actors each shard keeps per kind to run later transactions
  // (actors/transaction_reuse.hpp); an idle one costs about 1.7 KB.
  std::size_t idle_per_kind = 256;
  // Shard i runs on scheduler worker i (transport::set_home_worker), when the actor system runs the
  // socket-waiting scheduler: a shard's maps and timers stay in one core's cache.
  bool shards_on_home_workers = true;
  // Whether TUs get transaction_terminated. Off by default: a TU learns the outcome from the
  // final response, timeout or transport error, and a message per transaction is saved.
  bool tu_hears_termination = false;
};

// A TU asks for a client transaction (§17.1): INVITE or non-INVITE (not ACK: the ACK for a 2xx
// is sent by the TU itself, §13.2.2.4; the one for a non-2xx by the INVITE client transaction).
// The transaction's events go to `tu`, or to the layer's TU when empty (a proxy gives each
// response context its own transactions, §16.7).
struct client_request {
  transport::outbound_request request;
  caf::actor tu;
};

// A response that matched no client transaction (§17.1.3; e.g. a 2xx retransmitted after the
// INVITE client transaction ended, RFC 6026 §7.2, or one meant for a stateless proxy, §16.11).
struct stray_response {
  transport::inbound_message inbound;
};

struct transaction_layer_counters {
  std::uint64_t live = 0;                // transactions running now
  std::uint64_t server_created = 0;      // server transactions started
  std::uint64_t client_created = 0;      // client transactions started
  std::uint64_t absorbed = 0;            // requests and responses handed to a running transaction
  std::uint64_t acks_to_tu = 0;          // ACKs that matched no transaction (ACK for 2xx)
  std::uint64_t cancels_unmatched = 0;   // CANCELs that matched no INVITE (§9.2: the TU answers 481)
  std::uint64_t stray_responses = 0;     // responses that matched no client transaction
  std::uint64_t rejected = 0;            // client_requests refused (ACK, duplicate branch, no message)
  std::uint64_t retransmitted = 0;       // requests (Timer A, E) and responses (Timer G) sent again
  std::uint64_t reused = 0;              // transactions run by an actor that had ended another
  std::uint64_t idle = 0;                // ended transaction actors kept for reuse

  transaction_layer_counters& operator+=(const transaction_layer_counters& o) noexcept;
};

using transport_atom = caf::atom_constant<caf::atom("transport")>;

struct transaction_layer {
  caf::actor entry;                // the transport's sink; where TUs send client_request
  std::vector<caf::actor> shards;  // answer transport::stats_atom with transaction_layer_counters
};

// Spawns the layer. `transport` may be empty when the transport is started after the layer
// (it needs the layer as its sink): shards then hold every message until set_transport().
transaction_layer spawn_transaction_layer(caf::actor_system& sys, const transaction_layer_config& config,
                                          caf::actor transport, caf::actor tu);

// Gives the shards the transport, in case spawn_transaction_layer() had none.
void set_transport(const transaction_layer& layer, const caf::actor& transport);

// The sum of the shards' counters, asked from `self` (blocking).
transaction_layer_counters layer_counters(caf::scoped_actor& self, const transaction_layer& layer);

// Stops the router (its shards); running transactions finish on their own.
void stop_transaction_layer(const transaction_layer& layer);

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::client_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::stray_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transaction_layer_counters)
