// The branch parameters a proxy puts into its Via (RFC 3261 §16.6 step 8, §16.11) and the loop
// detection they allow (§16.3 item 4). Pure functions.
//
// A stateful proxy's branch is "z9hG4bK<random>.<loop hash>": the first part unique across
// space and time (§8.1.1.7), the second "reflect[s] all of those fields" that affect the
// request's processing, so that a request that comes back unchanged is a loop and one whose
// routing changed is a spiral.
//
// A stateless proxy's branch is "z9hG4bK<hash>", a function of what a retransmission keeps
// (§16.11) and what a CANCEL and a non-2xx ACK share with their INVITE (the received branch, the
// Request-URI, Route), so that they get the INVITE's branch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "actors/proxy_config.hpp"
#include "messages/message.hpp"

namespace sipactor {

// §16.6 step 8: "a cryptographic hash of the To tag, From tag, Call-ID header field, the
// Request-URI of the request received (before translation), the topmost Via header, and the
// sequence number from the CSeq header field, in addition to any Proxy-Require and
// Proxy-Authorization header fields", and Route ("including any Route, Proxy-Require and
// Proxy-Authorization header fields"). `top_via` is the Via on top when the request arrived
// (below ours once forwarded). The method is not included ("MUST NOT"). 16 hex digits.
std::string loop_hash(const message& request, std::string_view top_via);

// §16.6 step 8 for a stateful proxy: new_branch() "." loop_hash(request, its top Via).
std::string stateful_branch(const message& request);

// §16.11: "If it begins with the magic cookie, the first component of the branch ID of the
// outgoing request is computed as a hash of the received branch ID. Otherwise ... a hash of the
// topmost Via, the tag in the To header field, the tag in the From header field, the Call-ID
// header field, the CSeq number (but not method), and the Request-URI". `top_via` as above
// (below ours, when checking a loop). The Request-URI and Route are hashed too, so that a loop
// can be told from a spiral; nothing a CANCEL or ACK lacks (Proxy-Require, §9.1) is.
std::string stateless_branch(const message& request, std::string_view top_via);
std::string stateless_branch(const message& request);

// §16.3 item 4: "If the request contains a Via header field with a sent-by value that equals a
// value placed into previous requests by the proxy ... perform the branch parameter calculation
// described in Step 8 of Section 16.6 on this message and compare it to the parameter received
// in that Via header field. If the parameters match, the request has looped." `stateless`: the
// branches were made by stateless_branch().
bool has_looped(const proxy_config& config, const message& request, bool stateless);

}  // namespace sipactor
