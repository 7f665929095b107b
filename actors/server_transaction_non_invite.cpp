#include "actors/server_transaction_non_invite.hpp"

#include "actors/transaction_reuse.hpp"
#include "actors/transaction_timers.hpp"
#include "messages/builder.hpp"

namespace sipactor {

using namespace transaction_timers;

namespace {

struct nist_state {
  transaction_config config;
  transaction_peers peers;
  transport::inbound_message request;  // the request and where it came from
  message_ptr last_response;           // the TU's 100, then the final
  bool t2_passed = false;              // RFC 4320 §4.1: a 100 may go out over UDP
  std::uint32_t timer_generation = 0;
  bool reusable = false;  // see actors/transaction_reuse.hpp
  timer_slot t2 = 0, j = 0;
  guard_timer give_up;
  static inline const char* name = "sip-non-invite-server-transaction";
};

using self_ptr = caf::stateful_actor<nist_state>*;
using nist_timers = timer_set<timer_t2_atom, give_up_atom, timer_j_atom>;

caf::behavior trying(self_ptr self);
caf::behavior proceeding(self_ptr self);
caf::behavior completed(self_ptr self);
caf::behavior idle(self_ptr self);

void terminated(self_ptr self) {
  if (end_transaction(self, server_key(*self->state.request.message), transaction_kind::non_invite_server))
    self->become(idle(self));
}

// RFC 4320 §4.1: the 100 (Trying) the transaction sends itself at T2. Built again for a
// retransmission rather than kept (the same bytes; most transactions never need it again).
void send_trying(self_ptr self) {
  if (auto trying = message_builder::response_to(*self->state.request.message, 100).build(); trying.ok())
    send_response(self, trying.message);
}

// The most recently sent provisional response, for a retransmission in Proceeding.
void resend_provisional(self_ptr self) {
  if (self->state.last_response) send_response(self, self->state.last_response);
  else send_trying(self);
}

// §17.2.4: inform the TU of the transport failure, then Terminated.
void transport_error(self_ptr self, transport::send_failed& failure) {
  if (!belongs(self, failure.message)) return;
  inform_transport_error(self, failure);
  terminated(self);
}

// §17.2.2: "When the server transaction enters the Completed state, it MUST set Timer J to fire
// in 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
void enter_completed(self_ptr self) {
  auto& st = self->state;
  st.t2 = 0;
  st.give_up.cancel();
  if (reliable(self)) return terminated(self);
  arm<timer_j_atom>(self, st.j, st.config.timer_b());
  self->become(completed(self));
}

// A response from the TU in Trying or Proceeding.
void on_tu_response(self_ptr self, const message_ptr& response, bool in_trying) {
  if (!response || !response->is_response() || !belongs(self, response)) return;
  auto& st = self->state;
  int status = response->status();
  // RFC 4320 §4.2: "A transaction-stateful SIP element MUST NOT send a response with
  // Status-Code of 408 to a non-INVITE request." The transaction stays until it gives up.
  if (status == 408 || status < 100 || status > 699) return;
  if (status >= 200) {
    // §17.2.2: a final response is passed to the transport; the transaction enters Completed.
    st.last_response = response;
    send_response(self, response);
    return enter_completed(self);
  }
  // RFC 4320 §4.1: "A SIP element MUST NOT send any provisional response with a Status-Code
  // other than 100 to a non-INVITE request." and "MUST NOT respond to a non-INVITE request with
  // a Status-Code of 100 over any unreliable transport [...] before the amount of time it takes a
  // client transaction's Timer E to be reset to T2."
  if (status != 100 || (!reliable(self) && !st.t2_passed)) return;
  st.last_response = response;
  send_response(self, response);
  if (in_trying) self->become(proceeding(self));
}

// RFC 4320 §4.2: no final response by 64*T1; the client's Timer F has fired, so the transaction
// ends without answering (never 408).
void give_up(self_ptr self) { terminated(self); }

// RFC 3261 §17.2.2, Figure 8: "Once in the Trying state, any further request retransmissions
// are discarded."
caf::behavior trying(self_ptr self) {
  return nist_timers::state(
    [=](const message_ptr& response) { on_tu_response(self, response, true); },
    [=](const transport::inbound_message&) {},
    [=](timer_t2_atom, std::uint32_t generation) {
      auto& st = self->state;
      if (!fired(st.t2, generation)) return;
      st.t2_passed = true;
      if (!st.config.trying_at_t2) return;
      // RFC 4320 §4.1: the TU has not answered by T2; a 100 moves the client's retransmissions
      // to T2 intervals and, from Proceeding, answers each retransmission.
      send_trying(self);
      self->become(proceeding(self));
    },
    [=](give_up_atom, std::uint32_t generation) {
      if (guard_fired<give_up_atom>(self, self->state.give_up, generation)) give_up(self);
    },
    [=](transport::send_failed&) {});  // nothing was sent in Trying
}

// §17.2.2: "If a retransmission of the request is received while in the Proceeding state, the
// most recently sent provisional response MUST be passed to the transport layer for
// retransmission."
caf::behavior proceeding(self_ptr self) {
  return nist_timers::state(
    [=](const message_ptr& response) { on_tu_response(self, response, false); },
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_request()) resend_provisional(self);
    },
    [=](give_up_atom, std::uint32_t generation) {
      if (guard_fired<give_up_atom>(self, self->state.give_up, generation)) give_up(self);
    },
    // Figure 8: Trnsprt Err in Proceeding: inform TU, Terminated.
    [=](transport::send_failed& failure) { transport_error(self, failure); });
}

