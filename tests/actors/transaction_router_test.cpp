// The transaction router (RFC 3261 §17.1.3, §17.2.3, §9.2) on a virtual clock: what reaches
// which transaction, what reaches the TU, and that the router forgets every transaction.
#include "tests/actors/router_test_fixture.hpp"
#include "tests/test_files.hpp"

namespace sipactor::test {

TEST_CASE_METHOD(router_fixture, "Router: an INVITE starts a server transaction, its retransmission and the ACK for a non-2xx reach it",
                 "[transaction][router]") {
  auto invite = request("INVITE", transport_kind::udp, "z9hG4bKr1");
  from_network(invite);
  REQUIRE(tu_requests.size() == 1);
  CHECK(tu_requests[0].event.server_transaction);
  CHECK_FALSE(tu_requests[0].event.cancelled_invite);
  CHECK(sent_statuses() == std::vector<int>{100});  // the transaction's own 100 (§17.2.1)
  from_network(invite);                              // §17.2.1: the retransmission gets the 100 again
  CHECK(tu_requests.size() == 1);
  CHECK(sent_statuses() == std::vector<int>{100, 100});
  tu_answers(0, 486);
  CHECK(sent_statuses() == std::vector<int>{100, 100, 486});
  advance(500ms);  // Timer G retransmits the 486 until the ACK
  CHECK(sent_statuses() == std::vector<int>{100, 100, 486, 486});
  from_network(ack_for(invite, "z9hG4bKr1"));
  CHECK(tu_requests.size() == 1);  // absorbed by the transaction (§17.2.1: Confirmed)
  advance(10s);
  CHECK(sent.size() == 4);  // Timer G stopped
  auto c = counters();
  CHECK(c.server_created == 1);
  CHECK(c.absorbed == 2);
  CHECK(c.acks_to_tu == 0);
  CHECK(c.live == 0);  // Timer I (T4 = 5 s) ended it and the router forgot it
}

TEST_CASE_METHOD(router_fixture, "Router: the ACK for a 2xx matches no transaction and goes to the TU",
                 "[transaction][router]") {
  auto invite = request("INVITE", transport_kind::udp, "z9hG4bKr2");
  from_network(invite);
  tu_answers(0, 200);
  // §13.2.2.4 / §17.1.1.3: the ACK for a 2xx is a transaction of its own, with a new branch.
  from_network(ack_for(invite, "z9hG4bKack2"));
  REQUIRE(tu_requests.size() == 2);
  CHECK(tu_requests[1].event.inbound.message->method() == sip_method::ack);
  CHECK_FALSE(tu_requests[1].event.server_transaction);
  CHECK(counters().acks_to_tu == 1);
  CHECK(counters().live == 1);  // the INVITE server transaction waits in Accepted (RFC 6026)
  advance(32s);                 // Timer L = 64*T1
  CHECK(counters().live == 0);
}

TEST_CASE_METHOD(router_fixture, "Router: a CANCEL gets its own transaction and the INVITE transaction it cancels (9.2)",
                 "[transaction][router]") {
  auto invite = request("INVITE", transport_kind::udp, "z9hG4bKr3");
  from_network(invite);
  REQUIRE(tu_requests.size() == 1);
  caf::actor invite_txn = tu_requests[0].event.server_transaction;
  auto cancel = request("CANCEL", transport_kind::udp, "z9hG4bKr3");  // §9.1: the INVITE's branch
  from_network(cancel);
  REQUIRE(tu_requests.size() == 2);
  CHECK(tu_requests[1].event.inbound.message->method() == sip_method::cancel);
  CHECK(tu_requests[1].event.server_transaction);
  CHECK(tu_requests[1].event.server_transaction != invite_txn);
  CHECK(tu_requests[1].event.cancelled_invite == invite_txn);
  // The TU answers as a UAS does (§9.2): 200 to the CANCEL, 487 to the INVITE.
  tu_answers(1, 200);
  tu_answers(0, 487);
  CHECK(sent_statuses() == std::vector<int>{100, 200, 487});
  CHECK(counters().cancels_unmatched == 0);
  CHECK(counters().server_created == 2);

  SECTION("a CANCEL for a branch the router does not know") {
    from_network(request("CANCEL", transport_kind::udp, "z9hG4bKnone"));
    REQUIRE(tu_requests.size() == 3);
    CHECK_FALSE(tu_requests[2].event.cancelled_invite);  // §9.2: the TU answers 481
    CHECK(counters().cancels_unmatched == 1);
  }
  SECTION("a CANCEL from another sent-by does not match (17.2.3)") {
    auto other = with_header(cancel, "Via", "SIP/2.0/UDP other.example.com;branch=z9hG4bKr3");
    from_network(other);
    REQUIRE(tu_requests.size() == 3);
    CHECK_FALSE(tu_requests[2].event.cancelled_invite);
  }
}

TEST_CASE_METHOD(router_fixture, "Router: the RFC 2543 fallback matches inv2543, its retransmission and its ACK",
                 "[transaction][router]") {
  auto invite = parse(torture("inv2543"));
  REQUIRE_FALSE(invite->top_via().has_rfc3261_branch());
  from_network(invite);
  REQUIRE(tu_requests.size() == 1);
  from_network(parse(torture("inv2543")));  // the same request again, a new buffer
  CHECK(tu_requests.size() == 1);
  tu_answers(0, 404, "2543tag");
  // §17.2.3: Request-URI, From tag, Call-ID, CSeq number and top Via match; the method is ACK.
  auto ack = parse(
      "ACK sip:UserB@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP iftgw.example.com\r\n"
      "From: <sip:+13035551111@ift.client.example.net;user=phone>\r\n"
      "To: sip:+16505552222@ss1.example.net;user=phone;tag=2543tag\r\n"
      "Call-ID: inv2543.1717@ift.client.example.com\r\n"
      "CSeq: 56 ACK\r\n\r\n");
  from_network(ack);
  CHECK(tu_requests.size() == 1);
  CHECK(counters().absorbed == 2);
  advance(600ms);
  CHECK(sent_statuses() == std::vector<int>{100, 100, 404});  // Confirmed: no Timer G retransmission

  // Another CSeq number is another transaction.
  from_network(with_header(invite, "CSeq", "57 INVITE"));
  CHECK(tu_requests.size() == 2);
  CHECK(counters().server_created == 2);
}

TEST_CASE_METHOD(router_fixture, "Router: non-INVITE requests, retransmissions absorbed, live count back to zero",
                 "[transaction][router]") {
  for (int i = 0; i < 20; ++i) from_network(request("OPTIONS", transport_kind::udp, "z9hG4bKo" + std::to_string(i)));
  REQUIRE(tu_requests.size() == 20);
  from_network(request("OPTIONS", transport_kind::udp, "z9hG4bKo7"));
  CHECK(tu_requests.size() == 20);
  for (std::size_t i = 0; i < 20; ++i) tu_answers(i, 200);
  from_network(request("OPTIONS", transport_kind::udp, "z9hG4bKo7"));  // Completed: the 200 again
  CHECK(sent.size() == 21);
  auto shards = per_shard();
  std::size_t used = 0;
  for (const auto& c : shards) used += c.live > 0 ? 1 : 0;
  CHECK(used > 1);  // keys hash over the shards
  CHECK(counters().live == 20);
  advance(32s);  // Timer J
  CHECK(counters().live == 0);
  CHECK(counters().absorbed == 2);
}

TEST_CASE_METHOD(router_fixture, "Router: client transactions get their responses, strays go to the TU",
                 "[transaction][router]") {
  auto req = request("OPTIONS", transport_kind::udp, "z9hG4bKc1");
  caf::actor txn = start_client(req);
  REQUIRE(txn);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].message.get() == req.get());
  from_network(response_to(req, 200));
  REQUIRE(tu_responses.size() == 1);
  CHECK(tu_responses[0].event.client_transaction == txn);
  CHECK(tu_responses[0].event.response->status() == 200);
  // Same branch, other method: not this transaction (§17.1.3).
  auto other = with_header(response_to(req, 200), "CSeq", "314159 INVITE");
  from_network(other);
  CHECK(tu_responses.size() == 1);
  REQUIRE(stray_responses.size() == 1);
  CHECK(stray_responses[0].event.inbound.message.get() == other.get());

  std::string error;
  CHECK_FALSE(start_client(req, {}, &error));  // Timer K still holds the key
  CHECK(error.find("branch") != std::string::npos);
  CHECK_FALSE(start_client(request("ACK", transport_kind::udp, "z9hG4bKc2"), {}, &error));
  CHECK(error.find("ACK") != std::string::npos);
  advance(5s);  // Timer K = T4
  CHECK(counters().live == 0);
  CHECK(counters().client_created == 1);
  CHECK(counters().rejected == 2);
  CHECK(start_client(req));  // the key is free again
}

