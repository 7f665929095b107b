// Response processing of a stateful proxy (RFC 3261 §16.7) as pure steps: what to do with a
// response as it arrives (step 5), which final response is best (step 6), and the response that
// is forwarded (steps 3, 6 and 7). The response context actor (actors/proxy_context.hpp) runs them.
#pragma once

#include <cstddef>
#include <vector>

#include "messages/message.hpp"

namespace sipactor {

// §16.7 step 5.
enum class response_disposition : std::uint8_t {
  forward_now,  // "Any provisional response other than 100 (Trying)", "Any 2xx response"
  keep,         // a final response, a candidate for the best response (step 4)
  drop,         // 100 (Trying), or nothing more may be forwarded on this server transaction
};
// `final_sent`: a final response was sent on the server transaction. "After a final response has
// been sent on the server transaction, the following responses MUST be forwarded immediately:
// Any 2xx response to an INVITE request"; nothing else.
response_disposition dispose(const message& response, bool final_sent);

// A final response in the response context, and whether its top Via is still ours (a response a
// branch received; not one the proxy made up, such as the 408 of Timer C).
struct context_response {
  message_ptr response;
  bool our_via_on_top = true;
};

// §16.7 step 6: the index of the best final response, or npos when there is none (then 408).
// "It MUST choose from the 6xx class responses if any exist in the context. If no 6xx class
// responses are present, the proxy SHOULD choose from the lowest response class stored ... The
// proxy SHOULD give preference to responses that provide information affecting resubmission of
// this request, such as 401, 407, 415, 420, and 484 if the 4xx class is chosen." In the 5xx
// class a 503 is taken last (it becomes a 500 anyway, see best_response). Otherwise the first
// received wins.
std::size_t choose_best_response(const std::vector<context_response>& responses);

// §16.7 step 3: "The proxy removes the topmost Via header field value from the response." Empty
// when the result does not build.
message_ptr without_top_via(const message_ptr& response);

// The response to send upstream as the context's final response (steps 3, 6, 7):
//  - none in the context: "the proxy MUST send a 408 (Request Timeout) response";
//  - a 503: "If the only response that was received is a 503, the proxy SHOULD generate a 500
//    response" (a 503 upstream would say the proxy itself is unavailable);
//  - a 401 or 407: "the proxy MUST collect any WWW-Authenticate and Proxy-Authenticate header
//    field values from all other 401 (Unauthorized) and 407 (Proxy Authentication Required)
//    responses received so far in this response context and add them to this response without
//    modification before forwarding";
//  - our Via removed (step 3).
// `request` is the request of the server transaction, for responses made from it (§8.2.6).
message_ptr best_response(const std::vector<context_response>& responses, const message& request);

// A response the proxy makes for the server transaction's request (408, 480, 500, ...), with the
// To tag of ua_responses.hpp when the request has none.
message_ptr proxy_response(const message& request, int status, std::string_view reason = {});

}  // namespace sipactor
