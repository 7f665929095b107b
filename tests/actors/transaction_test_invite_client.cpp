// The INVITE client transaction (RFC 3261 §17.1.1, Figure 5; RFC 6026 §7.2) on a virtual clock.
#include "actors/client_transaction_invite.hpp"
#include "actors/transaction_key.hpp"
#include "tests/actors/transaction_test_fixture.hpp"

namespace sipactor::test {
namespace {

struct ict_fixture : transaction_fixture {
  message_ptr invite;
  caf::actor txn;
  void start(transport_kind t = transport_kind::udp, const std::string& extra_headers = "") {
    invite = request("INVITE", t, "z9hG4bKict1", extra_headers);
    txn = spawn(spawn_invite_client_transaction, outbound(invite, t));
  }
  void respond(int status, const std::string& to_tag = "b7x1") {
    deliver(txn, inbound(response_to(invite, status, to_tag), transport_kind::udp));
  }
  std::vector<int> statuses_to_tu() const {
    std::vector<int> s;
    for (const auto& r : tu_responses) s.push_back(r.event.response->status());
    return s;
  }
  std::size_t acks_sent() const {
    std::size_t n = 0;
    for (const auto& s : sent) n += !s.response && s.message->method() == sip_method::ack;
    return n;
  }
};

}  // namespace

TEST_CASE_METHOD(ict_fixture, "ICT UDP: Timer A retransmits at 0.5 1.5 3.5 7.5 15.5 31.5 s and Timer B times out at 32 s",
                 "[transaction][ict]") {
  start();
  advance_to(40s);
  // §17.1.1.2: A starts at T1 and doubles (500 ms, 1 s, 2 s, 4 s, 8 s, 16 s); B = 64*T1.
  CHECK(send_times() == std::vector<ms>{0ms, 500ms, 1500ms, 3500ms, 7500ms, 15500ms, 31500ms});
  for (const auto& s : sent) {
    CHECK(s.message.get() == invite.get());
    CHECK(s.destination == address("192.0.2.20", 5060));
  }
  REQUIRE(timeouts.size() == 1);
  CHECK(timeouts[0].time == 32000ms);
  CHECK(timeouts[0].event.request.get() == invite.get());
  CHECK(timeouts[0].event.transaction == txn);
  REQUIRE(owner_terminated.size() == 1);
  CHECK(owner_terminated[0].time == 32000ms);
  CHECK(owner_terminated[0].event.key == client_key_of_request(*invite));
  CHECK(owner_terminated[0].event.kind == transaction_kind::invite_client);
  REQUIRE(tu_terminated.size() == 1);
  CHECK(tu_responses.empty());
}

TEST_CASE_METHOD(ict_fixture, "ICT UDP: Timer B fires at exactly 64*T1, not a millisecond earlier", "[transaction][ict]") {
  start();
  advance_to(31999ms);
  CHECK(timeouts.empty());
  CHECK_FALSE(finished());
  advance_to(32000ms);
  CHECK(timeouts.size() == 1);
  CHECK(finished());
}

TEST_CASE_METHOD(ict_fixture, "ICT: T1 is configurable (Timer A and B follow it)", "[transaction][ict]") {
  config.t1 = 100ms;
  start();
  advance_to(10s);
  CHECK(send_times() == std::vector<ms>{0ms, 100ms, 300ms, 700ms, 1500ms, 3100ms, 6300ms});
  REQUIRE(timeouts.size() == 1);
  CHECK(timeouts[0].time == 6400ms);
}

TEST_CASE_METHOD(ict_fixture, "ICT TCP: no Timer A, Timer B still at 64*T1", "[transaction][ict]") {
  start(transport_kind::tcp);
  advance_to(40s);
  CHECK(send_times() == std::vector<ms>{0ms});
  CHECK(sent[0].transport == transport_kind::tcp);
  REQUIRE(timeouts.size() == 1);
  CHECK(timeouts[0].time == 32000ms);
  CHECK(finished());
}

TEST_CASE_METHOD(ict_fixture, "ICT: 1xx moves Calling to Proceeding, passes up, stops A and B", "[transaction][ict]") {
  start();
  advance_to(200ms);
  respond(100);
  respond(180);
  advance_to(1000ms);
  respond(183);
  advance_to(60s);
  CHECK(send_times() == std::vector<ms>{0ms});  // no retransmission in Proceeding
  CHECK(statuses_to_tu() == std::vector<int>{100, 180, 183});
  CHECK(tu_responses[0].event.client_transaction == txn);
  CHECK(timeouts.empty());  // Timer B belongs to Calling
  CHECK_FALSE(finished());  // Proceeding waits for the final response (Timer C is the proxy's)
}

TEST_CASE_METHOD(ict_fixture, "ICT UDP: 300-699 in Calling: Completed, response up, ACK sent, Timer D at 32 s",
                 "[transaction][ict]") {
  start();
  advance_to(600ms);  // one retransmission at 500 ms
  respond(486);
  CHECK(statuses_to_tu() == std::vector<int>{486});
  REQUIRE(sent.size() == 3);
  CHECK(sent[2].time == 600ms);
  CHECK(sent[2].message->method() == sip_method::ack);
  CHECK(sent[2].transport == transport_kind::udp);  // §17.1.1.2: same address, port, transport
  CHECK(sent[2].destination == address("192.0.2.20", 5060));
  // A retransmitted final: the ACK again, not passed up.
  advance_to(2000ms);
  respond(486);
  advance_to(3000ms);
  respond(486);
  CHECK(statuses_to_tu() == std::vector<int>{486});
  CHECK(acks_sent() == 3);
  CHECK(sent.back().message.get() == sent[2].message.get());  // the same ACK, built once
  // Timer A stopped; Timer B (32 s from the start) ignored; D = 32 s from entering Completed.
  advance_to(32599ms);
  CHECK(sent.size() == 5);
  CHECK(timeouts.empty());
  CHECK_FALSE(finished());
  advance_to(32600ms);
  REQUIRE(finished());
  CHECK(owner_terminated[0].time == 32600ms);
  CHECK(timeouts.empty());
  respond(486);  // the transaction is gone: nothing answers
  CHECK(acks_sent() == 3);
}

TEST_CASE_METHOD(ict_fixture, "ICT: Timer D is at least 32 s and never shorter than 64*T1", "[transaction][ict]") {
  config.t1 = 1000ms;
  start();
  respond(503);
  advance_to(63999ms);
  CHECK_FALSE(finished());
  advance_to(64000ms);
  CHECK(finished());
}

TEST_CASE_METHOD(ict_fixture, "ICT TCP: ACK sent even over reliable transports, Timer D is 0", "[transaction][ict]") {
  start(transport_kind::tcp);
  advance_to(100ms);
  respond(404);
  CHECK(acks_sent() == 1);
  CHECK(sent.back().transport == transport_kind::tcp);
  REQUIRE(finished());
  CHECK(owner_terminated[0].time == 100ms);
  CHECK(statuses_to_tu() == std::vector<int>{404});
}

TEST_CASE_METHOD(ict_fixture, "ICT: Proceeding to Completed on 300-699", "[transaction][ict]") {
  start();
  respond(180);
  advance_to(5s);
  respond(603);
  CHECK(statuses_to_tu() == std::vector<int>{180, 603});
  CHECK(acks_sent() == 1);
  respond(603);
  CHECK(acks_sent() == 2);
  CHECK(statuses_to_tu() == std::vector<int>{180, 603});
  advance_to(37s);
  CHECK(finished());
  CHECK(owner_terminated[0].time == 37000ms);
}

TEST_CASE_METHOD(ict_fixture, "ICT: 2xx in Calling: Accepted (RFC 6026), passed up, no ACK from the transaction",
                 "[transaction][ict]") {
  start();
  advance_to(100ms);
  respond(200);
  CHECK(statuses_to_tu() == std::vector<int>{200});
  // Further 2xx (retransmissions and other forks) are passed up; non-2xx are discarded.
  advance_to(3s);
  respond(200);
  respond(200, "fork2");
  respond(180);
  respond(486);
  CHECK(statuses_to_tu() == std::vector<int>{200, 200, 200});
  CHECK(tu_responses[2].event.response->to_tag() == "fork2");
  // Timer M = 64*T1 from entering Accepted; A and B (armed in Calling) do nothing.
  advance_to(32099ms);
  CHECK(send_times() == std::vector<ms>{0ms});
  CHECK(acks_sent() == 0);
  CHECK(timeouts.empty());
  CHECK_FALSE(finished());
  advance_to(32100ms);
  REQUIRE(finished());
  CHECK(owner_terminated[0].time == 32100ms);
  CHECK(timeouts.empty());
}

TEST_CASE_METHOD(ict_fixture, "ICT: 2xx in Proceeding: Accepted, Timer M also over TCP", "[transaction][ict]") {
  start(transport_kind::tcp);
  respond(180);
  advance_to(10s);
  respond(200);
  CHECK(statuses_to_tu() == std::vector<int>{180, 200});
  advance_to(41999ms);
  CHECK_FALSE(finished());
  respond(200);
  CHECK(statuses_to_tu() == std::vector<int>{180, 200, 200});
  advance_to(42000ms);
  CHECK(finished());
}

TEST_CASE_METHOD(ict_fixture, "ICT: 2xx in Completed is not passed up", "[transaction][ict]") {
  start();
  respond(486);
  respond(200);
  CHECK(statuses_to_tu() == std::vector<int>{486});
  CHECK(acks_sent() == 1);
}

TEST_CASE_METHOD(ict_fixture, "ICT: transport error in Calling informs the TU and terminates", "[transaction][ict]") {
  fail_sends = true;
  start();
  REQUIRE(transport_errors.size() == 1);
  CHECK(transport_errors[0].event.request.get() == invite.get());
  CHECK(transport_errors[0].event.reason == "unreachable");
  CHECK(transport_errors[0].event.transaction == txn);
  REQUIRE(finished());
  advance_to(40s);
  CHECK(sent.size() == 1);  // no retransmission after Terminated
  CHECK(timeouts.empty());
}

TEST_CASE_METHOD(ict_fixture, "ICT: transport error sending the ACK in Completed terminates", "[transaction][ict]") {
  start();
  respond(180);
  fail_sends = true;
  respond(486);
  CHECK(acks_sent() == 1);
  REQUIRE(transport_errors.size() == 1);
  CHECK(finished());
}

TEST_CASE_METHOD(ict_fixture, "ICT: in Completed only a failure of the ACK is a transport error", "[transaction][ict]") {
  start();
  respond(486);
  deliver(txn, transport::send_failed{invite, "late failure of a retransmission"});
  CHECK(transport_errors.empty());
  CHECK_FALSE(finished());
  deliver(txn, transport::send_failed{sent.back().message, "ACK failed"});
  REQUIRE(transport_errors.size() == 1);
  CHECK(transport_errors[0].event.reason == "ACK failed");
  CHECK(finished());
}

TEST_CASE_METHOD(ict_fixture, "ICT: ACK for a non-2xx, the example of §17.1.1.3 byte for byte", "[transaction][ict][ack]") {
  auto inv = parse(
      "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKkjshdyff\r\n"
      "To: Bob <sip:bob@biloxi.com>\r\n"
      "From: Alice <sip:alice@atlanta.com>;tag=88sja8x\r\n"
      "Max-Forwards: 70\r\n"
      "Call-ID: 987asjd97y7atg\r\n"
      "CSeq: 986759 INVITE\r\n\r\n");
  auto busy = response_to(inv, 486, "99sa0xk");
  message_ptr ack = ack_for_non_2xx(*inv, *busy);
  REQUIRE(ack);
  CHECK(std::string(ack->bytes()) ==
        "ACK sip:bob@biloxi.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKkjshdyff\r\n"
        "To: Bob <sip:bob@biloxi.com>;tag=99sa0xk\r\n"
        "From: Alice <sip:alice@atlanta.com>;tag=88sja8x\r\n"
        "Max-Forwards: 70\r\n"
        "Call-ID: 987asjd97y7atg\r\n"
        "CSeq: 986759 ACK\r\n"
        "Content-Length: 0\r\n\r\n");
}

TEST_CASE_METHOD(ict_fixture, "ICT: the ACK it sends has exactly the §17.1.1.3 contents", "[transaction][ict][ack]") {
  // A proxied INVITE: several Vias (two in one line), Route headers (two in one line), a body,
  // Contact and other headers the ACK must not carry.
  invite = parse(
      "INVITE sip:bob@192.0.2.4;transport=udp SIP/2.0\r\n"
      "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKu1\r\n"
      "Via: SIP/2.0/TCP ua.example.com;branch=z9hG4bKu0\r\n"
      "Max-Forwards: 69\r\n"
      "Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>\r\n"
      "Route: <sip:p4.example.com;lr>\r\n"
      "To: Bob <sip:bob@biloxi.example.com>\r\n"
      "From: \"Alice A.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "Call-ID: c1@pc33\r\n"
      "CSeq: 42 INVITE\r\n"
      "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
      "Supported: 100rel\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: 4\r\n\r\nv=0\n");
  txn = spawn(spawn_invite_client_transaction, outbound(invite, transport_kind::udp));
  auto rejected = response_to(invite, 488, "srv9");
  deliver(txn, inbound(rejected, transport_kind::udp));
  REQUIRE(acks_sent() == 1);
  const message& ack = *sent.back().message;
  CHECK(ack.method_name() == "ACK");
  CHECK(ack.request_uri().text == invite->request_uri().text);
  CHECK(ack.via_count() == 1);  // a single Via: the INVITE's top one
  CHECK(ack.top_via().text == invite->top_via().text);
  CHECK(ack.header_value(header_id::from) == invite->header_value(header_id::from));
  CHECK(ack.header_value(header_id::to) == rejected->header_value(header_id::to));
  CHECK(ack.to_tag() == "srv9");
  CHECK(ack.call_id() == invite->call_id());
  CHECK(ack.cseq().number == 42);
  CHECK(ack.cseq().method == "ACK");
  REQUIRE(ack.routes().size() == 3);  // the INVITE's Route header fields, in order
  CHECK(ack.routes()[0].address.text == "sip:p2.example.com;lr");
  CHECK(ack.routes()[2].address.text == "sip:p4.example.com;lr");
  CHECK(ack.header_count(header_id::route) == 2);
  CHECK(ack.body().empty());
  CHECK(ack.header_count(header_id::contact) == 0);
  CHECK(ack.header_count(header_id::content_type) == 0);
  CHECK(ack.header_count(header_id::supported) == 0);
  CHECK(ack.header_count() == 9);  // Via, 2 Route, To, From, Max-Forwards, Call-ID, CSeq, Content-Length
  // It goes where the INVITE went (§17.1.1.2) and matches the same transaction key (§17.1.3).
  CHECK(sent.back().destination == sent.front().destination);
  CHECK(client_key_of_request(ack).branch == client_key_of_request(*invite).branch);
}

}  // namespace sipactor::test
