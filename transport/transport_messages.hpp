// The contract of the transport layer (RFC 3261 §18): what it delivers to its sink, the commands
// it takes, and the typed actor handles of its rooms.
#pragma once

#include <caf/all.hpp>
#include <caf/io/connection_handle.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "messages/message.hpp"
#include "transport/socket_address.hpp"
#include "transport/transport_kind.hpp"

namespace sipactor::transport {

// A message received and parsed; its top Via already carries received/rport (§18.2.1).
struct inbound_message {
  message_ptr message;
  transport_kind transport = transport_kind::udp;
  socket_address local;
  socket_address remote;
  caf::actor connection;  // the stream connection it came on; empty for UDP
};

// Send a request (or an ACK/CANCEL) to a resolved target (§18.1.1).
struct outbound_request {
  message_ptr message;
  transport_kind transport = transport_kind::udp;
  socket_address destination;
  std::string server_name;  // TLS: SNI and the name the certificate must match (RFC 5922)
};

// Send a response to the request it answers (§18.2.2): over its connection if reliable, else to
// received/rport, maddr or the sent-by of the top Via.
struct outbound_response {
  message_ptr message;
  transport_kind transport = transport_kind::udp;  // what the request arrived on
  socket_address local;                            // where it arrived (RFC 3581: answer from there)
  socket_address source;                           // where the request came from
  caf::actor connection;                           // the connection it came on, if any
};

// Reported to the sender when a message could not be sent (§8.1.3.1, §17.1.4).
struct send_failed {
  message_ptr message;
  std::string reason;
};

// Raw octets from a broker (I/O thread) to a connection actor.
struct stream_bytes {
  std::vector<char> bytes;
};

// Raw octets from a connection actor to the broker that owns its socket. Brokers serve many
// connections (one per listener), so the handle says which. Closing: (close_atom, handle).
struct stream_write {
  caf::io::connection_handle handle;
  std::vector<char> bytes;
};

struct listen_point {
  transport_kind transport = transport_kind::udp;
  socket_address address;
};

struct transport_counters {
  std::uint64_t received = 0;      // messages delivered to the sink
  std::uint64_t answered = 0;      // bad requests answered (400, 505, ...)
  std::uint64_t dropped = 0;       // bad messages dropped (responses, unreadable)
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused = 0;  // over a limit
  std::uint64_t connections_closed_error = 0;  // framing/TLS errors, timeouts
};

using stats_atom = caf::atom_constant<caf::atom("stats")>;
using listening_atom = caf::atom_constant<caf::atom("listening")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using attach_atom = caf::atom_constant<caf::atom("attach")>;  // a connection gets its broker and handle
using connect_failed_atom = caf::atom_constant<caf::atom("connfail")>;
using closed_atom = caf::atom_constant<caf::atom("closed")>;        // the peer closed the stream
using accepted_atom = caf::atom_constant<caf::atom("accepted")>;    // a listener got a connection
using read_timeout_atom = caf::atom_constant<caf::atom("rdtimeout")>;
using forgotten_atom = caf::atom_constant<caf::atom("forgotten")>;  // the registry to a closed connection

}  // namespace sipactor::transport

// Local messages only (a multi-node setup serializes its own wire format): no inspect().
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::message_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::socket_address)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::transport_kind)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::inbound_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::outbound_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::outbound_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::send_failed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::stream_bytes)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::stream_write)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::listen_point)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<sipactor::transport::listen_point>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::transport_counters)
