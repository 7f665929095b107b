// The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8; RFC 4320) on a virtual clock.
#include "actors/server_transaction_non_invite.hpp"
#include "actors/transaction_key.hpp"
#include "tests/actors/transaction_test_fixture.hpp"

namespace sipactor::test {
namespace {

struct nist_fixture : transaction_fixture {
  message_ptr req;
  transport_kind kind = transport_kind::udp;
  caf::actor txn;
  void start(transport_kind t = transport_kind::udp, const std::string& method = "REGISTER") {
    kind = t;
    req = request(method, t, "z9hG4bKnist1");
    txn = spawn(spawn_non_invite_server_transaction, inbound(req, t));
  }
  void answer(int status) { deliver(txn, response_to(req, status, "reg1")); }
  void retransmission() { deliver(txn, inbound(req, kind)); }
};

}  // namespace

TEST_CASE_METHOD(nist_fixture, "NIST UDP: request to the TU, Trying discards retransmissions, final -> Completed, Timer J",
                 "[transaction][nist]") {
  start();
  REQUIRE(tu_requests.size() == 1);
  CHECK(tu_requests[0].event.inbound.message.get() == req.get());
  CHECK(tu_requests[0].event.server_transaction == txn);
  advance_to(1000ms);
  retransmission();
  CHECK(sent.empty());  // "Once in the Trying state, any further request retransmissions are discarded."
  CHECK(tu_requests.size() == 1);
  answer(200);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].time == 1000ms);
  CHECK(sent[0].destination == address("198.51.100.7", 40000));
  advance_to(2000ms);
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{200, 200});  // Completed: the final again
  answer(500);                                            // other finals are discarded
  CHECK(sent.size() == 2);
  advance_to(32999ms);
  CHECK_FALSE(finished());
  advance_to(33000ms);  // J = 64*T1 from entering Completed
  REQUIRE(finished());
  CHECK(owner_terminated[0].event.key == server_key(*req));
  CHECK(owner_terminated[0].event.kind == transaction_kind::non_invite_server);
  CHECK(tu_terminated.size() == 1);
  CHECK(timeouts.empty());
}

TEST_CASE_METHOD(nist_fixture, "NIST TCP: Timer J is 0", "[transaction][nist]") {
  start(transport_kind::tcp);
  advance_to(300ms);
  answer(200);
  REQUIRE(finished());
  CHECK(owner_terminated[0].time == 300ms);
  CHECK(sent[0].transport == transport_kind::tcp);
}

TEST_CASE_METHOD(nist_fixture, "NIST UDP (RFC 4320): 100 Trying at T2 when the TU has not answered, then resent",
                 "[transaction][nist]") {
  start();
  advance_to(3999ms);
  CHECK(sent.empty());
  advance_to(4000ms);
  CHECK(sent_statuses() == std::vector<int>{100});
  CHECK(sent[0].time == 4000ms);
  CHECK(sent[0].message->to_tag().empty());
  // Proceeding: a retransmission gets the 100 again.
  advance_to(8000ms);
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{100, 100});
  CHECK(sent[1].message->bytes() == sent[0].message->bytes());
  answer(200);
  CHECK(sent_statuses() == std::vector<int>{100, 100, 200});
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{100, 100, 200, 200});
}

TEST_CASE_METHOD(nist_fixture, "NIST: no 100 at T2 when the TU answered before, or when it is turned off",
                 "[transaction][nist]") {
  SECTION("answered before T2") {
    start();
    advance_to(3000ms);
    answer(200);
    advance_to(10s);
    CHECK(sent_statuses() == std::vector<int>{200});
  }
  SECTION("trying_at_t2 off") {
    config.trying_at_t2 = false;
    start();
    advance_to(10s);
    CHECK(sent.empty());
    answer(200);
    CHECK(sent_statuses() == std::vector<int>{200});
  }
}

TEST_CASE_METHOD(nist_fixture, "NIST TCP: no 100 at T2 (no retransmissions to slow down)", "[transaction][nist]") {
  start(transport_kind::tcp);
  advance_to(10s);
  CHECK(sent.empty());
}

TEST_CASE_METHOD(nist_fixture, "NIST (RFC 4320): a 408 is never sent, without a final the transaction gives up at 64*T1",
                 "[transaction][nist]") {
  start();
  advance_to(5000ms);  // the 100 went out at T2
  answer(408);
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{100, 100});  // the 408 was not sent
  advance_to(31999ms);
  CHECK_FALSE(finished());
  advance_to(32000ms);
  REQUIRE(finished());
  CHECK(sent_statuses() == std::vector<int>{100, 100});
  CHECK(timeouts.empty());
  CHECK(tu_terminated.size() == 1);
}

TEST_CASE_METHOD(nist_fixture, "NIST TCP (RFC 4320): no 408 and no final: ends at 64*T1 without sending",
                 "[transaction][nist]") {
  start(transport_kind::tcp);
  answer(408);
  advance_to(32000ms);
  CHECK(sent.empty());
  CHECK(finished());
}

TEST_CASE_METHOD(nist_fixture, "NIST (RFC 4320): only 100 as provisional, and over UDP not before T2",
                 "[transaction][nist]") {
  SECTION("UDP") {
    start();
    answer(180);  // never: not 100
    answer(100);  // not yet: before T2
    CHECK(sent.empty());
  }
  SECTION("UDP after T2 with the transaction's own 100 turned off") {
    config.trying_at_t2 = false;
    start();
    advance_to(4000ms);
    CHECK(sent.empty());
    answer(100);
    CHECK(sent_statuses() == std::vector<int>{100});
    retransmission();  // Proceeding
    CHECK(sent_statuses() == std::vector<int>{100, 100});
  }
  SECTION("TCP at any time") {
    start(transport_kind::tcp);
    answer(183);
    answer(100);
    CHECK(sent_statuses() == std::vector<int>{100});
    answer(200);
    CHECK(sent_statuses() == std::vector<int>{100, 200});
    CHECK(finished());
  }
}

TEST_CASE_METHOD(nist_fixture, "NIST: transport error in Proceeding informs the TU and terminates", "[transaction][nist]") {
  start(transport_kind::tcp);
  fail_sends = true;
  answer(100);
  REQUIRE(transport_errors.size() == 1);
  CHECK(transport_errors[0].event.request.get() == req.get());
  CHECK(finished());
}

TEST_CASE_METHOD(nist_fixture, "NIST: transport error in Completed informs the TU and terminates", "[transaction][nist]") {
  start();
  fail_sends = true;
  answer(200);
  REQUIRE(transport_errors.size() == 1);
  CHECK(finished());
  CHECK(owner_terminated[0].time == 0ms);
}

TEST_CASE_METHOD(nist_fixture, "NIST: in Completed only a failure of the final response is a transport error",
                 "[transaction][nist]") {
  start();
  advance_to(4000ms);  // the 100 at T2
  answer(200);
  deliver(txn, transport::send_failed{sent[0].message, "late failure of the 100"});
  CHECK(transport_errors.empty());
  CHECK_FALSE(finished());
  deliver(txn, transport::send_failed{sent[1].message, "final failed"});
  CHECK(transport_errors.size() == 1);
  CHECK(finished());
}

}  // namespace sipactor::test
