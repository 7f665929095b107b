// Proxy-to-user authentication (RFC 3261 §16.3 item 6, §22.3; actors/proxy_auth.hpp) on CAF's
// test_coordinator: which requests need credentials, the 407 and its challenges, every failure
// with its status, the From check, nonce replay across Call-IDs, and the credentials of our realm
// consumed while those of other realms stay. A fake server transaction records the answers and a
// fake proxy core what is passed on.
#include <chrono>
#include <memory>

#include "actors/auth_client.hpp"
#include "actors/auth_credentials.hpp"
#include "actors/proxy_auth.hpp"
#include "messages/text.hpp"
#include "tests/actors/auth_test_helpers.hpp"
#include "tests/actors/location_test_fixture.hpp"
#include "tests/actors/proxy_test_messages.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;
using proxy_test::request;
using proxy_test::request_parts;
using proxy_test::values;

const std::vector<std::string> our_domains{"example.com"};

struct proxy_auth_fixture : coordinator_fixture {
  proxy_auth_config config;
  proxy_authenticator auth;
  std::vector<message_ptr> answers;  // what the fake server transaction was sent
  std::vector<message_ptr> passed;   // what reached the fake proxy core
  caf::actor txn = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const message_ptr& m) { answers.push_back(m); }};
  }, this);
  caf::actor core = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const tu_request& e) { passed.push_back(e.inbound.message); }};
  }, this);

  proxy_auth_fixture() {
    auto table = std::make_shared<auth::user_table>();
    table->put(auth::hash_password("alice", "example.com", "wonderland"));
    table->put(auth::hash_password("carol", "example.com", "looking-glass"));
    config.users = table;
    config.domains = our_domains;
    config.shards = 2;
    config.wall_origin = test_epoch;
    config.nonce_secret = "proxy auth test secret";
    config.next = core;
    auth = spawn_proxy_authenticator(sys, config);
    sched.run();
  }
  ~proxy_auth_fixture() {
    stop_proxy_authenticator(auth);
    caf::anon_send_exit(txn, caf::exit_reason::kill);
    caf::anon_send_exit(core, caf::exit_reason::kill);
    sched.run();
  }

  void deliver(const message_ptr& m) {
    answers.clear();
    passed.clear();
    caf::anon_send(auth.entry, tu_request{inbound(m, transport_kind::udp), txn, {}});
    sched.run();
  }
  // The answer to `m`, which must not have been passed on.
  message_ptr answer_to(const message_ptr& m) {
    deliver(m);
    REQUIRE(passed.empty());
    REQUIRE(answers.size() == 1);
    return answers.front();
  }
  // What the core got for `m`, which must not have been answered.
  message_ptr passed_on(const message_ptr& m) {
    deliver(m);
    REQUIRE(answers.empty());
    REQUIRE(passed.size() == 1);
    return passed.front();
  }
  message_ptr challenge(const request_parts& p) {
    auto r = answer_to(request(p));
    REQUIRE(r->status() == 407);
    return r;
  }
  // `p` with a Proxy-Authorization answering `challenge` (its first offer, or the `prefer`red).
  message_ptr answered(request_parts p, const message& challenge, const auth::digest_account& account,
                       std::uint32_t nc = 1, std::string_view prefer = {}) {
    p.extra.push_back("Proxy-Authorization: " +
                      answer_challenge(challenge.proxy_authenticate(), account, p.method, p.request_uri, nc, prefer));
    return request(p);
  }
  proxy_auth_counters counters() {
    proxy_auth_counters total;
    for (const auto& shard : auth.shards) total += ask<proxy_auth_counters>(shard, proxy_auth_stats_atom::value);
    return total;
  }
};

auth::digest_account account(std::string user, std::string password) {
  auth::digest_account a;
  a.username = std::move(user);
  a.password = std::move(password);
  return a;
}

request_parts invite() { return request_parts{}; }  // From alice@example.com, To bob@example.com

}  // namespace

TEST_CASE("Proxy auth: which requests need credentials (§16.3 item 6, §22.1)", "[proxy][auth]") {
  CHECK(needs_proxy_authentication(our_domains, *request(invite())));
  request_parts p = invite();
  SECTION("other methods outside a dialog, From one of our domains") {
    p.method = "MESSAGE";
    CHECK(needs_proxy_authentication(our_domains, *request(p)));
    p.method = "OPTIONS";
    CHECK(needs_proxy_authentication(our_domains, *request(p)));
  }
  SECTION("the domain compares without case") {
    p.from = "<sip:alice@EXAMPLE.com>;tag=x";
    CHECK(needs_proxy_authentication(our_domains, *request(p)));
  }
  SECTION("not: From another domain (a call to our users)") {
    p.from = "<sip:zoe@elsewhere.example.net>;tag=x";
    CHECK_FALSE(needs_proxy_authentication(our_domains, *request(p)));
  }
  SECTION("not: inside a dialog") {
    p.method = "BYE";
    p.to_tag = "b7";
    CHECK_FALSE(needs_proxy_authentication(our_domains, *request(p)));
  }
  SECTION("not: REGISTER, ACK, CANCEL") {
    for (const char* method : {"REGISTER", "ACK", "CANCEL"}) {
      p.method = method;
      CHECK_FALSE(needs_proxy_authentication(our_domains, *request(p)));
    }
  }
  SECTION("not: a tel: From") {
    p.from = "<tel:+15551234>;tag=x";
    CHECK_FALSE(needs_proxy_authentication(our_domains, *request(p)));
  }
}

