// The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6) on a virtual clock.
#include "actors/client_transaction_non_invite.hpp"
#include "actors/transaction_key.hpp"
#include "tests/actors/transaction_test_fixture.hpp"

namespace sipactor::test {
namespace {

struct nict_fixture : transaction_fixture {
  message_ptr options;
  caf::actor txn;
  void start(transport_kind t = transport_kind::udp) {
    options = request("OPTIONS", t, "z9hG4bKnict1");
    txn = spawn(spawn_non_invite_client_transaction, outbound(options, t));
  }
  void respond(int status) { deliver(txn, inbound(response_to(options, status), transport_kind::udp)); }
  std::vector<int> statuses_to_tu() const {
    std::vector<int> s;
    for (const auto& r : tu_responses) s.push_back(r.event.response->status());
    return s;
  }
};

}  // namespace

TEST_CASE_METHOD(nict_fixture, "NICT UDP: Timer E doubles from T1 and caps at T2, Timer F times out at 64*T1",
                 "[transaction][nict]") {
  start();
  advance_to(40s);
  // §17.1.2.2: intervals 500 ms, 1 s, 2 s, 4 s, 4 s, 4 s, ...
  CHECK(send_times() == std::vector<ms>{0ms, 500ms, 1500ms, 3500ms, 7500ms, 11500ms, 15500ms, 19500ms, 23500ms,
                                         27500ms, 31500ms});
  REQUIRE(timeouts.size() == 1);
  CHECK(timeouts[0].time == 32000ms);
  CHECK(timeouts[0].event.request.get() == options.get());
  REQUIRE(owner_terminated.size() == 1);
  CHECK(owner_terminated[0].time == 32000ms);
  CHECK(owner_terminated[0].event.key == client_key_of_request(*options));
  CHECK(owner_terminated[0].event.kind == transaction_kind::non_invite_client);
  CHECK(tu_terminated.size() == 1);
}

TEST_CASE_METHOD(nict_fixture, "NICT: T2 is configurable (Timer E caps at it)", "[transaction][nict]") {
  config.t2 = 2s;
  start();
  advance_to(10s);
  CHECK(send_times() == std::vector<ms>{0ms, 500ms, 1500ms, 3500ms, 5500ms, 7500ms, 9500ms});
}

TEST_CASE_METHOD(nict_fixture, "NICT TCP: no Timer E, Timer F at 64*T1", "[transaction][nict]") {
  start(transport_kind::tcp);
  advance_to(31999ms);
  CHECK(timeouts.empty());
  advance_to(40s);
  CHECK(send_times() == std::vector<ms>{0ms});
  REQUIRE(timeouts.size() == 1);
  CHECK(timeouts[0].time == 32000ms);
  CHECK(finished());
}

TEST_CASE_METHOD(nict_fixture, "NICT UDP: 1xx moves Trying to Proceeding, Timer E then fires every T2, F still times out",
                 "[transaction][nict]") {
  start();
  advance_to(200ms);
  respond(100);
  CHECK(statuses_to_tu() == std::vector<int>{100});
  advance_to(40s);
  // The E armed in Trying fires at 500 ms and is reset to T2 from then on.
  CHECK(send_times() == std::vector<ms>{0ms, 500ms, 4500ms, 8500ms, 12500ms, 16500ms, 20500ms, 24500ms, 28500ms});
  REQUIRE(timeouts.size() == 1);
  CHECK(timeouts[0].time == 32000ms);  // "If timer F fires while in the Proceeding state, the TU MUST be informed"
  CHECK(finished());
}

TEST_CASE_METHOD(nict_fixture, "NICT UDP: final in Trying: passed up, Completed absorbs retransmissions, Timer K = T4",
                 "[transaction][nict]") {
  start();
  advance_to(700ms);
  respond(200);
  CHECK(statuses_to_tu() == std::vector<int>{200});
  CHECK(tu_responses[0].event.client_transaction == txn);
  advance_to(1s);
  respond(200);
  respond(180);
  CHECK(statuses_to_tu() == std::vector<int>{200});
  advance_to(5699ms);
  CHECK_FALSE(finished());
  advance_to(5700ms);
  REQUIRE(finished());
  advance_to(40s);
  CHECK(send_times() == std::vector<ms>{0ms, 500ms});  // E stopped in Completed
  CHECK(timeouts.empty());                             // F ignored in Completed
  CHECK(owner_terminated.size() == 1);
}

TEST_CASE_METHOD(nict_fixture, "NICT TCP: Timer K is 0", "[transaction][nict]") {
  start(transport_kind::tcp);
  advance_to(300ms);
  respond(404);
  CHECK(statuses_to_tu() == std::vector<int>{404});
  REQUIRE(finished());
  CHECK(owner_terminated[0].time == 300ms);
}

TEST_CASE_METHOD(nict_fixture, "NICT TCP: a finished transaction leaves no delayed message after one guard step",
                 "[transaction][nict][guard]") {
  SECTION("guard_step 2 s: Timer F is sent in steps, the last pending step fires at 2 s") {
    config.guard_step = 2000ms;
    start(transport_kind::tcp);
    advance_to(300ms);
    respond(200);
    REQUIRE(finished());
    CHECK(sched.has_pending_timeout());
    advance_to(1999ms);
    CHECK(sched.has_pending_timeout());
    advance_to(2000ms);
    CHECK_FALSE(sched.has_pending_timeout());  // the actor is freed
  }
  SECTION("the default guard_step, 500 ms: the step pending at the end fires at 500 ms") {
    REQUIRE(config.guard_step == 500ms);
    start(transport_kind::tcp);
    advance_to(300ms);
    respond(200);
    REQUIRE(finished());
    CHECK(sched.has_pending_timeout());
    advance_to(500ms);
    CHECK_FALSE(sched.has_pending_timeout());
  }
  SECTION("guard_step 0: one delayed message for Timer F, pending until 64*T1") {
    config.guard_step = 0ms;
    start(transport_kind::tcp);
    advance_to(300ms);
    respond(200);
    REQUIRE(finished());
    advance_to(31999ms);
    CHECK(sched.has_pending_timeout());
    advance_to(32000ms);
    CHECK_FALSE(sched.has_pending_timeout());
  }
}

TEST_CASE_METHOD(nict_fixture, "NICT: Timer F fires at 64*T1 whatever the guard step", "[transaction][nict][guard]") {
  for (ms step : {0ms, 1ms, 300ms, 2000ms, 7000ms, 40000ms}) {
    transaction_fixture::sent.clear();
    timeouts.clear();
    owner_terminated.clear();
    config.guard_step = step;
    ms t0 = now();
    start(transport_kind::tcp);
    advance_to(t0 + 31999ms);
    CHECK(timeouts.empty());
    advance_to(t0 + 32000ms);
    INFO("guard_step " << step.count() << " ms");
    REQUIRE(timeouts.size() == 1);
    CHECK(timeouts[0].time == t0 + 32000ms);
    advance_to(t0 + 32000ms + std::max(step, 1ms));
  }
}

TEST_CASE_METHOD(nict_fixture, "NICT: Proceeding passes every 1xx up, then the final moves it to Completed",
                 "[transaction][nict]") {
  start();
  respond(100);
  respond(100);
  advance_to(6s);
  respond(481);
  respond(481);
  CHECK(statuses_to_tu() == std::vector<int>{100, 100, 481});
  advance_to(11s);
  CHECK(finished());
  CHECK(owner_terminated[0].time == 11000ms);
  CHECK(send_times() == std::vector<ms>{0ms, 500ms, 4500ms});
}

TEST_CASE_METHOD(nict_fixture, "NICT: transport error in Trying informs the TU and terminates", "[transaction][nict]") {
  fail_sends = true;
  start();
  REQUIRE(transport_errors.size() == 1);
  CHECK(transport_errors[0].event.request.get() == options.get());
  CHECK(transport_errors[0].event.reason == "unreachable");
  CHECK(finished());
  advance_to(40s);
  CHECK(sent.size() == 1);
  CHECK(timeouts.empty());
}

TEST_CASE_METHOD(nict_fixture, "NICT: transport error in Proceeding (a retransmission) terminates", "[transaction][nict]") {
  start();
  respond(100);
  fail_sends = true;
  advance_to(500ms);
  CHECK(sent.size() == 2);
  REQUIRE(transport_errors.size() == 1);
  CHECK(finished());
}

}  // namespace sipactor::test
