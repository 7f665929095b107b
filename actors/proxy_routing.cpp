#include "actors/proxy_routing.hpp"

#include "messages/builder.hpp"
#include "messages/text.hpp"
#include "transport/target.hpp"

namespace sipactor {

std::size_t routed_request::remaining_routes() const {
  std::size_t all = request ? request->routes().size() : 0;
  return all > own_routes ? all - own_routes : 0;
}

bool needs_strict_route_fix(const proxy_config& config, const message& request) {
  const uri& r = request.request_uri();
  return request.header_count(header_id::route) > 0 && r.has_param("lr") && indicates_this_proxy(config, r);
}

message_ptr fix_strict_route(const message_ptr& request) {
  const auto& routes = request->routes();
  if (routes.empty()) return request;
  auto b = message_builder::copy_of(request);
  b.set_request_uri(routes.back().address.text);
  // Route values may share lines (§7.3.1): the remaining values are written one per line, in order.
  b.remove_header("Route");
  for (std::size_t i = 0; i + 1 < routes.size(); ++i) b.add_header("Route", routes[i].text);
  auto built = b.build();
  return built.ok() ? built.message : message_ptr{};
}

std::optional<std::string> without_own_maddr(const proxy_config& config, const uri& request_uri,
                                             transport::transport_kind received_over, std::uint16_t received_port) {
  auto maddr = request_uri.param("maddr");
  auto transport = transport::uri_transport(request_uri);
  if (!maddr || !request_uri.is_sip() || received_port == 0 || !transport) return std::nullopt;
  uri maddr_as_uri = request_uri;
  maddr_as_uri.host = *maddr;
  if (!is_our_domain(config, *maddr) && !indicates_this_proxy(config, maddr_as_uri)) return std::nullopt;
  const std::uint16_t port = request_uri.port != 0 ? request_uri.port : transport::default_port(*transport);
  if (*transport != received_over || port != received_port) return std::nullopt;
  // scheme ":" userinfo host [":" default port] params (without maddr, transport) ["?" headers]
  std::string out(request_uri.scheme_text());
  out += ':';
  if (!request_uri.user.empty()) {
    out += request_uri.user;
    if (!request_uri.password.empty()) out.append(":").append(request_uri.password);
    out += '@';
  }
  out += request_uri.host;
  if (request_uri.port != 0 && request_uri.port == transport::default_port(*transport))
    out += ':' + std::to_string(request_uri.port);
  std::string_view params = request_uri.params;
  while (!params.empty()) {
    params.remove_prefix(1);  // ';'
    std::string_view param = params.substr(0, params.find(';'));
    params.remove_prefix(param.size());
    std::string_view name = param.substr(0, param.find('='));
    if (text::iequals(text::trim(name), "maddr") || text::iequals(text::trim(name), "transport")) continue;
    out.append(";").append(param);
  }
  if (!request_uri.headers.empty()) out.append("?").append(request_uri.headers);
  return out;
}

routed_request preprocess_routes(const proxy_config& config, const message_ptr& request,
                                 transport::transport_kind received_over, std::uint16_t received_port) {
  routed_request out;
  out.received = request;
  out.request = request;
  if (auto stripped = without_own_maddr(config, request->request_uri(), received_over, received_port)) {
    auto b = message_builder::copy_of(request);
    b.set_request_uri(*stripped);
    auto built = b.build();
    if (built.ok()) {
      out.request = built.message;
      out.own_maddr_stripped = true;
    }
  }
  if (needs_strict_route_fix(config, *out.request)) {
    // "The proxy MUST then proceed as if it received this modified request."
    if (message_ptr fixed = fix_strict_route(out.request)) {
      out.request = fixed;
      out.strict_route_fixed = true;
    }
  }
  const auto& routes = out.request->routes();
  while (out.own_routes < routes.size() && indicates_this_proxy(config, routes[out.own_routes].address))
    ++out.own_routes;
  return out;
}

}  // namespace sipactor
