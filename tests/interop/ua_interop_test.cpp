// Interop on loopback (issue 5): SIPp against a sipactor UA, i.e. a stack spawned through the
// embedding API (actors/stack.hpp) with a scripted application (tests/stack/test_app.hpp), on
// real UDP with the RFC timers (T1 = 500 ms, as SIPp uses). SIPp's built-in uac and uas for
// plain calls both ways; our scenarios (tests/interop/scenarios) for a re-INVITE and a BYE from
// each side (RFC 3261 §14, §15) and CANCEL before the answer (§9). Each test checks SIPp's
// verdict (exit code, successful and failed calls) and what our application saw.
#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/stack.hpp"
#include "tests/interop/sipp_process.hpp"
#include "tests/stack/test_app.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

std::string scenario(const std::string& name) { return std::string(SIPACTOR_SIPP_SCENARIOS) + "/" + name; }

const std::string sdp =
    "v=0\r\no=sipactor 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n";

// Answers calls and requests (a re-INVITE among them) 200 with an SDP body.
app_script answering() {
  app_script s;
  s.final_answer = answer{200, {}, {}, "application/sdp", sdp};
  s.request_answer = answer{200, {}, {}, "application/sdp", sdp};
  return s;
}

// Rings (180) and never answers: the caller cancels.
app_script ringing_only() {
  app_script s = answering();
  s.provisional = {answer{180, {}, {}, {}, {}}};
  s.hold = true;
  return s;
}

// One sipactor UA on 127.0.0.1 UDP: a stack in its own actor system and the test application.
struct ua_under_test {
  caf::actor_system sys{stack_test_config()};
  std::shared_ptr<app_log> log = std::make_shared<app_log>();
  stack ua;
  caf::scoped_actor self{sys};

  explicit ua_under_test(app_script script = answering()) {
    stack_config c;  // RFC timers: T1 500 ms, T2 4 s
    c.transport.listen.push_back({transport::transport_kind::udp, *transport::socket_address::from("127.0.0.1", 0)});
    c.transport.udp_readers = 1;
    c.transactions.shards = 2;
    c.ua.shards = 2;
    c.ua.policy.capabilities.accept = {"application/sdp"};
    ua = spawn_stack(sys, c, spawn_test_app(sys, log, std::move(script)));
    INFO(ua.error);
    REQUIRE(ua);
  }
  ~ua_under_test() { stop_stack(ua); }

  std::string address() const { return ua.listening.front().address.to_string(); }

  template <class F>
  long count(F member) {
    return log->read([&](app_log& l) { return static_cast<long>((l.*member).size()); });
  }
  std::vector<std::string> ended() {
    return log->read([](app_log& l) { return l.ended; });
  }
  std::vector<std::string> request_methods() {
    return log->read([](app_log& l) {
      std::vector<std::string> out;
      for (const auto& r : l.requests) out.emplace_back(r->method_name());
      return out;
    });
  }

  // Messages our transport sent: with no loss on loopback, exactly the call flow's, none resent.
  std::uint64_t sent() {
    std::uint64_t out = 0;
    self->request(ua.transport, 5s, transport::stats_atom::value)
        .receive([&](const transport::transport_counters& c) { out = c.sent; }, [](caf::error&) {});
    return out;
  }

  call_outcome call(const std::string& target) {
    call_outcome out;
    self->request(ua.ua, 20s, place_call{target, "application/sdp", sdp, {}, {}})
        .receive([&](const call_outcome& o) { out = o; }, [&](caf::error& e) { out.reason = sys.render(e); });
    return out;
  }
  request_outcome in_dialog(const caf::actor& dialog, dialog_request r) {
    request_outcome out;
    self->request(dialog, 40s, std::move(r))
        .receive([&](const request_outcome& o) { out = o; }, [&](caf::error& e) { out.reason = sys.render(e); });
    return out;
  }
};

// SIPp as the caller: `args` name the scenario; the UA is the destination.
std::vector<std::string> calling(const ua_under_test& t, std::vector<std::string> args, int calls) {
  args.insert(args.end(), {t.address(), "-s", "bob", "-i", "127.0.0.1", "-p", std::to_string(free_udp_port()), "-m",
                           std::to_string(calls), "-r", "10"});
  return args;
}

