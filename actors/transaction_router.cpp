#include "actors/transaction_router.hpp"

#include <array>
#include <unordered_map>
#include <vector>

#include "actors/client_transaction_invite.hpp"
#include "actors/client_transaction_non_invite.hpp"
#include "actors/server_transaction_invite.hpp"
#include "actors/server_transaction_non_invite.hpp"
#include "actors/transaction_reuse.hpp"
#include "actors/transaction_timer_service.hpp"
#include "actors/transaction_timers.hpp"

namespace sipactor {

namespace {

using transaction_map = std::unordered_map<transaction_key, caf::actor, transaction_key_hash>;
using time_point = caf::actor_clock::time_point;

// The shard wakes at most every 10 ms for its transactions' timers: every wake-up is a trip
// through CAF's clock thread and a worker wake-up, and with 1 ms a proxy at 250 calls/s woke
// 1,365 times a second (bench/RESULTS.md, issue 7). A timer fires at most 10 ms late: 2% of T1
// for a retransmission, and nothing for the timers that only end a transaction.
constexpr auto wake_spacing = std::chrono::milliseconds(10);

struct shard_state {
  transaction_config config;
  std::size_t idle_limit = 0;  // idle transactions kept per kind
  bool tu_hears_termination = false;
  caf::actor transport;
  caf::actor tu;
  transaction_map servers;  // by server_key (§17.2.3)
  transaction_map clients;  // by client_key_of_request (§17.1.3)
  transaction_layer_counters counters;
  transaction_timer_service timers{wake_spacing};
  // Ended transactions kept for the next one, by transaction_kind (actors/transaction_reuse.hpp).
  std::array<std::vector<caf::actor>, 4> idle;
  static inline const char* name = "sip-transaction-router-shard";
};

using self_ptr = caf::stateful_actor<shard_state>*;

caf::actor me(self_ptr self) { return caf::actor_cast<caf::actor>(self); }

transaction_peers peers(self_ptr self, const caf::actor& tu) {
  auto& st = self->state;
  return {st.transport, tu ? tu : st.tu, me(self), me(self), st.tu_hears_termination};
}

// The actor in `map` under `key`, or nullptr.
const caf::actor* find(const transaction_map& map, const transaction_key& key) {
  auto i = map.find(key);
  return i == map.end() ? nullptr : &i->second;
}

// An idle transaction of `kind`: one that ended here, or a new one.
caf::actor take_idle(self_ptr self, transaction_kind kind) {
  auto& st = self->state;
  auto& idle = st.idle[static_cast<std::size_t>(kind)];
  if (!idle.empty()) {
    caf::actor txn = std::move(idle.back());
    idle.pop_back();
    ++st.counters.reused;
    return txn;
  }
  auto& sys = self->system();
  switch (kind) {
    case transaction_kind::invite_client: return spawn_idle_invite_client_transaction(sys, st.config, peers(self, {}));
    case transaction_kind::non_invite_client: return spawn_idle_non_invite_client_transaction(sys, st.config, peers(self, {}));
    case transaction_kind::invite_server: return spawn_idle_invite_server_transaction(sys, st.config, peers(self, {}));
    case transaction_kind::non_invite_server: break;
  }
  return spawn_idle_non_invite_server_transaction(sys, st.config, peers(self, {}));
}

caf::actor start_server(self_ptr self, transaction_kind kind, const transport::inbound_message& in,
                        caf::actor cancelled_invite) {
  caf::actor txn = take_idle(self, kind);
  self->send(txn, start_server_transaction{in, std::move(cancelled_invite)});
  return txn;
}

// §17.2.3: a request goes to the server transaction it matches. An ACK never starts one: when
// it matches none it is the ACK for a 2xx (a transaction of its own, §17.1.1.3) and goes to the
// TU (§13.3.1.4). Every other request that matches none starts one (§17.2.1, §17.2.2); a
// CANCEL's carries the INVITE server transaction it cancels (§9.2).
void on_request(self_ptr self, const transport::inbound_message& in) {
  auto& st = self->state;
  const message& request = *in.message;
  transaction_key key = server_key(request);
  if (const caf::actor* txn = find(st.servers, key)) {
    ++st.counters.absorbed;
    self->send(*txn, in);
    return;
  }
  if (request.method() == sip_method::ack) {
    ++st.counters.acks_to_tu;
    self->send(st.tu, tu_request{in, caf::actor{}, caf::actor{}});
    return;
  }
  caf::actor txn;
  if (request.method() == sip_method::invite) {
    txn = start_server(self, transaction_kind::invite_server, in, {});
  } else if (request.method() == sip_method::cancel) {
    const caf::actor* invite = find(st.servers, cancelled_invite_key(request));
    if (!invite) ++st.counters.cancels_unmatched;
    txn = start_server(self, transaction_kind::non_invite_server, in, invite ? *invite : caf::actor{});
  } else {
    txn = start_server(self, transaction_kind::non_invite_server, in, {});
  }
  ++st.counters.server_created;
  st.servers.emplace(std::move(key), std::move(txn));
}

// §17.1.3: a response goes to the client transaction whose branch and CSeq method it carries;
// one that matches none goes to the TU.
void on_response(self_ptr self, const transport::inbound_message& in) {
  auto& st = self->state;
  if (const caf::actor* txn = find(st.clients, client_key(*in.message))) {
    ++st.counters.absorbed;
    self->send(*txn, in);
    return;
  }
  ++st.counters.stray_responses;
  self->send(st.tu, stray_response{in});
}

// A refused client_request: the reason goes back as an error to request(), or as a transport
// error event to the TU of an asynchronous send.
caf::result<caf::actor> refuse(self_ptr self, const client_request& r, const char* reason) {
  ++self->state.counters.rejected;
  if (self->current_message_id().is_request()) return caf::make_error(caf::sec::invalid_argument, reason);
  const caf::actor& tu = r.tu ? r.tu : self->state.tu;
  self->send(tu, transaction_transport_error{r.request.message, reason, caf::actor{}});
  return caf::delegated<caf::actor>{};
}

caf::result<caf::actor> on_client_request(self_ptr self, client_request& r) {
  auto& st = self->state;
  const message_ptr& request = r.request.message;
  if (!request || !request->is_request()) return refuse(self, r, "not a request");
  if (request->method() == sip_method::ack) return refuse(self, r, "ACK is not sent in a client transaction");
  transaction_key key = client_key_of_request(*request);
  if (st.clients.count(key) != 0) return refuse(self, r, "a client transaction with this branch and method is running");
  caf::actor txn = take_idle(self, request->method() == sip_method::invite ? transaction_kind::invite_client
                                                                           : transaction_kind::non_invite_client);
  self->send(txn, start_client_transaction{std::move(r.request), r.tu ? std::move(r.tu) : st.tu});
  ++st.counters.client_created;
  st.clients.emplace(std::move(key), txn);
  if (!self->current_message_id().is_request()) return caf::delegated<caf::actor>{};
  return txn;
}

// --- the timer service (actors/transaction_timer_service.hpp)

void on_schedule(self_ptr self, const schedule_timer& request) {
  self->state.timers.schedule(request);
  plan_timer_wake(self, self->state.timers);
}

// A transaction ended: forget it, unless its key already names a newer transaction, and keep
// the actor (now idle) for a later one, up to idle_limit per kind.
void on_terminated(self_ptr self, const transaction_terminated& e) {
  auto& st = self->state;
  if (!e.transaction) return;
  st.timers.forget(e.transaction.id());
  bool client = e.kind == transaction_kind::invite_client || e.kind == transaction_kind::non_invite_client;
  transaction_map& map = client ? st.clients : st.servers;
  auto i = map.find(e.key);
  if (i != map.end() && i->second == e.transaction) map.erase(i);
  auto& idle = st.idle[static_cast<std::size_t>(e.kind)];
  if (idle.size() < st.idle_limit) idle.push_back(e.transaction);
  else self->send(e.transaction, retire_atom::value);
}

caf::behavior routing(self_ptr self) {
  return {
    [=](const transport::inbound_message& in) {
      if (!in.message) return;
      if (in.message->is_request()) on_request(self, in);
      else on_response(self, in);
    },
    [=](client_request& r) { return on_client_request(self, r); },
    [=](const transaction_terminated& e) { on_terminated(self, e); },
    [=](const schedule_timer& request) { on_schedule(self, request); },
    [=](timer_wake_atom, time_point planned) { on_timer_wake(self, self->state.timers, planned); },
    [=](transaction_timers::retransmitted_atom) { ++self->state.counters.retransmitted; },
    [=](transport::stats_atom) {
      auto& st = self->state;
      transaction_layer_counters c = st.counters;
      c.live = st.servers.size() + st.clients.size();
      for (const auto& idle : st.idle) c.idle += idle.size();
      return c;
    },
    [=](transport_atom, caf::actor& transport) {
      // Idle transactions hold the old transport: they go, new ones get the new one.
      auto& st = self->state;
      st.transport = std::move(transport);
      for (auto& idle : st.idle) {
        for (auto& t : idle) self->send(t, retire_atom::value);
        idle.clear();
      }
    },
  };
}

// Without a transport nothing can be answered: every message waits in the mailbox until the
// transport is set.
caf::behavior waiting_for_transport(self_ptr self) {
  self->set_default_handler(caf::skip);
  return {
    [=](transport_atom, caf::actor& transport) {
      self->state.transport = std::move(transport);
      self->set_default_handler(caf::print_and_drop);
      self->become(routing(self));
    },
  };
}

}  // namespace

caf::actor spawn_router_shard(caf::actor_system& sys, const transaction_layer_config& config, caf::actor transport,
                              caf::actor tu) {
  // State goes in as spawn arguments (CAF 0.17 + UBSan, see actors/server_transaction_invite.cpp).
  return sys.spawn(
      [](self_ptr self, transaction_layer_config config, caf::actor transport, caf::actor tu) -> caf::behavior {
        auto& st = self->state;
        st.config = config.timers;
        st.idle_limit = config.idle_per_kind;
        st.tu_hears_termination = config.tu_hears_termination;
        st.tu = std::move(tu);
        // Transactions with timers here cannot finish without the shard: they go with it.
        self->set_exit_handler([self](caf::exit_msg& msg) {
          auto& timed = self->state.timers;
          for (auto& t : timed.handles()) self->send_exit(t, msg.reason);
          for (auto& idle : self->state.idle)
            for (auto& t : idle) self->send_exit(t, msg.reason);
          self->quit(msg.reason);
        });
        if (!transport) return waiting_for_transport(self);
        st.transport = std::move(transport);
        return routing(self);
      },
      config, std::move(transport), std::move(tu));
}

}  // namespace sipactor
