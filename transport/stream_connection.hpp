// One TCP or TLS connection as a scheduled actor (RFC 3261 §18, §26; RFC 5626 keep-alives).
// Its broker on CAF's I/O thread only moves octets; this actor runs TLS (OpenSSL over memory
// BIOs), framing and parsing on the worker threads, delivers messages to the sink, and closes
// the connection on framing errors, TLS failures, read timeouts and idleness.
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <string>

#include "transport/transport_config.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor::tls {
class context;
}

namespace sipactor::transport {

struct connection_params {
  transport_kind transport = transport_kind::tcp;
  socket_address local;
  socket_address remote;
  bool outbound = false;       // we opened it (TLS client role)
  std::string server_name;     // outbound TLS: SNI and the name to verify
  caf::actor sink;             // receives inbound_message
  caf::actor registry;         // told when the connection is gone
  std::shared_ptr<const transport_limits> limits;  // shared by every connection
  std::shared_ptr<const tls::context> tls;          // TLS only
};

// The actor takes inbound_message-producing octets from its broker, which it is given with
// (attach_atom, broker); it sends outbound_request/outbound_response messages on the stream.
caf::actor spawn_stream_connection(caf::actor_system& sys, connection_params params);

}  // namespace sipactor::transport
