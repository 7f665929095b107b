#include "actors/location_store.hpp"

#include <memory>
#include <utility>

#include "actors/location_database.hpp"

namespace sipactor {

namespace {

struct pending_write {
  std::vector<location_change> changes;
  caf::typed_response_promise<location_write_result> promise;
};

struct store_state {
  std::unique_ptr<location_database> db;
  std::vector<pending_write> batch;  // written by the next transaction
  bool flush_planned = false;        // a location_flush_atom is in the mailbox
  location_store_stats stats;
  static inline const char* name = "sip-location-store";
};

using self_ptr = location_store_actor::stateful_pointer<store_state>;

// Commits the batch in one transaction and answers every write in it. A failed transaction of
// several writes is tried again one write at a time, so that one REGISTER's failure does not
// become another's; on a full disk all fail alike.
void commit(self_ptr self) {
  auto& st = self->state;
  st.flush_planned = false;
  if (st.batch.empty()) return;
  std::vector<pending_write> batch = std::move(st.batch);
  st.batch.clear();
  auto transaction = [&](const std::vector<const std::vector<location_change>*>& lists) {
    std::string error = st.db->apply(lists);
    ++(error.empty() ? st.stats.commits : st.stats.failed_commits);
    return error;
  };
  std::vector<const std::vector<location_change>*> lists;
  lists.reserve(batch.size());
  for (const pending_write& w : batch) lists.push_back(&w.changes);
  std::string error = transaction(lists);
  if (error.empty() || batch.size() == 1) {
    for (pending_write& w : batch) w.promise.deliver(location_write_result{error});
    return;
  }
  for (pending_write& w : batch) w.promise.deliver(location_write_result{transaction({&w.changes})});
}

caf::result<location_write_result> on_write(self_ptr self, location_write& w) {
  auto& st = self->state;
  ++st.stats.writes;
  st.stats.changes += w.changes.size();
  if (!st.db) return location_write_result{st.stats.open_error};
  if (w.changes.empty()) return location_write_result{};
  auto promise = self->make_response_promise<location_write_result>();
  st.batch.push_back({std::move(w.changes), promise});
  // The flush goes behind every write already in the mailbox: they all join this transaction.
  if (!st.flush_planned) {
    st.flush_planned = true;
    self->send(caf::actor_cast<location_store_actor>(self), location_flush_atom::value);
  }
  return promise;
}

location_load_result on_load(self_ptr self, const location_load& request) {
  auto& st = self->state;
  location_load_result out;
  if (!st.db) {
    out.error = st.stats.open_error;
    return out;
  }
  commit(self);  // what was acknowledged is what a load sees
  if (request.shards == 0 || request.shard >= request.shards) {
    out.error = "location load: no such shard";
    return out;
  }
  out.error = st.db->load(request.now, request.shard, request.shards, out.bindings, out.dropped_expired);
  return out;
}

location_store_actor::behavior_type store(self_ptr self, location_store_config config) {
  location_database_options options{config.path, config.full_sync, config.max_pages};
  self->state.db = location_database::open(options, self->state.stats.open_error);
  // A stop commits what is batched first (kill does not: it cannot be trapped).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (self->state.db) commit(self);
    self->quit(msg.reason);
  });
  return {
      [=](location_write& w) { return on_write(self, w); },
      [=](const location_load& request) { return on_load(self, request); },
      [=](location_flush_atom) { commit(self); },
      [=](location_stats_atom) { return self->state.stats; },
  };
}

}  // namespace

location_store_actor spawn_location_store(caf::actor_system& sys, const location_store_config& config) {
  // The configuration goes in as a spawn argument (CAF 0.17 + UBSan, see
  // actors/server_transaction_invite.cpp).
  if (config.detached) return sys.spawn<caf::detached>(store, config);
  return sys.spawn(store, config);
}

}  // namespace sipactor
