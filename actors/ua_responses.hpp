// Responses a UAS core builds without a dialog (RFC 3261 §8.2.6, §8.2.7, §11.2): the To tag it
// puts in them, the stateless UAS's responses (an overloaded UA's 503 among them) and the answer
// to OPTIONS. Pure functions: no actor, no transaction state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/builder.hpp"
#include "messages/message.hpp"

namespace sipactor {

// One header line to add to a message.
struct header_line {
  std::string_view name;
  std::string_view value;
};

// §8.2.6.2, §8.2.7, §19.3: the To tag for responses to `request`. The same for every
// retransmission of the request and for a CANCEL of it (§9.2: "the To tag of the response to the
// CANCEL and the To tag in the response to the original request SHOULD be the same"), because it
// is an HMAC-SHA256, under a random key of this process, of what those requests share: Call-ID,
// From tag, CSeq number and top Via branch. Unpredictable without the key, so it keeps the
// randomness §19.3 asks of tags; 20 hex digits (80 bits).
std::string response_to_tag(const message& request);

// "a, b, c": the value of Allow, Supported, Accept and the like.
std::string comma_list(const std::vector<std::string>& items);

// §8.2.7 stateless UAS: a final response to `request` built from the request alone (§8.2.6),
// with `headers` added and response_to_tag() as To tag. Empty, as the stateless UAS must not
// answer them, for an ACK or a CANCEL ("MUST ignore") and for a status below 200 ("MUST NOT
// send provisional (1xx) responses"); empty too if the request cannot be echoed into a valid
// response.
message_ptr stateless_response(const message& request, int status, std::string_view reason = {},
                               const std::vector<header_line>& headers = {});

// §21.5.4 through the stateless UAS: 503 (Service Unavailable) with Retry-After, the answer of a
// UA that is overloaded (DESIGN.md: "overload is answered, not suffered").
message_ptr overload_response(const message& request, std::uint32_t retry_after_seconds);

// What a UAS supports, for §8.2 checks and §11.2 answers. Method names are case-sensitive
// (§7.1); schemes, option tags, types, encodings and languages are compared case-insensitively.
struct ua_capabilities {
  std::vector<std::string> allowed_methods{"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS"};  // Allow (§20.5)
  std::vector<std::string> supported;                                              // option tags (§19.2)
  std::vector<std::string> accept{"application/sdp"};  // media types; "type/*" and "*/*" allowed
  std::vector<std::string> accept_encoding{"identity"};
  std::vector<std::string> accept_language{"en"};
};

// §11.2: the answer to OPTIONS, with Allow, Accept, Accept-Encoding, Accept-Language and
// Supported. "The response code chosen MUST be the same that would have been chosen had the
// request been an INVITE": the caller passes it (200 when ready, 486 when busy, ...) and may add
// Contact and a body describing its media before building.
message_builder options_response(const ua_capabilities& caps, const message& request, int status = 200);

}  // namespace sipactor
