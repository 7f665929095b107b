#include "actors/client_transaction_invite.hpp"

#include <string>

#include "actors/transaction_reuse.hpp"
#include "actors/transaction_timers.hpp"
#include "messages/builder.hpp"

namespace sipactor {

using namespace transaction_timers;
using std::chrono::milliseconds;

message_ptr ack_for_non_2xx(const message& invite, const message& response) {
  auto ack = message_builder::request("ACK", invite.request_uri().text);
  ack.add_header("Via", invite.top_via().text);
  invite.for_each_header(header_id::route, [&](const header& h) { ack.add_header("Route", h.value); });
  // The order of the example in §17.1.1.3.
  ack.add_header("To", response.header_value(header_id::to).value_or(""));
  ack.add_header("From", invite.header_value(header_id::from).value_or(""));
  ack.add_header("Max-Forwards", "70");
  ack.add_header("Call-ID", invite.call_id());
  ack.add_header("CSeq", std::to_string(invite.cseq().number) + " ACK");
  return ack.build().message;
}

namespace {

struct ict_state {
  transaction_config config;
  transaction_peers peers;
  transport::outbound_request request;  // the INVITE and its destination
  message_ptr ack;                      // built for the first 300-699 response
  milliseconds interval_a{0};
  std::uint32_t timer_generation = 0;
  bool reusable = false;  // see actors/transaction_reuse.hpp
  timer_slot a = 0, d = 0, m = 0;
  guard_timer b;
  static inline const char* name = "sip-invite-client-transaction";
};

using self_ptr = caf::stateful_actor<ict_state>*;
using ict_timers = timer_set<timer_a_atom, timer_b_atom, timer_d_atom, timer_m_atom>;

caf::behavior calling(self_ptr self);
caf::behavior proceeding(self_ptr self);
caf::behavior completed(self_ptr self);
caf::behavior accepted(self_ptr self);

caf::behavior idle(self_ptr self);

void terminated(self_ptr self) {
  if (end_transaction(self, client_key_of_request(*self->state.request.message), transaction_kind::invite_client))
    self->become(idle(self));
}

void send_ack(self_ptr self) {
  auto& st = self->state;
  if (!st.ack) return;
  transport::outbound_request out = st.request;
  out.message = st.ack;
  self->send(st.peers.transport, std::move(out));
}

void transport_error(self_ptr self, transport::send_failed& failure) {
  if (!belongs(self, failure.message)) return;
  inform_transport_error(self, failure);
  terminated(self);
}

// §17.1.1.2: "When in either the Calling or Proceeding states, reception of a response with
// status code from 300-699 MUST cause the client transaction to transition to Completed. The
// client transaction MUST pass the received response up to the TU, and the client transaction
// MUST generate an ACK request, even if the transport is reliable". Timer D: at least 32 s for
// unreliable transports, zero for reliable ones.
void enter_completed(self_ptr self, const message_ptr& response) {
  auto& st = self->state;
  st.a = 0;
  st.b.cancel();
  pass_up(self, response);
  st.ack = ack_for_non_2xx(*st.request.message, *response);
  send_ack(self);
  if (reliable(self)) return terminated(self);
  arm<timer_d_atom>(self, st.d, st.config.timer_d_udp());
  self->become(completed(self));
}

// RFC 6026 §7.2: a 2xx in Calling or Proceeding moves the transaction to Accepted and is passed
// up; Timer M = 64*T1 for every transport.
void enter_accepted(self_ptr self, const message_ptr& response) {
  auto& st = self->state;
  st.a = 0;
  st.b.cancel();
  pass_up(self, response);
  arm<timer_m_atom>(self, st.m, st.config.timer_b());
  self->become(accepted(self));
}

// A response in Calling or Proceeding (Figure 5).
void on_response(self_ptr self, const message_ptr& response) {
  auto& st = self->state;
  int status = response->status();
  if (status < 200) {
    // §17.1.1.2: a provisional response moves Calling to Proceeding, where the request is not
    // retransmitted any longer; it is passed up to the TU.
    st.a = 0;
    st.b.cancel();
    pass_up(self, response);
    self->become(proceeding(self));
  } else if (status < 300) {
    enter_accepted(self, response);
  } else {
    enter_completed(self, response);
  }
}

// RFC 3261 §17.1.1.2, Figure 5: Timer A retransmits the INVITE (unreliable transports), doubling
// each time; Timer B (64*T1) ends the wait.
caf::behavior calling(self_ptr self) {
  return ict_timers::state(
    [=](timer_a_atom, std::uint32_t generation) {
      auto& st = self->state;
      if (!fired(st.a, generation)) return;
      // "When timer A fires, the client transaction MUST retransmit the request by passing it
      // to the transport layer, and MUST reset the timer with a value of 2*T1."
      self->send(st.peers.transport, st.request);
      count_retransmission(self);
      st.interval_a *= 2;
      arm<timer_a_atom>(self, st.a, st.interval_a);
    },
    [=](timer_b_atom, std::uint32_t generation) {
      auto& st = self->state;
      if (!guard_fired<timer_b_atom>(self, st.b, generation)) return;
      // "If the client transaction is still in the Calling state when timer B fires, the client
      // transaction SHOULD inform the TU that a timeout has occurred."
      self->send(st.peers.tu, transaction_timeout{st.request.message, me(self)});
      terminated(self);
    },
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_response()) on_response(self, in.message);
    },
    // §17.1.4: "the client transaction SHOULD inform the TU that a transport failure has
    // occurred, and the client transaction SHOULD transition directly to the Terminated state."
    [=](transport::send_failed& failure) { transport_error(self, failure); });
}

