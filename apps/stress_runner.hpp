// The actor that drives a `sipactor stress` run: starts attempts (calls, OPTIONS, REGISTERs) at
// the planned rate through one or more stacks, each attempt a request to a UA core whose calls are
// actors of their own, and counts their outcomes.
#pragma once

#include <caf/all.hpp>

#include <vector>

#include "actors/stack.hpp"
#include "apps/stress_options.hpp"
#include "apps/stress_stats.hpp"

namespace sipactor::apps {

// Asked every second by the command: totals, this interval's figures, and whether the run is
// over (nothing left to start, nothing in progress).
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;

struct stress_snapshot {
  stress_totals totals;
  std::uint64_t started = 0, succeeded = 0, failed = 0;  // since the previous snapshot
  latency_histogram latency;                             // since the previous snapshot
  std::uint64_t active = 0;
  bool done = false;
};

// The attempts per second planned at `seconds` into the run (constant, or the ramp).
double planned_rate(const stress_options& o, double seconds) noexcept;
// Attempts planned in [0, seconds]: the integral of planned_rate.
double planned_attempts(const stress_options& o, double seconds) noexcept;

// `local_hosts[i]`: the host:port of stacks[i], for REGISTER Contacts.
caf::actor spawn_stress_runner(caf::actor_system& sys, stress_options options, std::vector<ua_handle> stacks,
                               std::vector<std::string> local_hosts);

}  // namespace sipactor::apps

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::apps::stress_snapshot)
