// The TU of `sipactor proxy` (apps/proxy_tu.hpp) on CAF's test_coordinator: which part answers
// which request, the 501 until a proxy core is plugged in, and the 503 while draining.
#include "apps/proxy_tu.hpp"
#include "messages/text.hpp"
#include "tests/actors/location_test_fixture.hpp"

namespace sipactor::test {
namespace {

struct tu_fixture : coordinator_fixture {
  std::vector<message_ptr> answers;     // sent to the server transaction
  std::vector<tu_request> registrar_got;
  std::vector<tu_request> proxy_got;
  caf::actor txn = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const message_ptr& m) { answers.push_back(m); }};
  }, this);
  caf::actor registrar = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const tu_request& e) { registrar_got.push_back(e); }};
  }, this);
  caf::actor proxy = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const tu_request& e) { proxy_got.push_back(e); }};
  }, this);
  std::vector<tu_request> authenticator_got;
  caf::actor authenticator = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const tu_request& e) { authenticator_got.push_back(e); }};
  }, this);
  caf::actor tu;

  explicit tu_fixture(bool redirect = false, bool authenticate = false) {
    apps::proxy_tu_config c;
    c.registrar = registrar;
    c.redirect = redirect;
    c.domains = {"biloxi.example.com"};
    c.listening = {{transport_kind::udp, address("192.0.2.10", 5060)}};
    c.retry_after = 3;
    if (authenticate) c.authenticator = authenticator;
    tu = apps::spawn_proxy_tu(sys, c);
    sched.run();
  }
  ~tu_fixture() {
    for (auto& a : {txn, registrar, proxy, authenticator, tu}) caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
  }
  void deliver(const std::string& method, const std::string& request_uri, const std::string& to_tag = {}) {
    register_message m;
    m.method = method;
    m.request_uri = request_uri;
    if (!to_tag.empty()) m.to += ";tag=" + to_tag;
    caf::anon_send(tu, tu_request{inbound(m.build(), transport_kind::udp), txn, {}});
    sched.run();
  }
  std::string header(const message& m, std::string_view name) { return std::string(m.header_value(name).value_or("")); }
};

TEST_CASE_METHOD(tu_fixture, "Proxy TU: REGISTER to the registrar, OPTIONS to us 200, the rest 501 without a proxy core",
                 "[apps][proxy_tu]") {
  deliver("REGISTER", "sip:biloxi.example.com");
  CHECK(registrar_got.size() == 1);
  deliver("OPTIONS", "sip:biloxi.example.com");
  deliver("OPTIONS", "sip:192.0.2.10:5060");
  REQUIRE(answers.size() == 2);
  CHECK(answers[0]->status() == 200);
  CHECK(header(*answers[0], "Allow") == "OPTIONS, REGISTER");
  CHECK(answers[1]->status() == 200);
  deliver("INVITE", "sip:bob@biloxi.example.com");
  deliver("OPTIONS", "sip:bob@biloxi.example.com");  // to a user: routed, not ours
  REQUIRE(answers.size() == 4);
  CHECK(answers[2]->status() == 501);
  CHECK(answers[3]->status() == 501);
  deliver("ACK", "sip:bob@biloxi.example.com");
  CHECK(answers.size() == 4);  // nothing answers an ACK
}

TEST_CASE_METHOD(tu_fixture, "Proxy TU: a plugged-in proxy core gets every request that is not ours",
                 "[apps][proxy_tu]") {
  caf::anon_send(tu, apps::proxy_core_atom::value, proxy);
  sched.run();
  deliver("INVITE", "sip:bob@biloxi.example.com");
  deliver("ACK", "sip:bob@biloxi.example.com");
  deliver("REGISTER", "sip:biloxi.example.com");
  CHECK(proxy_got.size() == 2);
  CHECK(registrar_got.size() == 1);
  CHECK(answers.empty());
}

struct authenticating_tu_fixture : tu_fixture {
  authenticating_tu_fixture() : tu_fixture(false, true) {}
};

// §16.3 item 6 (actors/proxy_auth.hpp): the From of these requests (bob@biloxi.example.com) is
// one of our users.
TEST_CASE_METHOD(authenticating_tu_fixture,
                 "Proxy TU: with an authenticator, our users' requests outside a dialog go through it",
                 "[apps][proxy_tu][auth]") {
  caf::anon_send(tu, apps::proxy_core_atom::value, proxy);
  sched.run();
  deliver("INVITE", "sip:alice@atlanta.example.com");
  deliver("MESSAGE", "sip:alice@atlanta.example.com");
  CHECK(authenticator_got.size() == 2);
  deliver("ACK", "sip:alice@atlanta.example.com");
  deliver("CANCEL", "sip:alice@atlanta.example.com");
  deliver("BYE", "sip:alice@atlanta.example.com", "314159");
  CHECK(proxy_got.size() == 3);
  deliver("REGISTER", "sip:biloxi.example.com");
  CHECK(registrar_got.size() == 1);
  CHECK(authenticator_got.size() == 2);
}

TEST_CASE("Proxy TU: with redirect on, other requests go to the registrar's redirect server", "[apps][proxy_tu]") {
  tu_fixture f(true);
  f.deliver("INVITE", "sip:bob@biloxi.example.com");
  CHECK(f.registrar_got.size() == 1);
  CHECK(f.answers.empty());
}

TEST_CASE_METHOD(tu_fixture, "Proxy TU: draining answers new requests 503 with Retry-After, ACK and CANCEL pass",
                 "[apps][proxy_tu]") {
  caf::anon_send(tu, apps::drain_atom::value);
  sched.run();
  deliver("REGISTER", "sip:biloxi.example.com");
  deliver("INVITE", "sip:bob@biloxi.example.com");
  REQUIRE(answers.size() == 2);
  for (const auto& a : answers) {
    CHECK(a->status() == 503);
    CHECK(header(*a, "Retry-After") == "3");
  }
  CHECK(registrar_got.empty());
  deliver("CANCEL", "sip:bob@biloxi.example.com");
  REQUIRE(answers.size() == 3);
  CHECK(answers[2]->status() == 481);  // §9.2: it matched no INVITE
}

}  // namespace
}  // namespace sipactor::test
