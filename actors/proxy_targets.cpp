#include "actors/proxy_targets.hpp"

#include <algorithm>

namespace sipactor {

namespace {

proxy_target request_uri_target(const message& request) { return {std::string(request.request_uri().text), 1000, {}}; }

bool same_target(const proxy_target& a, const proxy_target& b) {
  auto ua = parse_uri(a.uri);
  auto ub = parse_uri(b.uri);
  if (ua && ub) return uri_equivalent(*ua, *ub);
  return a.uri == b.uri;
}

}  // namespace

bool is_for_registrar(const proxy_config& config, const routed_request& routed) {
  const message& request = *routed.request;
  return request.method() == sip_method::register_ && routed.remaining_routes() == 0 &&
         (is_our_domain(config, request.request_uri().host) || indicates_this_proxy(config, request.request_uri()));
}

target_decision decide_targets(const proxy_config& config, const routed_request& routed) {
  target_decision d;
  const message& request = *routed.request;
  const uri& request_uri = request.request_uri();
  // "If the Request-URI of the request contains an maddr parameter, the Request-URI MUST be
  // placed into the target set as the only target URI".
  if (request_uri.has_param("maddr")) {
    d.targets.push_back(request_uri_target(request));
    return d;
  }
  bool own_address = indicates_this_proxy(config, request_uri);
  bool in_dialog = !request.to_tag().empty();
  if (in_dialog && !own_address) {
    // §16.12 step 3: forward along Route, or to the Request-URI.
    d.targets.push_back(request_uri_target(request));
    return d;
  }
  if (!in_dialog) {
    if (const static_route* r = static_route_for(config, request_uri.host)) {
      proxy_target t = request_uri_target(request);
      t.route = r->next_hop;
      d.targets.push_back(std::move(t));
      return d;
    }
  }
  if (own_address || is_our_domain(config, request_uri.host)) {
    // "When accessing the location service constructed by a registrar, the Request-URI MUST
    // first be canonicalized as described in Section 10.3 before being used as an index."
    auto aor = canonical_aor(request_uri);
    if (!aor) {
      d.status = 404;
      d.reason = std::string("no address-of-record in the Request-URI: ") + aor.reason();
      return d;
    }
    d.aor = std::move(*aor);
    return d;
  }
  // "If the domain of the Request-URI indicates a domain this element is not responsible for,
  // the Request-URI MUST be placed into the target set as the only target".
  d.targets.push_back(request_uri_target(request));
  return d;
}

std::vector<std::vector<proxy_target>> fork_groups(std::vector<proxy_target> targets, forking_policy policy) {
  std::vector<proxy_target> set;
  for (auto& t : targets)
    if (std::none_of(set.begin(), set.end(), [&](const proxy_target& s) { return same_target(s, t); }))
      set.push_back(std::move(t));
  std::stable_sort(set.begin(), set.end(),
                   [](const proxy_target& a, const proxy_target& b) { return a.q_milli > b.q_milli; });
  std::vector<std::vector<proxy_target>> groups;
  for (auto& t : set) {
    bool join = !groups.empty() &&
                (policy == forking_policy::parallel ||
                 (policy == forking_policy::by_q && groups.back().front().q_milli == t.q_milli));
    if (!join) groups.emplace_back();
    groups.back().push_back(std::move(t));
  }
  return groups;
}

std::vector<proxy_target> targets_of(const std::vector<location_binding>& bindings) {
  std::vector<proxy_target> out;
  out.reserve(bindings.size());
  for (const auto& b : bindings) out.push_back({b.contact_uri, b.preference(), {}});
  return out;
}

}  // namespace sipactor
