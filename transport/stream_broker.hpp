// The I/O side of TCP and TLS: CAF brokers on the multiplexer thread that only move octets
// (CAF-0.17.md: every broker shares one I/O thread, so protocol work stays out of them).
#pragma once

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <memory>
#include <string>

#include "transport/transport_config.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor::tls {
class context;
}

namespace sipactor::transport {

// Between one socket and its connection actor (`owner`).
caf::behavior connection_broker(caf::io::broker* self, caf::io::connection_handle hdl, caf::actor owner);

struct listener_params {
  transport_kind transport = transport_kind::tcp;
  socket_address address;  // port 0: a free port
  caf::actor sink;
  caf::actor registry;
  transport_limits limits;
  std::shared_ptr<const tls::context> tls;  // TLS listeners
};

// Accepts connections on params.address; answers listening_atom with its listen_point, or
// quits with an error when it cannot listen.
caf::behavior stream_listener(caf::io::broker* self, listener_params params);

// Opens an outbound connection for `owner` from a detached actor (connecting blocks in CAF 0.17)
// and gives it its broker, or tells it why not.
void stream_connector(caf::blocking_actor* self, caf::actor owner, socket_address destination);

}  // namespace sipactor::transport
