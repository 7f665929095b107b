// The proxy core and its response contexts (RFC 3261 §16) as call flows on the virtual clock:
// validation answers, forking (parallel and serial by q), CANCEL of the other branches, 6xx,
// the best response, challenge aggregation, Timer C, CANCEL from the caller, the ACK for a 2xx,
// stray 2xx, REGISTER to the registrar, and the stateless mode.
#include <catch2/catch.hpp>

#include "actors/proxy_branch.hpp"
#include "actors/sharded_entry.hpp"
#include "tests/actors/proxy_test_fixture.hpp"

namespace sipactor::test {
namespace {

using proxy_test::request;
using proxy_test::request_parts;
using proxy_test::values;

const std::string bob = "sip:bob@example.com";

std::vector<proxy_target> contacts(std::initializer_list<std::pair<const char*, int>> list) {
  std::vector<proxy_target> out;
  for (const auto& [uri, q] : list) out.push_back({uri, q, {}});
  return out;
}

// An INVITE for Bob, who has one contact: the request forwarded to it.
sent_message invite_to_one(proxy_fixture& f) {
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.21", 1000}});
  f.from_network(request());
  return f.sent_to("INVITE", "192.0.2.21");
}

// An INVITE for Bob, who has two contacts of equal q: forwarded to both (§16.6).
std::pair<sent_message, sent_message> fork_to_two(proxy_fixture& f) {
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.21", 1000}, {"sip:bob@192.0.2.22", 1000}});
  f.from_network(request());
  REQUIRE(f.requests_sent("INVITE").size() == 2);
  return {f.sent_to("INVITE", "192.0.2.21"), f.sent_to("INVITE", "192.0.2.22")};
}

// §9.1: the caller's CANCEL of the INVITE of request().
message_ptr caller_cancel() {
  request_parts p;
  p.method = "CANCEL";
  return request(p);
}

}  // namespace

TEST_CASE("proxy core: §16.3 failures are answered as a UAS", "[proxy][actors]") {
  proxy_fixture f;
  f.from_network(request({"Max-Forwards: 0"}));
  CHECK(f.upstream() == std::vector<int>{483});
  CHECK(f.requests_sent("INVITE").empty());
  request_parts p;
  p.call_id = "call-2";
  p.vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKalice2";
  p.extra = {"Proxy-Require: com.example.secret"};
  f.from_network(request(p));
  CHECK(f.upstream() == std::vector<int>{483, 420});
  CHECK(f.last_upstream()->header_value("Unsupported") == std::optional<std::string_view>("com.example.secret"));
}

TEST_CASE("proxy core: an unknown user gets 404, a foreign domain is forwarded as is", "[proxy][actors]") {
  proxy_fixture f;
  f.from_network(request());
  CHECK(f.upstream() == std::vector<int>{404});
  request_parts p;
  p.call_id = "call-2";
  p.vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKalice2";
  p.request_uri = "sip:carol@203.0.113.9";
  f.from_network(request(p));
  auto sent = f.sent_to("INVITE", "203.0.113.9");
  CHECK(sent.message->request_uri().text == "sip:carol@203.0.113.9");
  CHECK(sent.message->max_forwards() == 69);
  CHECK(values(*sent.message, header_id::record_route) == std::vector<std::string>{"<sip:192.0.2.10:5060;lr>"});
  CHECK(sent.message->top_via().host == "192.0.2.10");
}

TEST_CASE("proxy core: parallel fork, the first 2xx goes up and the other branch is cancelled", "[proxy][actors]") {
  proxy_fixture f;
  auto [first, second] = fork_to_two(f);
  CHECK(first.message->request_uri().text == "sip:bob@192.0.2.21");
  CHECK(first.message->top_via().branch != second.message->top_via().branch);
  f.answer(first, 180, "b21");
  f.answer(second, 180, "b22");
  CHECK(f.upstream() == std::vector<int>{180, 180});  // §16.7 step 5: each provisional but 100
  CHECK(f.last_upstream()->via_count() == 1);          // step 3: our Via removed
  f.answer(first, 200, "b21");
  CHECK(f.upstream() == std::vector<int>{180, 180, 200});
  CHECK(f.last_upstream()->to_tag() == "b21");
  // §16.7 step 10: the pending branch gets a CANCEL with its INVITE's branch, to the same place.
  auto cancels = f.requests_sent("CANCEL");
  REQUIRE(cancels.size() == 1);
  CHECK(cancels[0].destination == second.destination);
  CHECK(cancels[0].message->top_via().branch == second.message->top_via().branch);
  f.answer(cancels[0], 200);
  f.answer(second, 487, "b22");
  CHECK(f.upstream() == std::vector<int>{180, 180, 200});  // the 487 stays here
}

TEST_CASE("proxy core: every 2xx of every fork is forwarded (RFC 6026)", "[proxy][actors]") {
  proxy_fixture f;
  auto [first, second] = fork_to_two(f);
  f.answer(first, 200, "b21");
  f.answer(second, 200, "b22");
  CHECK(f.upstream() == std::vector<int>{200, 200});
  CHECK(f.requests_sent("CANCEL").empty());  // neither branch was pending with a provisional
}

TEST_CASE("proxy core: a 6xx cancels the other branches and wins", "[proxy][actors]") {
  proxy_fixture f;
  auto [first, second] = fork_to_two(f);
  f.answer(first, 180, "b21");
  f.answer(second, 180, "b22");
  f.answer(first, 603, "b21");
  CHECK(f.upstream() == std::vector<int>{180, 180});  // not forwarded at once
  REQUIRE(f.requests_sent("CANCEL").size() == 1);
  CHECK(f.requests_sent("CANCEL")[0].destination == second.destination);
  f.answer(second, 487, "b22");
  CHECK(f.upstream() == std::vector<int>{180, 180, 603});
}

TEST_CASE("proxy core: the best final response (486 over 404 over 503, 503 alone as 500)", "[proxy][actors]") {
  proxy_fixture f;
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.21", 1000}, {"sip:bob@192.0.2.22", 1000}, {"sip:bob@192.0.2.23", 1000}});
  f.from_network(request());
  f.answer(f.sent_to("INVITE", "192.0.2.21"), 503);
  f.answer(f.sent_to("INVITE", "192.0.2.22"), 486);
  CHECK(f.upstream().empty());
  f.answer(f.sent_to("INVITE", "192.0.2.23"), 404);
  CHECK(f.upstream() == std::vector<int>{486});
  CHECK(f.last_upstream()->via_count() == 1);

  f.bindings["sip:carol@example.com"] = contacts({{"sip:carol@192.0.2.31", 1000}});
  request_parts p;
  p.call_id = "call-2";
  p.request_uri = "sip:carol@example.com";
  p.vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKalice2";
  f.from_network(request(p));
  f.answer(f.sent_to("INVITE", "192.0.2.31"), 503, "c", {"Retry-After: 60"});
  CHECK(f.upstream() == std::vector<int>{486, 500});  // §16.7 step 6
  CHECK_FALSE(f.last_upstream()->header_value("Retry-After"));
}

TEST_CASE("proxy core: 401 and 407 challenges of all branches are aggregated", "[proxy][actors]") {
  proxy_fixture f;
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.21", 1000}, {"sip:bob@192.0.2.22", 1000}});
  f.from_network(request());
  f.answer(f.sent_to("INVITE", "192.0.2.21"), 401, "b21", {"WWW-Authenticate: Digest realm=\"one\", nonce=\"n1\""});
  f.answer(f.sent_to("INVITE", "192.0.2.22"), 407, "b22", {"Proxy-Authenticate: Digest realm=\"two\", nonce=\"n2\""});
  REQUIRE(f.upstream().size() == 1);
  auto r = f.last_upstream();
  CHECK((r->status() == 401 || r->status() == 407));
  CHECK(values(*r, header_id::www_authenticate) == std::vector<std::string>{"Digest realm=\"one\", nonce=\"n1\""});
  CHECK(values(*r, header_id::proxy_authenticate) == std::vector<std::string>{"Digest realm=\"two\", nonce=\"n2\""});
}

TEST_CASE("proxy core: Timer C cancels a branch that rings too long (§16.8)", "[proxy][actors]") {
  proxy_fixture f;
  auto invite = invite_to_one(f);
  f.answer(invite, 180, "b21");
  f.advance(std::chrono::seconds(60));
  f.answer(invite, 183, "b21");  // §16.7 step 2: a provisional resets Timer C
  f.advance(std::chrono::seconds(184));
  CHECK(f.requests_sent("CANCEL").empty());
  f.advance(std::chrono::seconds(1));  // 185 s after the 183 (before the CANCEL's retransmission)
  REQUIRE(f.requests_sent("CANCEL").size() == 1);
  CHECK(f.requests_sent("CANCEL")[0].time == ms(60000 + 185000));
  f.answer(f.requests_sent("CANCEL")[0], 200);
  f.answer(invite, 487, "b21");
  CHECK(f.upstream() == std::vector<int>{180, 183, 487});
}

TEST_CASE("proxy core: Timer C without a provisional response counts as 408 (§16.8)", "[proxy][actors]") {
  transaction_config slow;
  slow.t1 = std::chrono::seconds(5);  // Timer B = 64*T1 = 320 s, after Timer C
  proxy_fixture f{proxy_test::config(), true, slow};
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.21", 1000}});
  f.from_network(request());
  f.advance(std::chrono::seconds(184));
  CHECK(f.upstream().empty());
  f.advance(std::chrono::seconds(1));
  CHECK(f.upstream() == std::vector<int>{408});
  CHECK(f.requests_sent("CANCEL").empty());  // §9.1: none without a provisional response
}

TEST_CASE("proxy core: 2xx retransmissions are forwarded while the context lingers (RFC 6026)", "[proxy][actors]") {
  proxy_fixture f;
  auto invite = invite_to_one(f);
  f.answer(invite, 200, "b21");
  f.advance(std::chrono::seconds(1));
  f.answer(invite, 200, "b21");
  CHECK(f.upstream() == std::vector<int>{200, 200});
}

TEST_CASE("proxy core: a CANCEL from the caller cancels every branch, 487 flows back", "[proxy][actors]") {
  proxy_fixture f;
  auto [first, second] = fork_to_two(f);
  f.answer(first, 180, "b21");
  f.from_network(caller_cancel());
  CHECK(f.upstream("CANCEL") == std::vector<int>{200});  // §16.10: at once
  // The branch with a provisional response is cancelled now, the other once it sends one (§9.1).
  REQUIRE(f.requests_sent("CANCEL").size() == 1);
  CHECK(f.requests_sent("CANCEL")[0].destination == first.destination);
  f.answer(second, 100);
  REQUIRE(f.requests_sent("CANCEL").size() == 2);
  CHECK(f.requests_sent("CANCEL")[1].destination == second.destination);
  f.answer(first, 487, "b21");
  f.answer(second, 487, "b22");
  CHECK(f.upstream() == std::vector<int>{180, 487});
}

TEST_CASE("proxy core: a CANCEL that matches no INVITE gets 481", "[proxy][actors]") {
  proxy_fixture f;
  f.from_network(caller_cancel());
  CHECK(f.upstream("CANCEL") == std::vector<int>{481});
}

TEST_CASE("proxy core: serial forking by q, the lower q after the higher failed", "[proxy][actors]") {
  proxy_fixture f;
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.22", 500}, {"sip:bob@192.0.2.21", 1000}});
  f.from_network(request());
  REQUIRE(f.requests_sent("INVITE").size() == 1);
  auto first = f.sent_to("INVITE", "192.0.2.21");
  f.answer(first, 486, "b21");
  REQUIRE(f.requests_sent("INVITE").size() == 2);
  auto second = f.sent_to("INVITE", "192.0.2.22");
  CHECK(f.upstream().empty());
  f.answer(second, 200, "b22");
  CHECK(f.upstream() == std::vector<int>{200});
}

TEST_CASE("proxy core: a transport error counts as 503 and goes up as 500 (§16.9)", "[proxy][actors]") {
  proxy_fixture f;
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.21", 1000}});
  f.fail_sends = true;
  f.from_network(request());
  f.fail_sends = false;
  CHECK(f.upstream() == std::vector<int>{500});
}

TEST_CASE("proxy core: the ACK for a 2xx is forwarded statelessly along Route", "[proxy][actors]") {
  proxy_fixture f;
  request_parts p;
  p.method = "ACK";
  p.request_uri = "sip:bob@192.0.2.21";
  p.to_tag = "b21";
  p.vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKack1";
  p.extra = {"Route: <sip:192.0.2.10:5060;lr>"};
  auto ack = request(p);
  f.from_network(ack);
  auto sent = f.sent_to("ACK", "192.0.2.21");
  CHECK(sent.message->header_count(header_id::route) == 0);
  CHECK(sent.message->header_count(header_id::record_route) == 0);
  CHECK(sent.message->top_via().branch == stateless_branch(*ack));
  CHECK(sent.message->via_count() == 2);
}

TEST_CASE("proxy core: a stray 2xx is forwarded by its next Via", "[proxy][actors]") {
  proxy_fixture f;
  auto invite = request({});
  auto b = message_builder::response_to(*invite, 200, {}, "late");
  b.push_via("SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKgone.1234");
  f.from_network(b.build().message);
  REQUIRE(f.upstream() == std::vector<int>{200});
  auto up = f.last_upstream();
  CHECK(up->via_count() == 1);
  CHECK(up->top_via().branch == "z9hG4bKalice1");
  // Not ours on top: silently discarded (§16.11).
  auto foreign = message_builder::response_to(*invite, 200, {}, "late");
  foreign.push_via("SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKother");
  f.from_network(foreign.build().message);
  CHECK(f.upstream().size() == 1);
}

TEST_CASE("proxy core: REGISTER for our domain goes to the registrar", "[proxy][actors]") {
  proxy_fixture f;
  request_parts p;
  p.method = "REGISTER";
  p.request_uri = "sip:example.com";
  f.from_network(request(p));
  REQUIRE(f.registrar_got.size() == 1);
  CHECK(f.registrar_got[0].server_transaction);
  f.deliver(f.registrar_got[0].server_transaction, response_to(f.registrar_got[0].inbound.message, 200));
  CHECK(f.upstream("REGISTER") == std::vector<int>{200});
}

TEST_CASE("proxy core: without a registrar, REGISTER for our domain gets 501", "[proxy][actors]") {
  proxy_fixture f{proxy_test::config(), false};
  request_parts p;
  p.method = "REGISTER";
  p.request_uri = "sip:example.com";
  f.from_network(request(p));
  CHECK(f.upstream("REGISTER") == std::vector<int>{501});
}

TEST_CASE("proxy core: stateless mode forwards without transactions (§16.11)", "[proxy][actors]") {
  proxy_config c = proxy_test::config();
  c.stateless = true;
  proxy_fixture f{c};
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.22", 500}, {"sip:bob@192.0.2.21", 1000}});
  f.from_network(request());
  REQUIRE(f.requests_sent("INVITE").size() == 1);
  auto sent = f.sent_to("INVITE", "192.0.2.21");  // one target only, the most preferred
  f.from_network(request());                    // a retransmission: the same branch
  REQUIRE(f.requests_sent("INVITE").size() == 2);
  CHECK(f.requests_sent("INVITE")[1].message->top_via().branch == sent.message->top_via().branch);
  f.from_network(caller_cancel());  // forwarded like any request, with the INVITE's branch
  REQUIRE(f.requests_sent("CANCEL").size() == 1);
  CHECK(f.requests_sent("CANCEL")[0].message->top_via().branch == sent.message->top_via().branch);
  CHECK(f.upstream("CANCEL").empty());
  // Responses by their Via; no 100 of our own.
  f.answer(sent, 180, "b21");
  CHECK(f.upstream() == std::vector<int>{180});
  CHECK(f.last_upstream()->via_count() == 1);
}

}  // namespace sipactor::test

