#include "actors/ua_request_checks.hpp"

#include <algorithm>

#include "messages/params.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

uas_check_result passed() { return {}; }

bool contains_ignoring_case(const std::vector<std::string>& list, std::string_view item) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return text::iequals(s, item); });
}

// The tokens of every line of a comma-separated header (Content-Encoding, Content-Language).
std::vector<std::string_view> header_tokens(const message& m, header_id id) {
  std::vector<std::string_view> out;
  m.for_each_header(id, [&](const header& h) {
    text::for_each_element(h.value, [&](std::string_view element) {
      if (!element.empty()) out.push_back(element);
      return true;
    });
  });
  return out;
}

// An Accept entry ("application/sdp", "text/*", "*/*") covers the body's type.
bool type_accepted(const std::vector<std::string>& accept, const media_type& type) {
  for (const std::string& entry : accept) {
    std::string_view e = text::trim(entry);
    std::size_t slash = e.find('/');
    if (slash == std::string_view::npos) continue;
    std::string_view t = e.substr(0, slash), s = e.substr(slash + 1);
    if ((t == "*" || text::iequals(t, type.type)) && (s == "*" || text::iequals(s, type.subtype))) return true;
  }
  return false;
}

// RFC 2616 §14.4 (which §20.3 refers to): a language range matches a tag equal to it, or one that
// begins with it followed by "-"; "*" matches every tag.
bool language_accepted(const std::vector<std::string>& accept, std::string_view tag) {
  for (const std::string& range : accept) {
    if (range == "*" || text::iequals(range, tag)) return true;
    if (tag.size() > range.size() && tag[range.size()] == '-' && text::iequals(tag.substr(0, range.size()), range))
      return true;
  }
  return false;
}

// §20.11: handling=optional lets a UAS ignore a body it does not understand ("required" is the
// default).
bool body_is_optional(const message& request) {
  auto disposition = request.header_value(header_id::content_disposition);
  if (!disposition) return false;
  std::size_t semi = disposition->find(';');
  if (semi == std::string_view::npos) return false;
  auto handling = find_param(disposition->substr(semi), "handling");
  return handling && text::iequals(*handling, "optional");
}

}  // namespace

uas_check_result reject_request(const message& request, int status, std::string reason,
                                const std::vector<header_line>& headers) {
  uas_check_result r;
  r.status = status;
  r.reason = std::move(reason);
  auto response = message_builder::response_to(request, status, {}, response_to_tag(request));
  for (const header_line& h : headers) response.add_header(h.name, h.value);
  parse_result built = response.build();
  if (built.ok()) r.response = built.message;
  return r;
}

uas_check_result check_size(const uas_policy& policy, const message& request) {
  if (request.method() == sip_method::ack) return passed();
  // §21.5.7: "unable to process the request since the message length exceeded its capabilities".
  if (request.bytes().size() > policy.max_message_bytes)
    return reject_request(request, 513, "message of " + std::to_string(request.bytes().size()) + " octets");
  // §21.4.11: "the request entity-body is larger than the server is willing or able to process".
  if (request.body().size() > policy.max_body_bytes)
    return reject_request(request, 413, "body of " + std::to_string(request.body().size()) + " octets");
  return passed();
}

uas_check_result check_method(const uas_policy& policy, const message& request) {
  if (request.method() == sip_method::ack) return passed();
  const auto& allowed = policy.capabilities.allowed_methods;
  // Method names are case-sensitive (§7.1).
  if (std::find(allowed.begin(), allowed.end(), request.method_name()) != allowed.end()) return passed();
  std::string allow = comma_list(allowed);
  // §8.2.1: "If the UAS recognizes but does not support the method of a request, it MUST generate
  // a 405 (Method Not Allowed) response ... The UAS MUST also add an Allow header field".
  // §21.5.2: 501 "is the appropriate response when a UAS does not recognize the request method".
  int status = request.method() == sip_method::unknown ? 501 : 405;
  return reject_request(request, status, "method " + std::string(request.method_name()) + " not allowed",
                        {{"Allow", allow}});
}

uas_check_result check_request_uri(const uas_policy& policy, const message& request) {
  if (request.method() == sip_method::ack) return passed();
  const uri& target = request.request_uri();
  // §8.2.2.1: "If the Request-URI uses a scheme not supported by the UAS, it SHOULD reject the
  // request with a 416 (Unsupported URI Scheme) response."
  if (!contains_ignoring_case(policy.uri_schemes, target.scheme_text()))
    return reject_request(request, 416, "scheme " + std::string(target.scheme_text()) + " not supported");
  if (policy.accepts_request_uri && !policy.accepts_request_uri(target))
    return reject_request(request, 404, "not accepting requests for " + std::string(target.text));
  return passed();
}