// SIPp as the callee on a free port, for `calls` calls of the scenario `args` names; started
// and given the time to bind its port.
struct sipp_callee {
  std::uint16_t port = free_udp_port();
  sipp_process sipp;

  sipp_callee(std::vector<std::string> args, int calls) : sipp(with_port(std::move(args), calls)) {
    REQUIRE(sipp.started());
    std::this_thread::sleep_for(500ms);
  }
  std::vector<std::string> with_port(std::vector<std::string> args, int calls) const {
    args.insert(args.end(), {"-i", "127.0.0.1", "-p", std::to_string(port), "-m", std::to_string(calls)});
    return args;
  }
  std::string target() const { return "sip:service@127.0.0.1:" + std::to_string(port); }
};

// SIPp's verdict: it exited by itself, with 0 (every call succeeded), after `calls` calls.
void require_sipp_succeeded(sipp_process& sipp, int calls, std::chrono::seconds deadline) {
  bool exited = sipp.wait(deadline);
  INFO(sipp.command() << "\n" << sipp.output());
  REQUIRE(exited);
  CHECK(sipp.exit_code() == 0);
  CHECK(sipp.cumulative("Successful call") == calls);
  CHECK(sipp.cumulative("Failed call") == 0);
}

}  // namespace

TEST_CASE("UA interop: SIPp uac calls a sipactor UA and every call completes", "[interop][sipp][ua]") {
  constexpr int calls = 20;
  ua_under_test t;
  sipp_process sipp(calling(t, {"-sn", "uac", "-d", "100"}, calls));
  REQUIRE(sipp.started());
  require_sipp_succeeded(sipp, calls, 60s);
  // §13.3.1: each INVITE reached the application; §15.1.2: each BYE ended its dialog.
  CHECK(t.count(&app_log::calls) == calls);
  CHECK(eventually([&] { return t.count(&app_log::ended) == calls; }, 5s));
  for (const auto& reason : t.ended()) CHECK(reason == "BYE received");
  CHECK(t.count(&app_log::requests) == 0);
  CHECK(t.sent() == 3u * calls);  // 100 and 200 to the INVITE (the ACK stopped the 2xx), 200 to the BYE
}

TEST_CASE("UA interop: a sipactor UA calls SIPp uas and hangs up, every call completing", "[interop][sipp][ua]") {
  constexpr int calls = 5;
  ua_under_test t;
  sipp_callee callee({"-sn", "uas"}, calls);
  for (int i = 0; i < calls; ++i) {
    call_outcome out = t.call(callee.target());
    INFO("call " << i << ": " << out.status << " " << out.reason);
    REQUIRE(out.status == 200);
    REQUIRE(out.dialog);  // §13.2.2.4: the ACK went out before the outcome
    auto bye = t.in_dialog(out.dialog, dialog_request{"BYE", {}, {}, {}});
    CHECK(bye.status == 200);  // §15.1.1
  }
  require_sipp_succeeded(callee.sipp, calls, 30s);
  CHECK(eventually([&] { return t.count(&app_log::ended) == calls; }, 5s));
  for (const auto& reason : t.ended()) CHECK(reason == "BYE sent");
  CHECK(t.count(&app_log::calls) == 0);
  CHECK(t.sent() == 3u * calls);  // INVITE, ACK, BYE
}

TEST_CASE("UA interop: SIPp calls, re-INVITEs and hangs up (RFC 3261 14, 15)", "[interop][sipp][ua]") {
  constexpr int calls = 3;
  ua_under_test t;
  sipp_process sipp(calling(t, {"-sf", scenario("uac_reinvite_bye.xml")}, calls));
  REQUIRE(sipp.started());
  require_sipp_succeeded(sipp, calls, 60s);
  CHECK(t.count(&app_log::calls) == calls);
  // §14.2: each re-INVITE went to the application as a request within the dialog.
  auto methods = t.request_methods();
  CHECK(methods == std::vector<std::string>(calls, "INVITE"));
  CHECK(eventually([&] { return t.count(&app_log::ended) == calls; }, 5s));
  for (const auto& reason : t.ended()) CHECK(reason == "BYE received");
  CHECK(t.sent() == 5u * calls);  // 100 and 200 to each INVITE, 200 to the BYE
}

