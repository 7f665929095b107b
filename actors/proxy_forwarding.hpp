// Request forwarding (RFC 3261 §16.6 steps 1-9): the request a proxy sends to one target, and
// where it goes. A pure step; step 10 (a client transaction, or the transport for a stateless
// proxy) and step 11 (Timer C) belong to the actors.
#pragma once

#include <string>
#include <string_view>

#include "actors/proxy_config.hpp"
#include "actors/proxy_routing.hpp"
#include "actors/proxy_targets.hpp"
#include "transport/target.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor {

struct forwarded_request {
  transport::outbound_request out;  // the request with its destination (§16.6 step 7)
  std::string next_hop;             // the URI resolved (the first Route, or the Request-URI)
  std::string error;                // why the request cannot go to this target; then `out` is empty
  // The next hop names a host (not an address): the caller resolves `next_hop` (RFC 3263, see
  // transport/sip_locator.hpp) and forwards again with one of the targets; `error` says so too.
  bool needs_lookup = false;
  bool ok() const noexcept { return error.empty(); }
};

// The request for `target`, with our Via carrying `branch` (actors/proxy_branch.hpp):
//  1. a copy of the received request (after §16.4), our own Route values removed;
//  2. the Request-URI set to the target's, without the parameters a Request-URI may not have;
//  3. Max-Forwards decremented (70 when absent);
//  4. when configured, Record-Route with our URI for the hop (lr, the transport parameter), and a
//     second one for the other side when the request leaves over another transport or address
//     family than it came in (double record-routing, RFC 5658), so that either side's requests
//     reach us the way that side can;
//  6. the target's static next hop pushed as Route; a strict router first on Route gets the
//     Request-URI appended to Route and its own URI as Request-URI;
//  7. the next hop resolved: `resolved` when given (a target the caller found by RFC 3263 for
//     this next hop), else a numeric host or localhost (transport/target.hpp), else
//     `needs_lookup`; a SIPS Request-URI goes over TLS;
//  8. our Via (the sent-by of our listen point for that transport);
//  9. Content-Length (the builder always writes it).
// `inbound` is the transport the request arrived on.
forwarded_request forward_request(const proxy_config& config, const routed_request& routed,
                                  transport::transport_kind inbound, const proxy_target& target,
                                  std::string_view branch, const transport::target* resolved = nullptr);

}  // namespace sipactor
