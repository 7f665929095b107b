// Everything the transport layer is configured with, with safe defaults (RFC 3261 §18, RFC 5626).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "messages/parser.hpp"
#include "messages/stream_framer.hpp"
#include "transport/socket_address.hpp"
#include "transport/transport_kind.hpp"

namespace sipactor::transport {

struct listen_config {
  transport_kind transport = transport_kind::udp;
  socket_address address;  // port 0: a free port (see the listening query)
};

struct tls_files {
  std::string certificate_file;  // PEM; required to listen on TLS
  std::string private_key_file;
  std::string ca_file;           // trusted CAs for verifying peers
  bool verify_clients = false;   // require client certificates signed by ca_file (mutual TLS)
};

struct transport_limits {
  parse_limits parse;                                     // per message
  framer_limits framing;                                  // per stream
  std::size_t max_datagram = 65535;
  std::size_t udp_mtu_limit = 1300;                       // §18.1.1: larger requests go over TCP
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_peer = 64;              // per remote IP
  std::chrono::milliseconds header_read_timeout{10000};   // a message must be complete this soon
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};  // no traffic: close
  std::chrono::milliseconds connect_timeout{5000};
};

struct transport_config {
  std::vector<listen_config> listen;
  tls_files tls;
  transport_limits limits;
  std::size_t udp_readers = 0;  // reader threads per UDP address; 0: one per core
  // When the actor system runs the socket-waiting scheduler (socket_waiting_scheduler.hpp), its
  // workers read the UDP sockets and udp_readers is not used; false keeps reader threads.
  bool udp_read_on_workers = true;
};

}  // namespace sipactor::transport
