// The per-shard timer service's data structure (actors/transaction_timer_service.hpp).
#include <catch2/catch.hpp>

#include "actors/transaction_timer_service.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;
using time_point = caf::actor_clock::time_point;

caf::behavior idle(caf::event_based_actor*, int) { return {[](int) {}}; }

struct service_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg.set("scheduler.max-threads", 1).set("logger.verbosity", caf::atom("quiet"))};
  caf::actor a = sys.spawn(idle, 0);
  caf::actor b = sys.spawn(idle, 0);
  time_point t0{};
  transaction_timer_service timers;
  ~service_fixture() {
    caf::anon_send_exit(a, caf::exit_reason::kill);
    caf::anon_send_exit(b, caf::exit_reason::kill);
  }
  void schedule(const caf::actor& who, caf::atom_value timer, std::uint32_t generation, std::chrono::milliseconds at) {
    timers.schedule({who, timer, generation, t0 + at});
  }
  std::vector<std::pair<caf::actor, std::uint32_t>> expire(std::chrono::milliseconds at) {
    std::vector<std::pair<caf::actor, std::uint32_t>> out;
    for (auto& d : timers.expire(t0 + at)) out.emplace_back(d.transaction, d.generation);
    return out;
  }
};

}  // namespace

TEST_CASE_METHOD(service_fixture, "Timer service: due timers in deadline order, each once", "[transaction][timers]") {
  schedule(a, caf::atom("timerE"), 1, 500ms);
  schedule(b, caf::atom("timerE"), 1, 300ms);
  schedule(a, caf::atom("timerF"), 2, 32000ms);
  CHECK(timers.pending() == 3);
  CHECK(timers.next_deadline() == t0 + 300ms);
  CHECK(expire(299ms).empty());
  auto due = expire(500ms);
  REQUIRE(due.size() == 2);
  CHECK(due[0].first == b);
  CHECK(due[1].first == a);
  CHECK(expire(500ms).empty());
  CHECK(timers.next_deadline() == t0 + 32000ms);
  CHECK(timers.transactions() == 2);  // handles stay until the transactions terminate
}

TEST_CASE_METHOD(service_fixture, "Timer service: re-arming a timer replaces it, forget drops everything",
                 "[transaction][timers]") {
  schedule(a, caf::atom("timerE"), 1, 500ms);
  schedule(a, caf::atom("timerE"), 2, 1500ms);  // Timer E again, the first instance is stale
  CHECK(timers.pending() == 1);
  auto due = expire(2000ms);
  REQUIRE(due.size() == 1);
  CHECK(due[0].second == 2);

  schedule(a, caf::atom("timerF"), 3, 32000ms);
  schedule(b, caf::atom("timerF"), 1, 32000ms);
  timers.forget(a.id());
  CHECK(timers.pending() == 1);
  CHECK(timers.transactions() == 1);
  due = expire(40000ms);
  REQUIRE(due.size() == 1);
  CHECK(due[0].first == b);
  timers.forget(b.id());
  CHECK(timers.transactions() == 0);
  CHECK(timers.next_deadline() == time_point::max());
}

TEST_CASE_METHOD(service_fixture, "Timer service: more timers than a machine arms keeps the latest ones",
                 "[transaction][timers]") {
  const char* names[] = {"t1", "t2", "t3", "t4", "t5"};
  for (std::uint32_t i = 0; i < 5; ++i) schedule(a, caf::atom_from_string(names[i]), i + 1, std::chrono::milliseconds(100 * (i + 1)));
  CHECK(timers.pending() == 4);
  auto due = expire(1000ms);
  REQUIRE(due.size() == 4);
  CHECK(due[0].second == 2);  // the earliest (generation 1) made room
}

}  // namespace sipactor::test

namespace sipactor::test {

TEST_CASE_METHOD(service_fixture, "Timer service: one pending wake-up, at least the spacing apart", "[transaction][timers]") {
  transaction_timer_service spaced{10ms};
  CHECK_FALSE(spaced.plan_wake(t0));  // nothing scheduled
  spaced.schedule({a, caf::atom("timerE"), 1, t0 + 500ms});
  CHECK(spaced.plan_wake(t0) == t0 + 500ms);
  CHECK_FALSE(spaced.plan_wake(t0));  // the 500 ms wake-up is pending
  // An earlier deadline asks for an earlier wake-up, but not sooner than the spacing.
  spaced.schedule({b, caf::atom("timerE"), 1, t0 + 3ms});
  CHECK(spaced.plan_wake(t0) == t0 + 10ms);
  // The 10 ms wake-up: b's timer is due; the 500 ms one is pending no more (a later one was
  // asked for), so the next plan asks again for a's.
  auto due = spaced.woken(t0 + 10ms, t0 + 10ms);
  REQUIRE(due.size() == 1);
  CHECK(due[0].transaction == b);
  CHECK(spaced.plan_wake(t0 + 10ms) == t0 + 500ms);
  auto at500 = spaced.woken(t0 + 500ms, t0 + 500ms);  // the first of the two 500 ms messages
  REQUIRE(at500.size() == 1);
  CHECK(at500[0].transaction == a);
  // a re-arms for 900 ms; the second 500 ms message is stale and leaves that wake-up pending.
  spaced.schedule({a, caf::atom("timerE"), 2, t0 + 900ms});
  CHECK(spaced.plan_wake(t0 + 500ms) == t0 + 900ms);
  CHECK(spaced.woken(t0 + 500ms, t0 + 501ms).empty());
  CHECK_FALSE(spaced.plan_wake(t0 + 501ms));
}

}  // namespace sipactor::test
