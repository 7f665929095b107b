#include "actors/proxy_routing.hpp"

#include "messages/builder.hpp"

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

routed_request preprocess_routes(const proxy_config& config, const message_ptr& request) {
  routed_request out;
  out.received = request;
  out.request = request;
  if (needs_strict_route_fix(config, *request)) {
    // "The proxy MUST then proceed as if it received this modified request."
    if (message_ptr fixed = fix_strict_route(request)) {
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
