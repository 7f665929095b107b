#include "tests/interop/udp_sip_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "messages/parser.hpp"

namespace sipactor::test {

udp_sip_client::udp_sip_client() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
  int size = 4 << 20;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port_ = ntohs(addr.sin_port);
}

udp_sip_client::~udp_sip_client() {
  if (fd_ >= 0) ::close(fd_);
}

bool udp_sip_client::send(const std::string& text, std::uint16_t to_port) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(to_port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
         static_cast<ssize_t>(text.size());
}

message_ptr udp_sip_client::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return nullptr;
  char buffer[65536];
  ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) return nullptr;
  auto parsed = parse_message(std::string_view(buffer, static_cast<std::size_t>(n)));
  return parsed.ok() ? parsed.message : nullptr;
}

std::string udp_sip_client::register_text(const std::string& user, const std::string& call_id, std::uint32_t cseq,
                                          const std::string& contact, std::uint32_t expires) const {
  std::string local = "127.0.0.1:" + std::to_string(port_);
  std::string text = "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + call_id + "-" + std::to_string(cseq) + ";rport\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:" + user + "@127.0.0.1>;tag=" + call_id + "\r\n"
                     "To: <sip:" + user + "@127.0.0.1>\r\n"
                     "Call-ID: " + call_id + "\r\n"
                     "CSeq: " + std::to_string(cseq) + " REGISTER\r\n";
  if (!contact.empty()) text += "Contact: <" + contact + ">\r\nExpires: " + std::to_string(expires) + "\r\n";
  return text + "Content-Length: 0\r\n\r\n";
}

}  // namespace sipactor::test
