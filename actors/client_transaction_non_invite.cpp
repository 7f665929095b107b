#include "actors/client_transaction_non_invite.hpp"

#include <algorithm>

#include "actors/transaction_reuse.hpp"
#include "actors/transaction_timers.hpp"

namespace sipactor {

using namespace transaction_timers;
using std::chrono::milliseconds;

namespace {

struct nict_state {
  transaction_config config;
  transaction_peers peers;
  transport::outbound_request request;  // the request and its destination
  milliseconds interval_e{0};
  std::uint32_t timer_generation = 0;
  bool reusable = false;  // see actors/transaction_reuse.hpp
  timer_slot e = 0, k = 0;
  guard_timer f;
  static inline const char* name = "sip-non-invite-client-transaction";
};

using self_ptr = caf::stateful_actor<nict_state>*;
using nict_timers = timer_set<timer_e_atom, timer_f_atom, timer_k_atom>;

caf::behavior trying(self_ptr self);
caf::behavior proceeding(self_ptr self);
caf::behavior completed(self_ptr self);

caf::behavior idle(self_ptr self);

void terminated(self_ptr self) {
  if (end_transaction(self, client_key_of_request(*self->state.request.message), transaction_kind::non_invite_client))
    self->become(idle(self));
}

// Timer E fired: retransmit and re-arm with `next`.
void retransmit(self_ptr self, milliseconds next) {
  auto& st = self->state;
  self->send(st.peers.transport, st.request);
  count_retransmission(self);
  st.interval_e = next;
  arm<timer_e_atom>(self, st.e, next);
}

// §17.1.2.2: "If Timer F fires while the client transaction is still in the Trying state, the
// client transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the
// Terminated state." (the same in Proceeding, where it MUST)
void timeout(self_ptr self) {
  self->send(self->state.peers.tu, transaction_timeout{self->state.request.message, me(self)});
  terminated(self);
}

// §17.1.4: inform the TU of the transport failure, then Terminated.
void transport_error(self_ptr self, transport::send_failed& failure) {
  if (!belongs(self, failure.message)) return;
  inform_transport_error(self, failure);
  terminated(self);
}

// §17.1.2.2: "Once the client transaction enters the Completed state, it MUST set Timer K to
// fire in T4 seconds for unreliable transports, and zero seconds for reliable transports."
void enter_completed(self_ptr self, const message_ptr& response) {
  auto& st = self->state;
  st.e = 0;
  st.f.cancel();
  pass_up(self, response);
  if (reliable(self)) return terminated(self);
  arm<timer_k_atom>(self, st.k, st.config.t4);
  self->become(completed(self));
}

// A response in Trying or Proceeding: "If a provisional response is received while in the Trying
// state, the response MUST be passed to the TU, and then the client transaction SHOULD move to
// the Proceeding state. If a final response (status codes 200-699) is received [...], the
// response MUST be passed to the TU, and the client transaction MUST transition to the
// Completed state."
void on_response(self_ptr self, const message_ptr& response, bool in_trying) {
  if (response->status() >= 200) return enter_completed(self, response);
  pass_up(self, response);
  if (in_trying) self->become(proceeding(self));
}

// RFC 3261 §17.1.2.2, Figure 6: Timer E retransmits (unreliable transports) at T1, 2*T1, ...
// capped at T2; Timer F (64*T1) times out.
caf::behavior trying(self_ptr self) {
  return nict_timers::state(
    [=](timer_e_atom, std::uint32_t generation) {
      auto& st = self->state;
      // "If timer E fires while still in this state, the timer is reset, but this time with a
      // value of MIN(2*T1, T2)."
      if (fired(st.e, generation)) retransmit(self, std::min(2 * st.interval_e, st.config.t2));
    },
    [=](timer_f_atom, std::uint32_t generation) {
      if (guard_fired<timer_f_atom>(self, self->state.f, generation)) timeout(self);
    },
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_response()) on_response(self, in.message, true);
    },
    [=](transport::send_failed& failure) { transport_error(self, failure); });
}

// §17.1.2.2: "If Timer E fires while in the Proceeding state, the request MUST be passed to the
// transport layer for retransmission, and Timer E MUST be reset with a value of T2 seconds."
caf::behavior proceeding(self_ptr self) {
  return nict_timers::state(
    [=](timer_e_atom, std::uint32_t generation) {
      auto& st = self->state;
      if (fired(st.e, generation)) retransmit(self, st.config.t2);
    },
    [=](timer_f_atom, std::uint32_t generation) {
      if (guard_fired<timer_f_atom>(self, self->state.f, generation)) timeout(self);
    },
    [=](const transport::inbound_message& in) {
      if (in.message && in.message->is_response()) on_response(self, in.message, false);
    },
    [=](transport::send_failed& failure) { transport_error(self, failure); });
}

// §17.1.2.2: "The Completed state exists to buffer any additional response retransmissions
// that may be received": they are absorbed. Timer K ends it.
caf::behavior completed(self_ptr self) {
  return nict_timers::state(
    [=](const transport::inbound_message&) {},
    [=](timer_k_atom, std::uint32_t generation) {
      if (fired(self->state.k, generation)) terminated(self);
    },
    [=](transport::send_failed&) {});  // a late failure of a retransmission: the answer came
}

caf::behavior begin(self_ptr self, start_client_transaction& start) {
  auto& st = self->state;
  st.peers.tu = std::move(start.tu);
  st.request = std::move(start.request);
  // §17.1.2.2: "When entering this state, the client transaction SHOULD set timer F to fire
  // in 64*T1 seconds. The request MUST be passed to the transport layer for transmission. If
  // an unreliable transport is in use, the client transaction MUST set timer E to fire in T1
  // seconds."
  arm_guard<timer_f_atom>(self, st.f, st.config.timer_b());
  self->send(st.peers.transport, st.request);
  if (!reliable(self)) {
    st.interval_e = st.config.t1;
    arm<timer_e_atom>(self, st.e, st.interval_e);
  }
  return trying(self);
}

caf::behavior idle(self_ptr self) { return idle_state<start_client_transaction, nict_timers>(self, begin); }

}  // namespace

caf::actor spawn_non_invite_client_transaction(caf::actor_system& sys, const transaction_config& config, transaction_peers peers,
                                               transport::outbound_request request) {
  return spawn_started<nict_state>(sys, config, peers, start_client_transaction{std::move(request), peers.tu}, begin);
}

caf::actor spawn_idle_non_invite_client_transaction(caf::actor_system& sys, const transaction_config& config,
                                                    transaction_peers peers) {
  return spawn_idle<nict_state>(sys, config, std::move(peers), idle);
}

}  // namespace sipactor
