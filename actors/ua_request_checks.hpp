// The UAS checks of RFC 3261 §8.2, one small step each, in the RFC's order: each either lets the
// request go on or gives the response to send (built per §8.2.6 with the headers the RFC
// requires). check_request() runs them all. Authentication (§8.2 "starting with authentication",
// §22) comes before them and lives in actors/auth_*; §8.2.4 (applying extensions) is not a check.
//
// An ACK passes every check: no response is ever sent to an ACK (§17), its dialog decides.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "actors/ua_merged_requests.hpp"
#include "actors/ua_responses.hpp"
#include "messages/message.hpp"

namespace sipactor {

// The outcome of a check: passed, or rejected with `response`.
struct uas_check_result {
  int status = 0;         // 0: the request passed; else the status of `response`
  std::string reason;     // why, for the logs
  message_ptr response;   // the response to pass to the server transaction; empty when passed
                          // (and, should the request be impossible to echo, when rejected)
  bool passed() const noexcept { return status == 0; }
};

// What the checks accept.
struct uas_policy {
  ua_capabilities capabilities;
  std::vector<std::string> uri_schemes{"sip", "sips", "tel"};  // §8.2.2.1, else 416
  std::size_t max_message_bytes = 65535;                      // §21.5.7, else 513
  std::size_t max_body_bytes = 65535;                         // §21.4.11, else 413
  // §8.2.2.1: "If the Request-URI does not identify an address that the UAS is willing to accept
  // requests for, it SHOULD reject the request with a 404". False: 404. Empty: all are accepted.
  std::function<bool(const uri&)> accepts_request_uri;
};

// Builds a rejection per §8.2.6 with `headers` added; the To tag is response_to_tag(request).
uas_check_result reject_request(const message& request, int status, std::string reason,
                                const std::vector<header_line>& headers = {});

// §21.5.7 / §21.4.11: 513 when the message is longer than the UA handles, 413 when its body is.
uas_check_result check_size(const uas_policy& policy, const message& request);
// §8.2.1: 405 (Method Not Allowed) with Allow for a method the UAS knows but does not allow;
// 501 (Not Implemented, §21.5.2) with Allow for a method it does not recognize.
uas_check_result check_method(const uas_policy& policy, const message& request);
// §8.2.2.1: 416 (Unsupported URI Scheme); 404 when the policy's hook refuses the Request-URI.
uas_check_result check_request_uri(const uas_policy& policy, const message& request);
// §8.2.2.2: 482 (Loop Detected) for a merged request; remembers the others in `table`.
uas_check_result check_merged(merged_request_table& table, const message& request,
                              merged_request_table::clock::time_point now);
// §8.2.2.3: 420 (Bad Extension) with Unsupported listing the Require option tags not supported.
// Not applied to CANCEL (Require "MUST be ignored" there). 400 for a malformed Require.
uas_check_result check_require(const uas_policy& policy, const message& request);
// §8.2.3: 415 (Unsupported Media Type) with Accept, Accept-Encoding and/or Accept-Language for
// a body whose type, encoding or language is not understood, unless Content-Disposition marks it
// optional (handling=optional, §20.11). 400 for a malformed Content-Type.
uas_check_result check_content(const uas_policy& policy, const message& request);

// All of the above in the RFC's order (size first: nothing else is worth reading then). `merged`
// may be null for a UAS that does not track merged requests (an in-dialog request, which has a
// To tag, skips that step anyway).
uas_check_result check_request(const uas_policy& policy, merged_request_table* merged, const message& request,
                               merged_request_table::clock::time_point now);

}  // namespace sipactor
