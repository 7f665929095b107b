// The CAF configuration of tests that run on real time and real sockets (transport, interop):
// the scheduler set explicitly (CAF-0.17.md: the defaults make spawning 40x slower here), the
// I/O module loaded, CAF's own log quiet. One per test binary, shared by its actor systems.
#pragma once

#include <caf/all.hpp>
#include <caf/io/all.hpp>

namespace sipactor::test {

inline void configure_real_time(caf::actor_system_config& c) {
  c.load<caf::io::middleman>();
  c.set("scheduler.max-threads", 2);
  c.set("scheduler.max-throughput", 100);
  c.set("logger.verbosity", caf::atom("quiet"));
}

inline caf::actor_system_config& real_time_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    configure_real_time(c);
    return c;
  }();
  return cfg;
}

}  // namespace sipactor::test