TEST_CASE("UA interop: a sipactor UA calls SIPp, which re-INVITEs and hangs up (RFC 3261 14, 15)",
          "[interop][sipp][ua]") {
  constexpr int calls = 3;
  ua_under_test t;
  sipp_callee callee({"-sf", scenario("uas_reinvite_bye.xml")}, calls);
  for (long i = 0; i < calls; ++i) {
    call_outcome out = t.call(callee.target());
    INFO("call " << i << ": " << out.status << " " << out.reason);
    REQUIRE(out.status == 200);
    REQUIRE(out.dialog);
    // SIPp re-INVITEs 200 ms after our ACK and sends the BYE 200 ms after its own ACK.
    CHECK(eventually([&] { return t.count(&app_log::requests) == i + 1; }, 10s));
    CHECK(eventually([&] { return t.count(&app_log::ended) == i + 1; }, 10s));
    // The dialog's actor is gone: a request to its handle gets an error, no answer.
    CHECK(t.in_dialog(out.dialog, dialog_request{"INFO", {}, {}, {}}).status == 0);
  }
  require_sipp_succeeded(callee.sipp, calls, 30s);
  CHECK(t.request_methods() == std::vector<std::string>(calls, "INVITE"));
  for (const auto& reason : t.ended()) CHECK(reason == "BYE received");
  CHECK(t.sent() == 5u * calls);  // INVITE, ACK, 100 and 200 to the re-INVITE, 200 to the BYE
}

TEST_CASE("UA interop: SIPp cancels its call before the answer (RFC 3261 9)", "[interop][sipp][ua]") {
  constexpr int calls = 3;
  ua_under_test t(ringing_only());
  sipp_process sipp(calling(t, {"-sf", scenario("uac_cancel.xml")}, calls));
  REQUIRE(sipp.started());
  // SIPp got 200 for each CANCEL and 487 for each INVITE, and acknowledged the 487.
  require_sipp_succeeded(sipp, calls, 60s);
  CHECK(t.count(&app_log::calls) == calls);
  CHECK(eventually([&] { return t.count(&app_log::cancels) == calls; }, 5s));  // §9.2
  CHECK(t.count(&app_log::ended) == 0);  // no dialog was confirmed
  CHECK(t.sent() == 4u * calls);         // 100, 180, 200 to the CANCEL, 487
}

TEST_CASE("UA interop: a sipactor UA cancels its call to SIPp before the answer (RFC 3261 9)",
          "[interop][sipp][ua]") {
  constexpr int calls = 3;
  ua_under_test t;
  sipp_callee callee({"-sf", scenario("uas_cancel.xml")}, calls);
  for (int i = 0; i < calls; ++i) {
    std::string ref = "call-" + std::to_string(i);
    auto pending = t.self->request(t.ua.ua, 20s, place_call{callee.target(), "application/sdp", sdp, {}, ref});
    // Odd calls are cancelled at once: §9.1, the CANCEL waits for SIPp's 180. Even ones after it.
    if (i % 2 == 0) std::this_thread::sleep_for(300ms);
    t.self->send(t.ua.ua, cancel_call{ref});
    call_outcome out;
    std::move(pending).receive([&](const call_outcome& o) { out = o; },
                               [&](caf::error& e) { out.reason = t.sys.render(e); });
    INFO("call " << i << ": " << out.status << " " << out.reason);
    CHECK(out.status == 487);  // §9.1: the INVITE ends with 487
    CHECK_FALSE(out.dialog);
  }
  // SIPp got a CANCEL for each INVITE and the ACK for each 487 (§17.1.1.3).
  require_sipp_succeeded(callee.sipp, calls, 30s);
  CHECK(t.count(&app_log::ended) == 0);
  CHECK(t.sent() == 3u * calls);  // INVITE, CANCEL, ACK for the 487
}

}  // namespace sipactor::test
