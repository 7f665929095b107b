// The registrar actor on CAF's test_coordinator (issue 6): every §10.3 step through the actor as
// a REGISTER call flow (RFC 3665 §2.1), every Digest failure with its status (§22, RFC 2617,
// RFC 8760), the 503 of an overloaded registrar, a store that fails, and the redirect server of
// §8.3. A fake server transaction records what the registrar answers.
#include <chrono>
#include <memory>

#include "actors/auth_client.hpp"
#include "actors/registrar.hpp"
#include "messages/text.hpp"
#include "tests/actors/auth_test_helpers.hpp"
#include "tests/actors/location_test_fixture.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

const std::string bob = "sip:bob@biloxi.example.com";
const std::string realm = "biloxi.example.com";

std::vector<std::string> header_values(const message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& h : m.headers())
    if (text::iequals(h.name, name)) out.emplace_back(h.value);
  return out;
}

struct registrar_fixture : coordinator_fixture {
  registrar_actor_config config;
  location_service location;
  registrar reg;
  std::vector<message_ptr> answers;  // what the fake server transaction was sent
  caf::actor txn = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const message_ptr& m) { answers.push_back(m); }};
  }, this);

  registrar_fixture() {
    config.rules = biloxi_registrar();
    config.shards = 2;
    config.wall_origin = test_epoch;
    config.auth.nonce_secret = "registrar test secret";
  }
  ~registrar_fixture() {
    stop_registrar(reg);
    stop_location_service(location);
    caf::anon_send_exit(txn, caf::exit_reason::kill);
    sched.run();
  }

  void start_with(location_store_config store = memory_store()) {
    location = spawn_location_service(sys, {2, test_epoch}, spawn_location_store(sys, store));
    reg = spawn_registrar(sys, config, location);
    sched.run();
  }
  void with_users(std::vector<auth::user_credentials> users) {
    auto table = std::make_shared<auth::user_table>();
    for (auto& u : users) table->put(std::move(u));
    config.auth.users = table;
  }
  void advance(std::chrono::seconds d) {
    sched.advance_time(d);
    sched.run();
  }

  // Sends the request as the transaction layer does; the registrar's answers, in order.
  std::vector<message_ptr> deliver(const message_ptr& request) {
    answers.clear();
    caf::anon_send(reg.entry, tu_request{inbound(request, transport_kind::udp), txn, {}});
    sched.run();
    return answers;
  }
  message_ptr send(const message_ptr& request) {
    auto got = deliver(request);
    REQUIRE(got.size() == 1);
    return got.front();
  }
  message_ptr send(const register_message& m) { return send(m.build()); }

  // The REGISTER `m` with credentials answering the challenges of `challenge`.
  message_ptr answered(register_message m, const message& challenge, const auth::digest_account& account,
                       std::uint32_t nc = 1, std::string_view prefer = {}) {
    m.extra.push_back("Authorization: " +
                      answer_challenge(challenge.www_authenticate(), account, "REGISTER", m.request_uri, nc, prefer));
    return m.build();
  }

  registrar_counters counters() {
    registrar_counters total;
    for (const auto& shard : reg.shards) total += ask<registrar_counters>(shard, registrar_stats_atom::value);
    return total;
  }
};

auth::digest_account bob_account(std::string password = "zanzibar") {
  auth::digest_account a;
  a.username = "bob";
  a.password = std::move(password);
  return a;
}

// --- §10.3 without authentication

TEST_CASE_METHOD(registrar_fixture, "Registrar: register, fetch, refresh and remove through the actor (§10.3)",
                 "[registrar][actor]") {
  start_with();
  register_message m;
  m.contact("<sip:bob@192.0.2.4>");
  auto ok = send(m);
  REQUIRE(ok->status() == 200);
  CHECK(header_values(*ok, "Contact") == std::vector<std::string>{"<sip:bob@192.0.2.4>;expires=3600"});
  CHECK(header_values(*ok, "Date") == std::vector<std::string>{"Tue, 14 Nov 2023 22:13:20 GMT"});  // §10.3 step 8
  CHECK_FALSE(ok->to_tag().empty());

  advance(100s);
  register_message fetch;  // §10.2.3: no Contact
  fetch.cseq = 2;
  auto listed = send(fetch);
  REQUIRE(listed->status() == 200);
  CHECK(header_values(*listed, "Contact") == std::vector<std::string>{"<sip:bob@192.0.2.4>;expires=3500"});

  register_message refresh = m;  // §10.2.1: same Call-ID, higher CSeq
  refresh.cseq = 3;
  refresh.expires = "7200";
  CHECK(header_values(*send(refresh), "Contact") == std::vector<std::string>{"<sip:bob@192.0.2.4>;expires=7200"});

  register_message remove = m;  // §10.2.2
  remove.cseq = 4;
  remove.contacts = {"<sip:bob@192.0.2.4>;expires=0"};
  auto removed = send(remove);
  CHECK(removed->status() == 200);
  CHECK(header_values(*removed, "Contact").empty());
  CHECK(counters().stored == 4);
  CHECK(counters().in_flight == 0);
}

