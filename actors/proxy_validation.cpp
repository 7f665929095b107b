#include "actors/proxy_validation.hpp"

#include <algorithm>

#include "actors/proxy_branch.hpp"
#include "actors/ua_responses.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

uas_check_result passed() { return {}; }

bool contains_ignoring_case(const std::vector<std::string>& list, std::string_view item) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return text::iequals(s, item); });
}

}  // namespace

uas_check_result check_proxy_uri_scheme(const message& request) {
  if (request.request_uri().is_sip()) return passed();
  return reject_request(request, 416, "Request-URI scheme " + std::string(request.request_uri().scheme_text()));
}

uas_check_result check_max_forwards(const message& request) {
  // "If the request does not contain a Max-Forwards header field, this check is passed."
  if (request.max_forwards() != 0) return passed();
  if (request.method() == sip_method::options) {
    // §11.2 with the capabilities of a proxy: it takes every method (§16.3 item 1: "MUST NOT
    // refuse to proxy a request because it contains a method ... it does not know about").
    ua_capabilities caps;
    caps.allowed_methods = {"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER"};
    uas_check_result r;
    r.status = 200;
    r.reason = "OPTIONS with Max-Forwards 0 answered by the proxy (§11)";
    auto built = options_response(caps, request, 200).build();
    if (built.ok()) r.response = built.message;
    return r;
  }
  return reject_request(request, 483, "Max-Forwards is 0");
}

uas_check_result check_loop(const proxy_config& config, const message& request) {
  if (!config.detect_loops || !has_looped(config, request, config.stateless)) return passed();
  return reject_request(request, 482, "the request came back unchanged");
}

uas_check_result check_proxy_require(const proxy_config& config, const message& request) {
  if (request.method() == sip_method::ack || request.method() == sip_method::cancel) return passed();
  if (request.header_count(header_id::proxy_require) == 0) return passed();
  const auto& required = request.proxy_require();
  if (!required) return reject_request(request, 400, std::string("malformed Proxy-Require: ") + required.reason());
  std::vector<std::string> unsupported;
  for (std::string_view tag : *required)
    if (!contains_ignoring_case(config.supported_extensions, tag) && !contains_ignoring_case(unsupported, tag))
      unsupported.emplace_back(tag);
  if (unsupported.empty()) return passed();
  std::string list = comma_list(unsupported);
  return reject_request(request, 420, "unsupported extensions: " + list, {{"Unsupported", list}});
}

uas_check_result validate_proxy_request(const proxy_config& config, const message& request) {
  uas_check_result r = check_proxy_uri_scheme(request);
  if (r.passed()) r = check_max_forwards(request);
  if (r.passed()) r = check_loop(config, request);
  if (r.passed()) r = check_proxy_require(config, request);
  return r;
}

}  // namespace sipactor
