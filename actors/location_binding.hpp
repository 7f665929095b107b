// A binding of the location service (RFC 3261 §10, §10.3): an address-of-record (AOR) bound to a
// contact address, with the expiry, q-value and the Call-ID/CSeq of the REGISTER that set it.
// Bindings are what the registrar writes, the store keeps across restarts and the proxy reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/expected.hpp"
#include "messages/uri.hpp"

namespace sipactor {

// Wall-clock time in seconds since the Unix epoch: binding expiry is absolute so that it means the
// same after a restart.
using wall_seconds = std::int64_t;

struct location_binding {
  std::string aor;            // canonical form (canonical_aor, §10.3 step 5)
  std::string contact_uri;    // the contact's URI as the UA wrote it
  std::string contact_value;  // the Contact value echoed in the 200 (§10.3 step 8): display name,
                              // <URI> and the header parameters except "expires"
  int q_milli = -1;           // q in thousandths (§20.10); -1: the UA gave none
  wall_seconds expires_at = 0;
  std::string call_id;  // §10.3 step 7: "Each binding record records the Call-ID and CSeq values"
  std::uint32_t cseq = 0;

  // A binding without q ranks as q=1.0, the highest (§16.6 step 1 orders targets by q; a
  // contact that states no preference is not put behind those that do).
  int preference() const noexcept { return q_milli < 0 ? 1000 : q_milli; }
  bool expired(wall_seconds now) const noexcept { return expires_at <= now; }
  // The "expires" parameter of the 200 (§10.3 step 8): the seconds left, never negative.
  std::uint32_t seconds_left(wall_seconds now) const noexcept {
    return expires_at <= now ? 0 : static_cast<std::uint32_t>(expires_at - now);
  }
};

bool operator==(const location_binding& a, const location_binding& b);
inline bool operator!=(const location_binding& a, const location_binding& b) { return !(a == b); }

// One change of the stored bindings; a REGISTER's changes are written in one transaction so that
// it is "processed completely or not at all" (§10.3).
enum class location_change_kind : std::uint8_t {
  upsert,      // insert or replace the binding (aor, contact_uri)
  remove,      // remove the binding (binding.aor, binding.contact_uri)
  remove_aor,  // remove every binding of binding.aor (Contact: *, §10.2.2)
};
struct location_change {
  location_change_kind kind = location_change_kind::upsert;
  location_binding binding;
};
location_change upsert_binding(location_binding b);
location_change remove_binding(std::string aor, std::string contact_uri);
location_change remove_all_bindings(std::string aor);

// §10.3 step 5: "all URI parameters MUST be removed (including the user-param), and any escaped
// characters MUST be converted to their unescaped form. The result serves as an index into the
// list of bindings." Only sip and sips URIs with a host are AORs; the result is
// "sip:user@host" (or "sips:"), user unescaped and case kept (userinfo is case-sensitive,
// §19.1.4), host lower-cased (§19.1.4: case-insensitive), IPv6 in brackets. Also dropped:
//  - the port: an AOR names a user in a domain ("sip:carol@chicago.com", §10.2.1; §10.3 step 5
//    checks it against "the domain in the Request-URI"), and the port only says how to reach a
//    server (§19.1.1). Keeping it would make "sip:a@d" and "sip:a@d:5060" two users, a split a
//    REGISTER sender cannot see;
//  - the password: "NOT RECOMMENDED" (§19.1.1) and not part of anyone's identity;
//  - URI headers ("?..."), which are not part of an identity either.
// The scheme stays: a SIP and a SIPS URI are never equivalent (§19.1.4).
expected<std::string> canonical_aor(const uri& address);

// The shard of the location service that holds `aor` (FNV-1a, so that it is the same in every
// build and run). `shards` > 0.
std::size_t location_shard_of(std::string_view aor, std::size_t shards) noexcept;

// Most preferred first (q descending), then by contact URI, so that the order is stable.
void sort_by_preference(std::vector<location_binding>& bindings);

}  // namespace sipactor
