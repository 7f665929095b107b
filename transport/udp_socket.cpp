#include "transport/udp_socket.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipactor::transport {

udp_socket::udp_socket(udp_socket&& other) noexcept : fd_(other.fd_), local_(other.local_) { other.fd_ = -1; }

udp_socket& udp_socket::operator=(udp_socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    local_ = other.local_;
    other.fd_ = -1;
  }
  return *this;
}

udp_socket::~udp_socket() { close(); }

void udp_socket::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

udp_socket udp_socket::bind(const socket_address& local, const udp_socket_options& options, std::string& error) {
  udp_socket s;
  int fd = ::socket(local.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return s;
  }
  s.fd_ = fd;
  int one = 1;
  if (local.is_ipv6()) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (options.reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    error = std::string("SO_REUSEPORT: ") + std::strerror(errno);
    s.close();
    return s;
  }
  if (options.receive_buffer > 0) {
    // SO_RCVBUF is capped by net.core.rmem_max; SO_RCVBUFFORCE passes the cap when privileged.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &options.receive_buffer, sizeof options.receive_buffer) != 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer, sizeof options.receive_buffer);
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(options.receive_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((options.receive_timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::bind(fd, local.data(), local.size()) != 0) {
    error = "bind " + local.to_string() + ": " + std::strerror(errno);
    s.close();
    return s;
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  s.local_ = socket_address::from_sockaddr(reinterpret_cast<sockaddr*>(&bound), len);
  return s;
}

std::string udp_socket::send_to(std::string_view bytes, const socket_address& destination) const {
  for (;;) {
    ssize_t n = ::sendto(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL, destination.data(), destination.size());
    if (n >= 0) return {};
    if (errno == EINTR) continue;
    return "sendto " + destination.to_string() + ": " + std::strerror(errno);
  }
}

udp_receiver::udp_receiver(std::size_t batch, std::size_t slot_size)
    : batch_(batch), slot_size_(slot_size), buffer_(batch * slot_size), addresses_(batch), iovecs_(batch), headers_(batch) {}

bool udp_receiver::receive(const udp_socket& socket, std::vector<datagram>& out, bool wait) {
  out.clear();
  for (std::size_t i = 0; i < batch_; ++i) {
    iovecs_[i].iov_base = buffer_.data() + i * slot_size_;
    iovecs_[i].iov_len = slot_size_;
    std::memset(&headers_[i].msg_hdr, 0, sizeof headers_[i].msg_hdr);
    headers_[i].msg_hdr.msg_iov = &iovecs_[i];
    headers_[i].msg_hdr.msg_iovlen = 1;
    headers_[i].msg_hdr.msg_name = &addresses_[i];
    headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
  }
  // Wait for the first datagram (up to the receive timeout, or not at all), then take what is queued.
  int n = ::recvmmsg(socket.fd(), headers_.data(), static_cast<unsigned>(batch_), wait ? MSG_WAITFORONE : MSG_DONTWAIT,
                     nullptr);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  for (int i = 0; i < n; ++i) {
    const auto& h = headers_[static_cast<std::size_t>(i)];
    datagram d;
    d.bytes = std::string_view(buffer_.data() + static_cast<std::size_t>(i) * slot_size_, h.msg_len);
    d.source = socket_address::from_sockaddr(reinterpret_cast<const sockaddr*>(h.msg_hdr.msg_name), h.msg_hdr.msg_namelen);
    d.truncated = (h.msg_hdr.msg_flags & MSG_TRUNC) != 0;
    out.push_back(d);
  }
  return true;
}

}  // namespace sipactor::transport
