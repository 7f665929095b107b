// The INVITE server transaction (RFC 3261 §17.2.1, Figure 7; RFC 6026 §7.1) on a virtual clock.
#include "actors/server_transaction_invite.hpp"
#include "actors/transaction_key.hpp"
#include "tests/actors/transaction_test_fixture.hpp"

namespace sipactor::test {
namespace {

struct ist_fixture : transaction_fixture {
  message_ptr invite;
  transport_kind kind = transport_kind::udp;
  caf::actor txn;
  void start(transport_kind t = transport_kind::udp) {
    kind = t;
    invite = request("INVITE", t, "z9hG4bKist1");
    txn = spawn(spawn_invite_server_transaction, inbound(invite, t));
  }
  void answer(int status, const std::string& to_tag = "uas1") { deliver(txn, response_to(invite, status, to_tag)); }
  void retransmission() { deliver(txn, inbound(invite, kind)); }
  void ack(const std::string& to_tag = "uas1") {
    // The ACK for a non-2xx: the INVITE's branch, so it matches this transaction (§17.2.3).
    auto a = request("ACK", kind, "z9hG4bKist1");
    auto with_tag = message_builder::copy_of(a);
    with_tag.set_header("To", "Bob <sip:bob@biloxi.example.com>;tag=" + to_tag);
    with_tag.set_header("CSeq", "314159 ACK");
    deliver(txn, inbound(with_tag.build().message, kind));
  }
};

}  // namespace

TEST_CASE_METHOD(ist_fixture, "IST: 100 Trying at once (no To tag), request to the TU, retransmissions get the last 1xx",
                 "[transaction][ist]") {
  start();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].time == 0ms);
  CHECK(sent[0].response);
  CHECK(sent[0].message->status() == 100);
  CHECK(sent[0].message->to_tag().empty());  // §17.2.1: a To tag in the 100 is SHOULD NOT
  // §18.2.2: back where the request came from.
  CHECK(sent[0].destination == address("198.51.100.7", 40000));
  CHECK(sent[0].local == address("192.0.2.10", 5060));
  CHECK(sent[0].transport == transport_kind::udp);
  REQUIRE(tu_requests.size() == 1);
  CHECK(tu_requests[0].event.inbound.message.get() == invite.get());
  CHECK(tu_requests[0].event.server_transaction == txn);
  CHECK(tu_requests[0].event.inbound.remote == address("198.51.100.7", 40000));
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{100, 100});
  CHECK(sent[1].message->bytes() == sent[0].message->bytes());  // the same 100 again
  answer(180);
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{100, 100, 180, 180});
  CHECK(tu_requests.size() == 1);  // retransmissions are absorbed
  advance_to(100s);
  CHECK(sent.size() == 4);  // Proceeding has no timers: the TU answers
  CHECK_FALSE(finished());
}

TEST_CASE_METHOD(ist_fixture, "IST: without the immediate 100, a retransmission before any 1xx gets nothing",
                 "[transaction][ist]") {
  config.invite_trying = false;
  start();
  CHECK(sent.empty());
  CHECK(tu_requests.size() == 1);
  retransmission();
  CHECK(sent.empty());
  answer(183);
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{183, 183});
}

TEST_CASE_METHOD(ist_fixture, "IST UDP: 300-699 from the TU: Completed, Timer G from T1 capped at T2, Timer H at 64*T1",
                 "[transaction][ist]") {
  start();
  advance_to(1000ms);
  answer(486);
  advance_to(40s);
  std::vector<ms> final_times;
  for (const auto& s : sent)
    if (s.message->status() == 486) final_times.push_back(s.time);
  // Sent at 1 s, then G: +500 ms, +1 s, +2 s, +4 s, +4 s, ...
  CHECK(final_times == std::vector<ms>{1000ms, 1500ms, 2500ms, 4500ms, 8500ms, 12500ms, 16500ms, 20500ms, 24500ms,
                                        28500ms, 32500ms});
  // §17.2.1: "If timer H fires while in the Completed state [...] MUST indicate to the TU that a
  // transaction failure has occurred."
  REQUIRE(timeouts.size() == 1);
  CHECK(timeouts[0].time == 33000ms);
  CHECK(timeouts[0].event.request.get() == invite.get());
  REQUIRE(owner_terminated.size() == 1);
  CHECK(owner_terminated[0].time == 33000ms);
  CHECK(owner_terminated[0].event.key == server_key(*invite));
  CHECK(owner_terminated[0].event.kind == transaction_kind::invite_server);
}

TEST_CASE_METHOD(ist_fixture, "IST TCP: no Timer G, Timer H at 64*T1", "[transaction][ist]") {
  start(transport_kind::tcp);
  answer(500);
  advance_to(31999ms);
  CHECK(sent_statuses() == std::vector<int>{100, 500});
  CHECK_FALSE(finished());
  advance_to(32000ms);
  CHECK(timeouts.size() == 1);
  CHECK(finished());
}

