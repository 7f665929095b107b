// UDP per RFC 3261 §18 with our own sockets (CAF-0.17.md: a UDP broker cannot tell the sender):
// one SO_REUSEPORT socket per reader, each read by a detached actor with recvmmsg; datagrams are
// parsed on the reader's thread and delivered to the sink. Sends go out with sendto on the
// shared socket from whichever actor sends.
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
  std::vector<caf::actor> readers;
};

// Binds `readers` sockets to `address` (port 0: a free port shared by all of them) and spawns
// their readers. On failure returns an endpoint without socket and sets `error`.
udp_endpoint open_udp_endpoint(caf::actor_system& sys, const socket_address& address, std::size_t readers,
                               const caf::actor& sink, const transport_limits& limits, std::string& error);

}  // namespace sipactor::transport