TEST_CASE_METHOD(registrar_fixture, "Registrar: the steps of §10.3 that reject, with their status codes",
                 "[registrar][actor]") {
  start_with();
  SECTION("step 1: a Request-URI for another domain gets 404") {
    register_message m;
    m.request_uri = "sip:atlanta.example.com";
    m.to = "<sip:bob@atlanta.example.com>";
    m.contact("<sip:bob@192.0.2.4>");
    CHECK(send(m)->status() == 404);
  }
  SECTION("step 2: an unsupported Require gets 420 with Unsupported") {
    register_message m;
    m.contact("<sip:bob@192.0.2.4>");
    m.extra = {"Require: foo"};
    auto r = send(m);
    CHECK(r->status() == 420);
    CHECK(header_values(*r, "Unsupported") == std::vector<std::string>{"foo"});
  }
  SECTION("step 5: an AOR outside the Request-URI's domain gets 404") {
    register_message m;
    m.to = "<sip:bob@atlanta.example.com>";
    m.contact("<sip:bob@192.0.2.4>");
    CHECK(send(m)->status() == 404);
  }
  SECTION("step 6: Contact * with other contacts or an Expires other than 0 gets 400") {
    register_message m;
    m.contact("*");
    m.expires = "0";
    m.contact("<sip:bob@192.0.2.4>");
    CHECK(send(m)->status() == 400);
    register_message n;
    n.contact("*");
    n.expires = "60";
    CHECK(send(n)->status() == 400);
  }
  SECTION("step 7: an interval too brief gets 423 with Min-Expires") {
    register_message m;
    m.contact("<sip:bob@192.0.2.4>;expires=30");
    auto r = send(m);
    CHECK(r->status() == 423);
    CHECK(header_values(*r, "Min-Expires") == std::vector<std::string>{"60"});
  }
  SECTION("steps 6-7: a REGISTER of the same Call-ID with a CSeq not above the binding's gets 500") {
    register_message m;
    m.cseq = 5;
    m.contact("<sip:bob@192.0.2.4>");
    REQUIRE(send(m)->status() == 200);
    m.cseq = 4;
    CHECK(send(m)->status() == 500);
    CHECK(counters().refused == 1);
  }
  SECTION("not a redirect server: other methods get 405 with Allow: REGISTER") {
    register_message m;
    m.method = "OPTIONS";
    m.request_uri = bob;
    auto r = send(m);
    CHECK(r->status() == 405);
    CHECK(header_values(*r, "Allow") == std::vector<std::string>{"REGISTER"});
  }
}

TEST_CASE_METHOD(registrar_fixture, "Registrar: Contact * removes every binding, 200 lists them by q, expiry on time",
                 "[registrar][actor]") {
  start_with();
  register_message m;
  m.contact("<sip:bob@192.0.2.4>;q=0.5").contact("<sip:bob@192.0.2.5>;q=0.9;expires=120");
  auto ok = send(m);
  CHECK(header_values(*ok, "Contact") == std::vector<std::string>{"<sip:bob@192.0.2.5>;q=0.9;expires=120",
                                                                   "<sip:bob@192.0.2.4>;q=0.5;expires=3600"});
  advance(121s);  // the second binding expired on the actor clock
  register_message fetch;
  fetch.call_id = "other@biloxi.example.com";
  CHECK(header_values(*send(fetch), "Contact") == std::vector<std::string>{"<sip:bob@192.0.2.4>;q=0.5;expires=3479"});
  register_message all;
  all.cseq = 2;
  all.contact("*");
  all.expires = "0";
  auto removed = send(all);
  CHECK(removed->status() == 200);
  CHECK(header_values(*removed, "Contact").empty());
}

TEST_CASE_METHOD(registrar_fixture, "Registrar: no 200 before the store committed, a failing store gives 500",
                 "[registrar][actor]") {
  temp_dir dir;
  location_store_config store = file_store(dir.file("full.db"));
  store.max_pages = 8;
  start_with(store);
  register_message m;
  m.contact("<sip:bob@192.0.2.4;x=" + std::string(40000, 'a') + ">");
  auto r = send(m);
  CHECK(r->status() == 500);
  register_message small;
  small.call_id = "small@biloxi.example.com";
  small.contact("<sip:bob@192.0.2.9>");
  CHECK(send(small)->status() == 200);
}

