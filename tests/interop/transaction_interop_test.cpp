// Interop on loopback (issue 4): SIPp's built-in uac and uas scenarios against the transaction
// layer on the real UDP transport, driven by a small test TU; with SIPp's -lost 10 too, so that
// retransmissions really happen. RFC timers (T1 = 500 ms, as SIPp uses), so that every
// retransmission window is the one a peer expects; the live-transaction count must return to
// zero after the last Timer J / L (64*T1 = 32 s).
#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "actors/transaction_layer.hpp"
#include "tests/interop/interop_tu.hpp"
#include "tests/interop/sipp_process.hpp"
#include "tests/support/real_time_config.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;
using transport::socket_address;
using transport::transport_kind;

// Transport + transaction layer + the test TU in one actor system, on 127.0.0.1 UDP.
struct sip_stack {
  caf::actor_system sys{real_time_config()};
  transaction_config timers;  // the RFC defaults
  caf::actor tu = spawn_interop_tu(sys);
  transaction_layer layer;
  transport::transport_layer transport;
  socket_address local;

  sip_stack() {
    layer = spawn_transaction_layer(sys, {timers, 2}, caf::actor{}, tu);
    transport::transport_config tc;
    tc.listen.push_back({transport_kind::udp, *socket_address::from("127.0.0.1", 0)});
    tc.udp_readers = 1;
    transport = transport::start_transport(sys, tc, layer.entry);
    INFO(transport.error);
    REQUIRE(transport.actor);
    set_transport(layer, transport.actor);
    local = transport.listening.at(0).address;
    caf::anon_send(tu, interop_tu_setup{transport.actor, layer.entry, local, timers.t1, timers.t2});
  }
  ~sip_stack() {
    stop_transaction_layer(layer);
    caf::anon_send_exit(transport.actor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(tu, caf::exit_reason::user_shutdown);
  }

  interop_tu_counters tu_counters() {
    caf::scoped_actor self{sys};
    interop_tu_counters out;
    self->request(tu, caf::infinite, transport::stats_atom::value)
        .receive([&](const interop_tu_counters& c) { out = c; }, [](caf::error&) {});
    return out;
  }
  transaction_layer_counters layer_stats() {
    caf::scoped_actor self{sys};
    return layer_counters(self, layer);
  }
  transport::transport_counters transport_stats() {
    caf::scoped_actor self{sys};
    transport::transport_counters out;
    self->request(transport.actor, caf::infinite, transport::stats_atom::value)
        .receive([&](const transport::transport_counters& c) { out = c; }, [](caf::error&) {});
    return out;
  }
  // Polls `done` every 100 ms until it holds or `deadline` passes.
  bool wait_until(const std::function<bool()>& done, std::chrono::seconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(100ms);
    }
    return true;
  }
  // 64*T1 after the last message every transaction has ended (plus a guard step of slack).
  void require_no_live_transactions() {
    bool zero = wait_until([&] { return layer_stats().live == 0; }, 45s);
    INFO("live transactions: " << layer_stats().live);
    REQUIRE(zero);
  }
};

constexpr int calls = 50;

void sipp_calls_us(const std::string& lost) {
  sip_stack stack;
  // The call's length (-d): SIPp's built-in uac takes any 200 after its BYE as the BYE's answer.
  // If its ACK and then its BYE are lost, a 2xx we retransmit for want of the ACK would end the
  // call in SIPp's eyes without its BYE ever reaching us. Calls of 8 s leave four rounds of
  // 2xx retransmission (0.5, 1.5, 3.5, 7.5 s, §13.3.1.4) for the ACK to get through first.
  std::string length = lost.empty() ? "100" : "8000";
  std::vector<std::string> args{"-sn", "uac", stack.local.to_string(), "-i", "127.0.0.1", "-p",
                                std::to_string(free_udp_port()), "-m", std::to_string(calls), "-r", "25", "-d", length};
  if (!lost.empty()) args.insert(args.end(), {"-lost", lost});
  sipp_process sipp(args);
  REQUIRE(sipp.started());
  bool exited = sipp.wait(90s);
  INFO(sipp.command() << "\n" << sipp.output());
  REQUIRE(exited);
  CHECK(sipp.exit_code() == 0);  // SIPp: 0 when every call succeeded
  CHECK(sipp.cumulative("Successful call") == calls);
  CHECK(sipp.cumulative("Failed call") == 0);

  auto tu = stack.tu_counters();
  CHECK(tu.invites_answered == calls);  // retransmitted INVITEs were absorbed (§17.2.1, RFC 6026)
  CHECK(tu.byes_answered == calls);     // and retransmitted BYEs (§17.2.2)
  // A lost ACK is not always resent: SIPp goes on to the BYE, which ends the 2xx retransmission
  // as well (§13.3.1.4 reads the BYE as the proof that the 2xx arrived).
  if (lost.empty()) CHECK(tu.acks_received == calls);
  CHECK(tu.unacknowledged == 0);
  auto sent = stack.transport_stats().sent;
  // Per call: 100 Trying, 200 to the INVITE, 200 to the BYE; more when something was resent.
  if (lost.empty()) CHECK(sent == 3u * calls);
  else CHECK(sent > 3u * calls);
  stack.require_no_live_transactions();
  CHECK(stack.layer_stats().server_created >= 2u * calls);
}

