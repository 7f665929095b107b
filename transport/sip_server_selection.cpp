#include "transport/sip_server_selection.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <random>

#include "messages/text.hpp"

namespace sipactor::transport {

namespace {

// RFC 3263 §4.1 and its IANA registry (§9): the services this stack knows.
std::optional<transport_kind> service_transport(std::string_view service, bool sips_uri) {
  if (text::iequals(service, "SIPS+D2T")) return transport_kind::tls;
  if (sips_uri) return std::nullopt;  // "a client resolving a SIPS URI MUST discard any services that do not contain SIPS"
  if (text::iequals(service, "SIP+D2T")) return transport_kind::tcp;
  if (text::iequals(service, "SIP+D2U")) return transport_kind::udp;
  return std::nullopt;  // D2S (SCTP), SIPS+D2U, other applications' services
}

}  // namespace

std::vector<naptr_choice> select_naptr(const std::vector<dns_naptr_record>& records, bool sips_uri,
                                       const supported_transports& supported) {
  std::vector<const dns_naptr_record*> kept;
  for (const dns_naptr_record& r : records) {
    auto transport = service_transport(r.services, sips_uri);
    if (!transport || !supported.has(*transport)) continue;
    if (!text::iequals(r.flags, "s") || !r.regexp.empty() || r.replacement.empty() || r.replacement == ".") continue;
    kept.push_back(&r);
  }
  if (kept.empty()) return {};
  std::uint16_t lowest = (*std::min_element(kept.begin(), kept.end(), [](auto* a, auto* b) { return a->order < b->order; }))->order;
  kept.erase(std::remove_if(kept.begin(), kept.end(), [&](auto* r) { return r->order != lowest; }), kept.end());
  std::stable_sort(kept.begin(), kept.end(), [](auto* a, auto* b) { return a->preference < b->preference; });
  std::vector<naptr_choice> out;
  for (const dns_naptr_record* r : kept) out.push_back({*service_transport(r->services, sips_uri), r->replacement});
  return out;
}

std::string srv_name(transport_kind transport, std::string_view domain) {
  const char* prefix = transport == transport_kind::tls   ? "_sips._tcp."
                       : transport == transport_kind::tcp ? "_sip._tcp."
                                                          : "_sip._udp.";
  return prefix + std::string(domain);
}

std::vector<dns_srv_record> order_srv(std::vector<dns_srv_record> records, const srv_random& random) {
  if (records.size() == 1 && records.front().target == ".") return {};
  records.erase(std::remove_if(records.begin(), records.end(), [](const auto& r) { return r.target == "."; }),
                records.end());
  std::sort(records.begin(), records.end(), [](const dns_srv_record& a, const dns_srv_record& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if ((a.weight == 0) != (b.weight == 0)) return a.weight == 0;
    std::string ta = dns_name_canonical(a.target), tb = dns_name_canonical(b.target);
    if (ta != tb) return ta < tb;
    return a.port < b.port;
  });
  std::vector<dns_srv_record> out;
  out.reserve(records.size());
  for (std::size_t begin = 0; begin < records.size();) {
    std::size_t end = begin;
    while (end < records.size() && records[end].priority == records[begin].priority) ++end;
    std::vector<dns_srv_record> level(records.begin() + static_cast<std::ptrdiff_t>(begin),
                                      records.begin() + static_cast<std::ptrdiff_t>(end));
    while (!level.empty()) {
      std::uint32_t sum = 0;
      for (const auto& r : level) sum += r.weight;
      std::uint32_t pick = random ? std::min(random(sum), sum) : 0;
      std::size_t chosen = 0;
      std::uint32_t running = 0;
      for (std::size_t i = 0; i < level.size(); ++i) {
        running += level[i].weight;
        if (running >= pick) {
          chosen = i;
          break;
        }
      }
      out.push_back(std::move(level[chosen]));
      level.erase(level.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    begin = end;
  }
  return out;
}

srv_random default_srv_random() {
  auto engine = std::make_shared<std::mt19937>(std::random_device{}());
  return [engine](std::uint32_t max_inclusive) {
    return std::uniform_int_distribution<std::uint32_t>(0, max_inclusive)(*engine);
  };
}

}  // namespace sipactor::transport
