#include "transport/socket_address.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "messages/text.hpp"

namespace sipactor::transport {

std::optional<socket_address> socket_address::from(std::string_view ip, std::uint16_t port) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip.empty() || ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char text[INET6_ADDRSTRLEN];
  std::memcpy(text, ip.data(), ip.size());
  text[ip.size()] = '\0';
  socket_address a;
  if (ip.find(':') == std::string_view::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage_);
    if (inet_pton(AF_INET, text, &in->sin_addr) != 1) return std::nullopt;
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
    if (inet_pton(AF_INET6, text, &in6->sin6_addr) != 1) return std::nullopt;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
  }
  return a;
}

std::optional<socket_address> socket_address::parse(std::string_view host_port) {
  std::size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = host_port.substr(0, colon);
  if (host.find(':') != std::string_view::npos && (host.empty() || host.front() != '[')) return std::nullopt;
  std::uint64_t port = 0;
  if (!text::parse_decimal(host_port.substr(colon + 1), 65535, port)) return std::nullopt;
  return from(host, static_cast<std::uint16_t>(port));
}

socket_address socket_address::from_sockaddr(const sockaddr* sa, socklen_t len) {
  socket_address a;
  if (sa != nullptr && len > 0 && static_cast<std::size_t>(len) <= sizeof(a.storage_)) std::memcpy(&a.storage_, sa, len);
  return a;
}

std::uint16_t socket_address::port() const noexcept {
  if (storage_.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (storage_.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void socket_address::set_port(std::uint16_t port) noexcept {
  if (storage_.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (storage_.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::size_t socket_address::format_ip(char (&out)[46]) const noexcept {
  if (storage_.ss_family == AF_INET) {
    // inet_ntop goes through sprintf: a fifth of a datagram's transport cost (bench/RESULTS.md).
    auto bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr);
    std::size_t n = 0;
    for (int i = 0; i < 4; ++i) {
      unsigned v = bytes[i];
      if (v >= 100) out[n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) out[n++] = static_cast<char>('0' + (v / 10) % 10);
      out[n++] = static_cast<char>('0' + v % 10);
      if (i < 3) out[n++] = '.';
    }
    out[n] = '\0';
    return n;
  }
  out[0] = '\0';
  if (storage_.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, out, sizeof out);
  return std::strlen(out);
}

std::string socket_address::ip() const {
  char text[46];
  std::size_t n = format_ip(text);  // not inet_ntop for IPv4: see format_ip
  return std::string(text, n);
}

std::string socket_address::host_text() const { return is_ipv6() ? "[" + ip() + "]" : ip(); }

std::string socket_address::to_string() const {
  if (!valid()) return "(none)";
  return host_text() + ":" + std::to_string(port());
}

socklen_t socket_address::size() const noexcept {
  if (storage_.ss_family == AF_INET) return sizeof(sockaddr_in);
  if (storage_.ss_family == AF_INET6) return sizeof(sockaddr_in6);
  return 0;
}

bool operator==(const socket_address& a, const socket_address& b) noexcept {
  if (a.family() != b.family()) return false;
  if (a.family() == AF_INET) {
    auto* x = reinterpret_cast<const sockaddr_in*>(&a.storage_);
    auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage_);
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  if (a.family() == AF_INET6) {
    auto* x = reinterpret_cast<const sockaddr_in6*>(&a.storage_);
    auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage_);
    return x->sin6_port == y->sin6_port && std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
  }
  return true;
}

bool operator<(const socket_address& a, const socket_address& b) noexcept {
  if (a.family() != b.family()) return a.family() < b.family();
  if (a.port() != b.port()) return a.port() < b.port();
  if (a.family() == AF_INET)
    return ntohl(reinterpret_cast<const sockaddr_in*>(&a.storage_)->sin_addr.s_addr) <
           ntohl(reinterpret_cast<const sockaddr_in*>(&b.storage_)->sin_addr.s_addr);
  if (a.family() == AF_INET6)
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&a.storage_)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(&b.storage_)->sin6_addr, 16) < 0;
  return false;
}

std::size_t socket_address::hash() const noexcept {
  std::size_t h = static_cast<std::size_t>(family()) * 1000003u + port();
  const unsigned char* bytes = nullptr;
  std::size_t n = 0;
  if (family() == AF_INET) {
    bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr);
    n = 4;
  } else if (family() == AF_INET6) {
    bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
    n = 16;
  }
  for (std::size_t i = 0; i < n; ++i) h = h * 131 + bytes[i];
  return h;
}

}  // namespace sipactor::transport
