// Timers of the transaction actors (RFC 3261 §17, Table 4; RFC 6026 Timers L and M; RFC 4320),
// and the few helpers the four transaction machines share (at the end).
// A timer is a delayed message to self: (timer atom, generation), or the same message from the
// router shard's timer service (actors/transaction_timer_service.hpp). CAF 0.17 cannot cancel a
// delayed message (see ../shared/CAF-0.17.md), so each timer has a slot holding the generation
// of its armed instance; a message whose generation is not in the slot is stale and ignored.
// Cancelling a timer is clearing its slot. A pending delayed message keeps its receiver in
// memory until it fires, state included (stateful_actor holds its state inline): guard timers
// that usually end cancelled (B, F, H, give-up) are therefore sent in steps (guard_timer).
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <utility>

#include "actors/transaction_key.hpp"
#include "actors/transaction_messages.hpp"
#include "actors/transaction_timer_service.hpp"

namespace sipactor::transaction_timers {

using timer_a_atom = caf::atom_constant<caf::atom("timerA")>;  // INVITE request retransmit
using timer_b_atom = caf::atom_constant<caf::atom("timerB")>;  // INVITE transaction timeout
using timer_d_atom = caf::atom_constant<caf::atom("timerD")>;  // wait for response retransmits
using timer_e_atom = caf::atom_constant<caf::atom("timerE")>;  // non-INVITE request retransmit
using timer_f_atom = caf::atom_constant<caf::atom("timerF")>;  // non-INVITE transaction timeout
using timer_g_atom = caf::atom_constant<caf::atom("timerG")>;  // INVITE response retransmit
using timer_h_atom = caf::atom_constant<caf::atom("timerH")>;  // wait for ACK receipt
using timer_i_atom = caf::atom_constant<caf::atom("timerI")>;  // wait for ACK retransmits
using timer_j_atom = caf::atom_constant<caf::atom("timerJ")>;  // wait for non-INVITE retransmits
using timer_k_atom = caf::atom_constant<caf::atom("timerK")>;  // wait for response retransmits
using timer_l_atom = caf::atom_constant<caf::atom("timerL")>;  // RFC 6026: wait for 2xx/ACK/INVITE
using timer_m_atom = caf::atom_constant<caf::atom("timerM")>;  // RFC 6026: wait for 2xx retransmits
// RFC 4320 §4.1: the non-INVITE server transaction may send 100 once the client retransmits at T2.
using timer_t2_atom = caf::atom_constant<caf::atom("timerT2")>;
// RFC 4320 §4.2: a non-INVITE server transaction that got no final response from its TU by the
// time the client's Timer F expired (64*T1) ends without answering (never 408).
using give_up_atom = caf::atom_constant<caf::atom("giveup")>;

// Generation of the armed instance of one timer; 0: not armed.
using timer_slot = std::uint32_t;

// Sends (Atom, generation) to self at `deadline`: through the timer service of peers.timers
// (the router shard) when there is one, else as a delayed message.
template <class Atom, class Self>
void schedule_at(Self* self, caf::actor_clock::time_point deadline, std::uint32_t generation) {
  if (const caf::actor& service = self->state.peers.timers) {
    self->send(service, schedule_timer{caf::actor_cast<caf::actor>(self), Atom::value, generation, deadline});
    return;
  }
  auto delay = deadline - self->clock().now();
  if (delay.count() < 0) delay = delay.zero();
  self->delayed_send(self, delay, Atom::value, generation);
}

// Arms the timer `Atom` to fire after `delay`; the actor's state has `timer_generation`.
template <class Atom, class Self>
void arm(Self* self, timer_slot& slot, std::chrono::milliseconds delay) {
  slot = ++self->state.timer_generation;
  schedule_at<Atom>(self, self->clock().now() + delay, slot);
}

// True when the message (Atom, generation) is the armed instance of the timer in `slot`; the
// slot is then cleared (the instance is used up).
inline bool fired(timer_slot& slot, std::uint32_t generation) noexcept {
  if (slot == 0 || slot != generation) return false;
  slot = 0;
  return true;
}

// A guard timer (B, F, H, give-up): armed for a deadline, sent in steps of at most
// config.guard_step so that a cancelled guard stops holding the actor after one step.
struct guard_timer {
  timer_slot slot = 0;
  caf::actor_clock::time_point deadline{};
  void cancel() noexcept { slot = 0; }
};

template <class Atom, class Self>
void send_guard_step(Self* self, const guard_timer& guard) {
  // The timer service forgets a finished transaction's timers: no steps needed.
  if (self->state.peers.timers) return schedule_at<Atom>(self, guard.deadline, guard.slot);
  auto left = guard.deadline - self->clock().now();
  auto step = self->state.config.guard_step;
  if (step.count() > 0 && left > step) left = step;
  self->delayed_send(self, left, Atom::value, guard.slot);
}

template <class Atom, class Self>
void arm_guard(Self* self, guard_timer& guard, std::chrono::milliseconds delay) {
  guard.slot = ++self->state.timer_generation;
  guard.deadline = self->clock().now() + delay;
  send_guard_step<Atom>(self, guard);
}

// True when the guard's deadline is reached (the guard is then used up). An intermediate step
// of a guard still armed sends the next step.
template <class Atom, class Self>
bool guard_fired(Self* self, guard_timer& guard, std::uint32_t generation) {
  if (guard.slot == 0 || guard.slot != generation) return false;
  if (self->clock().now() < guard.deadline) {
    send_guard_step<Atom>(self, guard);
    return false;
  }
  guard.slot = 0;
  return true;
}

template <class Atom>
auto ignore_stale() {
  return [](Atom, std::uint32_t) {};
}

// The behavior of one state: its own handlers first, then handlers that drop every timer of the
// machine (`Atoms`), so a timer armed in an earlier state has a defined outcome in every state.
template <class... Atoms>
struct timer_set {
  template <class... Handlers>
  static caf::behavior state(Handlers&&... handlers) {
    return {std::forward<Handlers>(handlers)..., ignore_stale<Atoms>()...};
  }
};

// --- Shared by the four machines (their states all hold `request`, with its transport, and
// `peers`).

template <class Self>
caf::actor me(Self* self) {
  return caf::actor_cast<caf::actor>(self);
}

template <class Self>
bool reliable(Self* self) {
  return transport::is_reliable(self->state.request.transport);
}

// Client transactions: a response goes up to the TU.
template <class Self>
void pass_up(Self* self, const message_ptr& response) {
  self->send(self->state.peers.tu, tu_response{response, me(self)});
}

// §8.1.3.1, §17.1.4, §17.2.4: the transport could not send a message of the transaction; the TU
// hears of it (and treats it as 503).
template <class Self>
void inform_transport_error(Self* self, transport::send_failed& failure) {
  const auto& st = self->state;
  self->send(st.peers.tu, transaction_transport_error{st.request.message, std::move(failure.reason), me(self)});
}

// A retransmission by this transaction (Timer A, E, G): counted by the router shard, when there
// is one (transaction_layer_counters::retransmitted).
using retransmitted_atom = caf::atom_constant<caf::atom("retrans")>;
template <class Self>
void count_retransmission(Self* self) {
  if (const caf::actor& shard = self->state.peers.timers) self->send(shard, retransmitted_atom::value);
}

// Server transactions, §18.2.2: over the connection the request came on, else to its source.
template <class Self>
void send_response(Self* self, const message_ptr& response) {
  const auto& in = self->state.request;
  self->send(self->state.peers.transport,
             transport::outbound_response{response, in.transport, in.local, in.remote, in.connection});
}

}  // namespace sipactor::transaction_timers
