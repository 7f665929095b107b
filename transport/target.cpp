#include "transport/target.hpp"

#include "messages/uri.hpp"

namespace sipactor::transport {

std::optional<transport_kind> uri_transport(const uri& u) {
  if (u.scheme == uri_scheme::sips) return transport_kind::tls;
  auto param = u.param("transport");
  return param ? transport_from(*param) : transport_kind::udp;
}

namespace {
// §4 TARGET: maddr when present, else the host.
std::string target_host(const uri& u) {
  if (auto maddr = u.param("maddr"); maddr && !maddr->empty()) return std::string(*maddr);
  return u.host_canonical();
}
}  // namespace

expected<target> resolve_target(std::string_view uri_text) {
  auto parsed = parse_uri(uri_text);
  if (!parsed) return failure{"the next hop is not a URI"};
  const uri& u = *parsed;
  if (!u.is_sip()) return failure{"the next hop is not a sip or sips URI"};
  target t;
  auto kind = uri_transport(u);
  if (!kind) return failure{"the next hop's transport parameter is not UDP, TCP or TLS"};
  t.transport = *kind;
  std::string host = target_host(u);
  std::uint16_t port = u.port != 0 ? u.port : default_port(t.transport);
  std::string numeric = host == "localhost" ? "127.0.0.1" : host;
  auto address = socket_address::from(numeric, port);
  if (!address) return failure{"the next hop is a host name: DNS (RFC 3263) is not implemented, use an IP address"};
  t.address = *address;
  t.server_name = host;
  return t;
}

bool names_a_host(std::string_view uri_text) {
  auto parsed = parse_uri(uri_text);
  if (!parsed || !parsed->is_sip() || !uri_transport(*parsed)) return false;
  std::string host = target_host(*parsed);
  return !host.empty() && host != "localhost" && !socket_address::from(host, 0);
}

}  // namespace sipactor::transport
