// Transaction actors are reused by their router shard.
//
// Why: CAF 0.17 takes one global lock and wakes the clock thread for every actor that terminates
// (local_actor::cleanup -> clock().cancel_timeouts), so an actor born and ended per transaction
// stops the layer from scaling with the cores: 0.6x from one to two scheduler threads for
// spawn + answer + quit, against 1.4-1.9x for a worker taken from a free list and given back
// (bench/caf_lifecycle_bench.cpp, bench/RESULTS.md "Transactions (issue 4)").
//
// How: a shard spawns its transactions idle and starts each with a start_*_transaction message.
// When the machine reaches Terminated, the actor reports transaction_terminated (to the TU first,
// then to the shard), clears its state and goes back to idle; the shard forgets the key and its
// timers and keeps the actor on a free list of its kind for the next transaction. Each actor
// still runs one transaction at a time with the same state machine.
//
// What a reused actor must not take for its new transaction (inputs of the previous one that
// arrive late): a timer (its generation keeps counting across transactions, and the shard forgot
// the old ones), a response from the TU or a send failure (recognised by the request they belong
// to: belongs_to_transaction). Requests and responses routed by the shard arrive in order, before
// the start message. A TU that keeps transaction handles learns of the end of a transaction
// (transaction_terminated from the actor) before anything of the next one on the same actor.
#pragma once

#include <caf/all.hpp>

#include <type_traits>
#include <utility>

#include "actors/transaction_messages.hpp"

namespace sipactor {

// From a router shard to one of its idle server transactions: run this transaction (the INVITE
// server transaction takes an INVITE, the non-INVITE one any other request but ACK; for a CANCEL
// `cancelled_invite` is the INVITE server transaction it matched, §9.2). The peers were given at
// spawn and stay: the start message copies no handle (each copy is an atomic count on an actor
// every core uses, which two cores bounce between them).
struct start_server_transaction {
  transport::inbound_message request;
  caf::actor cancelled_invite;
};

// From a router shard to one of its idle client transactions; `tu` gets its events.
struct start_client_transaction {
  transport::outbound_request request;
  caf::actor tu;
};

// From a router shard to an idle transaction it does not keep: quit.
using retire_atom = caf::atom_constant<caf::atom("retire")>;

// Spawns an idle, reusable transaction actor of `kind` (the four machines implement it) that
// keeps `peers` for every transaction it runs (a client transaction's TU comes with its start).
caf::actor spawn_idle_invite_client_transaction(caf::actor_system& sys, const transaction_config& config,
                                                transaction_peers peers);
caf::actor spawn_idle_non_invite_client_transaction(caf::actor_system& sys, const transaction_config& config,
                                                    transaction_peers peers);
caf::actor spawn_idle_invite_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                                transaction_peers peers);
caf::actor spawn_idle_non_invite_server_transaction(caf::actor_system& sys, const transaction_config& config,
                                                    transaction_peers peers);

// True when `m` (a response from the TU or a message the transport could not send) belongs to
// the transaction of `request`: the same top Via branch (§17.1.3, §17.2.3; empty for an RFC 2543
// peer), Call-ID and CSeq number. The ACK a client INVITE transaction builds shares all three.
inline bool belongs_to_transaction(const message& m, const message& request) noexcept {
  return m.top_via().branch == request.top_via().branch && m.cseq().number == request.cseq().number &&
         m.call_id() == request.call_id();
}

namespace transaction_timers {

template <class Self>
bool belongs(Self* self, const message_ptr& m) {
  const message_ptr& request = self->state.request.message;
  return m && request && belongs_to_transaction(*m, *request);
}

// Terminated (§17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2): tells the TU, then the owner. A
// transaction spawned on its own then quits (its state and messages are freed at once). A
// reusable one clears its state, keeping its configuration and its timer generation, and returns
// true: the caller then becomes idle.
template <class Self>
bool end_transaction(Self* self, transaction_key key, transaction_kind kind) {
  auto& st = self->state;
  transaction_terminated event{std::move(key), kind, caf::actor_cast<caf::actor>(self)};
  if (st.peers.tu_hears_termination && st.peers.tu && st.peers.tu != st.peers.owner) self->send(st.peers.tu, event);
  if (st.peers.owner) self->send(st.peers.owner, std::move(event));
  if (!st.reusable) {
    self->quit();
    return false;
  }
  std::decay_t<decltype(st)> fresh;
  fresh.config = st.config;
  fresh.peers = std::move(st.peers);
  fresh.timer_generation = st.timer_generation;
  fresh.reusable = true;
  st = std::move(fresh);
  return true;
}

// The idle state of a reusable transaction: `begin` starts a transaction from the start message
// (and returns the behavior of its first state); everything else is a leftover of the previous
// transaction and dropped. `Timers` is the machine's timer_set.
template <class Start, class Timers, class Self, class Begin>
caf::behavior idle_state(Self* self, Begin begin) {
  return Timers::state(
    [=](Start& start) { self->become(begin(self, start)); },
    [=](retire_atom) { self->quit(); },
    [](const message_ptr&) {},
    [](const transport::inbound_message&) {},
    [](transport::send_failed&) {});
}

// Spawns a machine with state `State`: started at once with `start`, its first state from
// `begin` (a transaction on its own, e.g. in unit tests) ...
template <class State, class Start>
caf::actor spawn_started(caf::actor_system& sys, const transaction_config& config, transaction_peers peers,
                         Start start, caf::behavior (*begin)(caf::stateful_actor<State>*, Start&)) {
  // State goes in as spawn arguments, not captures: CAF 0.17 dereferences a null tuple pointer
  // for argument-less functors (UBSan: init_fun_factory.hpp:85).
  return sys.spawn(
      [](caf::stateful_actor<State>* self, transaction_config config, transaction_peers peers, Start start,
         caf::behavior (*begin)(caf::stateful_actor<State>*, Start&)) -> caf::behavior {
        self->state.config = config;
        self->state.peers = std::move(peers);
        return begin(self, start);
      },
      config, std::move(peers), std::move(start), begin);
}

// ... or idle and reusable, for a router shard.
template <class State>
caf::actor spawn_idle(caf::actor_system& sys, const transaction_config& config, transaction_peers peers,
                      caf::behavior (*idle)(caf::stateful_actor<State>*)) {
  return sys.spawn(
      [](caf::stateful_actor<State>* self, transaction_config config, transaction_peers peers,
         caf::behavior (*idle)(caf::stateful_actor<State>*)) -> caf::behavior {
        self->state.config = config;
        self->state.peers = std::move(peers);
        self->state.reusable = true;
        return idle(self);
      },
      config, std::move(peers), idle);
}

}  // namespace transaction_timers
}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::start_server_transaction)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::start_client_transaction)
