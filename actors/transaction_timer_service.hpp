// The timers of the transactions of one router shard, kept by the shard (a per-shard cancellable
// timer service). CAF 0.17 sends every delayed message through one clock thread (a mutex, a
// multimap and a condition variable); at tens of thousands of transactions per second that
// thread became the serial part of the layer (bench/RESULTS.md, "Transactions (issue 4)"). Here a
// transaction asks its shard instead: the shard keeps the deadlines, wakes itself with one
// delayed message for the earliest, and sends (timer atom, generation) to the transaction when
// it is due, the same message a delayed_send would have delivered. A transaction's timers are
// dropped when it terminates, so nothing keeps a finished transaction alive.
//
// A plain data structure: the shard's actor calls it (no locks, no messages here).
#pragma once

#include <caf/all.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sipactor {

// The proxy's response contexts (actors/proxy_context.cpp) use the same service for Timer C,
// held by their proxy core shard.
//
// A transaction asks for (timer, generation) to be sent to it at `deadline`. A new request for
// the same timer replaces the pending one (its generation is stale anyway).
struct schedule_timer {
  caf::actor transaction;
  caf::atom_value timer;
  std::uint32_t generation = 0;
  caf::actor_clock::time_point deadline;
};

class transaction_timer_service {
 public:
  using time_point = caf::actor_clock::time_point;

  struct due_timer {
    caf::actor transaction;
    caf::atom_value timer;
    std::uint32_t generation;
  };

  void schedule(const schedule_timer& request);
  // Forgets every timer of the transaction (it terminated).
  void forget(caf::actor_id transaction);
  // Removes the timers due at `now` and returns them in deadline order.
  std::vector<due_timer> expire(time_point now);
  // The earliest pending deadline; time_point::max() when there is none.
  time_point next_deadline() const noexcept;

  // Its owner's wake-ups: at most one pending, at the earliest deadline but no sooner than
  // `spacing` after `now` (so an owner wakes at most 1/spacing times a second however many timers
  // it holds; a timer due within `spacing` of a wake-up fires with the next one).
  explicit transaction_timer_service(caf::timespan spacing = std::chrono::milliseconds(1)) noexcept
      : spacing_(spacing) {}
  // The wake-up to ask for now, recorded as pending; nothing when no deadline is pending or the
  // pending wake-up comes first (CAF 0.17 cannot cancel a delayed message: it is left to fire).
  std::optional<time_point> plan_wake(time_point now);
  // The wake-up planned for `planned` arrived at `now`: the timers due, in deadline order.
  std::vector<due_timer> woken(time_point planned, time_point now);

  // Every transaction that has asked for a timer and not terminated.
  std::vector<caf::actor> handles() const;

  std::size_t pending() const noexcept { return live_timers_; }
  std::size_t transactions() const noexcept { return by_transaction_.size(); }

 private:
  // The deadlines are a binary min-heap in one vector (a pending timer costs no allocation and an
  // insert usually stays near the bottom). A replaced or forgotten timer is not searched for: its
  // heap entry goes stale (no transaction holds its serial any more) and is dropped when it comes
  // to the top. The top is always a live timer, so next_deadline() is exact.
  struct entry {
    time_point deadline;
    std::uint64_t serial;  // order among equal deadlines (first scheduled, first due), identity
    caf::actor_id transaction;
    caf::atom_value timer;
    std::uint32_t generation;
  };
  struct later {
    bool operator()(const entry& a, const entry& b) const noexcept {
      return a.deadline != b.deadline ? a.deadline > b.deadline : a.serial > b.serial;
    }
  };
  // A transaction has at most a handful of timers armed at once (Figures 5-8: two or three).
  static constexpr std::size_t max_timers = 4;
  struct armed_timer {
    caf::atom_value timer;
    std::uint64_t serial;
    time_point deadline;
  };
  struct timed_transaction {
    caf::actor handle;
    std::array<armed_timer, max_timers> timers{};
    std::size_t count = 0;
  };
  void remove_slot(timed_transaction& t, std::size_t i);
  bool live(const entry& e) const;
  void pop_top();
  void drop_stale_top();

  std::vector<entry> heap_;
  std::uint64_t next_serial_ = 0;
  std::size_t live_timers_ = 0;
  std::unordered_map<caf::actor_id, timed_transaction> by_transaction_;
  caf::timespan spacing_;
  time_point wake_at_ = time_point::max();  // the pending wake-up; max(): none
};

// The owner actor's side. It sends itself (timer_wake_atom, planned time) for the pending
// wake-up and passes that message to on_timer_wake, which sends each due timer to its
// transaction (or response context) and asks for the next wake-up.
using timer_wake_atom = caf::atom_constant<caf::atom("timerwake")>;

template <class Self>
void plan_timer_wake(Self* self, transaction_timer_service& timers) {
  auto now = self->clock().now();
  if (auto at = timers.plan_wake(now)) self->delayed_send(self, *at - now, timer_wake_atom::value, *at);
}

template <class Self>
void on_timer_wake(Self* self, transaction_timer_service& timers, transaction_timer_service::time_point planned) {
  for (auto& due : timers.woken(planned, self->clock().now())) self->send(due.transaction, due.timer, due.generation);
  plan_timer_wake(self, timers);
}

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::schedule_timer)
