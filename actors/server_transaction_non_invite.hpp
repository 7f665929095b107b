// The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8) with the changes of RFC 4320:
// no 408 is ever sent, no provisional response other than 100, and over unreliable transports
// 100 (Trying) only once the client retransmits at T2 (sent by the transaction itself when
// config.trying_at_t2 and the TU has not answered by then).
#pragma once

#include <caf/all.hpp>

#include "actors/transaction_messages.hpp"

namespace sipactor {

// Spawns the transaction in Trying for the request in `request` (not INVITE, not ACK) and passes
// it to the TU as tu_request. The TU answers by sending responses (message_ptr) to the returned
// handle. Request retransmissions that match reach it as transport::inbound_message. It reports
// transaction_transport_error and transaction_terminated. If the TU sends no final response
// within 64*T1 (the client's Timer F has expired by then) the transaction ends without one
// (RFC 4320 §4.2).
caf::actor spawn_non_invite_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                               transaction_peers peers, transport::inbound_message request);
// The same for a CANCEL, with the INVITE server transaction it matched (§9.2; empty if none),
// which the TU finds in tu_request::cancelled_invite.
caf::actor spawn_cancel_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                           transaction_peers peers, transport::inbound_message cancel,
                                           caf::actor cancelled_invite);

}  // namespace sipactor
