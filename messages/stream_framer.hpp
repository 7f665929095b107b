// Cuts SIP messages out of a byte stream (TCP, TLS) per RFC 3261 §18.3: the header section ends
// at the first empty line and the body is exactly Content-Length octets. Bytes may arrive in any
// split. Also recognises RFC 5626 §4.4.1 keep-alives between messages: CRLFCRLF (ping) and
// CRLF (pong). A framing error is fatal for the stream: the connection has to be closed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sipactor {

struct framer_limits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_message_bytes = 64 * 1024;
};

class stream_framer {
 public:
  enum class event_kind { need_more, message, keepalive_ping, keepalive_pong, error };
  struct event {
    event_kind kind = event_kind::need_more;
    // message: the message octets. error: the header section when it was complete (enough to
    // answer 400 before closing), else empty. Valid until the next append() or next().
    std::string_view bytes;
    const char* reason = nullptr;  // error only
  };

  explicit stream_framer(framer_limits limits = {}) : limits_(limits) {}

  void append(std::string_view bytes);
  event next();

  // Octets received that are not yet part of a complete message.
  std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }
  // A message has started but its header section is not complete yet (read timeouts).
  bool in_header_section() const noexcept { return pending_length_ == 0 && buffered() > 0; }
  bool failed() const noexcept { return failed_ != nullptr; }

 private:
  event fail(const char* reason, std::string_view header_section = {});

  framer_limits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t scanned_ = 0;         // offset up to which no CRLFCRLF was found
  std::size_t pending_length_ = 0;  // full length of the message at consumed_, once known
  const char* failed_ = nullptr;
};

}  // namespace sipactor
