#include "tests/support/test_sockets.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace sipactor::test {

namespace {
transport::socket_address bound_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return transport::socket_address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}
bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}
}  // namespace

udp_peer::udp_peer(const std::string& ip) {
  auto addr = transport::socket_address::from(ip, 0);
  if (!addr) throw std::runtime_error("bad address " + ip);
  fd_ = ::socket(addr->family(), SOCK_DGRAM, 0);
  if (fd_ < 0 || ::bind(fd_, addr->data(), addr->size()) != 0) throw std::runtime_error("udp_peer bind failed");
  local_ = bound_address(fd_);
}

udp_peer::~udp_peer() {
  if (fd_ >= 0) ::close(fd_);
}

void udp_peer::send(const std::string& bytes, const transport::socket_address& to) const {
  ::sendto(fd_, bytes.data(), bytes.size(), 0, to.data(), to.size());
}

std::optional<std::string> udp_peer::receive(std::chrono::milliseconds timeout) const {
  if (!wait_readable(fd_, timeout)) return std::nullopt;
  std::string buf(65536, '\0');
  ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

tcp_peer::~tcp_peer() {
  if (fd_ >= 0) ::close(fd_);
}

tcp_peer tcp_peer::connect(const transport::socket_address& to) {
  int fd = ::socket(to.family(), SOCK_STREAM, 0);
  if (fd < 0 || ::connect(fd, to.data(), to.size()) != 0) {
    if (fd >= 0) ::close(fd);
    return tcp_peer{};
  }
  return tcp_peer{fd};
}

void tcp_peer::send(const std::string& bytes) const {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

std::string tcp_peer::receive_until(const std::string& needle, std::chrono::milliseconds timeout) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (got.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(fd_, left)) break;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

bool tcp_peer::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(fd_, left)) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    if (n < 0) return false;
  }
}

tcp_server::tcp_server(const std::string& ip, std::uint16_t port) {
  auto addr = transport::socket_address::from(ip, port);
  if (!addr) throw std::runtime_error("bad address " + ip);
  fd_ = ::socket(addr->family(), SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd_ < 0 || ::bind(fd_, addr->data(), addr->size()) != 0 || ::listen(fd_, 16) != 0)
    throw std::runtime_error("tcp_server listen failed");
  local_ = bound_address(fd_);
}

tcp_server::~tcp_server() {
  if (fd_ >= 0) ::close(fd_);
}

tcp_peer tcp_server::accept(std::chrono::milliseconds timeout) {
  if (!wait_readable(fd_, timeout)) return tcp_peer{};
  int fd = ::accept(fd_, nullptr, nullptr);
  return fd >= 0 ? tcp_peer{fd} : tcp_peer{};
}

}  // namespace sipactor::test
