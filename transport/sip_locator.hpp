// RFC 3263 §4: where a request for a SIP or SIPS URI goes, as an ordered list of targets
// (transport, address, TLS server name) to try in turn (§4.3), found with the DNS resolver.
//
//   numeric host (or "localhost")   -> that address, as resolve_target() gives it; no DNS
//   host name with a port           -> A/AAAA of the host at that port (§4.2), transport from the
//                                      URI (§4.1: parameter, else UDP for sip, TLS for sips)
//   transport parameter, no port    -> SRV for that transport (§4.2), else A/AAAA at its default port
//   neither                         -> NAPTR of the host (§4.1): the SIP+D2U / SIP+D2T / SIPS+D2T
//                                      records of the lowest Order (sips: SIPS+D2T only) by
//                                      Preference, each followed by SRV of its replacement until
//                                      one gives addresses; when none do (or there are no NAPTR
//                                      records), SRV of _sips._tcp, _sip._tcp, _sip._udp (sips:
//                                      _sips._tcp only), asked at once, the first in that order
//                                      with records wins (§4.1 lets the client choose; this order
//                                      prefers TLS over TCP over UDP, as §4.1 asks of NAPTR
//                                      records); when there are no SRV records at all, A/AAAA of
//                                      the host at the default port of UDP (sip) or TLS (sips).
//
// NXDOMAIN and empty answers move on to the next step; a lookup that fails (no answer, SERVFAIL
// from every nameserver, a truncated answer) ends the location with the resolver's reason.
// maddr replaces the host (TARGET, §4). SRV records are tried in RFC 2782 order (weighted random
// within a priority, the randomness injectable); each SRV target gives its A addresses, then its
// AAAA addresses. The TLS server name is TARGET, as resolve_target() sets it (RFC 5922 §4: the
// domain of the URI, never an SRV target).
//
// Use: self->request(locator, timeout, locate_atom::value, uri_text).then([](location_result& r) {
//   if (!r.ok()) ... r.error ...; else for (const target& t : r.targets) ... });
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "transport/dns_resolver.hpp"
#include "transport/sip_server_selection.hpp"
#include "transport/target.hpp"

namespace sipactor::transport {

struct location_result {
  std::vector<target> targets;  // in the order to try them; empty exactly when error is set
  std::string error;            // "no DNS records for example.com", "DNS timeout: ..."
  bool ok() const noexcept { return error.empty(); }
};

struct sip_locator_config {
  supported_transports transports;
  bool ipv6 = true;   // AAAA lookups (their addresses follow the A addresses of the same host)
  srv_random random;  // empty: default_srv_random()
  // How long one answer of the resolver may take (it times out by itself much sooner).
  std::chrono::milliseconds lookup_timeout{30000};
};

using locate_atom = caf::atom_constant<caf::atom("locate")>;

using sip_locator_actor = caf::typed_actor<caf::replies_to<locate_atom, std::string>::with<location_result>>;

// A locator asking `resolver`. It keeps no state between requests (the resolver caches), so one
// can serve the whole stack; each request runs its own chain of lookups.
sip_locator_actor spawn_sip_locator(caf::actor_system& sys, dns_resolver_actor resolver, sip_locator_config config = {});

}  // namespace sipactor::transport

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::location_result)
