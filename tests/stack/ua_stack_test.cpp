// Two sipactor stacks in one actor system, talking over UDP on 127.0.0.1 (issue 5): the
// embedding API end to end. RFC 3665 §2-3 call flows where they apply to two UAs: a successful
// session (§3.1), busy (§3.3-style 486), an unanswered call cancelled (§3.8), a re-INVITE and a
// BYE from the callee; OPTIONS (§11) and a request the application answers.
#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <memory>

#include "actors/auth_digest.hpp"
#include "actors/stack.hpp"
#include "tests/stack/test_app.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

stack_config udp_on_loopback() {
  stack_config c;
  c.transport.listen.push_back({transport::transport_kind::udp, *transport::socket_address::from("127.0.0.1", 0)});
  c.transport.udp_readers = 1;
  c.transactions.shards = 2;
  c.ua.shards = 2;
  c.ua.policy.capabilities.allowed_methods = {"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "MESSAGE", "INFO"};
  c.ua.policy.capabilities.accept = {"application/sdp", "text/plain"};
  return c;
}

std::string uri_of(const stack& s, const std::string& user) {
  return "sip:" + user + "@" + s.listening.front().address.to_string();
}

// Alice calls Bob: two stacks, two applications, one actor system.
struct two_stacks {
  caf::actor_system sys{stack_test_config()};
  std::shared_ptr<app_log> alice_log = std::make_shared<app_log>();
  std::shared_ptr<app_log> bob_log = std::make_shared<app_log>();
  stack alice, bob;
  caf::scoped_actor self{sys};

  explicit two_stacks(app_script bob_script = {}, stack_config alice_config = udp_on_loopback()) {
    alice = spawn_stack(sys, alice_config, spawn_test_app(sys, alice_log, {}));
    bob = spawn_stack(sys, udp_on_loopback(), spawn_test_app(sys, bob_log, std::move(bob_script)));
    REQUIRE(alice);
    REQUIRE(bob);
  }
  ~two_stacks() {
    stop_stack(alice);
    stop_stack(bob);
  }

  call_outcome call(const std::string& call_ref = {}, const std::string& target = {}) {
    call_outcome out;
    self->request(alice.ua, 20s,
                  place_call{target.empty() ? uri_of(bob, "bob") : target, "application/sdp", "v=0\r\n", {}, call_ref})
        .receive([&](const call_outcome& o) { out = o; }, [&](caf::error& e) { out.reason = sys.render(e); });
    return out;
  }
  template <class Handle, class Request>
  request_outcome ask(const Handle& to, Request r) {
    request_outcome out;
    self->request(to, 20s, std::move(r))
        .receive([&](const request_outcome& o) { out = o; }, [&](caf::error& e) { out.reason = sys.render(e); });
    return out;
  }
};

}  // namespace

TEST_CASE("Stack: OPTIONS is answered by the UA core with its capabilities (11.2)", "[stack][ua]") {
  two_stacks t;
  auto out = t.ask(t.alice.ua, send_request{"OPTIONS", uri_of(t.bob, "bob"), {}, {}, {}, {}, {}});
  REQUIRE(out.status == 200);
  REQUIRE(out.response);
  CHECK(out.response->header_value("Allow").value_or("").find("MESSAGE") != std::string_view::npos);
  CHECK(t.bob_log->read([](app_log& l) { return l.requests.size(); }) == 0);  // not the application's
}

TEST_CASE("Stack: a MESSAGE reaches the application, whose answer comes back as the outcome", "[stack][ua]") {
  app_script bob;
  bob.request_answer = answer{202, "Accepted", {{"X-Answered-By", "bob"}}, {}, {}};
  two_stacks t(bob);
  auto out = t.ask(t.alice.ua, send_request{"MESSAGE", uri_of(t.bob, "bob"), {}, "text/plain", "hello", {}, {}});
  CHECK(out.status == 202);
  REQUIRE(out.response);
  CHECK(out.response->header_value("X-Answered-By").value_or("") == "bob");
  REQUIRE(t.bob_log->read([](app_log& l) { return l.requests.size(); }) == 1);
  CHECK(t.bob_log->read([](app_log& l) { return std::string(l.requests[0]->body()); }) == "hello");
}

