// Route information preprocessing of a proxy (RFC 3261 §16.4): the strict-route fix-up for a
// request an RFC 2543 strict router sent us, and the removal of our own Route values on top.
// Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "actors/proxy_config.hpp"
#include "messages/message.hpp"

namespace sipactor {

// A request after §16.4. Our own top Route values are counted, not removed, so that the common
// case costs no copy: the forwarding step removes them from its copy (§16.6 step 1).
struct routed_request {
  message_ptr received;        // as it arrived: the loop hash reads its Request-URI (§16.6 step 8)
  message_ptr request;         // the same, or rebuilt by the strict-route fix-up
  std::size_t own_routes = 0;  // Route values on top that indicate this proxy
  bool strict_route_fixed = false;
  bool own_maddr_stripped = false;

  // The Route values left once ours are gone (§16.12 step 3: the next hop is the first of them).
  std::size_t remaining_routes() const;
};

// §16.4: "If the Request-URI of the request contains a value this proxy previously placed into
// a Record-Route header field (see Section 16.6 item 4), the proxy MUST replace the Request-URI
// in the request with the last value from the Route header field, and remove that value from the
// Route header field." Our Record-Route URIs are recognized by what they carry (the RFC: "a proxy
// need only place enough information in those URIs to recognize them"): they indicate this proxy
// and have the lr parameter, and a strict router leaves the rest of the route in Route.
bool needs_strict_route_fix(const proxy_config& config, const message& request);

// The fix-up itself: a request whose Request-URI is the last Route value, without that value.
// Empty when the result does not build.
message_ptr fix_strict_route(const message_ptr& request);

// §16.4: "If the Request-URI has a maddr parameter with a value the proxy is responsible for,
// and the request was received using the port and transport indicated (explicitly or by
// default) in the Request-URI, the proxy MUST strip the maddr and any non-default port or
// transport parameter and continue processing as if those values had not been present in the
// request." The Request-URI without them, or nothing when the rule does not apply (no maddr, a
// maddr not ours, another port or transport than the one the request came over).
std::optional<std::string> without_own_maddr(const proxy_config& config, const uri& request_uri,
                                             transport::transport_kind received_over, std::uint16_t received_port);

// §16.4 in full: the maddr rule and the strict-route fix-up when they apply, then "If the first
// value in the Route header field indicates this proxy, the proxy MUST remove that value from
// the request" (every such value on top: with double record-routing, RFC 5658, we are there
// twice). `received_port` is our port the request came in on (0: unknown, no maddr rule).
routed_request preprocess_routes(const proxy_config& config, const message_ptr& request,
                                 transport::transport_kind received_over = transport::transport_kind::udp,
                                 std::uint16_t received_port = 0);

}  // namespace sipactor
