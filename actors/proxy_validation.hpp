// Request validation of a proxy (RFC 3261 §16.3), one small step each, in the RFC's order. "If
// any of these checks fail, the element MUST behave as a user agent server (see Section 8.2) and
// respond with an error code": each step passes the request on or gives the response
// (actors/ua_request_checks.hpp's result). Item 1 (reasonable syntax) is the parser's; item 6
// (Proxy-Authorization, §22.3) is the authentication step's, which runs before the core.
//
// An ACK is never answered: a core drops an ACK that fails a check.
#pragma once

#include "actors/proxy_config.hpp"
#include "actors/ua_request_checks.hpp"
#include "messages/message.hpp"

namespace sipactor {

// Item 2: "If the Request-URI has a URI whose scheme is not understood by the proxy, the proxy
// SHOULD reject the request with a 416 (Unsupported URI Scheme) response." We route sip and sips.
uas_check_result check_proxy_uri_scheme(const message& request);

// Item 3: Max-Forwards of zero: "the element MUST NOT forward the request. If the request was
// for OPTIONS, the element MAY act as the final recipient and respond per Section 11. Otherwise,
// the element MUST return a 483 (Too many hops) response." For OPTIONS the result holds the 200
// of §11.2.
uas_check_result check_max_forwards(const message& request);

// Item 4: 482 (Loop Detected) when the request carries one of our Vias and the branch computed
// anew matches (actors/proxy_branch.hpp), i.e. it came back unchanged: a loop, not a spiral.
uas_check_result check_loop(const proxy_config& config, const message& request);

// Item 5: "If the request contains a Proxy-Require header field (Section 20.29) with one or more
// option-tags this element does not understand, the element MUST return a 420 (Bad Extension)
// response. The response MUST include an Unsupported ... header field listing those option-tags".
// Not applied to CANCEL and ACK (§8.2.2.3: "MUST be ignored" there).
uas_check_result check_proxy_require(const proxy_config& config, const message& request);

// Items 2-5 in order.
uas_check_result validate_proxy_request(const proxy_config& config, const message& request);

}  // namespace sipactor
