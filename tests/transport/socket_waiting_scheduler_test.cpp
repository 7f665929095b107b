// The socket-waiting scheduler (transport/socket_waiting_scheduler.hpp): CAF's work stealing
// whose idle workers sleep in epoll, and UDP endpoints read by those workers. Real time, real
// loopback sockets; each test case has its own actor system.
#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "tests/support/real_time_config.hpp"
#include "tests/support/test_sockets.hpp"
#include "transport/socket_waiting_scheduler.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor {
namespace {

using namespace std::chrono_literals;
using transport::socket_address;
using transport::transport_kind;

// `threads` socket-waiting workers; without stealing, idle workers never take another's jobs (no
// aggressive polling, a relaxed steal interval longer than any test).
caf::actor_system_config make_waiting_config(int threads, bool stealing) {
  caf::actor_system_config c;
  test::configure_real_time(c);
  c.set("scheduler.max-threads", threads);
  if (!stealing) {
    c.set("work-stealing.aggressive-poll-attempts", std::size_t{0});
    c.set("work-stealing.relaxed-steal-interval", std::size_t{1000000});
  }
  transport::install_socket_waiting_scheduler(c);
  return c;
}

caf::actor_system_config& waiting_config() {
  static caf::actor_system_config cfg = make_waiting_config(2, true);
  return cfg;
}

// Function-based actors here take an unused int: CAF 0.17 spawns one without arguments through
// a null tuple pointer, which UBSan reports (a reference bound to null in its header).
caf::behavior doubler(caf::event_based_actor*, int) {
  return {[](int x) { return 2 * x; }};
}

std::string options_request(const socket_address& sent_by, int n) {
  return "OPTIONS sip:server@example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP " + sent_by.to_string() + ";branch=z9hG4bKworker" + std::to_string(n) + "\r\n"
         "Max-Forwards: 70\r\nTo: <sip:server@example.com>\r\nFrom: <sip:client@example.com>;tag=c1\r\n"
         "Call-ID: worker-" + std::to_string(n) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

// Counts what the transport delivers (on whichever worker read it) and answers queries.
struct counting_sink_state {
  std::set<std::string> call_ids;
};
caf::behavior counting_sink(caf::stateful_actor<counting_sink_state>* self, int) {
  return {
      [=](const transport::inbound_message& m) { self->state.call_ids.insert(std::string(m.message->call_id())); },
      [=](caf::get_atom) { return self->state.call_ids.size(); },
  };
}

std::size_t delivered(caf::scoped_actor& self, const caf::actor& sink) {
  std::size_t n = 0;
  self->request(sink, 2s, caf::get_atom::value).receive([&](std::size_t count) { n = count; }, [](caf::error&) {});
  return n;
}

// Polls `done` for up to 5 s.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

}  // namespace

TEST_CASE("Socket-waiting scheduler: actors, requests and delayed messages run, also after the workers slept",
          "[transport][scheduler]") {
  caf::actor_system sys{waiting_config()};
  REQUIRE(transport::socket_waiting_workers(sys) == 2);
  caf::scoped_actor self{sys};
  std::vector<caf::actor> actors;
  for (int i = 0; i < 200; ++i) actors.push_back(sys.spawn(doubler, 0));
  for (int round = 0; round < 3; ++round) {
    // Idle long enough that both workers sleep in epoll_wait; a message from outside (this
    // thread) must wake one through the eventfd.
    std::this_thread::sleep_for(50ms);
    int sum = 0;
    for (int i = 0; i < 200; ++i)
      self->request(actors[static_cast<std::size_t>(i)], 2s, i).receive([&](int r) { sum += r; }, [](caf::error&) {});
    CHECK(sum == 2 * (199 * 200 / 2));
  }
  // A delayed message comes from CAF's clock thread (an external enqueue too).
  auto waiter = sys.spawn(
      [](caf::event_based_actor* a, int) -> caf::behavior {
        return {[=](caf::ok_atom, caf::actor reply_to) { a->delayed_send(reply_to, 30ms, caf::ok_atom::value); }};
      },
      0);
  self->send(waiter, caf::ok_atom::value, caf::actor_cast<caf::actor>(self));
  bool fired = false;
  self->receive([&](caf::ok_atom) { fired = true; }, caf::after(2s) >> [] {});
  CHECK(fired);
  for (auto& a : actors) self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(waiter, caf::exit_reason::user_shutdown);
}

TEST_CASE("Socket-waiting scheduler: a default actor system has no socket-waiting workers", "[transport][scheduler]") {
  caf::actor_system sys{test::real_time_config()};
  CHECK(transport::socket_waiting_workers(sys) == 0);
}

TEST_CASE("Socket-waiting scheduler: the workers read a UDP endpoint, answer bad requests, and stop at close",
          "[transport][scheduler][udp]") {
  caf::actor_system sys{waiting_config()};
  caf::scoped_actor self{sys};
  auto sink = sys.spawn(counting_sink, 0);
  transport::transport_config config;
  config.listen.push_back({transport_kind::udp, *socket_address::from("127.0.0.1", 0)});
  config.udp_readers = 4;  // not used: the workers read the one socket
  transport::transport_layer layer = transport::start_transport(sys, config, sink);
  INFO(layer.error);
  REQUIRE(layer.actor);
  REQUIRE(layer.listening.size() == 1);
  const socket_address to = layer.listening.front().address;

  // From two peers, in bursts larger than one receive batch.
  test::udp_peer a, b;
  for (int i = 0; i < 300; ++i) (i % 2 == 0 ? a : b).send(options_request((i % 2 == 0 ? a : b).local(), i), to);
  CHECK(eventually([&] { return delivered(self, sink) == 300; }));

  // A request that does not parse is answered by the worker that read it (RFC 3261 §8.2.2 / 400).
  std::string bad = options_request(a.local(), 1000);
  bad.replace(bad.find("CSeq: 1 OPTIONS"), 15, "CSeq: 1 INVITE");
  a.send(bad, to);
  auto reply = a.receive();
  REQUIRE(reply);
  CHECK(reply->rfind("SIP/2.0 400 ", 0) == 0);

  transport::transport_counters counters;
  self->request(layer.actor, 2s, transport::stats_atom::value)
      .receive([&](const transport::transport_counters& c) { counters = c; }, [](caf::error&) {});
  CHECK(counters.received == 300);
  CHECK(counters.answered == 1);

  // After the transport stops, nothing more is read or delivered.
  self->send_exit(layer.actor, caf::exit_reason::user_shutdown);
  std::this_thread::sleep_for(200ms);
  a.send(options_request(a.local(), 2000), to);
  std::this_thread::sleep_for(200ms);
  CHECK(delivered(self, sink) == 300);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
}

// An actor with a home worker runs there, whichever worker sent the message that woke it. Idle
// workers do not steal here (no aggressive polling, a relaxed steal interval longer than the
// test), so a run anywhere else would be the redirect failing.
TEST_CASE("Socket-waiting scheduler: an actor with a home worker runs on it, whoever wakes it",
          "[transport][scheduler]") {
  static caf::actor_system_config no_stealing = make_waiting_config(2, false);
  caf::actor_system sys{no_stealing};
  REQUIRE(transport::socket_waiting_workers(sys) == 2);
  caf::scoped_actor self{sys};
  // Both answer with the thread they ran on; the relay asks the homed actor first.
  auto homed = sys.spawn(
      [](caf::event_based_actor*, int) -> caf::behavior {
        return {[](caf::get_atom) { return caf::make_message(std::hash<std::thread::id>{}(std::this_thread::get_id())); }};
      },
      0);
  REQUIRE(transport::set_home_worker(sys, homed, 1));
  auto relay = [homed](caf::event_based_actor* a, int) -> caf::behavior {
    return {[=](caf::get_atom) {
      auto here = std::hash<std::thread::id>{}(std::this_thread::get_id());
      auto rp = a->make_response_promise<std::size_t, std::size_t>();
      a->request(homed, 2s, caf::get_atom::value).then([=](std::size_t there) mutable { rp.deliver(here, there); });
      return rp;
    }};
  };
  // Once before counting: the first message may find the homed actor still in the queue of the
  // worker its spawn went to (spawning schedules it before it has a home).
  self->request(homed, 2s, caf::get_atom::value).receive([](std::size_t) {}, [](caf::error&) {});
  std::map<std::size_t, int> relay_threads;  // thread -> relays run there
  std::set<std::size_t> homed_threads;
  for (int i = 0; i < 400; ++i) {
    if (relay_threads.size() == 2 && relay_threads.begin()->second >= 10 && relay_threads.rbegin()->second >= 10) break;
    // A new relay each time: an external spawn goes round robin over the workers. Every other
    // round an extra spawn, so that the round robin does not keep landing on the same worker.
    auto r = sys.spawn(relay, 0);
    if (i % 2 == 1) caf::anon_send_exit(sys.spawn(doubler, 0), caf::exit_reason::user_shutdown);
    self->request(r, 2s, caf::get_atom::value)
        .receive([&](std::size_t here, std::size_t there) { ++relay_threads[here]; homed_threads.insert(there); },
                 [](caf::error&) {});
    self->send_exit(r, caf::exit_reason::user_shutdown);
  }
  CHECK(relay_threads.size() == 2);  // woken from both workers
  CHECK(homed_threads.size() == 1);
  self->send_exit(homed, caf::exit_reason::user_shutdown);
}

TEST_CASE("Socket-waiting scheduler: a home worker needs that scheduler", "[transport][scheduler]") {
  caf::actor_system sys{test::real_time_config()};
  auto a = sys.spawn(doubler, 0);
  CHECK_FALSE(transport::set_home_worker(sys, a, 0));
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

#if defined(CAF_LOG_LEVEL) && CAF_LOG_LEVEL == CAF_LOG_LEVEL_QUIET
// CAF_PUSH_AID in scheduled_actor::resume takes a spinlock shared by all threads whenever the
// thread has a current logger; a CAF built quiet logs nothing, so the workers run without one,
// also in the job after one that spawned (spawning sets the spawning thread's logger again). One
// worker, so that the reporter's job runs on the worker that spawned, after the spawner's job.
TEST_CASE("Socket-waiting scheduler: workers run actors without a current CAF logger, also after spawning",
          "[transport][scheduler]") {
  static caf::actor_system_config one_worker = make_waiting_config(1, true);
  caf::actor_system sys{one_worker};
  REQUIRE(transport::socket_waiting_workers(sys) == 1);
  caf::scoped_actor self{sys};
  auto reporter = sys.spawn(
      [](caf::event_based_actor*, int) -> caf::behavior {
        return {[](caf::get_atom) { return caf::logger::current_logger() == nullptr; }};
      },
      0);
  auto spawner = sys.spawn(
      [](caf::event_based_actor* a, int) -> caf::behavior {
        return {[=](caf::put_atom) {
          auto child = a->spawn(doubler, 0);
          a->send_exit(child, caf::exit_reason::user_shutdown);
          return caf::logger::current_logger() != nullptr;
        }};
      },
      0);
  auto without_logger = [&] {
    bool none = false;
    self->request(reporter, 2s, caf::get_atom::value).receive([&](bool r) { none = r; }, [](caf::error&) {});
    return none;
  };
  CHECK(without_logger());
  for (int i = 0; i < 20; ++i) {
    bool set_by_spawn = false;
    self->request(spawner, 2s, caf::put_atom::value).receive([&](bool r) { set_by_spawn = r; }, [](caf::error&) {});
    CHECK(set_by_spawn);  // what the worker has to undo
    CHECK(without_logger());
  }
  self->send_exit(spawner, caf::exit_reason::user_shutdown);
  self->send_exit(reporter, caf::exit_reason::user_shutdown);
}
#endif

}  // namespace sipactor
