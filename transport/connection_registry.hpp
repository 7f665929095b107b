// The connection registry (RFC 3261 §18.1.1, §18.2.2): one entry per open TCP/TLS connection,
// keyed by transport and remote address, so requests and responses reuse connections. It
// enforces the total and per-peer limits, opens outbound connections, and ticks connections so
// idle ones close.
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "transport/transport_config.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor::tls {
class context;
}

namespace sipactor::transport {

struct registry_params {
  caf::actor sink;
  transport_limits limits;
  std::shared_ptr<const tls::context> tls_client;  // outbound TLS
};

// Takes: (accepted_atom, transport_kind, socket_address remote, actor connection) from listeners;
// outbound_request and outbound_response for TCP/TLS (delegated to the connection, opened when
// needed); stats_atom; close_atom (close everything).
caf::actor spawn_connection_registry(caf::actor_system& sys, registry_params params);

}  // namespace sipactor::transport
