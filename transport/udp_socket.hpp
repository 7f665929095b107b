// A UDP socket with batched receive (recvmmsg) and thread-safe sends (sendto on a shared fd), as
// the UDP transport needs them (CAF-0.17.md: a CAF UDP broker cannot report the sender).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "transport/socket_address.hpp"

namespace sipactor::transport {

struct udp_socket_options {
  bool reuse_port = true;                  // SO_REUSEPORT: one socket per reader thread
  int receive_buffer = 4 * 1024 * 1024;    // SO_RCVBUF (the 208 KiB default drops under load)
  std::chrono::milliseconds receive_timeout{100};  // so a reader notices shutdown
};

// One received datagram: a view into the batch buffer, valid until the next receive.
struct datagram {
  std::string_view bytes;
  socket_address source;
  bool truncated = false;  // larger than the slot: dropped by the caller
};

class udp_socket {
 public:
  udp_socket() = default;
  udp_socket(const udp_socket&) = delete;
  udp_socket& operator=(const udp_socket&) = delete;
  udp_socket(udp_socket&& other) noexcept;
  udp_socket& operator=(udp_socket&& other) noexcept;
  ~udp_socket();

  // Binds to `local` (port 0 picks a free port). On failure: an invalid socket and `error`.
  static udp_socket bind(const socket_address& local, const udp_socket_options& options, std::string& error);

  bool valid() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  const socket_address& local() const noexcept { return local_; }

  // Sends one datagram; returns an empty string or the reason it failed (errno text).
  std::string send_to(std::string_view bytes, const socket_address& destination) const;

  void close() noexcept;

 private:
  int fd_ = -1;
  socket_address local_;
};

// Receives up to `batch` datagrams per call into buffers of `slot_size` octets each.
class udp_receiver {
 public:
  udp_receiver(std::size_t batch, std::size_t slot_size);
  // Blocks until at least one datagram arrives or the socket's receive timeout passes (with
  // `wait` false: returns at once); fills `out` (cleared first). Returns false on a socket error
  // other than a timeout or nothing to read.
  bool receive(const udp_socket& socket, std::vector<datagram>& out, bool wait = true);

 private:
  std::size_t batch_, slot_size_;
  std::vector<char> buffer_;
  std::vector<sockaddr_storage> addresses_;
  std::vector<struct iovec> iovecs_;
  std::vector<struct mmsghdr> headers_;
};

}  // namespace sipactor::transport
