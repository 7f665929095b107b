// An IPv4 or IPv6 socket address (numeric; name resolution is RFC 3263's business, elsewhere).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipactor::transport {

class socket_address {
 public:
  socket_address() = default;
  // From a numeric address ("192.0.2.1", "::1", "[::1]") and a port.
  static std::optional<socket_address> from(std::string_view ip, std::uint16_t port);
  // From "ip:port" or "[ipv6]:port".
  static std::optional<socket_address> parse(std::string_view host_port);
  static socket_address from_sockaddr(const sockaddr* sa, socklen_t len);

  bool valid() const noexcept { return storage_.ss_family == AF_INET || storage_.ss_family == AF_INET6; }
  bool is_ipv6() const noexcept { return storage_.ss_family == AF_INET6; }
  int family() const noexcept { return storage_.ss_family; }
  std::uint16_t port() const noexcept;
  void set_port(std::uint16_t port) noexcept;
  std::string ip() const;        // "192.0.2.1", "::1"
  // The same into `out` without allocating (the per-datagram path); returns the text's length.
  std::size_t format_ip(char (&out)[46]) const noexcept;
  std::string to_string() const;  // "192.0.2.1:5060", "[::1]:5060"
  // For a Via sent-by or a URI host: IPv6 in brackets.
  std::string host_text() const;

  const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t size() const noexcept;

  friend bool operator==(const socket_address& a, const socket_address& b) noexcept;
  friend bool operator!=(const socket_address& a, const socket_address& b) noexcept { return !(a == b); }
  friend bool operator<(const socket_address& a, const socket_address& b) noexcept;
  std::size_t hash() const noexcept;

 private:
  sockaddr_storage storage_{};
};

struct socket_address_hash {
  std::size_t operator()(const socket_address& a) const noexcept { return a.hash(); }
};

}  // namespace sipactor::transport
