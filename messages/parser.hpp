// Parsing one SIP message from bytes (RFC 3261 §7, §18.3, §25). Never throws; every input ends
// in a message or a parse_error with a status and a reason.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "messages/message.hpp"

namespace sipactor {

// How the message was delimited: a datagram is one message plus ignorable trailing octets
// (§18.3); a stream message was already cut by the stream_framer and must carry Content-Length.
enum class framing : std::uint8_t { datagram, stream };

struct parse_limits {
  std::size_t max_message_bytes = 65535;
  std::size_t max_header_lines = 256;
};

struct parse_error {
  int status = 400;    // what a UAS or proxy answers to a request: 400, 505, 501, 513
  std::string reason;  // why, for the reason phrase and the logs
};

struct parse_result {
  // On success, the message. On failure of a message whose start line and header lines were
  // readable, a partial message holding what was read, enough to answer per §8.2.6.
  message_ptr message;
  std::optional<parse_error> error;

  bool ok() const noexcept { return !error; }
  // A request we can answer with error->status: responses are never answered (§18.3).
  bool answerable() const noexcept { return error && message && message->is_request(); }
};

parse_result parse_message(std::string_view bytes, framing mode = framing::datagram,
                           const parse_limits& limits = {});

// Where a received message came from: a numeric IPv4 or IPv6 address (no brackets) and a port.
struct packet_source {
  std::string_view address;
  std::uint16_t port = 0;
};

// As above, for a message a server transport received from `source`. For requests the top Via
// is completed as RFC 3261 §18.2.1 and RFC 3581 §4 require: "received" when the sent-by host is
// a name or another address (always when rport is present), and the rport value.
parse_result parse_message(std::string_view bytes, framing mode, const parse_limits& limits,
                           const packet_source& source);

}  // namespace sipactor
