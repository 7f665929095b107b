#include "actors/proxy_forwarding.hpp"

#include "actors/ua_outgoing_request.hpp"
#include "messages/builder.hpp"
#include "transport/target.hpp"

namespace sipactor {

namespace {

using transport::transport_kind;

bool is_sips(std::string_view uri_text) { return uri_text.substr(0, 5) == "sips:" || uri_text.substr(0, 5) == "SIPS:"; }

// What step 6 leaves on top of Route: the static next hop, else the first Route value not ours.
struct top_route {
  std::string uri;
  bool present = false;
  bool loose = false;
};

top_route top_route_of(const routed_request& routed, const proxy_target& target) {
  top_route top;
  if (!target.route.empty()) {
    auto parsed = parse_route_entry(target.route);
    top.uri = parsed ? parsed->uri : target.route;
    top.present = true;
    top.loose = true;  // §16.6 step 6: "A proxy MUST ensure that all such proxies are loose routers"
    return top;
  }
  const auto& routes = routed.request->routes();
  if (routed.own_routes < routes.size()) {
    const name_addr& first = routes[routed.own_routes];
    top.uri = std::string(first.address.text);
    top.present = true;
    top.loose = first.address.has_param("lr");
  }
  return top;
}

}  // namespace

forwarded_request forward_request(const proxy_config& config, const routed_request& routed, transport_kind inbound,
                                  const proxy_target& target, std::string_view branch,
                                  const transport::target* resolved) {
  forwarded_request f;
  const message& request = *routed.request;
  // 1. "The proxy starts with a copy of the received request"; §16.4: our Route values go.
  auto copy = message_builder::copy_of(routed.request);
  for (std::size_t i = 0; i < routed.own_routes; ++i) copy.pop_route();
  // 2. "The Request-URI in the copy's start line MUST be replaced with the URI for this target.
  // If the URI contains any parameters not allowed in a Request-URI, they MUST be removed."
  std::string request_uri = request_uri_form(target.uri);
  if (request_uri != request.request_uri().text) copy.set_request_uri(request_uri);
  // 3. "If the copy contains a Max-Forwards header field, the proxy MUST decrement its value by
  // one (1). If the copy does not contain a Max-Forwards header field, the proxy MUST add one
  // with a field value, which SHOULD be 70."
  copy.decrement_max_forwards();
  // 6. "This set MUST be pushed into the Route header field of the copy ahead of any existing
  // values"; then a strict router on top: "The proxy MUST place the Request-URI into the Route
  // header field as the last value. The proxy MUST then place the first Route header field value
  // into the Request-URI and remove that value from the Route header field."
  top_route top = top_route_of(routed, target);
  if (!target.route.empty()) {
    // "This set of proxies is represented by a set of URIs (each of which contains the lr parameter)."
    auto entry = parse_route_entry(target.route);
    copy.push_route(entry && entry->loose ? entry->value : "<" + (entry ? entry->uri : target.route) + ";lr>");
  }
  bool strict = top.present && !top.loose;
  if (strict) {
    copy.add_header("Route", "<" + request_uri + ">");
    request_uri = request_uri_form(top.uri);
    copy.set_request_uri(request_uri);
    copy.pop_route();
  }
  // 7. "If the proxy has reformatted the request to send to a strict-routing element ... apply
  // those procedures to the Request-URI. Otherwise ... to the first value in the Route header
  // field, if present, else the Request-URI."
  f.next_hop = top.present && !strict ? top.uri : request_uri;
  auto next = resolved ? expected<transport::target>(*resolved) : transport::resolve_target(f.next_hop);
  if (!next) {
    f.error = next.reason();
    f.needs_lookup = transport::names_a_host(f.next_hop);
    return f;
  }
  // "if the Request-URI specifies a SIPS resource, the proxy MUST follow the procedures of [4]
  // as if the input URI were a SIPS URI."
  if (is_sips(request_uri)) next->transport = transport_kind::tls;
  const transport::listen_point* local = listen_point_for(config, next->transport, next->address);
  if (!local) {
    f.error = "no " + std::string(transport::to_string(next->transport)) + " listener to send from";
    return f;
  }
  // 4. "it MUST insert a Record-Route header field value into the copy before any existing
  // Record-Route header field values". ACK and CANCEL create no dialog and are not record-routed.
  if (config.record_route && request.method() != sip_method::ack && request.method() != sip_method::cancel) {
    // "If the Request-URI contains a SIPS URI, or the topmost Route header field value (after the
    // post processing of bullet 6) contains a SIPS URI, the URI placed into the Record-Route
    // header field MUST be a SIPS URI."
    bool sips = is_sips(request_uri) || (top.present && !strict && is_sips(top.uri));
    if (inbound != next->transport) {
      // RFC 5658 §3.2: the value below faces the side the request came from, the one on top the
      // side it goes to; each side's route set then starts with our address on its side.
      std::string upstream = record_route_value(config, inbound, sips && inbound == transport_kind::tls);
      if (!upstream.empty()) copy.add_record_route(upstream);
    }
    copy.add_record_route(record_route_value(config, next->transport, sips, next->address));
  }
  // 8. "The proxy MUST insert a Via header field value into the copy before the existing Via
  // header field values."
  copy.push_via(via_value(transport::to_string(next->transport), host_port(*local), branch, false));
  // 9. The builder writes Content-Length.
  auto built = copy.build();
  if (!built.ok()) {
    f.error = "the forwarded request does not build: " + built.error->reason;
    return f;
  }
  f.out = {built.message, next->transport, next->address, next->server_name};
  return f;
}

}  // namespace sipactor
