#include "transport/target.hpp"

#include "messages/uri.hpp"

namespace sipactor::transport {

expected<target> resolve_target(std::string_view uri_text) {
  auto parsed = parse_uri(uri_text);
  if (!parsed) return failure{"the next hop is not a URI"};
  const uri& u = *parsed;
  if (!u.is_sip()) return failure{"the next hop is not a sip or sips URI"};
  target t;
  if (u.scheme == uri_scheme::sips) {
    t.transport = transport_kind::tls;
  } else if (auto param = u.param("transport")) {
    auto kind = transport_from(*param);
    if (!kind) return failure{"the next hop's transport parameter is not UDP, TCP or TLS"};
    t.transport = *kind;
  }
  std::string host = u.host_canonical();
  if (auto maddr = u.param("maddr"); maddr && !maddr->empty()) host = std::string(*maddr);
  std::uint16_t port = u.port != 0 ? u.port : (t.transport == transport_kind::tls ? 5061 : 5060);
  std::string numeric = host == "localhost" ? "127.0.0.1" : host;
  auto address = socket_address::from(numeric, port);
  if (!address) return failure{"the next hop is a host name: DNS (RFC 3263) is not implemented, use an IP address"};
  t.address = *address;
  t.server_name = host;
  return t;
}

}  // namespace sipactor::transport
