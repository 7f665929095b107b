#include "actors/proxy_routing.hpp"

#include "messages/builder.hpp"
#include "messages/text.hpp"

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

namespace {

// The transport a URI indicates (§19.1.1, §26.2: sips means TLS), and its default port.
transport::transport_kind indicated_transport(const uri& u) {
  if (u.scheme == uri_scheme::sips) return transport::transport_kind::tls;
  auto t = u.param("transport");
  if (!t || text::iequals(*t, "udp")) return transport::transport_kind::udp;
  if (text::iequals(*t, "tcp")) return transport::transport_kind::tcp;
  if (text::iequals(*t, "tls")) return transport::transport_kind::tls;
  return transport::transport_kind::udp;  // another transport: never ours, see below
}

bool known_transport(const uri& u) {
  auto t = u.param("transport");
  return !t || text::iequals(*t, "udp") || text::iequals(*t, "tcp") || text::iequals(*t, "tls");
}

std::uint16_t default_port(transport::transport_kind t) { return t == transport::transport_kind::tls ? 5061 : 5060; }

}  // namespace

std::optional<std::string> without_own_maddr(const proxy_config& config, const uri& request_uri,
                                             transport::transport_kind received_over, std::uint16_t received_port) {
  auto maddr = request_uri.param("maddr");
  if (!maddr || !request_uri.is_sip() || received_port == 0 || !known_transport(request_uri)) return std::nullopt;
  uri maddr_as_uri = request_uri;
  maddr_as_uri.host = *maddr;
  if (!is_our_domain(config, *maddr) && !indicates_this_proxy(config, maddr_as_uri)) return std::nullopt;
  const transport::transport_kind transport = indicated_transport(request_uri);
  const std::uint16_t port = request_uri.port != 0 ? request_uri.port : default_port(transport);
  if (transport != received_over || port != received_port) return std::nullopt;
  // scheme ":" userinfo host [":" default port] params (without maddr, transport) ["?" headers]
  std::string out(request_uri.scheme_text());
  out += ':';
  if (!request_uri.user.empty()) {
    out += request_uri.user;
    if (!request_uri.password.empty()) out.append(":").append(request_uri.password);
    out += '@';
  }
  out += request_uri.host;
  if (request_uri.port != 0 && request_uri.port == default_port(transport)) out += ':' + std::to_string(request_uri.port);
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
