// The transaction user of `sipactor proxy`: where the transaction layer's tu_request goes, and
// the one place that decides which part of the program answers a request.
//
//   REGISTER                     -> the registrar (actors/registrar.hpp)
//   OPTIONS to the proxy itself  -> 200 here (§11.2; Request-URI without user part for one of our
//                                   domains or listen addresses)
//   a request of one of our users -> the authenticator first, when there is one
//   (out of dialog, From in our     (actors/proxy_auth.hpp, §16.3 item 6, §22.3), which passes
//    domains; not ACK, CANCEL)       it on to the proxy core or answers 407/403/400
//   any other request            -> the proxy core, once one is plugged in (proxy_core_atom);
//                                   until then: with redirect on, the registrar's redirect
//                                   server (§8.3: 302 / 480 / 404), else 501 (§21.5.2)
//   stray responses, timeouts    -> the proxy core, if any
// While draining (SIGTERM), new requests other than ACK and CANCEL get 503 with Retry-After
// (§21.5.4); ACK and CANCEL belong to transactions already running.
//
// The proxy core (issue 7) plugs in by sending (proxy_core_atom, its entry actor): from then on
// it receives every tu_request not handled above, and the layer's stray_response,
// transaction_timeout and transaction_transport_error events.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "transport/transport_messages.hpp"

namespace sipactor::apps {

struct proxy_tu_config {
  caf::actor registrar;
  caf::actor proxy;  // empty until the proxy core exists
  // Proxy authentication (actors/proxy_auth.hpp) in front of the core; empty: none.
  caf::actor authenticator;
  bool redirect = false;
  std::vector<std::string> domains;                 // lower case
  std::vector<transport::listen_point> listening;   // this process's own addresses
  std::uint32_t retry_after = 5;
};

using proxy_core_atom = caf::atom_constant<caf::atom("proxycore")>;
// Stop taking new requests (answered 503 from now on).
using drain_atom = caf::atom_constant<caf::atom("drain")>;

caf::actor spawn_proxy_tu(caf::actor_system& sys, proxy_tu_config config);

}  // namespace sipactor::apps