TEST_CASE("Stack: a successful session, then BYE from the caller (RFC 3665 3.1)", "[stack][ua][call]") {
  app_script bob;
  bob.provisional = {answer{180, {}, {}, {}, {}}};
  two_stacks t(bob);
  call_outcome out = t.call();
  REQUIRE(out.status == 200);
  REQUIRE(out.dialog);
  REQUIRE(out.response);
  CHECK(out.response->body() == "v=0\r\n");
  REQUIRE(t.bob_log->read([](app_log& l) { return l.calls.size(); }) == 1);
  auto bye = t.ask(out.dialog, dialog_request{"BYE", {}, {}, {}});
  CHECK(bye.status == 200);
  CHECK(eventually([&] { return t.bob_log->read([](app_log& l) { return l.ended.size(); }) == 1; }));
  CHECK(t.bob_log->read([](app_log& l) { return l.ended[0]; }) == "BYE received");
}

TEST_CASE("Stack: the callee re-INVITEs and hangs up (RFC 3261 14, 15)", "[stack][ua][call]") {
  two_stacks t;
  call_outcome out = t.call();
  REQUIRE(out.status == 200);
  caf::actor bob_dialog = t.bob_log->read([](app_log& l) { return l.call_handles.at(0); });
  // Wait for the ACK: the callee may not send a BYE before it (15), and a re-INVITE would
  // otherwise meet the INVITE still "in progress" on its side.
  auto reinvite = t.ask(bob_dialog, dialog_request{"INVITE", {}, "application/sdp", "v=0\r\ns=hold\r\n"});
  CHECK(reinvite.status == 200);
  REQUIRE(eventually([&] { return t.alice_log->read([](app_log& l) { return l.requests.size(); }) == 1; }));
  CHECK(t.alice_log->read([](app_log& l) { return l.requests[0]->method(); }) == sip_method::invite);
  auto info = t.ask(bob_dialog, dialog_request{"INFO", {}, {}, {}});
  CHECK(info.status == 200);
  auto bye = t.ask(bob_dialog, dialog_request{"BYE", {}, {}, {}});
  CHECK(bye.status == 200);
  CHECK(eventually([&] { return t.alice_log->read([](app_log& l) { return l.ended.size(); }) == 1; }));
  // Both sides' dialogs are gone: a request to the old handle gets an error, not an answer.
  auto late = t.ask(out.dialog, dialog_request{"INFO", {}, {}, {}});
  CHECK(late.status == 0);
}

TEST_CASE("Stack: busy (486) ends the call without a dialog (RFC 3665 3.3)", "[stack][ua][call]") {
  app_script bob;
  bob.final_answer = answer{486, {}, {}, {}, {}};
  two_stacks t(bob);
  call_outcome out = t.call();
  CHECK(out.status == 486);
  CHECK_FALSE(out.dialog);
}

TEST_CASE("Stack: the caller cancels an unanswered call (RFC 3665 3.8, RFC 3261 9)", "[stack][ua][call]") {
  app_script bob;
  bob.provisional = {answer{180, {}, {}, {}, {}}};
  bob.hold = true;
  two_stacks t(bob);
  call_outcome out;
  auto pending = t.self->request(t.alice.ua, 20s,
                                 place_call{uri_of(t.bob, "bob"), "application/sdp", "v=0\r\n", {}, "call-1"});
  REQUIRE(eventually([&] { return t.bob_log->read([](app_log& l) { return l.calls.size(); }) == 1; }));
  t.self->send(t.alice.ua, cancel_call{"call-1"});
  std::move(pending).receive([&](const call_outcome& o) { out = o; }, [&](caf::error&) {});
  CHECK(out.status == 487);
  CHECK_FALSE(out.dialog);
  CHECK(eventually([&] { return t.bob_log->read([](app_log& l) { return l.cancels.size(); }) == 1; }));
}

