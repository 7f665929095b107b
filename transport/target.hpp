// Where a request goes (RFC 3263 §4 for numeric hosts): the transport, the address and the TLS
// server name of the next hop URI (§8.1.2: the first Route, or the Request-URI).
//
// Only numeric hosts (IPv4, IPv6 references) and "localhost" are resolved here, without waiting:
// a host name needs NAPTR/SRV/A lookups (RFC 3263 §4.1-4.2), which must not block an actor; such
// a URI gets an error here. The asynchronous form for any host is the locator actor of
// transport/sip_locator.hpp (its DNS through transport/dns_resolver.hpp), which gives the same
// target for a numeric host.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "messages/expected.hpp"
#include "messages/uri.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor::transport {

struct target {
  transport_kind transport = transport_kind::udp;
  socket_address address;
  std::string server_name;  // TLS: the host of the URI (RFC 5922)
};

// RFC 3263 §4.1: the transport a sip/sips URI indicates: TLS for sips (§26.2.2), else its
// transport parameter, else UDP. Nothing when the parameter names another transport.
std::optional<transport_kind> uri_transport(const uri& u);

// §4.1 as above; §4.2: the URI's port, else the transport's default port. maddr (§19.1.1)
// overrides the host.
expected<target> resolve_target(std::string_view uri_text);

// True when `uri_text` is a sip/sips URI whose host (or maddr) is a name other than localhost:
// resolve_target cannot place it, RFC 3263 DNS lookups can (transport/sip_locator.hpp).
bool names_a_host(std::string_view uri_text);

}  // namespace sipactor::transport
