// The DNS wire format (RFC 1035 §4) for the records SIP server location needs (RFC 3263): A,
// AAAA (RFC 3596), SRV (RFC 2782), NAPTR (RFC 3403) and CNAME (to follow an alias inside an
// answer). Pure functions over bytes: no sockets, no CAF.
//
// decode_dns_message() takes arbitrary bytes (a libFuzzer entry can call it directly, see
// fuzz_dns_message()): every malformed input gives a failure with a reason, never a read outside
// the buffer. Names are text without the trailing dot ("example.com"; the root is "."); octets
// outside letters, digits, '-', '_' and '*' are written as RFC 1035 §5.1 escapes (\. \\ \DDD).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/expected.hpp"

namespace sipactor::transport {

enum class dns_type : std::uint16_t { a = 1, cname = 5, aaaa = 28, srv = 33, naptr = 35 };

constexpr std::string_view to_string(dns_type t) noexcept {
  switch (t) {
    case dns_type::a: return "A";
    case dns_type::cname: return "CNAME";
    case dns_type::aaaa: return "AAAA";
    case dns_type::srv: return "SRV";
    case dns_type::naptr: return "NAPTR";
  }
  return "?";
}

// RFC 1035 §4.1.1 RCODE values (RFC 2136 adds more; they are kept as numbers).
namespace dns_rcode {
constexpr std::uint8_t no_error = 0;
constexpr std::uint8_t format_error = 1;
constexpr std::uint8_t server_failure = 2;
constexpr std::uint8_t name_error = 3;  // NXDOMAIN
constexpr std::uint8_t not_implemented = 4;
constexpr std::uint8_t refused = 5;
}  // namespace dns_rcode

std::string_view rcode_name(std::uint8_t rcode) noexcept;

constexpr std::uint16_t dns_class_in = 1;

struct dns_question {
  std::string name;
  dns_type type = dns_type::a;  // any 16-bit value a decoded message carries
  std::uint16_t dns_class = dns_class_in;
};

// A or AAAA: the address as numeric text ("192.0.2.1", "2001:db8::1"), what socket_address::from
// takes.
struct dns_address_record {
  std::string owner;
  std::uint32_t ttl = 0;
  bool ipv6 = false;  // AAAA
  std::string address;
};

struct dns_cname_record {
  std::string owner;
  std::uint32_t ttl = 0;
  std::string canonical_name;
};

// RFC 2782
struct dns_srv_record {
  std::string owner;
  std::uint32_t ttl = 0;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // "." : the service is decidedly not available
};

// RFC 3403 §4.1
struct dns_naptr_record {
  std::string owner;
  std::uint32_t ttl = 0;
  std::uint16_t order = 0;
  std::uint16_t preference = 0;
  std::string flags;
  std::string services;
  std::string regexp;
  std::string replacement;
};

// The records of one section, by type (other types are skipped when decoding).
struct dns_records {
  std::vector<dns_address_record> addresses;
  std::vector<dns_cname_record> cnames;
  std::vector<dns_srv_record> srv;
  std::vector<dns_naptr_record> naptr;

  bool empty() const noexcept { return addresses.empty() && cnames.empty() && srv.empty() && naptr.empty(); }
  std::size_t size() const noexcept { return addresses.size() + cnames.size() + srv.size() + naptr.size(); }
};

struct dns_message {
  std::uint16_t id = 0;
  bool is_response = false;         // QR
  std::uint8_t opcode = 0;          // 0: standard query
  bool authoritative = false;       // AA
  bool truncated = false;           // TC
  bool recursion_desired = false;   // RD
  bool recursion_available = false; // RA
  std::uint8_t rcode = dns_rcode::no_error;
  std::vector<dns_question> questions;
  dns_records answers;
  dns_records additional;  // the authority section is skipped
};

// The largest message over UDP without EDNS (RFC 1035 §4.2.1).
constexpr std::size_t dns_udp_limit = 512;

// A standard query (QR=0, opcode 0) for one question of class IN, with RD set. Fails when the
// name is not a valid domain name (empty label, a label over 63 octets, a name over 255 octets).
expected<std::string> encode_dns_query(std::uint16_t id, std::string_view name, dns_type type);

// Any message as the fields say (for test servers and round trips); names are not compressed.
// Fails on an invalid name or address text.
expected<std::string> encode_dns_message(const dns_message& m);

// The message in `bytes`, or why it is not one.
expected<dns_message> decode_dns_message(const std::uint8_t* bytes, std::size_t size);
inline expected<dns_message> decode_dns_message(std::string_view bytes) {
  return decode_dns_message(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// For a libFuzzer target: `LLVMFuzzerTestOneInput(d, n) { return fuzz_dns_message(d, n); }`.
// Decodes, and when that succeeds encodes the result again and decodes that, which must succeed.
int fuzz_dns_message(const std::uint8_t* bytes, std::size_t size);

// Domain names compare case-insensitively (RFC 4343) and without a trailing dot.
bool dns_name_equal(std::string_view a, std::string_view b) noexcept;
// Lower case, without a trailing dot ("." stays the root): the form a cache keys on.
std::string dns_name_canonical(std::string_view name);

}  // namespace sipactor::transport