TEST_CASE("Stack: INFO outside a dialog goes to the application, a BYE for no dialog gets 481 (15.1.2)",
          "[stack][ua]") {
  two_stacks t;
  auto out = t.ask(t.alice.ua, send_request{"INFO", uri_of(t.bob, "bob"), {{"X-Test", "1"}}, {}, {}, {}, {}});
  CHECK(out.status == 200);
  CHECK(t.bob_log->read([](app_log& l) { return l.requests.size(); }) == 1);
  auto bye = t.ask(t.alice.ua, send_request{"BYE", uri_of(t.bob, "bob"), {}, {}, {}, {}, {}});
  CHECK(bye.status == 481);  // §15.1.2: a BYE for no dialog
}

TEST_CASE("Stack: a 302 is followed to the Contact it names (8.1.3.4)", "[stack][ua][call]") {
  // Carol answers; Bob redirects every call to her.
  two_stacks t;
  auto carol_log = std::make_shared<app_log>();
  stack carol = spawn_stack(t.sys, udp_on_loopback(), spawn_test_app(t.sys, carol_log, {}));
  REQUIRE(carol);
  stop_stack(t.bob);
  app_script redirect;
  redirect.final_answer = answer{302, {}, {{"Contact", "<" + uri_of(carol, "carol") + ">"}}, {}, {}};
  t.bob = spawn_stack(t.sys, udp_on_loopback(), spawn_test_app(t.sys, t.bob_log, redirect));
  REQUIRE(t.bob);
  call_outcome out = t.call();
  CHECK(out.status == 200);
  CHECK(out.dialog);
  CHECK(t.bob_log->read([](app_log& l) { return l.calls.size(); }) == 1);
  REQUIRE(carol_log->read([](app_log& l) { return l.calls.size(); }) == 1);
  CHECK(carol_log->read([](app_log& l) { return std::string(l.calls[0]->request_uri().text); }) == uri_of(carol, "carol"));
  CHECK(t.ask(out.dialog, dialog_request{"BYE", {}, {}, {}}).status == 200);
  stop_stack(carol);
}

TEST_CASE("Stack: a 401 is answered with the account's credentials, once (22.2)", "[stack][ua][call]") {
  app_script bob;
  // Bob challenges an INVITE without credentials and takes one with them (the test checks the
  // retry, not the digest: actors/auth_* is tested on its own).
  bob.decide = [](const message& invite) {
    if (invite.header_value("Authorization")) return answer{200, {}, {}, "application/sdp", "v=0\r\n"};
    auto challenge = auth::challenge_value(auth::digest_algorithm::sha256, {"biloxi.example.com", "abc123", {}, false});
    return answer{401, {}, {{"WWW-Authenticate", challenge}}, {}, {}};
  };
  stack_config alice = udp_on_loopback();
  ua_config::account account;
  account.realm = "biloxi.example.com";
  account.credentials.username = "alice";
  account.credentials.password = "secret";
  alice.ua.accounts.push_back(account);
  two_stacks t(bob, alice);
  call_outcome out = t.call();
  CHECK(out.status == 200);
  REQUIRE(t.bob_log->read([](app_log& l) { return l.calls.size(); }) == 2);
  auto second = t.bob_log->read([](app_log& l) { return l.calls[1]; });
  CHECK(second->header_value("Authorization").value_or("").find("username=\"alice\"") != std::string_view::npos);
  CHECK(second->cseq().number == t.bob_log->read([](app_log& l) { return l.calls[0]->cseq().number; }) + 1);
  CHECK(t.ask(out.dialog, dialog_request{"BYE", {}, {}, {}}).status == 200);
}

TEST_CASE("Stack: a 401 for a realm without an account is the outcome", "[stack][ua][call]") {
  app_script bob;
  bob.final_answer = answer{401, {}, {{"WWW-Authenticate", auth::challenge_value(auth::digest_algorithm::md5,
                                                                                {"elsewhere.example.com", "n", {}, false})}},
                            {}, {}};
  two_stacks t(bob);
  CHECK(t.call().status == 401);
  CHECK(t.bob_log->read([](app_log& l) { return l.calls.size(); }) == 1);
}

}  // namespace sipactor::test