// §17.1.1.2: 1xx passes up; 2xx goes to Accepted (RFC 6026); 300-699 to Completed.
caf::behavior proceeding(self_ptr self) {
  return ict_timers::state(
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_response()) on_response(self, in.message);
    },
    // Figure 5 has no transport error in Proceeding: nothing is sent here; a late failure of an
    // earlier retransmission changes nothing (the response came).
    [=](transport::send_failed&) {});
}

// §17.1.1.2: "Any retransmissions of the final response that are received while in the
// Completed state MUST cause the ACK to be re-passed to the transport layer for retransmission,
// but the newly received response MUST NOT be passed up to the TU."
caf::behavior completed(self_ptr self) {
  return ict_timers::state(
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_response() && in.message->status() >= 300) send_ack(self);
    },
    [=](timer_d_atom, std::uint32_t generation) {
      if (fired(self->state.d, generation)) terminated(self);
    },
    // Figure 5: Transport Err. in Completed (sending the ACK): inform TU, Terminated. A late
    // failure of an INVITE retransmission changes nothing: the final response came.
    [=](transport::send_failed& failure) {
      if (failure.message.get() == self->state.ack.get()) transport_error(self, failure);
    });
}

// RFC 6026 §7.2: every further 2xx is passed up to the TU (a proxy forwards each, a UAC acks
// each); other responses are discarded; Timer M ends the transaction.
caf::behavior accepted(self_ptr self) {
  return ict_timers::state(
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_response() && in.message->status() / 100 == 2) pass_up(self, in.message);
    },
    [=](timer_m_atom, std::uint32_t generation) {
      if (fired(self->state.m, generation)) terminated(self);
    },
    [=](transport::send_failed&) {});  // nothing is sent in Accepted
}

caf::behavior begin(self_ptr self, start_client_transaction& start) {
  auto& st = self->state;
  st.peers.tu = std::move(start.tu);
  st.request = std::move(start.request);
  // §17.1.1.2: "The initial state, Calling, MUST be entered when the TU initiates a new client
  // transaction with an INVITE request. The client transaction MUST pass the request to the
  // transport layer for transmission. If an unreliable transport is being used, the client
  // transaction MUST start timer A with a value of T1. [...] For any transport, the client
  // transaction MUST start timer B with a value of 64*T1 seconds."
  self->send(st.peers.transport, st.request);
  if (!reliable(self)) {
    st.interval_a = st.config.t1;
    arm<timer_a_atom>(self, st.a, st.interval_a);
  }
  arm_guard<timer_b_atom>(self, st.b, st.config.timer_b());
  return calling(self);
}

caf::behavior idle(self_ptr self) { return idle_state<start_client_transaction, ict_timers>(self, begin); }

}  // namespace

caf::actor spawn_invite_client_transaction(caf::actor_system& sys, const transaction_config& config, transaction_peers peers,
                                           transport::outbound_request request) {
  return spawn_started<ict_state>(sys, config, peers, start_client_transaction{std::move(request), peers.tu}, begin);
}

caf::actor spawn_idle_invite_client_transaction(caf::actor_system& sys, const transaction_config& config,
                                                transaction_peers peers) {
  return spawn_idle<ict_state>(sys, config, std::move(peers), idle);
}

}  // namespace sipactor