TEST_CASE_METHOD(ist_fixture, "IST: an INVITE retransmission in Completed gets the final again", "[transaction][ist]") {
  start(transport_kind::tcp);
  answer(404);
  retransmission();
  CHECK(sent_statuses() == std::vector<int>{100, 404, 404});
  answer(503);  // the final is sent; later ones are discarded
  CHECK(sent_statuses() == std::vector<int>{100, 404, 404});
}

TEST_CASE_METHOD(ist_fixture, "IST UDP: ACK moves Completed to Confirmed: G stops, Timer I = T4 absorbs ACKs",
                 "[transaction][ist]") {
  start();
  answer(486);
  advance_to(2000ms);  // G at 500 ms and 1.5 s
  ack();
  CHECK(sent_statuses() == std::vector<int>{100, 486, 486, 486});
  advance_to(3000ms);
  ack();
  retransmission();
  CHECK(sent.size() == 4);  // absorbed
  CHECK(tu_requests.size() == 1);
  advance_to(6999ms);
  CHECK_FALSE(finished());
  advance_to(7000ms);
  REQUIRE(finished());
  advance_to(40s);
  CHECK(sent.size() == 4);
  CHECK(timeouts.empty());  // H was cancelled by the ACK
}

TEST_CASE_METHOD(ist_fixture, "IST TCP: Timer I is 0", "[transaction][ist]") {
  start(transport_kind::tcp);
  answer(486);
  advance_to(100ms);
  ack();
  REQUIRE(finished());
  CHECK(owner_terminated[0].time == 100ms);
  CHECK(timeouts.empty());
}

TEST_CASE_METHOD(ist_fixture, "IST: 2xx from the TU: Accepted (RFC 6026), Timer L at 64*T1", "[transaction][ist]") {
  start();
  answer(180);
  advance_to(1000ms);
  answer(200);
  CHECK(sent_statuses() == std::vector<int>{100, 180, 200});
  // INVITE retransmissions are absorbed; 2xx retransmissions of the TU go out; ACKs go up.
  retransmission();
  CHECK(sent.size() == 3);
  advance_to(1500ms);
  answer(200);
  answer(486);  // not a 2xx: discarded
  CHECK(sent_statuses() == std::vector<int>{100, 180, 200, 200});
  ack();
  REQUIRE(tu_requests.size() == 2);
  CHECK(tu_requests[1].event.inbound.message->method() == sip_method::ack);
  CHECK(tu_requests[1].event.server_transaction == txn);
  // The transaction does not retransmit the 2xx itself.
  advance_to(32999ms);
  CHECK(sent.size() == 4);
  CHECK_FALSE(finished());
  advance_to(33000ms);
  REQUIRE(finished());
  CHECK(timeouts.empty());
}

TEST_CASE_METHOD(ist_fixture, "IST: Timer L is 64*T1 over TCP too", "[transaction][ist]") {
  start(transport_kind::tcp);
  answer(200);
  advance_to(31999ms);
  CHECK_FALSE(finished());
  advance_to(32000ms);
  CHECK(finished());
}

TEST_CASE_METHOD(ist_fixture, "IST: transport error in Proceeding informs the TU and stays (RFC 6026)",
                 "[transaction][ist]") {
  fail_sends = true;
  start();
  REQUIRE(transport_errors.size() == 1);  // the 100
  CHECK(transport_errors[0].event.request.get() == invite.get());
  CHECK_FALSE(finished());
  fail_sends = false;
  answer(486);
  CHECK(sent_statuses() == std::vector<int>{100, 486});
}

TEST_CASE_METHOD(ist_fixture, "IST: transport error in Completed informs the TU and terminates", "[transaction][ist]") {
  start();
  fail_sends = true;
  answer(486);
  REQUIRE(transport_errors.size() == 1);
  CHECK(finished());
  advance_to(40s);
  CHECK(sent.size() == 2);  // no Timer G retransmissions after Terminated
  CHECK(timeouts.empty());
}

TEST_CASE_METHOD(ist_fixture, "IST: in Completed only a failure of the final response is a transport error",
                 "[transaction][ist]") {
  start();
  answer(486);
  deliver(txn, transport::send_failed{sent[0].message, "late failure of the 100"});
  CHECK(transport_errors.empty());
  CHECK_FALSE(finished());
  deliver(txn, transport::send_failed{sent[1].message, "final failed"});
  CHECK(transport_errors.size() == 1);
  CHECK(finished());
}

TEST_CASE_METHOD(ist_fixture, "IST: transport error in Accepted informs the TU and stays until Timer L (RFC 6026)",
                 "[transaction][ist]") {
  start();
  fail_sends = true;
  answer(200);
  REQUIRE(transport_errors.size() == 1);
  CHECK_FALSE(finished());
  advance_to(32000ms);
  CHECK(finished());
}

}  // namespace sipactor::test
