// A stub resolver (RFC 1035 §7, RFC 1123 §6.1.3) as an actor: it asks the recursive nameservers
// of resolv.conf (or a given list) over UDP and answers (dns_lookup_atom, name, type) with the
// records or the reason there are none.
//
// - Queries go out with sendto from the actor; one detached reader per socket family receives the
//   answers, so no event-based actor ever waits on the network.
// - A query is sent `attempts` times to each nameserver in turn, `timeout` apart; an answer must
//   come from a nameserver we asked, with the query's ID and question (RFC 5452 §9.1), IDs random.
// - Positive answers are cached for their (smallest) TTL, capped; NXDOMAIN and empty answers for
//   `negative_ttl` (RFC 2308 §5 in spirit: the SOA of the authority section is not read).
// - Concurrent lookups of one (name, type) share one query.
// - A truncated answer (TC) is reported as an error: there is no TCP fallback.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "transport/dns_message.hpp"
#include "transport/socket_address.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor::transport {

struct dns_resolver_config {
  // Nameservers to ask, in order; when empty, the nameserver lines of `resolv_conf`, whose
  // "options timeout:n attempts:n" then replace `timeout` and `attempts`.
  std::vector<socket_address> nameservers;
  std::string resolv_conf = "/etc/resolv.conf";
  std::chrono::milliseconds timeout{1000};  // per attempt
  int attempts = 2;                          // per nameserver
  std::size_t cache_entries = 4096;          // (name, type) answers kept at most
  std::chrono::seconds negative_ttl{30};     // NXDOMAIN and no-data answers
  std::chrono::seconds max_ttl{3600};        // positive answers are kept no longer
  std::size_t max_in_flight = 1024;          // distinct questions waiting for an answer
};

enum class dns_status : std::uint8_t {
  ok,               // records of the asked type (after CNAMEs)
  no_such_name,     // NXDOMAIN
  no_data,          // the name exists, without records of this type
  timeout,          // no nameserver answered
  server_failure,   // SERVFAIL, REFUSED, ... from every nameserver
  truncated,        // TC set: the answer needs TCP
  bad_request,      // not a domain name, too many questions in flight, no nameserver
};

// True when the name has no records of the type (a definite answer, unlike a failure).
constexpr bool is_negative(dns_status s) noexcept { return s == dns_status::no_such_name || s == dns_status::no_data; }

struct dns_lookup_result {
  dns_status status = dns_status::ok;
  std::string reason;    // for a person, when status is not ok: "DNS timeout: ..."
  dns_records records;   // the answers of the asked type whose owner is the name (or its alias)
  bool from_cache = false;
};

struct dns_resolver_counters {
  std::uint64_t lookups = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t coalesced = 0;      // lookups that joined a query already in flight
  std::uint64_t queries_sent = 0;   // datagrams, retransmissions included
  std::uint64_t answers = 0;        // matching answers received
  std::uint64_t ignored = 0;        // datagrams that were malformed or matched no query
  std::uint64_t timeouts = 0;       // questions no nameserver answered
  std::uint64_t cache_entries = 0;
};

// An answer datagram from a reader to its resolver.
struct dns_datagram {
  std::string bytes;
  socket_address source;
};

using dns_lookup_atom = caf::atom_constant<caf::atom("dnslookup")>;
using dns_retry_atom = caf::atom_constant<caf::atom("dnsretry")>;

using dns_resolver_actor = caf::typed_actor<
    caf::replies_to<dns_lookup_atom, std::string, dns_type>::with<dns_lookup_result>,
    caf::replies_to<stats_atom>::with<dns_resolver_counters>,
    // Internal: answers from the readers, and the retransmission timer of query (ID, serial).
    caf::reacts_to<dns_datagram>,
    caf::reacts_to<dns_retry_atom, std::uint16_t, std::uint64_t>>;

struct dns_resolver_start {
  dns_resolver_actor actor;  // invalid on failure
  std::string error;         // why: no nameserver, a socket that could not be opened
};

// Reads the nameservers (when the config has none), opens the sockets and spawns the resolver
// and its readers. Stop it with an exit message; the readers are linked to it.
dns_resolver_start spawn_dns_resolver(caf::actor_system& sys, const dns_resolver_config& config);

}  // namespace sipactor::transport

// Local messages only: no inspect().
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::dns_type)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::dns_lookup_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::dns_resolver_counters)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::transport::dns_datagram)
