// The transport layer as one handle: starts the UDP endpoints, the TCP/TLS listeners and the
// connection registry from a transport_config, and sends requests (§18.1.1) and responses
// (§18.2.2) over the right transport. Received messages go to the sink as inbound_message.
#pragma once

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "transport/transport_config.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor::transport {

struct transport_layer {
  caf::actor actor;                    // takes outbound_request, outbound_response, stats_atom, listening_atom
  std::vector<listen_point> listening;  // what is bound (ports picked for port 0)
  std::string error;                   // why it could not start (then actor is empty)
};

// Blocks until every listener is bound (or one fails). Stop with caf::anon_send_exit(actor, ...):
// the readers, listeners and connections close with it.
transport_layer start_transport(caf::actor_system& sys, const transport_config& config, const caf::actor& sink);

}  // namespace sipactor::transport
