#include "actors/proxy_config.hpp"

#include <algorithm>

#include "messages/text.hpp"
#include "transport/target.hpp"

namespace sipactor {

namespace {

using transport::listen_point;
using transport::transport_kind;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::to_lower(c);
  return out;
}

std::string_view without_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

bool listed(const std::vector<std::string>& names, std::string_view host) {
  std::string_view bare = without_brackets(host);
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return text::iequals(without_brackets(n), bare);
  });
}

bool is_our_address(const proxy_config& config, std::string_view host) {
  std::string_view bare = without_brackets(host);
  for (const listen_point& lp : config.listening)
    if (text::iequals(lp.address.ip(), bare)) return true;
  return listed(config.aliases, host);
}

bool listens_on_port(const proxy_config& config, std::uint16_t port) {
  return std::any_of(config.listening.begin(), config.listening.end(),
                     [&](const listen_point& lp) { return lp.address.port() == port; });
}

}  // namespace

std::string validate_proxy_config(const proxy_config& config) {
  // §16.6 step 11 and §16.7 step 2: "this value MUST be greater than 3 minutes".
  if (config.timer_c <= std::chrono::minutes(3)) return "timer C must be longer than 3 minutes (RFC 3261 §16.6)";
  for (const static_route& r : config.routes) {
    auto next_hop = parse_uri(r.next_hop);
    if (!next_hop || !next_hop->is_sip()) return "route " + r.domain + ": the next hop is not a SIP or SIPS URI";
  }
  return {};
}

bool is_our_domain(const proxy_config& config, std::string_view host) { return listed(config.domains, host); }

bool indicates_this_proxy(const proxy_config& config, const uri& u) {
  if (!u.is_sip() || !is_our_address(config, u.host)) return false;
  // An unknown transport parameter does not make the port another one.
  auto kind = transport::uri_transport(u).value_or(transport_kind::udp);
  std::uint16_t port = u.port != 0 ? u.port : transport::default_port(kind);
  return listens_on_port(config, port);
}

bool is_our_sent_by(const proxy_config& config, std::string_view host, std::uint16_t port) {
  if (!is_our_address(config, host)) return false;
  return port == 0 ? listens_on_port(config, 5060) || listens_on_port(config, 5061) : listens_on_port(config, port);
}

const listen_point* listen_point_for(const proxy_config& config, transport_kind kind,
                                     const transport::socket_address& toward) {
  const listen_point* any = nullptr;
  for (const listen_point& lp : config.listening) {
    if (lp.transport != kind) continue;
    if (!toward.valid() || lp.address.family() == toward.family()) return &lp;
    if (!any) any = &lp;
  }
  return any;
}

std::string host_port(const listen_point& lp) { return lp.address.host_text() + ":" + std::to_string(lp.address.port()); }

std::string record_route_value(const proxy_config& config, transport_kind kind, bool sips,
                               const transport::socket_address& toward) {
  const listen_point* lp = listen_point_for(config, kind, toward);
  if (!lp) return {};
  std::string v = sips ? "<sips:" : "<sip:";
  v += host_port(*lp);
  // §16.6 step 4: "The URI SHOULD NOT contain the transport parameter unless the proxy has
  // knowledge ... that the next downstream element ... supports that transport": it does, the
  // request reached it that way.
  if (kind == transport_kind::tcp) v += ";transport=tcp";
  if (kind == transport_kind::tls && !sips) v += ";transport=tls";
  v += ";lr>";  // "This URI MUST contain an lr parameter"
  return v;
}

const static_route* static_route_for(const proxy_config& config, std::string_view host) {
  std::string h = lower(without_brackets(host));
  const static_route* any = nullptr;
  for (const static_route& r : config.routes) {
    if (r.domain == "*") {
      if (!any) any = &r;
    } else if (text::iequals(without_brackets(r.domain), h)) {
      return &r;
    }
  }
  return any && !is_our_domain(config, host) ? any : nullptr;
}

}  // namespace sipactor