TEST_CASE_METHOD(router_fixture, "Router: a client transaction reports to the TU its request names",
                 "[transaction][router]") {
  std::vector<tu_response> got;
  caf::actor context = sys.spawn(
      [&got](caf::event_based_actor*, const void*) -> caf::behavior {
        return {[&got](const tu_response& r) { got.push_back(r); }, [](const transaction_terminated&) {}};
      },
      static_cast<const void*>(nullptr));
  auto invite = request("INVITE", transport_kind::udp, "z9hG4bKc3");
  caf::actor txn = start_client(invite, context);
  from_network(response_to(invite, 180));
  from_network(response_to(invite, 486));
  CHECK(tu_responses.empty());
  REQUIRE(got.size() == 2);
  CHECK(got[1].response->status() == 486);
  // §17.1.1.3: the transaction acknowledged the 486 itself.
  REQUIRE(sent.size() == 2);
  CHECK(sent[1].message->method() == sip_method::ack);
  caf::anon_send_exit(context, caf::exit_reason::kill);
}

TEST_CASE_METHOD(router_fixture, "Router: messages wait for a transport given after the layer starts",
                 "[transaction][router]") {
  stop_transaction_layer(layer);
  start_layer(2, caf::actor{});
  auto invite = request("INVITE", transport_kind::udp, "z9hG4bKlate");
  from_network(invite);
  CHECK(tu_requests.empty());
  CHECK(sent.empty());
  set_transport(layer, transport_actor);
  sched.run();
  REQUIRE(tu_requests.size() == 1);
  CHECK(sent_statuses() == std::vector<int>{100});
}

}  // namespace sipactor::test