TEST_CASE_METHOD(registrar_fixture, "Registrar: REGISTERs beyond the in-flight bound get 503 with Retry-After",
                 "[registrar][actor]") {
  config.shards = 1;
  config.max_in_flight = 1;
  config.retry_after = 7;
  start_with();
  register_message a;
  a.contact("<sip:bob@192.0.2.4>");
  register_message b = a;
  b.to = "<sip:carol@biloxi.example.com>";
  b.call_id = "carol@biloxi.example.com";
  answers.clear();
  // Both wait in the shard's mailbox: the second finds the first still at the location service.
  caf::anon_send(reg.entry, tu_request{inbound(a.build(), transport_kind::udp), txn, {}});
  caf::anon_send(reg.entry, tu_request{inbound(b.build(), transport_kind::udp), txn, {}});
  sched.run();
  REQUIRE(answers.size() == 2);
  CHECK(answers[0]->status() == 503);
  CHECK(header_values(*answers[0], "Retry-After") == std::vector<std::string>{"7"});
  CHECK(answers[1]->status() == 200);
  CHECK(counters().overloaded == 1);
  // Once the first is answered the next one passes.
  b.cseq = 2;
  CHECK(send(b)->status() == 200);
}

// --- §10.3 step 3: Digest authentication

struct auth_fixture : registrar_fixture {
  auth_fixture() {
    with_users({auth::hash_password("bob", realm, "zanzibar")});
    start_with();
  }
  message_ptr challenge(register_message m) {
    auto r = send(m);
    REQUIRE(r->status() == 401);
    return r;
  }
};

TEST_CASE_METHOD(auth_fixture, "Registrar auth: 401 offers SHA-256 then MD5, either answer registers",
                 "[registrar][actor][auth]") {
  register_message m;
  m.contact("<sip:bob@192.0.2.4>");
  auto c = challenge(m);
  auto offered = header_values(*c, "WWW-Authenticate");
  REQUIRE(offered.size() == 2);  // RFC 8760 §2.3: one per algorithm, preferred first
  CHECK_THAT(offered[0], Catch::Contains("algorithm=SHA-256") && Catch::Contains("realm=\"biloxi.example.com\"") &&
                             Catch::Contains("qop=\"auth\""));
  CHECK_THAT(offered[1], Catch::Contains("algorithm=MD5"));
  m.cseq = 2;
  SECTION("SHA-256") { CHECK(send(answered(m, *c, bob_account(), 1, "SHA-256"))->status() == 200); }
  SECTION("MD5") { CHECK(send(answered(m, *c, bob_account(), 1, "MD5"))->status() == 200); }
  SECTION("the nonce is used again with a higher nc, by any Call-ID") {
    REQUIRE(send(answered(m, *c, bob_account()))->status() == 200);
    register_message other = m;
    other.call_id = "second-ua@biloxi.example.com";
    other.cseq = 1;
    CHECK(send(answered(other, *c, bob_account(), 2))->status() == 200);
  }
  CHECK(counters().challenged == 1);
}