void we_call_sipp(const std::string& lost) {
  sip_stack stack;
  std::uint16_t port = free_udp_port();
  std::vector<std::string> args{"-sn", "uas", "-i", "127.0.0.1", "-p", std::to_string(port), "-m", std::to_string(calls)};
  // SIPp answers a retransmitted request by resending the response it sent to the original, but
  // when -lost dropped that response on sending it keeps no record of it, and the retransmission
  // of our INVITE (Timer A, after its 180 and 200 were both dropped) becomes an "unexpected
  // message" that aborts the call. Without abortunexp SIPp ignores it and goes on resending its
  // 200 (Unexp. counts it); whether each call completes is still SIPp's verdict.
  if (!lost.empty()) args.insert(args.end(), {"-lost", lost, "-default_behaviors", "all,-abortunexp"});
  sipp_process sipp(args);
  REQUIRE(sipp.started());
  std::this_thread::sleep_for(500ms);  // SIPp binds its port
  // The hold time: SIPp's built-in uas aborts a call when the BYE comes while it still waits for
  // the ACK, so a lost ACK must be resent (on SIPp's 2xx retransmission, at 0.5, 1.5, 3.5, 7.5,
  // 11.5 s) before the BYE goes out. 12 s leave five rounds.
  std::uint32_t hold = lost.empty() ? 100 : 12000;
  caf::anon_send(stack.tu, place_calls_atom::value, std::uint64_t{calls}, std::uint32_t{40}, hold,
                 *socket_address::from("127.0.0.1", port));
  bool completed = stack.wait_until([&] { return stack.tu_counters().calls_completed == calls; }, 90s);
  bool exited = sipp.wait(30s);
  auto tu = stack.tu_counters();
  INFO(sipp.command() << "\n" << sipp.output() << "\ncompleted " << tu.calls_completed << " failures " << tu.failures);
  CHECK(completed);
  REQUIRE(exited);
  CHECK(sipp.exit_code() == 0);
  CHECK(sipp.cumulative("Successful call") == calls);
  CHECK(tu.calls_started == calls);
  CHECK(tu.calls_answered == calls);
  CHECK(tu.failures == 0);
  // SIPp's uas forgets a call 4 s after its 200 to the BYE (timewait); with -lost every resend of
  // that 200 may be dropped too, and our BYE then ends by Timer F, which still ends the call
  // (§15.1.1). Without loss every BYE is answered.
  if (lost.empty()) CHECK(tu.byes_unanswered == 0);
  else CHECK(tu.byes_unanswered <= 2);
  auto sent = stack.transport_stats().sent;
  // Per call: INVITE, ACK, BYE; more when something was resent (Timer A/E, ACK for a resent 2xx).
  if (lost.empty()) CHECK(sent == 3u * calls);
  else CHECK(sent > 3u * calls);
  stack.require_no_live_transactions();
  CHECK(stack.layer_stats().client_created == 2u * calls);
}

}  // namespace

TEST_CASE("Interop: SIPp uac calls the transaction layer", "[interop][sipp]") { sipp_calls_us(""); }

TEST_CASE("Interop: SIPp uac with 10 percent loss calls the transaction layer", "[interop][sipp]") {
  sipp_calls_us("10");
}

TEST_CASE("Interop: the transaction layer calls SIPp uas", "[interop][sipp]") { we_call_sipp(""); }

TEST_CASE("Interop: the transaction layer calls SIPp uas with 10 percent loss", "[interop][sipp]") {
  we_call_sipp("10");
}

}  // namespace sipactor::test
