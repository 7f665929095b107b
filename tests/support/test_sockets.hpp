// Plain blocking sockets for tests that play the peer on loopback: a UDP client, a TCP client,
// and a TCP server that accepts one connection at a time. Every read has a timeout.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "transport/socket_address.hpp"

namespace sipactor::test {

class udp_peer {
 public:
  explicit udp_peer(const std::string& ip = "127.0.0.1");
  ~udp_peer();
  udp_peer(const udp_peer&) = delete;
  udp_peer& operator=(const udp_peer&) = delete;
  const transport::socket_address& local() const { return local_; }
  void send(const std::string& bytes, const transport::socket_address& to) const;
  // The next datagram, or nullopt after `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) const;

 private:
  int fd_ = -1;
  transport::socket_address local_;
};

class tcp_peer {
 public:
  tcp_peer() = default;
  explicit tcp_peer(int connected_fd) : fd_(connected_fd) {}
  ~tcp_peer();
  tcp_peer(tcp_peer&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  tcp_peer(const tcp_peer&) = delete;
  tcp_peer& operator=(const tcp_peer&) = delete;
  static tcp_peer connect(const transport::socket_address& to);
  bool valid() const { return fd_ >= 0; }
  void send(const std::string& bytes) const;
  // Reads until `needle` has arrived (returns everything read), or the timeout / EOF passes.
  std::string receive_until(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // True when the peer closed the connection (EOF or reset) within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

 private:
  int fd_ = -1;
};

class tcp_server {
 public:
  explicit tcp_server(const std::string& ip = "127.0.0.1", std::uint16_t port = 0);
  ~tcp_server();
  tcp_server(const tcp_server&) = delete;
  tcp_server& operator=(const tcp_server&) = delete;
  const transport::socket_address& local() const { return local_; }
  // The next accepted connection, or an invalid peer after the timeout.
  tcp_peer accept(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

 private:
  int fd_ = -1;
  transport::socket_address local_;
};

}  // namespace sipactor::test