TEST_CASE_METHOD(auth_fixture, "Registrar auth: every failure gets its status", "[registrar][actor][auth]") {
  register_message m;
  m.contact("<sip:bob@192.0.2.4>");
  auto c = challenge(m);
  m.cseq = 2;
  SECTION("wrong password: 403") { CHECK(send(answered(m, *c, bob_account("wrong")))->status() == 403); }
  SECTION("§10.3 step 4: a valid user registering another user's AOR: 403") {
    register_message other = m;
    other.to = "Alice <sip:alice@biloxi.example.com>";
    other.cseq = 1;
    auto c2 = challenge(other);
    other.cseq = 2;
    auto r = send(answered(other, *c2, bob_account()));
    CHECK(r->status() == 403);
    CHECK(r->reason_phrase() == "Forbidden (not authorized for this address-of-record)");
    CHECK(counters().refused == 1);
    // Its own AOR with the same credentials still registers.
    CHECK(send(answered(m, *c, bob_account()))->status() == 200);
  }
  SECTION("unknown user: 403, the same answer") {
    auth::digest_account eve{"eve", std::string("zanzibar"), {}, {}};
    CHECK(send(answered(m, *c, eve))->status() == 403);
  }
  SECTION("credentials for another realm only: a new challenge") {
    m.extra.push_back(
        "Authorization: Digest username=\"bob\", realm=\"atlanta.example.com\", nonce=\"abc\", "
        "uri=\"sip:biloxi.example.com\", response=\"0123456789abcdef0123456789abcdef\"");
    CHECK(send(m)->status() == 401);
  }
  SECTION("unreadable credentials (no nonce): 400") {
    m.extra.push_back("Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", "
                      "uri=\"sip:biloxi.example.com\", response=\"0123456789abcdef0123456789abcdef\"");
    CHECK(send(m)->status() == 400);
  }
  SECTION("a nonce that is not ours: a new challenge without stale") {
    m.extra.push_back(
        "Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"forged\", "
        "uri=\"sip:biloxi.example.com\", response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001, "
        "cnonce=\"x\"");
    auto r = send(m);
    CHECK(r->status() == 401);
    CHECK_THAT(header_values(*r, "WWW-Authenticate").at(0), !Catch::Contains("stale"));
  }
  SECTION("stale nonce with a correct response: 401 with stale=true") {
    advance(301s);  // past the 300 s nonce lifetime, on the actor clock
    auto r = send(answered(m, *c, bob_account()));
    CHECK(r->status() == 401);
    CHECK_THAT(header_values(*r, "WWW-Authenticate").at(0), Catch::Contains("stale=true"));
  }
  SECTION("replayed nonce count: 401 with stale=true, even under another Call-ID") {
    auto first = answered(m, *c, bob_account(), 1);
    REQUIRE(send(first)->status() == 200);
    register_message replay = m;
    replay.call_id = "replayer@example.net";
    auto r = send(answered(replay, *c, bob_account(), 1));
    CHECK(r->status() == 401);
    CHECK_THAT(header_values(*r, "WWW-Authenticate").at(0), Catch::Contains("stale=true"));
  }
  SECTION("a digest uri other than the Request-URI: 400") {
    auto offered = c->www_authenticate();
    auto value = auth::credentials_value(offered->front(), bob_account(), {"REGISTER", "sip:other.example.com", 1, "c"});
    m.extra.push_back("Authorization: " + *value);
    CHECK(send(m)->status() == 400);
  }
}

// --- §8.3: redirect server

TEST_CASE_METHOD(registrar_fixture, "Redirect mode: 302 with the contacts by q, 480 for a known user, 404 else",
                 "[registrar][actor][redirect]") {
  config.redirect = true;
  with_users({auth::hash_password("carol", realm, "x")});
  start_with();
  // Users are configured, so REGISTER needs credentials: register through a challenge.
  register_message m;
  m.contact("<sip:bob@192.0.2.4>;q=0.5").contact("<sip:bob@192.0.2.5>");
  REQUIRE(send(m)->status() == 401);

  register_message carol;
  carol.to = "<sip:carol@biloxi.example.com>";
  carol.contact("<sip:carol@192.0.2.7>;q=0.3").contact("<sip:carol@192.0.2.8;transport=tcp>;q=0.8");
  auto c = send(carol);
  carol.cseq = 2;
  auth::digest_account account{"carol", std::string("x"), {}, {}};
  REQUIRE(send(answered(carol, *c, account))->status() == 200);

  register_message invite;
  invite.method = "INVITE";
  invite.request_uri = "sip:carol@biloxi.example.com";
  invite.to = "<sip:carol@biloxi.example.com>";
  auto r = send(invite);
  REQUIRE(r->status() == 302);
  CHECK(header_values(*r, "Contact") ==
        std::vector<std::string>{"<sip:carol@192.0.2.8;transport=tcp>;q=0.800", "<sip:carol@192.0.2.7>;q=0.300"});
  CHECK(counters().redirected == 1);

  invite.request_uri = bob;  // not a user of the users file, not registered
  CHECK(send(invite)->status() == 404);
  register_message remove = carol;
  remove.cseq = 3;
  remove.contacts = {"*"};
  remove.expires = "0";
  auto c2 = send(remove);
  remove.cseq = 4;
  REQUIRE(send(answered(remove, *c2, account))->status() == 200);
  invite.request_uri = "sip:carol@biloxi.example.com";
  CHECK(send(invite)->status() == 480);  // known, not registered now
  invite.request_uri = "sip:carol@atlanta.example.com";
  CHECK(send(invite)->status() == 404);
  invite.method = "ACK";
  CHECK(deliver(invite.build()).empty());
}

TEST_CASE("Registrar: requests with credentials are sharded by nonce, others by Call-ID", "[registrar]") {
  register_message m;
  m.contact("<sip:bob@192.0.2.4>");
  register_message a = m, b = m;
  a.call_id = "one@x";
  b.call_id = "two@x";
  a.extra = b.extra = {"Authorization: Digest username=\"bob\", realm=\"r\", nonce=\"n1\", uri=\"sip:r\", response=\"0\""};
  CHECK(registrar_shard_of(*a.build(), 64) == registrar_shard_of(*b.build(), 64));
  CHECK(registrar_shard_of(*m.build(), 64) == std::hash<std::string_view>{}(m.call_id) % 64);
}

}  // namespace
}  // namespace sipactor::test
