#include "transport/inbound.hpp"

#include "messages/builder.hpp"
#include "messages/identifiers.hpp"
#include "messages/status.hpp"

namespace sipactor::transport {

inbound_result process_inbound(std::string_view bytes, framing mode, transport_kind /*transport*/,
                               const socket_address& remote, const parse_limits& limits) {
  inbound_result out;
  char ip[46];
  std::size_t ip_length = remote.format_ip(ip);
  parse_result r = parse_message(bytes, mode, limits, packet_source{std::string_view(ip, ip_length), remote.port()});
  if (r.ok()) {
    out.outcome = inbound_outcome::deliver;
    out.message = std::move(r.message);
    return out;
  }
  out.reason = r.error->reason;
  // §18.3: a request that cannot be framed or parsed SHOULD get a 400 (or 505/501/513 as the
  // error says); a response is discarded. The reason goes into the reason phrase for the peer.
  if (!r.answerable() || r.message->method() == sip_method::ack) return out;
  std::string phrase = std::string(default_reason_phrase(r.error->status)) + " (" + r.error->reason + ")";
  out.answer = message_builder::response_to(*r.message, r.error->status, phrase, new_tag()).serialize();
  out.outcome = inbound_outcome::answer;
  return out;
}

}  // namespace sipactor::transport
