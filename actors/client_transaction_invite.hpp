// The INVITE client transaction (RFC 3261 §17.1.1, Figure 5), with the Accepted state and
// Timer M of RFC 6026 §7.2.
#pragma once

#include <caf/all.hpp>

#include "actors/transaction_messages.hpp"

namespace sipactor {

// Spawns the transaction in Calling: it passes `request` (an INVITE and where it goes) to
// peers.transport at once. Responses that match it reach it as transport::inbound_message;
// it reports tu_response, transaction_timeout (Timer B), transaction_transport_error and, when
// it ends, transaction_terminated (see transaction_messages.hpp). For a 300-699 final response it
// builds and sends the ACK itself (§17.1.1.3).
caf::actor spawn_invite_client_transaction(caf::actor_system& sys, const transaction_config& config,
                                           transaction_peers peers, transport::outbound_request request);

// §17.1.1.3: the ACK for a non-2xx final `response` to `invite`: Request-URI, Call-ID and From
// of the INVITE, To of the response, the INVITE's top Via as the only Via, the INVITE's CSeq
// number with method ACK, the INVITE's Route header fields; Max-Forwards 70 (§8.1.1.6), no body.
message_ptr ack_for_non_2xx(const message& invite, const message& response);

}  // namespace sipactor
