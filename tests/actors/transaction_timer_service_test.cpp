// The per-shard timer service's data structure (actors/transaction_timer_service.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

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

namespace sipactor::test {

// The service against a plain model of its contract, over random schedules, re-arms and forgets
// of 40 transactions: the same timers due at each step, in deadline order (equal deadlines in the
// order they were scheduled), the same next deadline and pending count. Forgotten and re-armed
// timers leave stale heap entries behind; the model has none.
TEST_CASE("Timer service: random schedules, re-arms and forgets match a model", "[transaction][timers]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg.set("scheduler.max-threads", 1).set("logger.verbosity", caf::atom("quiet"))};
  std::vector<caf::actor> actors;
  for (int i = 0; i < 40; ++i) actors.push_back(sys.spawn(idle, 0));
  const std::array<caf::atom_value, 5> names{caf::atom("timerA"), caf::atom("timerB"), caf::atom("timerD"),
                                             caf::atom("timerE"), caf::atom("timerK")};
  struct armed {
    std::size_t who;
    caf::atom_value timer;
    std::uint32_t generation;
    time_point deadline;
    std::uint64_t order;
  };
  std::vector<armed> model;
  transaction_timer_service timers;
  std::mt19937 random(12345);
  time_point now{};
  std::uint32_t generation = 0;
  std::uint64_t order = 0;
  for (int step = 0; step < 20000; ++step) {
    const auto r = random() % 100;
    if (r < 60) {
      std::size_t who = random() % actors.size();
      caf::atom_value timer = names[random() % names.size()];
      time_point deadline = now + std::chrono::milliseconds(random() % 3 == 0 ? 500 : random() % 40000);
      // The model's rules: a re-armed timer replaces its instance; a fifth timer drops the earliest.
      model.erase(std::remove_if(model.begin(), model.end(), [&](const armed& a) { return a.who == who && a.timer == timer; }),
                  model.end());
      std::vector<std::size_t> mine;
      for (std::size_t i = 0; i < model.size(); ++i)
        if (model[i].who == who) mine.push_back(i);
      if (mine.size() == 4) {
        auto earliest = *std::min_element(mine.begin(), mine.end(), [&](std::size_t x, std::size_t y) {
          return model[x].deadline < model[y].deadline;
        });
        model.erase(model.begin() + static_cast<std::ptrdiff_t>(earliest));
      }
      model.push_back({who, timer, ++generation, deadline, order++});
      timers.schedule({actors[who], timer, generation, deadline});
    } else if (r < 70) {
      std::size_t who = random() % actors.size();
      model.erase(std::remove_if(model.begin(), model.end(), [&](const armed& a) { return a.who == who; }), model.end());
      timers.forget(actors[who].id());
    } else {
      now += std::chrono::milliseconds(random() % 2000);
      std::vector<armed> due;
      for (const armed& a : model)
        if (a.deadline <= now) due.push_back(a);
      std::sort(due.begin(), due.end(), [](const armed& x, const armed& y) {
        return x.deadline != y.deadline ? x.deadline < y.deadline : x.order < y.order;
      });
      model.erase(std::remove_if(model.begin(), model.end(), [&](const armed& a) { return a.deadline <= now; }), model.end());
      auto got = timers.expire(now);
      REQUIRE(got.size() == due.size());
      for (std::size_t i = 0; i < due.size(); ++i) {
        CHECK(got[i].transaction == actors[due[i].who]);
        CHECK(got[i].timer == due[i].timer);
        CHECK(got[i].generation == due[i].generation);
      }
    }
    REQUIRE(timers.pending() == model.size());
    time_point next = time_point::max();
    for (const armed& a : model) next = std::min(next, a.deadline);
    REQUIRE(timers.next_deadline() == next);
  }
  for (auto& a : actors) caf::anon_send_exit(a, caf::exit_reason::kill);
}

}  // namespace sipactor::test
