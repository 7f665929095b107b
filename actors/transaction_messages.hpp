// The contract of the transaction layer (RFC 3261 §17, RFC 4320, RFC 6026): how the four
// transaction actors are configured, what they take, and the events they report to the
// transaction user (TU: UA core or proxy core) and to their owner (a router shard).
//
// What each transaction actor takes:
//   client transactions (INVITE, non-INVITE): transport::inbound_message holding a response
//     that matched it (§17.1.3); transport::send_failed from the transport.
//   server transactions (INVITE, non-INVITE): message_ptr holding a response from the TU;
//     transport::inbound_message holding a request retransmission or, for INVITE, an ACK that
//     matched it (§17.2.3); transport::send_failed from the transport.
// Everything else they receive is their own timers (actors/transaction_timers.hpp).
#pragma once

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "actors/transaction_key.hpp"
#include "messages/message.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor {

// RFC 3261 §17.1.1.1 and Table 4; defaults are the RFC's.
struct transaction_config {
  std::chrono::milliseconds t1{500};   // RTT estimate
  std::chrono::milliseconds t2{4000};  // longest interval for non-INVITE requests and INVITE responses
  std::chrono::milliseconds t4{5000};  // longest time a message stays in the network
  // §17.1.1.2: Timer D is "at least 32 seconds" over unreliable transports; the value used is
  // max(timer_d, 64*T1) so that it never ends before the server's Timer H.
  std::chrono::milliseconds timer_d{32000};
  // §17.2.1: an INVITE server transaction sends 100 (Trying) at once unless the TU answers
  // within 200 ms; a TU that always does may turn this off.
  bool invite_trying = true;
  // RFC 4320 §4.1: a non-INVITE server transaction over an unreliable transport sends 100
  // (Trying) when Timer E at the client has reached T2 and the TU has not answered yet.
  bool trying_at_t2 = true;
  // Guard timers (B, F, H and the RFC 4320 give-up of the non-INVITE server transaction) are
  // usually left unfired: the response or ACK comes first. CAF 0.17 keeps an actor in memory
  // until its delayed messages fire, so a guard is sent as a chain of delayed messages at most
  // guard_step apart: a finished transaction is freed within guard_step instead of up to 64*T1
  // later. The guard still fires at its exact time. Zero: one delayed message per guard.
  // 500 ms: at 20k transactions/s over TCP, 2 s steps kept 40k finished actors (59 MB) waiting,
  // 500 ms steps 9.6k (15 MB) at no measurable CPU cost (bench/RESULTS.md, "Timers").
  std::chrono::milliseconds guard_step{500};

  std::chrono::milliseconds timer_b() const { return 64 * t1; }  // = F = H = J = L = M
  std::chrono::milliseconds timer_d_udp() const { return std::max(timer_d, 64 * t1); }
};

// Whom a transaction talks to. Handles, so a test can stand in for any of them.
struct transaction_peers {
  caf::actor transport;  // takes outbound_request / outbound_response; answers send_failed
  caf::actor tu;         // gets tu_request, tu_response, transaction_timeout, transaction_transport_error
  caf::actor owner;      // gets transaction_terminated (the router shard); may be empty
  // Takes schedule_timer and sends the timer back when due (the router shard, see
  // actors/transaction_timer_service.hpp). Empty: the timers are delayed messages to self.
  caf::actor timers;
  // The TU gets transaction_terminated too (the owner always does).
  bool tu_hears_termination = true;
};

enum class transaction_kind : std::uint8_t { invite_client, non_invite_client, invite_server, non_invite_server };

// --- events to the TU

// A request for the TU (§17.2.1, §17.2.2): the one that created `server_transaction`, or an
// ACK that matched an INVITE server transaction in the Accepted state (RFC 6026 §7.1). The TU
// answers by sending responses (message_ptr) to `server_transaction`. An ACK that matched no
// transaction (the ACK for a 2xx, §17.2.3, §13.3.1.4) comes from the router with an empty
// `server_transaction`.
struct tu_request {
  transport::inbound_message inbound;
  caf::actor server_transaction;
  // For a CANCEL: the INVITE server transaction it cancels (§9.2), empty when none matched (the
  // TU then answers 481, §9.2). Empty for every other method.
  caf::actor cancelled_invite;
};

// A response a client transaction passes up (§17.1.1.2, §17.1.2.2): provisional, the final,
// and for INVITE every 2xx (RFC 6026 §7.2). Retransmissions of a non-2xx final are not passed.
struct tu_response {
  message_ptr response;
  caf::actor client_transaction;
};

// Timer B or F fired (the TU treats it as 408, §8.1.3.1), or Timer H fired at a server
// transaction (the ACK never came, §17.2.1).
struct transaction_timeout {
  message_ptr request;
  caf::actor transaction;
};

// The transport could not send a message of the transaction (§17.1.4, §17.2.4; the TU treats it
// as 503, §8.1.3.1).
struct transaction_transport_error {
  message_ptr request;
  std::string reason;
  caf::actor transaction;
};

// The transaction reached Terminated: to the TU, then to the owner (so a router forgets `key`).
// The actor then quits, or, started by a router shard, waits idle to run a later transaction of
// its kind (actors/transaction_reuse.hpp): a TU that keeps handles drops them at this event.
// `key` is server_key() of the request for server transactions, client_key_of_request()
// for client transactions.
struct transaction_terminated {
  transaction_key key;
  transaction_kind kind = transaction_kind::invite_client;
  caf::actor transaction;
};

}  // namespace sipactor

// Local messages only (a multi-node setup serializes its own wire format): no inspect().
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::tu_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::tu_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transaction_timeout)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transaction_transport_error)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transaction_terminated)
