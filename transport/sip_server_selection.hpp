// The record-selection rules of SIP server location, without any DNS traffic: which NAPTR records
// a client may follow (RFC 3263 §4.1, RFC 3403 §4.1), which SRV name a transport has (§4.1, §4.2),
// and the order SRV records are tried in (RFC 2782 "Usage rules", RFC 3263 §4.3).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/dns_message.hpp"
#include "transport/transport_kind.hpp"

namespace sipactor::transport {

// The transports the stack can use (a client discards NAPTR services it does not support, §4.1).
struct supported_transports {
  bool udp = true;
  bool tcp = true;
  bool tls = true;
  bool has(transport_kind t) const noexcept {
    return t == transport_kind::udp ? udp : t == transport_kind::tcp ? tcp : tls;
  }
};

struct naptr_choice {
  transport_kind transport = transport_kind::udp;
  std::string srv_name;  // the replacement: an SRV owner name
};

// §4.1: the records to follow, in order. Kept: flag "s" (the replacement is an SRV name) with an
// empty regexp, service SIP+D2U (UDP), SIP+D2T (TCP) or SIPS+D2T (TLS) among `supported`; for a
// sips URI only SIPS+D2T. RFC 3403 §4.1: only the lowest Order among the kept records is used
// ("once a match is found the client MUST NOT consider records with a different Order"), sorted
// by Preference.
std::vector<naptr_choice> select_naptr(const std::vector<dns_naptr_record>& records, bool sips_uri,
                                       const supported_transports& supported);

// §4.1, §4.2: "_sips._tcp.<domain>" for TLS, "_sip._tcp.<domain>" for TCP, "_sip._udp.<domain>".
std::string srv_name(transport_kind transport, std::string_view domain);

// A uniform random number in [0, max_inclusive] (RFC 2782's weighted selection).
using srv_random = std::function<std::uint32_t(std::uint32_t max_inclusive)>;

// RFC 2782: lowest priority first; within a priority, repeated weighted random selection, the
// weight-0 records placed first before each draw. Records of one priority are put in a fixed order
// (by weight 0 first, then target and port) before drawing, so that the same random numbers give
// the same list whatever order the answer had (RFC 3263 §4.4). A single record with target "."
// means the service is decidedly not available: the result is empty; "." among others is dropped.
std::vector<dns_srv_record> order_srv(std::vector<dns_srv_record> records, const srv_random& random);

// A random source over std::random_device-seeded mt19937 (not for tests that need a fixed order).
srv_random default_srv_random();

}  // namespace sipactor::transport
