// Transaction actors reused by their router shard (actors/transaction_reuse.hpp): an ended
// transaction's actor runs the next one of its kind, and nothing meant for the previous
// transaction (a late response from the TU, a late send failure, an old timer) reaches the new one.
#include "tests/actors/router_test_fixture.hpp"

namespace sipactor::test {
namespace {

transport::inbound_message over_tcp(const message_ptr& m) { return inbound(m, transport_kind::tcp); }

// Reuse is per shard: one shard, so that consecutive transactions meet the same free list.
struct one_shard_fixture : router_fixture {
  one_shard_fixture() : router_fixture(1) {}
};

}  // namespace

TEST_CASE_METHOD(one_shard_fixture, "Reuse: a non-INVITE server transaction's actor runs the next request, deaf to the old one",
                 "[transaction][router][reuse]") {
  auto first = request("OPTIONS", transport_kind::tcp, "z9hG4bKreuse1");
  deliver(layer.entry, over_tcp(first));
  REQUIRE(tu_requests.size() == 1);
  caf::actor txn = tu_requests[0].event.server_transaction;
  tu_answers(0, 200);  // TCP: Timer J is zero, the transaction ends at once (§17.2.2)
  REQUIRE(tu_terminated.size() == 1);
  CHECK(tu_terminated[0].event.transaction == txn);
  CHECK(counters().idle == 1);

  auto second = request("OPTIONS", transport_kind::tcp, "z9hG4bKreuse2");
  deliver(layer.entry, over_tcp(second));
  REQUIRE(tu_requests.size() == 2);
  REQUIRE(tu_requests[1].event.server_transaction == txn);
  CHECK(tu_requests[1].event.inbound.message.get() == second.get());
  auto c = counters();
  CHECK(c.reused == 1);
  CHECK(c.server_created == 2);
  CHECK(c.live == 1);
  CHECK(c.idle == 0);

  // A late answer of the TU to the first request is not sent for the second.
  deliver(txn, response_to(first, 486));
  CHECK(sent_statuses() == std::vector<int>{200});
  // Proceeding: the TU's 100 goes out (reliable transport, RFC 4320 §4.1).
  deliver(txn, response_to(second, 100));
  CHECK(sent_statuses() == std::vector<int>{200, 100});
  // A late failure of the first transaction's 200 is not a failure of the second (§17.2.4).
  deliver(txn, transport::send_failed{sent[0].message, "connection lost"});
  CHECK(transport_errors.empty());
  CHECK(counters().live == 1);
  // Its own failure is: inform the TU, Terminated.
  deliver(txn, transport::send_failed{sent[1].message, "connection lost"});
  REQUIRE(transport_errors.size() == 1);
  CHECK(transport_errors[0].event.request.get() == second.get());
  auto after = counters();
  CHECK(after.live == 0);
  CHECK(after.idle == 1);
}

TEST_CASE_METHOD(one_shard_fixture, "Reuse: an INVITE server transaction's actor ignores a late 2xx for its previous INVITE",
                 "[transaction][router][reuse]") {
  auto first = request("INVITE", transport_kind::tcp, "z9hG4bKinv1");
  deliver(layer.entry, over_tcp(first));
  tu_answers(0, 486);
  auto ack = ack_for(first, "z9hG4bKinv1");
  deliver(layer.entry, over_tcp(ack));  // Confirmed; TCP: Timer I is zero (§17.2.1)
  REQUIRE(tu_terminated.size() == 1);
  CHECK(sent_statuses() == std::vector<int>{100, 486});

  auto second = request("INVITE", transport_kind::tcp, "z9hG4bKinv2");
  deliver(layer.entry, over_tcp(second));
  REQUIRE(tu_requests.size() == 2);
  caf::actor txn = tu_requests[1].event.server_transaction;
  CHECK(txn == tu_requests[0].event.server_transaction);
  CHECK(sent_statuses() == std::vector<int>{100, 486, 100});
  deliver(txn, response_to(first, 200));  // late, for the first INVITE: dropped
  CHECK(sent_statuses() == std::vector<int>{100, 486, 100});
  CHECK(counters().live == 1);  // still Proceeding, not Accepted
  tu_answers(1, 200);
  CHECK(sent_statuses() == std::vector<int>{100, 486, 100, 200});
}

TEST_CASE_METHOD(one_shard_fixture, "Reuse: a client transaction's actor runs the next request, an old send failure and old timers do not touch it",
                 "[transaction][router][reuse]") {
  auto first = request("OPTIONS", transport_kind::udp, "z9hG4bKcl1");
  caf::actor txn = start_client(first);
  REQUIRE(txn);
  advance_to(100ms);
  from_network(response_to(first, 200));  // Completed; Timer K = T4 over UDP (§17.1.2.2)
  advance_to(5100ms);
  REQUIRE(tu_terminated.size() == 1);
  REQUIRE(sent.size() == 1);  // the 200 came before Timer E (500 ms)

  auto second = request("OPTIONS", transport_kind::udp, "z9hG4bKcl2");
  caf::actor again = start_client(second);
  CHECK(again == txn);
  CHECK(counters().reused == 1);
  deliver(txn, transport::send_failed{first, "unreachable"});  // late, for the first request
  CHECK(transport_errors.empty());
  CHECK(counters().live == 1);
  // Timer E of the second request from its own start: T1, 2*T1, 4*T1 (§17.1.2.2); nothing left
  // of the first transaction's timers fires in between.
  advance_to(5100ms + 3600ms);
  CHECK(send_times() == std::vector<ms>{0ms, 5100ms, 5600ms, 6600ms, 8600ms});
  from_network(response_to(second, 200));
  REQUIRE(tu_responses.size() == 2);
  CHECK(tu_responses[1].event.response->cseq().number == second->cseq().number);
  CHECK(tu_responses[1].event.client_transaction == txn);
}

TEST_CASE_METHOD(router_fixture, "Reuse: a shard keeps at most idle_per_kind actors and ends them all when it stops",
                 "[transaction][router][reuse]") {
  stop_transaction_layer(layer);
  sched.run();
  const std::size_t baseline = sys.registry().running();
  start_layer(1, transport_actor, 1);
  for (const char* branch : {"z9hG4bKlim1", "z9hG4bKlim2", "z9hG4bKlim3"})
    deliver(layer.entry, over_tcp(request("OPTIONS", transport_kind::tcp, branch)));
  REQUIRE(tu_requests.size() == 3);
  const std::size_t running = sys.registry().running();
  for (std::size_t i = 0; i < 3; ++i) tu_answers(i, 200);
  auto c = counters();
  CHECK(c.live == 0);
  CHECK(c.idle == 1);
  CHECK(sys.registry().running() == running - 2);  // two retired, one kept
  stop_transaction_layer(layer);
  sched.run();
  CHECK(sys.registry().running() == baseline);  // the shard, its entry and the idle actor are gone
  start_layer(1, transport_actor);                // for the fixture's destructor
}

}  // namespace sipactor::test
