// A minimal SIP client over UDP on 127.0.0.1 for tests that must know, request by request, what
// a server answered (the durability test of issue 6: which REGISTERs got a 200). No
// retransmissions: loopback does not lose datagrams below the socket buffers' size.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "messages/message.hpp"

namespace sipactor::test {

class udp_sip_client {
 public:
  udp_sip_client();  // binds 127.0.0.1 on a free port
  ~udp_sip_client();
  udp_sip_client(const udp_sip_client&) = delete;
  udp_sip_client& operator=(const udp_sip_client&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  bool send(const std::string& text, std::uint16_t to_port);
  // The next message received within `timeout`, parsed; nullptr on timeout or garbage.
  message_ptr receive(std::chrono::milliseconds timeout);

  // REGISTER for sip:USER@127.0.0.1 with the given Call-ID and CSeq; `contact` empty: a fetch.
  std::string register_text(const std::string& user, const std::string& call_id, std::uint32_t cseq,
                            const std::string& contact, std::uint32_t expires = 3600) const;

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace sipactor::test