// §17.2.2: "While in the Completed state, the server transaction MUST pass the final response to
// the transport layer for retransmission whenever a retransmission of the request is received.
// Any other final responses passed by the TU to the server transaction MUST be discarded while
// in the Completed state."
caf::behavior completed(self_ptr self) {
  return nist_timers::state(
    [=](const message_ptr&) {},
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_request()) send_response(self, self->state.last_response);
    },
    [=](timer_j_atom, std::uint32_t generation) {
      if (fired(self->state.j, generation)) terminated(self);
    },
    // Figure 8: Trnsprt Err in Completed: inform TU, Terminated. A late failure of a 100 sent in
    // Proceeding changes nothing.
    [=](transport::send_failed& failure) {
      if (failure.message.get() == self->state.last_response.get()) transport_error(self, failure);
    });
}

// §17.2.2: "The state machine is initialized in the Trying state and is passed a request other
// than INVITE or ACK when initialized. This request is passed up to the TU."
caf::behavior begin(self_ptr self, start_server_transaction& start) {
  auto& st = self->state;
  st.request = std::move(start.request);
  // The TU gets the cancelled INVITE's handle; the transaction itself never needs it.
  self->send(st.peers.tu, tu_request{st.request, me(self), std::move(start.cancelled_invite)});
  if (!reliable(self)) arm<timer_t2_atom>(self, st.t2, st.config.t2);
  arm_guard<give_up_atom>(self, st.give_up, st.config.timer_b());
  return trying(self);
}

caf::behavior idle(self_ptr self) { return idle_state<start_server_transaction, nist_timers>(self, begin); }

}  // namespace

caf::actor spawn_non_invite_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                               transaction_peers peers, transport::inbound_message request) {
  return spawn_cancel_server_transaction(sys, config, std::move(peers), std::move(request), caf::actor{});
}

caf::actor spawn_cancel_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                           transaction_peers peers, transport::inbound_message cancel,
                                           caf::actor cancelled_invite) {
  return spawn_started<nist_state>(sys, config, std::move(peers),
                                   start_server_transaction{std::move(cancel), std::move(cancelled_invite)}, begin);
}

caf::actor spawn_idle_non_invite_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                                    transaction_peers peers) {
  return spawn_idle<nist_state>(sys, config, std::move(peers), idle);
}

}  // namespace sipactor