TEST_CASE("Proxy auth: credentials of our realm are consumed, others stay (§22.3)", "[proxy][auth]") {
  request_parts p = invite();
  p.extra = {"Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n1\", "
             "uri=\"sip:bob@example.com\", response=\"0123456789abcdef0123456789abcdef\"",
             "Proxy-Authorization: Digest username=\"alice\", realm=\"carrier.example.net\", nonce=\"n2\", "
             "uri=\"sip:bob@example.com\", response=\"fedcba9876543210fedcba9876543210\""};
  auto m = request(p);
  auto out = without_proxy_credentials_for(m, our_domains);
  auto left = values(*out, header_id::proxy_authorization);
  REQUIRE(left.size() == 1);
  CHECK_THAT(left[0], Catch::Contains("realm=\"carrier.example.net\""));
  CHECK(out->call_id() == m->call_id());
  CHECK(out->body() == m->body());
  // Nothing of ours: the same message, not a copy.
  auto plain = request(invite());
  CHECK(without_proxy_credentials_for(plain, our_domains).get() == plain.get());
}

TEST_CASE_METHOD(proxy_auth_fixture, "Proxy auth: 407 offers SHA-256 then MD5, either answer passes the request on",
                 "[proxy][auth][actor]") {
  auto c = challenge(invite());
  CHECK(c->reason_phrase() == "Proxy Authentication Required");
  auto offered = values(*c, header_id::proxy_authenticate);
  REQUIRE(offered.size() == 2);
  CHECK_THAT(offered[0], Catch::Contains("algorithm=SHA-256") && Catch::Contains("realm=\"example.com\""));
  CHECK_THAT(offered[1], Catch::Contains("algorithm=MD5"));
  CHECK(values(*c, header_id::www_authenticate).empty());
  CHECK_FALSE(c->to_tag().empty());  // §8.2.6.2
  request_parts again = invite();
  again.cseq = "2";
  std::string algorithm = GENERATE(std::string("SHA-256"), std::string("MD5"));
  auto out = passed_on(answered(again, *c, account("alice", "wonderland"), 1, algorithm));
  CHECK(out->cseq().number == 2);
  CHECK(values(*out, header_id::proxy_authorization).empty());  // consumed
  CHECK(counters().authenticated == 1);
  CHECK(counters().challenged == 1);
}

TEST_CASE_METHOD(proxy_auth_fixture, "Proxy auth: every failure gets its status", "[proxy][auth][actor]") {
  auto c = challenge(invite());
  request_parts again = invite();
  again.cseq = "2";
  SECTION("wrong password: 403") {
    CHECK(answer_to(answered(again, *c, account("alice", "wrong")))->status() == 403);
    CHECK(counters().refused == 1);
  }
  SECTION("unknown user: 403") {
    CHECK(answer_to(answered(again, *c, account("eve", "wonderland")))->status() == 403);
  }
  SECTION("another user's valid credentials: 403, the From must be the user") {
    auto r = answer_to(answered(again, *c, account("carol", "looking-glass")));
    CHECK(r->status() == 403);
    CHECK(r->reason_phrase() == "Forbidden (From does not match the authenticated user)");
    // Carol sending as herself with the same nonce passes.
    request_parts as_carol = again;
    as_carol.from = "<sip:carol@example.com>;tag=c1";
    passed_on(answered(as_carol, *c, account("carol", "looking-glass"), 2));
  }
  SECTION("unreadable credentials: 400 with the reason") {
    again.extra = {"Proxy-Authorization: Digest username=\"alice\", realm=\"example.com\", "
                   "uri=\"sip:bob@example.com\", response=\"0123456789abcdef0123456789abcdef\""};
    CHECK(answer_to(request(again))->status() == 400);
  }
  SECTION("credentials for another realm only: a new challenge, and they are not ours to consume") {
    again.extra = {"Proxy-Authorization: Digest username=\"alice\", realm=\"carrier.example.net\", nonce=\"n\", "
                   "uri=\"sip:bob@example.com\", response=\"0123456789abcdef0123456789abcdef\""};
    CHECK(answer_to(request(again))->status() == 407);
  }
  SECTION("WWW-style Authorization is not proxy credentials: a new challenge") {
    auto value = auth::credentials_value(c->proxy_authenticate()->front(), account("alice", "wonderland"),
                                         {"INVITE", again.request_uri, 1, "0a4f113b"});
    REQUIRE(value);
    again.extra = {"Authorization: " + *value};
    CHECK(answer_to(request(again))->status() == 407);
  }
  SECTION("replayed nonce count, under another Call-ID: 407 with stale=true") {
    passed_on(answered(again, *c, account("alice", "wonderland"), 1));
    request_parts replay = again;
    replay.call_id = "replayer@203.0.113.9";
    auto r = answer_to(answered(replay, *c, account("alice", "wonderland"), 1));
    CHECK(r->status() == 407);
    CHECK_THAT(values(*r, header_id::proxy_authenticate).at(0), Catch::Contains("stale=true"));
    // The next count passes, under any Call-ID.
    passed_on(answered(replay, *c, account("alice", "wonderland"), 2));
  }
  SECTION("stale nonce with a correct response: 407 with stale=true") {
    sched.advance_time(301s);
    sched.run();
    auto r = answer_to(answered(again, *c, account("alice", "wonderland")));
    CHECK(r->status() == 407);
    CHECK_THAT(values(*r, header_id::proxy_authenticate).at(0), Catch::Contains("stale=true"));
  }
}

}  // namespace sipactor::test
