// The application of `sipactor stress --answer`: answers every call 200 with SDP and every other
// request 200, like SIPp's uas; the caller ends the call with BYE, which the UA answers.
#pragma once

#include <caf/all.hpp>

#include <cstdint>

namespace sipactor::apps {

struct responder_counts {
  std::uint64_t calls = 0;     // INVITEs answered
  std::uint64_t ended = 0;     // dialogs ended (BYE)
  std::uint64_t cancelled = 0;
  std::uint64_t requests = 0;  // other requests answered
};

// (snapshot_atom from stress_runner.hpp) answers responder_counts.
caf::actor spawn_stress_responder(caf::actor_system& sys);

}  // namespace sipactor::apps

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::apps::responder_counts)
