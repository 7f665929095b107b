// How a proxy core is configured (RFC 3261 §16), and the questions every step asks of it: is
// this domain ours (§16.5), does this URI indicate this proxy (§16.4), what is our sent-by and
// Record-Route value for a transport (§16.6 steps 4 and 8).
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "messages/uri.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor {

// §16.6: "A stateful proxy MAY process the set in any order".
enum class forking_policy : std::uint8_t {
  by_q,      // equal q in parallel, each lower q group after the previous group failed (the default)
  parallel,  // every target at once
  serial,    // one target after the other, highest q first
};

// `route <domain|*> <next-hop URI>`: requests whose Request-URI host is `domain` (any domain for
// "*") go to `next_hop`, pushed as a loose Route (§16.6 step 6; §16.5 "a trivial location service
// is a no-op ... the identity of that next hop ... is inserted as the top-most Route").
struct static_route {
  std::string domain;    // lower case; "*" for every domain without a route of its own that is not ours
  std::string next_hop;  // a SIP or SIPS URI of a loose router, e.g. "sip:192.0.2.7:5070"
};

struct proxy_config {
  // §16.5: the domains this proxy is responsible for (location service lookup); lower case.
  std::vector<std::string> domains;
  // Host names and addresses that mean this proxy besides its listen points (§16.4: "If the
  // first value in the Route header field indicates this proxy"); lower case.
  std::vector<std::string> aliases;
  // Where the transport listens: the sent-by of our Vias (§16.6 step 8), our Record-Route URIs
  // (step 4) and what "indicates this proxy" (§16.4).
  std::vector<transport::listen_point> listening;
  bool record_route = true;  // §16.6 step 4, on every request we forward
  std::vector<static_route> routes;
  // §16.6 step 11: "The timer MUST be larger than 3 minutes" (validate_proxy_config).
  std::chrono::milliseconds timer_c{std::chrono::seconds(185)};
  // §16.7 step 9: "The proxy MUST maintain the response context until all of its associated
  // transactions have been terminated". An INVITE client transaction that passed a 2xx up stays
  // in the Accepted state for Timer M = 64*T1 (RFC 6026 §7.2) and passes retransmitted 2xx up:
  // the context stays this long after its last branch ended with a 2xx in it.
  std::chrono::milliseconds linger_after_2xx{32000};
  // §16.11: forward requests without transactions, responses by their Via. The app then makes
  // the core the transport's sink (no transaction layer).
  bool stateless = false;
  forking_policy forking = forking_policy::by_q;
  // §16.3 item 5: the option tags this proxy understands in Proxy-Require (else 420).
  std::vector<std::string> supported_extensions;
  // §16.3 item 4: 482 for a request that looped (not one that spirals).
  bool detect_loops = true;
  // Core shards (by Call-ID); 0: one per hardware thread.
  std::size_t shards = 0;
  // REGISTER for our domains goes to this actor as the tu_request (actors/registrar_*); empty:
  // 501 (Not Implemented).
  caf::actor registrar;
};

// Why the configuration cannot run, or "" when it can.
std::string validate_proxy_config(const proxy_config& config);

// §16.5: whether `host` (as written in a URI) is a domain this proxy is responsible for.
bool is_our_domain(const proxy_config& config, std::string_view host);

// §16.4: whether `u` indicates this proxy: its host is one of our listen addresses or aliases,
// and its port (the transport's default when absent) one we listen on.
bool indicates_this_proxy(const proxy_config& config, const uri& u);

// §16.3 item 4, §16.11: whether a Via sent-by (host and port as written, port 0 when absent) is
// one this proxy puts into the requests it forwards.
bool is_our_sent_by(const proxy_config& config, std::string_view host, std::uint16_t port);

// Our listen point for `kind` (in the family of `toward` when there are several), or nullptr.
const transport::listen_point* listen_point_for(const proxy_config& config, transport::transport_kind kind,
                                                const transport::socket_address& toward = {});

// "host:port" of a listen point: a Via sent-by (§18.1.1) or the host part of a URI.
std::string host_port(const transport::listen_point& lp);

// §16.6 step 4: our Record-Route value for a hop over `kind`: "<sip:host:port;transport=tcp;lr>"
// (the transport parameter for TCP and TLS, so that the hop is reached the same way; sips when
// `sips`). Empty when we do not listen on `kind`.
std::string record_route_value(const proxy_config& config, transport::transport_kind kind, bool sips = false,
                               const transport::socket_address& toward = {});

// The static route for a Request-URI host (its own domain first, then "*" unless the domain is
// ours), or nullptr.
const static_route* static_route_for(const proxy_config& config, std::string_view host);

}  // namespace sipactor
