#include "actors/location_binding.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "messages/text.hpp"

namespace sipactor {

bool operator==(const location_binding& a, const location_binding& b) {
  return std::tie(a.aor, a.contact_uri, a.contact_value, a.q_milli, a.expires_at, a.call_id, a.cseq) ==
         std::tie(b.aor, b.contact_uri, b.contact_value, b.q_milli, b.expires_at, b.call_id, b.cseq);
}

location_change upsert_binding(location_binding b) { return {location_change_kind::upsert, std::move(b)}; }

location_change remove_binding(std::string aor, std::string contact_uri) {
  location_change c{location_change_kind::remove, {}};
  c.binding.aor = std::move(aor);
  c.binding.contact_uri = std::move(contact_uri);
  return c;
}

location_change remove_all_bindings(std::string aor) {
  location_change c{location_change_kind::remove_aor, {}};
  c.binding.aor = std::move(aor);
  return c;
}

expected<std::string> canonical_aor(const uri& address) {
  if (!address.is_sip()) return failure{"the address-of-record is not a SIP or SIPS URI"};
  if (address.host_type == host_kind::none || address.host.empty())
    return failure{"the address-of-record has no host"};
  std::string out = address.scheme == uri_scheme::sips ? "sips:" : "sip:";
  if (address.has_userinfo && !address.user.empty()) {
    out += address.user_unescaped();
    out += '@';
  }
  if (address.host_type == host_kind::ipv6) out += '[';
  out += address.host_canonical();
  if (address.host_type == host_kind::ipv6) out += ']';
  return out;
}

std::size_t location_shard_of(std::string_view aor, std::size_t shards) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : aor) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::size_t>(h % shards);
}

void sort_by_preference(std::vector<location_binding>& bindings) {
  std::sort(bindings.begin(), bindings.end(), [](const location_binding& a, const location_binding& b) {
    if (a.preference() != b.preference()) return a.preference() > b.preference();
    return a.contact_uri < b.contact_uri;
  });
}

}  // namespace sipactor
