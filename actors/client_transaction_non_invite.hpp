// The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
#pragma once

#include <caf/all.hpp>

#include "actors/transaction_messages.hpp"

namespace sipactor {

// Spawns the transaction in Trying: it passes `request` (any method but INVITE and ACK, and
// where it goes) to peers.transport at once. Responses that match it reach it as
// transport::inbound_message; it reports tu_response, transaction_timeout (Timer F),
// transaction_transport_error and, when it ends, transaction_terminated.
caf::actor spawn_non_invite_client_transaction(caf::actor_system& sys, const transaction_config& config,
                                               transaction_peers peers, transport::outbound_request request);

}  // namespace sipactor