namespace sipactor::test {

TEST_CASE_METHOD(router_fixture, "Router: timers run on the shard at their exact RFC times (Timer A, then B at 64*T1)",
                 "[transaction][router][timers]") {
  auto invite = request("INVITE", transport_kind::udp, "z9hG4bKta");
  caf::actor txn = start_client(invite);
  REQUIRE(txn);
  advance_to(31999ms);
  // §17.1.1.2: A at T1, doubling: 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s after the first send.
  CHECK(send_times() == std::vector<ms>{0ms, 500ms, 1500ms, 3500ms, 7500ms, 15500ms, 31500ms});
  CHECK(timeouts.empty());
  advance_to(32000ms);
  REQUIRE(timeouts.size() == 1);  // Timer B
  CHECK(timeouts[0].time == 32000ms);
  CHECK(counters().live == 0);
  CHECK(counters().retransmitted == 6);  // the six Timer A sends, counted by the shard
}

TEST_CASE_METHOD(router_fixture, "Router: a finished transaction leaves no timer behind",
                 "[transaction][router][timers]") {
  // Without reuse the actor goes at once; with it, it waits idle for the next transaction.
  const std::size_t kept = GENERATE(std::size_t{0}, std::size_t{256});
  stop_transaction_layer(layer);
  start_layer(4, transport_actor, kept);
  std::size_t baseline = sys.registry().running();
  auto req = request("OPTIONS", transport_kind::tcp, "z9hG4bKtf");
  caf::actor txn = start_client(req, {}, nullptr, transport_kind::tcp);
  REQUIRE(txn);
  spawned.clear();  // the handle would keep the actor; the test wants to see it go
  txn = caf::actor{};
  CHECK(sys.registry().running() == baseline + 1);
  advance_to(100ms);
  from_network(response_to(req, 200));  // TCP: Timer K is 0, the transaction ends at once
  auto c = counters();
  CHECK(c.live == 0);
  CHECK(c.idle == (kept ? 1 : 0));
  // Gone now (or idle), not when Timer F (32 s) would fire.
  CHECK(sys.registry().running() == baseline + (kept ? 1 : 0));
  // The one delayed message left is the shard's own wake-up planned for Timer F (CAF 0.17 cannot
  // cancel it): it holds the shard, which lives on anyway, and finds nothing due.
  advance_to(32000ms);
  CHECK(tu_responses.size() == 1);
  CHECK(timeouts.empty());
  CHECK_FALSE(sched.has_pending_timeout());
}

}  // namespace sipactor::test

namespace sipactor::test {

TEST_CASE_METHOD(router_fixture, "Router: the TU hears of ended transactions only when asked (tu_hears_termination)",
                 "[transaction][router]") {
  tu_hears_termination = GENERATE(false, true);
  stop_transaction_layer(layer);
  start_layer(2, transport_actor);
  auto req = request("OPTIONS", transport_kind::tcp, "z9hG4bKhear");
  deliver(layer.entry, inbound(req, transport_kind::tcp));
  tu_answers(0, 200);  // TCP: Timer J is zero, the transaction ends at once
  CHECK(counters().live == 0);
  CHECK(tu_terminated.size() == (tu_hears_termination ? 1u : 0u));
}

}  // namespace sipactor::test
