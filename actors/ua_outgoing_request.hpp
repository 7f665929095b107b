// What a UA sends as a UAC, in and out of dialogs: the Request-URI and Route header formed from a
// target and a route set (RFC 3261 §12.2.1.1, used by §8.1.1.1 for a pre-existing route set),
// the next hop the transport resolves (§8.1.2), and the Via added once the transport is chosen
// (§8.1.1.7). Pure functions and values: no actor, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/builder.hpp"
#include "messages/expected.hpp"
#include "messages/header_views.hpp"
#include "messages/parser.hpp"
#include "messages/uri.hpp"

namespace sipactor {

// §8.1.1.6: what a UAC puts in Max-Forwards.
inline constexpr std::string_view initial_max_forwards = "70";

// One element of a route set (§12.1.1, §12.1.2) or of a pre-existing route set (§8.1.1.1).
struct route_entry {
  std::string value;   // the name-addr with its parameters, as in Record-Route: "<sip:p1.example.com;lr>"
  std::string uri;     // the URI inside the brackets, "preserving all URI parameters"
  bool loose = false;  // the URI has the lr parameter (§19.1.1): a loose router
};
route_entry route_entry_of(const name_addr& address);
// A route given as text (configuration): "<sip:proxy.example.com;lr>" or a bare URI.
expected<route_entry> parse_route_entry(std::string_view text);

// §19.1.1 Table 1 and §19.1.5: a URI as a Request-URI. The method parameter and the headers are
// not allowed there and are dropped; every other parameter stays. Other schemes are unchanged.
std::string request_uri_form(const uri& u);
std::string request_uri_form(std::string_view uri_text);  // unparsable text is returned as is

// §12.2.1.1: places `remote_target` and `route_set` into the Request-URI and Route header of
// `request`, which must have no Route yet.
//  - empty route set: the remote target is the Request-URI, no Route;
//  - first route loose (lr): the remote target is the Request-URI, Route lists the route set;
//  - first route strict: the first route (§19.1.5 form) is the Request-URI, Route lists the rest
//    and then the remote target.
// Returns the next hop of §8.1.2: the URI the transport resolves (RFC 3263), which is the
// first route, or the Request-URI when the route set is empty.
std::string apply_route_set(message_builder& request, std::string_view remote_target,
                            const std::vector<route_entry>& route_set);

// §8.1.1.5 and §12.2.1.1: a first CSeq number for requests outside of a dialog, or when a dialog's
// local sequence number is empty. Random in [1, 2^31): "MUST be less than 2**31", and at least
// 2^31 further requests fit before 32 bits would wrap around.
std::uint32_t initial_cseq();

// A request ready but for its Via. §8.1.1.7: "A Via header field value is added only after the
// transport that will be used to reach the next hop has been selected", so the caller resolves
// next_hop (RFC 3263), then calls finish() with the transport and its sent-by.
struct outgoing_request {
  message_builder request = message_builder::request({}, {});  // every header but Via
  std::string branch;    // new_branch(): unique across space and time (§8.1.1.7)
  std::string next_hop;  // §8.1.2: the URI to resolve, the first Route or the Request-URI
  // §8.1.2: "if the Request-URI specifies a SIPS resource, the UAC MUST follow the procedures
  // of [4] as if the input URI were a SIPS URI" (TLS whatever next_hop says).
  bool sips_request_uri = false;

  // Pushes "Via: SIP/2.0/<transport> <sent_by>;branch=<branch>[;rport]" (rport: RFC 3581 §3)
  // and builds the message. Called again (another address or transport, §8.1.2: each try is a
  // new transaction, so give it a new `branch` first), it replaces the Via it pushed before.
  parse_result finish(std::string_view transport, std::string_view sent_by, bool rport = true);

  bool has_via = false;  // finish() pushed a Via into `request`
};

// The Via value finish() writes.
std::string via_value(std::string_view transport, std::string_view sent_by, std::string_view branch, bool rport);

}  // namespace sipactor