namespace sipactor::test {

// Response contexts are reused by their shard (actors/proxy_env.hpp). The first call ends with a
// 486; its CANCEL arrives after that final response (§9.2: 200, nothing left to cancel) and must
// not touch the next call, which the same shard serves (same Call-ID hash), most likely with the
// same context actor.
TEST_CASE("proxy core: a late CANCEL of a finished call leaves the next call of the shard alone", "[proxy][actors]") {
  proxy_fixture f;
  f.bindings[bob] = contacts({{"sip:bob@192.0.2.21", 1000}});
  f.from_network(request());
  auto first = f.sent_to("INVITE", "192.0.2.21");
  f.answer(first, 486, "busy");
  REQUIRE(f.upstream() == std::vector<int>{486});
  // A second call whose Call-ID goes to the same one of the 2 shards.
  request_parts second_call;
  second_call.vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKalice2";
  for (int i = 2; text_key(second_call.call_id) % 2 != text_key(request_parts{}.call_id) % 2; ++i)
    second_call.call_id = "call-" + std::to_string(i) + "@198.51.100.7";
  f.from_network(request(second_call));
  REQUIRE(f.requests_sent("INVITE").size() == 2);
  auto second = f.requests_sent("INVITE")[1];
  CHECK(second.message->call_id() == second_call.call_id);
  f.answer(second, 180, "ring");
  f.from_network(caller_cancel());  // the first call's
  CHECK(f.upstream("CANCEL") == std::vector<int>{200});
  CHECK(f.requests_sent("CANCEL").empty());
  f.answer(second, 200, "ring");
  CHECK(f.upstream() == std::vector<int>{486, 180, 200});
}

}  // namespace sipactor::test
