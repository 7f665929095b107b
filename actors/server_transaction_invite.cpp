#include "actors/server_transaction_invite.hpp"

#include <algorithm>

#include "actors/transaction_reuse.hpp"
#include "actors/transaction_timers.hpp"
#include "messages/builder.hpp"

namespace sipactor {

using namespace transaction_timers;
using std::chrono::milliseconds;

namespace {

struct ist_state {
  transaction_config config;
  transaction_peers peers;
  transport::inbound_message request;  // the INVITE and where it came from
  message_ptr last_response;           // the TU's most recent provisional, then the final
  milliseconds interval_g{0};
  std::uint32_t timer_generation = 0;
  bool reusable = false;  // see actors/transaction_reuse.hpp
  timer_slot g = 0, i = 0, l = 0;
  guard_timer h;
  static inline const char* name = "sip-invite-server-transaction";
};

using self_ptr = caf::stateful_actor<ist_state>*;
using ist_timers = timer_set<timer_g_atom, timer_h_atom, timer_i_atom, timer_l_atom>;

caf::behavior proceeding(self_ptr self);
caf::behavior completed(self_ptr self);
caf::behavior confirmed(self_ptr self);
caf::behavior accepted(self_ptr self);
caf::behavior idle(self_ptr self);

void terminated(self_ptr self) {
  if (end_transaction(self, server_key(*self->state.request.message), transaction_kind::invite_server))
    self->become(idle(self));
}

// §17.2.1: the 100 (Trying) the transaction sends itself, without a To tag. It is built again
// for a retransmission rather than kept: the same bytes, and most transactions never need it
// again (keeping it would cost about 1.3 KB per transaction in Proceeding).
void send_trying(self_ptr self) {
  if (auto trying = message_builder::response_to(*self->state.request.message, 100).build(); trying.ok())
    send_response(self, trying.message);
}

bool is_invite(const transport::inbound_message& in) {
  return in.message && in.message->is_request() && in.message->method() == sip_method::invite;
}
bool is_ack(const transport::inbound_message& in) {
  return in.message && in.message->is_request() && in.message->method() == sip_method::ack;
}
// A response the TU may pass for this transaction: a status line with 100-699.
bool is_response(self_ptr self, const message_ptr& m) {
  return m && m->is_response() && m->status() >= 100 && m->status() < 700 && belongs(self, m);
}

// §17.2.1: "While in the Proceeding state, if the TU passes a response with status code from
// 300 to 699 to the server transaction, the response MUST be passed to the transport layer for
// transmission, and the state machine MUST enter the Completed state. For unreliable
// transports, timer G is set to fire in T1 seconds [...]. When the Completed state is entered,
// timer H MUST be set to fire in 64*T1 seconds for all transports."
void enter_completed(self_ptr self) {
  auto& st = self->state;
  if (!reliable(self)) {
    st.interval_g = st.config.t1;
    arm<timer_g_atom>(self, st.g, st.interval_g);
  }
  arm_guard<timer_h_atom>(self, st.h, st.config.timer_b());
  self->become(completed(self));
}

// §17.2.1: "The purpose of the Confirmed state is to absorb any additional ACK messages that
// arrive [...]. When this state is entered, timer I is set to fire in T4 seconds for unreliable
// transports, and zero seconds for reliable transports."
void enter_confirmed(self_ptr self) {
  auto& st = self->state;
  st.g = 0;
  st.h.cancel();  // "As Timer G is ignored in this state, any retransmissions of the response will cease."
  if (reliable(self)) return terminated(self);
  arm<timer_i_atom>(self, st.i, st.config.t4);
  self->become(confirmed(self));
}

// RFC 6026 §7.1: a 2xx from the TU in Proceeding moves the transaction to Accepted with Timer
// L = 64*T1; retransmissions of the 2xx are the TU's business.
void enter_accepted(self_ptr self) {
  auto& st = self->state;
  arm<timer_l_atom>(self, st.l, st.config.timer_b());
  self->become(accepted(self));
}

// RFC 3261 §17.2.1, Figure 7 (as updated by RFC 6026).
caf::behavior proceeding(self_ptr self) {
  return ist_timers::state(
    [=](const message_ptr& response) {
      if (!is_response(self, response)) return;
      auto& st = self->state;
      int status = response->status();
      send_response(self, response);
      if (status < 200) {
        // "The TU passes any number of provisional responses to the server transaction. So
        // long as the server transaction is in the Proceeding state, each of these MUST be
        // passed to the transport layer for transmission."
        st.last_response = response;
      } else if (status < 300) {
        st.last_response = nullptr;  // RFC 6026: the TU retransmits the 2xx, not the transaction
        enter_accepted(self);
      } else {
        st.last_response = response;
        enter_completed(self);
      }
    },
    [=](const transport::inbound_message& in) {
      // "If a request retransmission is received while in the Proceeding state, the most
      // recent provisional response that was received from the TU MUST be passed to the
      // transport layer for retransmission."
      if (!is_invite(in)) return;
      auto& st = self->state;
      if (st.last_response) send_response(self, st.last_response);
      else if (st.config.invite_trying) send_trying(self);
    },
    // RFC 6026 Figure 7: Transport Err. in Proceeding: inform TU, stay (the TU still answers).
    [=](transport::send_failed& failure) {
      if (belongs(self, failure.message)) inform_transport_error(self, failure);
    });
}

caf::behavior completed(self_ptr self) {
  return ist_timers::state(
    [=](const transport::inbound_message& in) {
      // "while in the Completed state, if a request retransmission is received, the server
      // SHOULD pass the response to the transport for retransmission."
      if (is_invite(in)) send_response(self, self->state.last_response);
      // "If an ACK is received while the server transaction is in the Completed state, the
      // server transaction MUST transition to the Confirmed state."
      else if (is_ack(in)) enter_confirmed(self);
    },
    [=](timer_g_atom, std::uint32_t generation) {
      auto& st = self->state;
      if (!fired(st.g, generation)) return;
      // "If timer G fires, the response is passed to the transport layer once more for
      // retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds."
      send_response(self, st.last_response);
      count_retransmission(self);
      st.interval_g = std::min(2 * st.interval_g, st.config.t2);
      arm<timer_g_atom>(self, st.g, st.interval_g);
    },
    [=](timer_h_atom, std::uint32_t generation) {
      auto& st = self->state;
      if (!guard_fired<timer_h_atom>(self, st.h, generation)) return;
      // "If timer H fires while in the Completed state, it implies that the ACK was never
      // received. In this case, the server transaction MUST transition to the Terminated state,
      // and MUST indicate to the TU that a transaction failure has occurred."
      self->send(st.peers.tu, transaction_timeout{st.request.message, me(self)});
      terminated(self);
    },
    [=](const message_ptr&) {},  // the final response is sent; later ones are discarded
    // Figure 7: Transport Err. in Completed: inform TU, Terminated (§17.2.4). A late failure of
    // a provisional response sent in Proceeding changes nothing.
    [=](transport::send_failed& failure) {
      if (failure.message.get() != self->state.last_response.get()) return;
      inform_transport_error(self, failure);
      terminated(self);
    });
}

caf::behavior confirmed(self_ptr self) {
  return ist_timers::state(
    [=](const transport::inbound_message&) {},  // ACK (and INVITE) retransmissions are absorbed
    [=](timer_i_atom, std::uint32_t generation) {
      // "Once timer I fires, the server MUST transition to the Terminated state."
      if (fired(self->state.i, generation)) terminated(self);
    },
    [=](const message_ptr&) {},
    [=](transport::send_failed&) {});  // a late failure of a retransmission: the ACK came
}

// RFC 6026 §7.1: in Accepted, 2xx retransmissions from the TU are passed to the transport,
// INVITE retransmissions are absorbed, ACKs are passed up to the TU; Timer L ends it.
caf::behavior accepted(self_ptr self) {
  return ist_timers::state(
    [=](const message_ptr& response) {
      if (is_response(self, response) && response->status() / 100 == 2) send_response(self, response);
    },
    [=](const transport::inbound_message& in) {
      if (is_ack(in)) self->send(self->state.peers.tu, tu_request{in, me(self), caf::actor{}});
    },
    [=](timer_l_atom, std::uint32_t generation) {
      if (fired(self->state.l, generation)) terminated(self);
    },
    // RFC 6026 Figure 7: Transport Err. in Accepted: inform TU, stay.
    [=](transport::send_failed& failure) {
      if (belongs(self, failure.message)) inform_transport_error(self, failure);
    });
}

// §17.2.1: "When a server transaction is constructed for a request, it enters the Proceeding
// state. The server transaction MUST generate a 100 (Trying) response unless it knows that the
// TU will generate a provisional or final response within 200 ms [...]. The request MUST be
// passed to the TU."
caf::behavior begin(self_ptr self, start_server_transaction& start) {
  auto& st = self->state;
  st.request = std::move(start.request);
  if (st.config.invite_trying) send_trying(self);
  self->send(st.peers.tu, tu_request{st.request, me(self), caf::actor{}});
  return proceeding(self);
}

caf::behavior idle(self_ptr self) { return idle_state<start_server_transaction, ist_timers>(self, begin); }

}  // namespace

caf::actor spawn_invite_server_transaction(caf::actor_system& sys, const transaction_config& config, transaction_peers peers,
                                           transport::inbound_message request) {
  return spawn_started<ist_state>(sys, config, std::move(peers), start_server_transaction{std::move(request), caf::actor{}}, begin);
}

caf::actor spawn_idle_invite_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                                transaction_peers peers) {
  return spawn_idle<ist_state>(sys, config, std::move(peers), idle);
}

}  // namespace sipactor
