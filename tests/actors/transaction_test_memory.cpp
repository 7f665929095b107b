// Measurements, not assertions (hidden: run with "[.measure]"): memory per live transaction actor
// and how long a terminated transaction stays in memory because of its pending delayed messages
// (CAF 0.17 keeps the receiver of a delayed message alive until it fires).
#include <malloc.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <thread>

#include "actors/client_transaction_non_invite.hpp"
#include "actors/server_transaction_invite.hpp"
#include "tests/actors/transaction_test_fixture.hpp"

namespace sipactor::test {
namespace {

std::size_t heap_in_use() { return mallinfo2().uordblks; }

struct counters {
  std::atomic<std::size_t> requests{0}, responses{0}, terminated{0}, sent{0};
};

struct real_system {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  counters count;
  caf::actor transport_actor, tu;

  static caf::actor_system_config& configure(caf::actor_system_config& c) {
    c.set("scheduler.max-threads", 2);
    c.set("scheduler.max-throughput", 100);
    c.set("logger.verbosity", caf::atom("quiet"));
    return c;
  }
  real_system() : sys(configure(cfg)) {
    transport_actor = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
      return {[=](const transport::outbound_request&) { ++count.sent; },
              [=](const transport::outbound_response&) { ++count.sent; }};
    }, this);  // an argument: CAF 0.17 + UBSan, see actors/*_transaction_*.cpp
    tu = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
      return {[=](const tu_request&) { ++count.requests; }, [=](const tu_response&) { ++count.responses; },
              [=](const transaction_terminated&) { ++count.terminated; }, [=](const transaction_timeout&) {},
              [=](const transaction_transport_error&) {}};
    }, this);  // an argument: CAF 0.17 + UBSan, see actors/*_transaction_*.cpp
  }
  ~real_system() {
    caf::anon_send_exit(transport_actor, caf::exit_reason::kill);
    caf::anon_send_exit(tu, caf::exit_reason::kill);
  }
  template <class F>
  static void wait_for(F done) {
    while (!done()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
};

message_ptr numbered(const std::string& method, std::size_t i) {
  return request(method, transport_kind::udp, "z9hG4bKm" + std::to_string(i));
}

}  // namespace

TEST_CASE("memory per INVITE server transaction waiting in Proceeding", "[.measure]") {
  constexpr std::size_t n = 10000;
  real_system rs;
  std::vector<message_ptr> invites;
  for (std::size_t i = 0; i < n; ++i) invites.push_back(numbered("INVITE", i));
  std::vector<caf::actor> txns;
  txns.reserve(n);
  transaction_config config;
  std::size_t before = heap_in_use();
  for (std::size_t i = 0; i < n; ++i)
    txns.push_back(spawn_invite_server_transaction(rs.sys, config, {rs.transport_actor, rs.tu, {}, {}},
                                                   inbound(invites[i], transport_kind::udp)));
  real_system::wait_for([&] { return rs.count.requests == n && rs.count.sent == n; });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::size_t after = heap_in_use();
  std::printf("INVITE server transactions in Proceeding: %zu, heap %zu -> %zu bytes: %.0f bytes each "
              "(actor, state, behavior; the INVITE itself, %zu bytes, is shared and not counted)\n",
              n, before, after, double(after - before) / n, invites[0]->heap_bytes());
  // Without the 100 Trying (a TU that answers within 200 ms).
  config.invite_trying = false;
  std::vector<caf::actor> quiet;
  quiet.reserve(n);
  rs.count.requests = 0;
  before = heap_in_use();
  for (std::size_t i = 0; i < n; ++i)
    quiet.push_back(spawn_invite_server_transaction(rs.sys, config, {rs.transport_actor, rs.tu, {}, {}},
                                                    inbound(invites[i], transport_kind::udp)));
  real_system::wait_for([&] { return rs.count.requests == n; });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  after = heap_in_use();
  std::printf("  without the 100 Trying: %.0f bytes each\n", double(after - before) / n);
  for (auto& a : txns) caf::anon_send_exit(a, caf::exit_reason::kill);
  for (auto& a : quiet) caf::anon_send_exit(a, caf::exit_reason::kill);
}

TEST_CASE("how long a finished non-INVITE client transaction stays in memory (UDP and TCP)", "[.measure]") {
  constexpr std::size_t n = 10000;
  for (auto step : {std::chrono::milliseconds(500), std::chrono::milliseconds(2000), std::chrono::milliseconds(0)}) {
    for (transport_kind kind : {transport_kind::udp, transport_kind::tcp}) {
      real_system rs;
      std::vector<message_ptr> requests, responses;
      for (std::size_t i = 0; i < n; ++i) {
        requests.push_back(request("OPTIONS", kind, "z9hG4bKo" + std::to_string(i)));
        responses.push_back(response_to(requests.back(), 200));
      }
      transaction_config config;
      config.guard_step = step;
      auto start = std::chrono::steady_clock::now();
      auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
      auto per_txn = [&](std::size_t base) {
        return double(static_cast<long long>(heap_in_use()) - static_cast<long long>(base)) / n;
      };
      std::size_t base = heap_in_use();
      std::vector<caf::actor> txns;
      for (std::size_t i = 0; i < n; ++i)
        txns.push_back(spawn_non_invite_client_transaction(rs.sys, config, {rs.transport_actor, rs.tu, {}, {}},
                                                           outbound(requests[i], kind)));
      real_system::wait_for([&] { return rs.count.sent >= n; });
      for (std::size_t i = 0; i < n; ++i) caf::anon_send(txns[i], inbound(responses[i], kind));
      txns.clear();  // only the actors' own references (and their timers') remain
      real_system::wait_for([&] { return rs.count.responses == n; });
      std::printf("%s, guard_step %lld ms: %zu non-INVITE client transactions answered with 200 at %.2f s: %.0f bytes each\n",
                  std::string(to_string(kind)).c_str(), static_cast<long long>(step.count()), n, seconds(), per_txn(base));
      double printed = per_txn(base);
      std::size_t printed_terminated = rs.count.terminated;
      while (seconds() < 33.5) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        double now_bytes = per_txn(base);
        if (std::abs(now_bytes - printed) > 50 || rs.count.terminated != printed_terminated) {
          std::printf("  t=%5.2f s: terminated %zu/%zu, running actors %zu, heap above baseline %.0f bytes per transaction\n",
                      seconds(), rs.count.terminated.load(), n, rs.sys.registry().running(), now_bytes);
          printed = now_bytes;
          printed_terminated = rs.count.terminated;
        }
      }
      std::printf("  t=%5.2f s: heap above baseline %.0f bytes per transaction\n", seconds(), per_txn(base));
    }
  }
}

}  // namespace sipactor::test
