#include "actors/ua_outgoing_request.hpp"

#include <random>

#include "messages/params.hpp"
#include "messages/text.hpp"

namespace sipactor {

route_entry route_entry_of(const name_addr& address) {
  route_entry e;
  e.uri = std::string(address.address.text);
  if (address.bracketed) {
    e.value = std::string(address.text);
  } else {
    e.value = "<" + e.uri + ">";
    e.value += address.params;
  }
  e.loose = address.address.has_param("lr");
  return e;
}

expected<route_entry> parse_route_entry(std::string_view text) {
  auto address = parse_name_addr(text::trim(text));
  if (!address) return address.error();
  if (!address->address.is_sip()) return failure{"a route must be a SIP or SIPS URI"};
  return route_entry_of(*address);
}

std::string request_uri_form(const uri& u) {
  if (!u.is_sip() || (u.params.empty() && u.headers.empty())) return std::string(u.text);
  std::string out;
  if (!u.params.empty()) {
    out.assign(u.text.data(), static_cast<std::size_t>(u.params.data() - u.text.data()));
    for_each_param(u.params, [&](const param& p) {
      if (!detail::param_name_equals(p.name, "method")) {
        out += ';';
        out += p.name;
        if (p.has_value) {
          out += '=';
          out += p.value;
        }
      }
      return true;
    });
  } else {
    // Only headers: everything before their '?'.
    out.assign(u.text.data(), static_cast<std::size_t>(u.headers.data() - u.text.data()) - 1);
  }
  return out;
}

std::string request_uri_form(std::string_view uri_text) {
  auto parsed = parse_uri(uri_text);
  return parsed ? request_uri_form(*parsed) : std::string(uri_text);
}

std::string apply_route_set(message_builder& request, std::string_view remote_target,
                            const std::vector<route_entry>& route_set) {
  // §12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into the
  // Request-URI. The UAC MUST NOT add a Route header field to the request."
  if (route_set.empty()) {
    std::string target = request_uri_form(remote_target);
    request.set_request_uri(target);
    return target;
  }
  const route_entry& first = route_set.front();
  if (first.loose) {
    // "... the first URI in the route set contains the lr parameter ... place the remote target
    // URI into the Request-URI and MUST include a Route header field containing the route set
    // values in order, including all parameters."
    request.set_request_uri(request_uri_form(remote_target));
    for (const route_entry& r : route_set) request.add_header("Route", r.value);
    return first.uri;
  }
  // "... its first URI does not contain the lr parameter, the UAC MUST place the first URI from
  // the route set into the Request-URI, stripping any parameters that are not allowed in a
  // Request-URI. The UAC MUST add a Route header field containing the remainder of the route set
  // values in order, including all parameters. The UAC MUST then place the remote target URI
  // into the Route header field as the last value."
  std::string strict = request_uri_form(first.uri);
  request.set_request_uri(strict);
  for (std::size_t i = 1; i < route_set.size(); ++i) request.add_header("Route", route_set[i].value);
  request.add_header("Route", "<" + std::string(remote_target) + ">");
  // §8.1.2: "If the first element in the route set indicated a strict router ... the
  // procedures MUST be applied to the Request-URI of the request."
  return strict;
}

std::uint32_t initial_cseq() {
  static thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<std::uint32_t>{1, (std::uint32_t{1} << 31) - 1}(generator);
}

std::string via_value(std::string_view transport, std::string_view sent_by, std::string_view branch, bool rport) {
  std::string v = "SIP/2.0/";
  v += transport;
  v += ' ';
  v += sent_by;
  v += ";branch=";
  v += branch;
  if (rport) v += ";rport";
  return v;
}

parse_result outgoing_request::finish(std::string_view transport, std::string_view sent_by, bool rport) {
  if (has_via) request.pop_via();
  request.push_via(via_value(transport, sent_by, branch, rport));
  has_via = true;
  return request.build();
}

}  // namespace sipactor
