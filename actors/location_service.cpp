#include "actors/location_service.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <queue>
#include <thread>
#include <unordered_map>
#include <utility>

namespace sipactor {

namespace {

using time_point = caf::actor_clock::time_point;
using register_promise = caf::typed_response_promise<location_register_result>;

struct queued_register {
  register_request request;
  register_promise promise;
};

struct aor_record {
  std::vector<location_binding> bindings;  // committed, most preferred first
  bool writing = false;                    // a REGISTER's changes are at the store
  std::deque<queued_register> waiting;     // REGISTERs behind it, in arrival order (§10.3)
};

// When the shard next looks at an AOR: its earliest expiry. Entries go stale when the AOR
// changes; a stale one costs one look.
using expiry = std::pair<wall_seconds, std::string>;

// How wall time is read: the wall time at spawn plus the actor clock's progress since.
struct wall_clock {
  time_point clock_origin;
  wall_seconds wall_origin = 0;
};

struct shard_state {
  location_store_actor store;
  wall_clock wall;
  std::unordered_map<std::string, aor_record> aors;
  std::uint64_t count = 0;  // bindings held
  std::priority_queue<expiry, std::vector<expiry>, std::greater<expiry>> expiries;
  time_point wake_at = time_point::max();  // the pending wake-up; max(): none
  static inline const char* name = "sip-location-shard";
};

using self_ptr = location_shard_actor::stateful_pointer<shard_state>;

wall_seconds wall_now(self_ptr self) {
  const wall_clock& w = self->state.wall;
  return w.wall_origin + std::chrono::duration_cast<std::chrono::seconds>(self->clock().now() - w.clock_origin).count();
}

time_point clock_time_of(self_ptr self, wall_seconds t) {
  const wall_clock& w = self->state.wall;
  return w.clock_origin + std::chrono::seconds(t - w.wall_origin);
}

// One pending wake-up, at the earliest expiry; a later one already pending is left to fire
// (CAF 0.17 cannot cancel it) and finds nothing to do.
void plan_wake(self_ptr self) {
  auto& st = self->state;
  if (st.expiries.empty()) return;
  time_point next = clock_time_of(self, st.expiries.top().first);
  if (next >= st.wake_at) return;
  st.wake_at = next;
  time_point now = self->clock().now();
  self->delayed_send(caf::actor_cast<location_shard_actor>(self), next > now ? next - now : caf::timespan{0},
                     location_wake_atom::value, next);
}

// Replaces the committed bindings of `aor` and notes its earliest expiry.
void set_bindings(self_ptr self, const std::string& aor, aor_record& record, std::vector<location_binding> bindings) {
  auto& st = self->state;
  st.count = st.count - record.bindings.size() + bindings.size();
  record.bindings = std::move(bindings);
  if (record.bindings.empty()) return;
  auto earliest = std::min_element(record.bindings.begin(), record.bindings.end(),
                                   [](const location_binding& a, const location_binding& b) { return a.expires_at < b.expires_at; });
  st.expiries.emplace(earliest->expires_at, aor);
  plan_wake(self);
}

// Removes the bindings of `aor` that have expired, from memory and from the store. The store's
// answer is not waited for: its removals follow this shard's earlier writes (messages from one
// sender arrive in order), and a binding it failed to remove is dropped at the next load.
void expire(self_ptr self, const std::string& aor, aor_record& record, wall_seconds now) {
  auto is_expired = [now](const location_binding& b) { return b.expired(now); };
  if (std::none_of(record.bindings.begin(), record.bindings.end(), is_expired)) return;
  std::vector<location_change> removals;
  std::vector<location_binding> kept;
  for (const location_binding& b : record.bindings) {
    if (is_expired(b)) removals.push_back(remove_binding(b.aor, b.contact_uri));
    else kept.push_back(b);
  }
  set_bindings(self, aor, record, std::move(kept));
  self->request(self->state.store, caf::infinite, location_write{std::move(removals)})
      .then([](const location_write_result&) {}, [](const caf::error&) {});
}

void finish(self_ptr self, const std::string& aor, register_promise promise, register_changes outcome,
            wall_seconds now, std::string error);

// Applies the REGISTERs waiting for `aor` in order until one has to wait for the store.
void run_queue(self_ptr self, const std::string& aor) {
  auto& st = self->state;
  for (;;) {
    auto it = st.aors.find(aor);
    if (it == st.aors.end()) return;
    aor_record& record = it->second;
    if (record.writing) return;
    wall_seconds now = wall_now(self);
    if (record.waiting.empty()) {
      expire(self, aor, record, now);
      if (record.bindings.empty()) st.aors.erase(it);
      return;
    }
    queued_register next = std::move(record.waiting.front());
    record.waiting.pop_front();
    auto outcome = apply_register(next.request, record.bindings, now);
    if (!outcome) {
      next.promise.deliver(location_register_result{outcome.rejection(), {}, record.bindings, now});
      continue;
    }
    if (outcome->changes.empty()) {  // a fetch, or a removal of what is not bound (§10.2.2, §10.2.3)
      next.promise.deliver(location_register_result{std::nullopt, {}, outcome->bindings, now});
      continue;
    }
    record.writing = true;
    register_changes changes = std::move(outcome.value());
    location_write write{std::move(changes.changes)};
    auto promise = std::move(next.promise);
    self->request(st.store, caf::infinite, std::move(write))
        .then(
            [=](const location_write_result& r) { finish(self, aor, promise, changes, now, r.error); },
            [=](const caf::error& e) { finish(self, aor, promise, changes, now, self->system().render(e)); });
    return;
  }
}

// The store answered a REGISTER's write: on success the bindings become visible and the 200's
// list goes back; on failure nothing changes and the REGISTER gets 500 (§10.3 step 7).
void finish(self_ptr self, const std::string& aor, register_promise promise, register_changes outcome,
            wall_seconds now, std::string error) {
  auto& st = self->state;
  aor_record& record = st.aors[aor];
  record.writing = false;
  if (error.empty()) {
    set_bindings(self, aor, record, outcome.bindings);
    promise.deliver(location_register_result{std::nullopt, {}, std::move(outcome.bindings), now});
  } else {
    registrar_rejection r;
    r.status = 500;
    r.reason = "Location Store Failure";
    promise.deliver(location_register_result{std::move(r), std::move(error), record.bindings, now});
  }
  run_queue(self, aor);
}

caf::result<location_register_result> on_register(self_ptr self, location_register& m) {
  auto promise = self->make_response_promise<location_register_result>();
  std::string aor = m.request.aor;
  self->state.aors[aor].waiting.push_back({std::move(m.request), promise});
  run_queue(self, aor);
  return promise;
}

location_bindings on_lookup(self_ptr self, const location_lookup& m) {
  location_bindings out;
  auto it = self->state.aors.find(m.aor);
  if (it == self->state.aors.end()) return out;
  wall_seconds now = wall_now(self);
  for (const location_binding& b : it->second.bindings)
    if (!b.expired(now)) out.bindings.push_back(b);
  return out;
}

void on_wake(self_ptr self, time_point planned) {
  auto& st = self->state;
  if (planned == st.wake_at) st.wake_at = time_point::max();
  wall_seconds now = wall_now(self);
  while (!st.expiries.empty() && st.expiries.top().first <= now) {
    std::string aor = st.expiries.top().second;
    st.expiries.pop();
    auto it = st.aors.find(aor);
    // An AOR with a write at the store is looked at again when the write is answered.
    if (it == st.aors.end() || it->second.writing) continue;
    expire(self, aor, it->second, now);
    if (it->second.bindings.empty() && it->second.waiting.empty()) st.aors.erase(it);
  }
  plan_wake(self);
}

void on_loaded(self_ptr self, location_load_result& loaded) {
  // A load error leaves the shard empty; the store answers every write with the same error, so
  // REGISTERs get 500 rather than a 200 that would not survive a restart.
  std::unordered_map<std::string, std::vector<location_binding>> by_aor;
  for (location_binding& b : loaded.bindings) by_aor[b.aor].push_back(std::move(b));
  for (auto& [aor, bindings] : by_aor) {
    sort_by_preference(bindings);
    set_bindings(self, aor, self->state.aors[aor], std::move(bindings));
  }
}

location_shard_actor::behavior_type shard(self_ptr self, location_store_actor store, wall_clock wall,
                                          std::size_t index, std::size_t shards) {
  auto& st = self->state;
  st.store = std::move(store);
  st.wall = wall;
  // await: every other message waits in the mailbox until the bindings are loaded.
  self->request(st.store, caf::infinite, location_load{index, shards, wall_now(self)})
      .await([=](location_load_result& loaded) { on_loaded(self, loaded); }, [](const caf::error&) {});
  return {
      [=](location_register& m) { return on_register(self, m); },
      [=](const location_lookup& m) { return on_lookup(self, m); },
      [=](location_count_atom) { return self->state.count; },
      [=](location_wake_atom, time_point planned) { on_wake(self, planned); },
  };
}

}  // namespace

location_service spawn_location_service(caf::actor_system& sys, const location_config& config,
                                        location_store_actor store) {
  std::size_t n = config.shards != 0 ? config.shards : std::max(1u, std::thread::hardware_concurrency());
  wall_clock wall{sys.clock().now(), config.wall_origin};
  if (wall.wall_origin == 0)
    wall.wall_origin = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  location_service service;
  service.store = store;
  service.shards.reserve(n);
  // State goes in as spawn arguments (CAF 0.17 + UBSan, see actors/server_transaction_invite.cpp).
  for (std::size_t i = 0; i < n; ++i) service.shards.push_back(sys.spawn(shard, store, wall, i, n));
  return service;
}

std::uint64_t location_binding_count(caf::scoped_actor& self, const location_service& service) {
  std::uint64_t total = 0;
  for (const auto& s : service.shards)
    self->request(s, caf::infinite, location_count_atom::value).receive([&](std::uint64_t n) { total += n; },
                                                                       [](const caf::error&) {});
  return total;
}

void stop_location_service(const location_service& service) {
  for (const auto& s : service.shards) caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(service.store, caf::exit_reason::user_shutdown);
}

}  // namespace sipactor