uas_check_result check_merged(merged_request_table& table, const message& request,
                              merged_request_table::clock::time_point now) {
  // §8.2.2.2: "the UAS core SHOULD generate a 482 (Loop Detected) response".
  if (table.merged(request, now)) return reject_request(request, 482, "merged request (same From tag, Call-ID and CSeq)");
  return passed();
}

uas_check_result check_require(const uas_policy& policy, const message& request) {
  // §8.2.2.3: "Require and Proxy-Require MUST NOT be used in a SIP CANCEL request, or in an ACK
  // request sent for a non-2xx response. These header fields MUST be ignored".
  if (request.method() == sip_method::ack || request.method() == sip_method::cancel) return passed();
  if (request.header_count(header_id::require) == 0) return passed();
  const auto& required = request.require();
  if (!required) return reject_request(request, 400, std::string("malformed Require: ") + required.reason());
  std::vector<std::string> unsupported;
  for (std::string_view tag : *required)
    if (!contains_ignoring_case(policy.capabilities.supported, tag) && !contains_ignoring_case(unsupported, tag))
      unsupported.emplace_back(tag);
  if (unsupported.empty()) return passed();
  // "it MUST respond by generating a response with status code 420 (Bad Extension). The UAS MUST
  // add an Unsupported header field, and list in it those options it does not understand".
  std::string list = comma_list(unsupported);
  return reject_request(request, 420, "unsupported extensions: " + list, {{"Unsupported", list}});
}

uas_check_result check_content(const uas_policy& policy, const message& request) {
  if (request.method() == sip_method::ack || request.body().empty() || body_is_optional(request)) return passed();
  const ua_capabilities& caps = policy.capabilities;
  std::vector<header_line> headers;
  std::string reason;
  std::string accept, accept_encoding, accept_language;

  // §8.2.3: "The response MUST contain an Accept header field listing the types of all bodies it
  // understands, in the event the request contained bodies of types not supported by the UAS."
  if (request.content_type().empty()) {
    return reject_request(request, 400, "body without Content-Type (§7.4.1)");
  }
  const auto& type = request.media();
  if (!type) return reject_request(request, 400, std::string("malformed Content-Type: ") + type.reason());
  if (!type_accepted(caps.accept, *type)) {
    accept = comma_list(caps.accept);
    headers.push_back({"Accept", accept});
    reason = "type " + std::string(request.content_type());
  }
  // "If the request contained content encodings not understood by the UAS, the response MUST
  // contain an Accept-Encoding header field listing the encodings understood by the UAS."
  for (std::string_view coding : header_tokens(request, header_id::content_encoding)) {
    if (text::iequals(coding, "identity") || contains_ignoring_case(caps.accept_encoding, coding)) continue;
    accept_encoding = comma_list(caps.accept_encoding);
    headers.push_back({"Accept-Encoding", accept_encoding});
    reason += (reason.empty() ? "" : ", ") + ("encoding " + std::string(coding));
    break;
  }
  // "If the request contained content with languages not understood by the UAS, the response
  // MUST contain an Accept-Language header field indicating the languages understood".
  for (std::string_view language : header_tokens(request, header_id::content_language)) {
    if (language_accepted(caps.accept_language, language)) continue;
    accept_language = comma_list(caps.accept_language);
    headers.push_back({"Accept-Language", accept_language});
    reason += (reason.empty() ? "" : ", ") + ("language " + std::string(language));
    break;
  }
  if (headers.empty()) return passed();
  return reject_request(request, 415, "body not understood: " + reason, headers);
}

uas_check_result check_request(const uas_policy& policy, merged_request_table* merged, const message& request,
                               merged_request_table::clock::time_point now) {
  // §8.2: "UASs SHOULD process the requests in the order of the steps that follow in this
  // section".
  uas_check_result r = check_size(policy, request);
  if (r.passed()) r = check_method(policy, request);
  if (r.passed()) r = check_request_uri(policy, request);
  if (r.passed() && merged != nullptr) r = check_merged(*merged, request, now);
  if (r.passed()) r = check_require(policy, request);
  if (r.passed()) r = check_content(policy, request);
  return r;
}

}  // namespace sipactor
