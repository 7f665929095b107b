// A small transaction user for interop tests of the transaction layer (issue 4) against SIPp:
// as UAS it answers INVITE with 200 and retransmits the 200 until the ACK (§13.3.1.4), answers
// BYE and everything else with 200; as UAC it places calls (INVITE, ACK for the 2xx sent by
// itself and again for each retransmitted 2xx, §13.2.2.4, then BYE after a hold time). Not the UA core (issue 5):
// no dialogs, no SDP, one fixed target.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>

#include "actors/transaction_layer.hpp"

namespace sipactor::test {

struct interop_tu_setup {
  caf::actor transport;                   // sends the ACK for a 2xx, which has no transaction
  caf::actor layer;                       // transaction_layer::entry: client_request goes there
  transport::socket_address local;        // our UDP address: Via sent-by and Contact
  std::chrono::milliseconds t1{500};      // 2xx retransmission: T1 doubling up to T2, until 64*T1
  std::chrono::milliseconds t2{4000};
};

struct interop_tu_counters {
  // UAS
  std::uint64_t invites_answered = 0;
  std::uint64_t acks_received = 0;
  std::uint64_t ok_retransmitted = 0;  // 2xx sent again because no ACK had come
  std::uint64_t byes_answered = 0;
  std::uint64_t others_answered = 0;
  std::uint64_t unacknowledged = 0;    // 2xx never acknowledged within 64*T1
  // UAC
  std::uint64_t calls_started = 0;
  std::uint64_t calls_answered = 0;    // first 2xx to an INVITE
  std::uint64_t acks_resent = 0;       // for retransmitted 2xx
  std::uint64_t calls_completed = 0;   // BYE answered 2xx/481/408 or timed out (§15.1.1)
  std::uint64_t byes_unanswered = 0;   // of those, BYEs that got no response at all
  std::uint64_t failures = 0;          // final non-2xx, timeouts, transport errors
};

// (place_calls_atom, count, interval in ms, hold in ms, destination): INVITEs to
// sip:service@destination, one every interval; each call's BYE goes out `hold` after its ACK.
using place_calls_atom = caf::atom_constant<caf::atom("calls")>;

// Takes interop_tu_setup once, then tu_request, tu_response, stray_response and the other layer
// events; transport::stats_atom answers interop_tu_counters.
caf::actor spawn_interop_tu(caf::actor_system& sys);

}  // namespace sipactor::test

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::test::interop_tu_setup)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::test::interop_tu_counters)
