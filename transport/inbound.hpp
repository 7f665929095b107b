// What every transport does with the octets of one received message (RFC 3261 §18.2.1, §18.1.2,
// §18.3): parse with the packet source so the top Via gets received/rport, and decide the
// outcome: deliver it, answer it with an error (only requests), or drop it and count.
#pragma once

#include <string>
#include <string_view>

#include "messages/parser.hpp"
#include "transport/socket_address.hpp"
#include "transport/transport_kind.hpp"

namespace sipactor::transport {

enum class inbound_outcome { deliver, answer, drop };

struct inbound_result {
  inbound_outcome outcome = inbound_outcome::drop;
  message_ptr message;  // deliver
  std::string answer;   // answer: the serialized error response, sent back where the request came from
  std::string reason;   // answer/drop: why (for logs and counters)
};

inbound_result process_inbound(std::string_view bytes, framing mode, transport_kind transport,
                               const socket_address& remote, const parse_limits& limits);

}  // namespace sipactor::transport
