// What scales across cores in CAF 0.17 here (issue 4): messages between long-lived actors, or
// spawning and terminating short-lived ones. Four drivers, each with `window` requests in
// flight, for 3 s after 1 s of warm-up.
//
//   sipactor_caf_lifecycle_bench --threads 1|2 --mode messages|lifecycle|reuse
//
// messages:  each driver ping-pongs with its own long-lived echo actor.
// lifecycle: each driver spawns an actor per request; it answers once and quits (what a
//            transaction actor does, without the SIP work).
// reuse:     each driver keeps a free list of worker actors; a request takes a worker (spawning
//            one only when the list is empty), the worker answers with its own handle and goes
//            back on the list (a transaction actor reused per shard).
#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <memory>
#include <thread>
#include <vector>

namespace {

std::atomic<long> completed{0};
using go_atom = caf::atom_constant<caf::atom("go")>;

caf::behavior echo(caf::event_based_actor*, int) {
  return {[](go_atom) { return go_atom::value; }};
}

caf::behavior one_shot(caf::event_based_actor* self, caf::actor driver) {
  return {[=](go_atom) {
    self->send(driver, go_atom::value);
    self->quit();
  }};
}

caf::behavior message_driver(caf::event_based_actor* self, int window, caf::actor peer) {
  for (int i = 0; i < window; ++i) self->send(peer, go_atom::value);
  return {[=](go_atom) {
    completed.fetch_add(1, std::memory_order_relaxed);
    self->send(peer, go_atom::value);
  }};
}

caf::behavior lifecycle_driver(caf::event_based_actor* self, int window) {
  auto start = [=] {
    // sys.spawn as the transaction router does (actors/transaction_router.cpp)
    auto a = self->system().spawn(one_shot, caf::actor_cast<caf::actor>(self));
    self->send(a, go_atom::value);
  };
  for (int i = 0; i < window; ++i) start();
  return {[=](go_atom) {
    completed.fetch_add(1, std::memory_order_relaxed);
    start();
  }};
}

using done_atom = caf::atom_constant<caf::atom("done")>;

caf::behavior reusable(caf::event_based_actor* self, caf::actor driver) {
  return {[=](go_atom) { self->send(driver, done_atom::value, caf::actor_cast<caf::actor>(self)); }};
}

caf::behavior reuse_driver(caf::event_based_actor* self, int window) {
  auto idle = std::make_shared<std::vector<caf::actor>>();
  auto start = [=] {
    caf::actor a;
    if (idle->empty()) {
      a = self->system().spawn(reusable, caf::actor_cast<caf::actor>(self));
    } else {
      a = std::move(idle->back());
      idle->pop_back();
    }
    self->send(a, go_atom::value);
  };
  for (int i = 0; i < window; ++i) start();
  return {[=](done_atom, caf::actor& worker) {
    completed.fetch_add(1, std::memory_order_relaxed);
    idle->push_back(std::move(worker));
    start();
  }};
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  std::string mode = "lifecycle";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--mode") mode = argv[i + 1];
  }
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", threads);
  cfg.set("scheduler.max-throughput", 100);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  for (int i = 0; i < 4; ++i) {
    if (mode == "messages") sys.spawn(message_driver, 64, sys.spawn(echo, 0));
    else if (mode == "reuse") sys.spawn(reuse_driver, 64);
    else sys.spawn(lifecycle_driver, 64);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  long before = completed.load();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  long after = completed.load();
  const char* what = mode == "messages" ? "round trips between long-lived actors"
                     : mode == "reuse"  ? "take a reused worker + answer + give it back"
                                        : "spawn + answer + quit";
  std::printf("threads %d, %s: %.0f per second\n", threads, what,
              static_cast<double>(after - before) / 3.0);
  std::fflush(stdout);
  std::_Exit(0);  // the drivers never stop; nothing to flush
}
