// The INVITE server transaction (RFC 3261 §17.2.1, Figure 7), with the Accepted state and
// Timer L of RFC 6026 §7.1.
#pragma once

#include <caf/all.hpp>

#include "actors/transaction_messages.hpp"

namespace sipactor {

// Spawns the transaction in Proceeding for the INVITE in `request`: it sends 100 (Trying)
// (unless config.invite_trying is off) and passes the request to the TU as tu_request. The TU
// answers by sending responses (message_ptr) to the returned handle. INVITE retransmissions and
// ACKs that match the transaction reach it as transport::inbound_message. It reports
// transaction_timeout (Timer H: no ACK), transaction_transport_error and transaction_terminated.
caf::actor spawn_invite_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                           transaction_peers peers, transport::inbound_message request);

}  // namespace sipactor
