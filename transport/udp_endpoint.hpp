// UDP per RFC 3261 §18 with our own sockets (CAF-0.17.md: a UDP broker cannot tell the sender).
// Two ways of reading: when the actor system runs the socket-waiting scheduler, one socket that
// its workers read (socket_waiting_scheduler.hpp); otherwise one SO_REUSEPORT socket per reader,
// each read by a detached actor with recvmmsg. Either way datagrams are parsed where they are
// read and delivered to the sink. Sends go out with sendto on the shared socket from whichever
// actor sends.
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <string>
#include <vector>

#include "transport/transport_config.hpp"
#include "transport/transport_messages.hpp"
#include "transport/udp_socket.hpp"

namespace sipactor::transport {

struct udp_endpoint {
  std::shared_ptr<const udp_socket> socket;  // the socket sends go out from
  std::vector<caf::actor> readers;  // answer stats_atom and close_atom
};

// With `read_on_workers` and the socket-waiting scheduler: binds one socket to `address` and lets
// the workers read it. Otherwise binds `readers` sockets to `address` (port 0: a free port shared
// by all of them) and spawns their reader threads. On failure returns an endpoint without socket
// and sets `error`.
udp_endpoint open_udp_endpoint(caf::actor_system& sys, const socket_address& address, std::size_t readers,
                               const caf::actor& sink, const transport_limits& limits, bool read_on_workers,
                               std::string& error);

}  // namespace sipactor::transport
