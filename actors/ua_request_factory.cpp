#include "actors/ua_request_factory.hpp"

#include <algorithm>

#include "messages/identifiers.hpp"
#include "messages/text.hpp"

namespace sipactor {

bool establishes_dialog(std::string_view method) {
  // §8.1.1.8: "For the methods defined in this specification, that includes only the INVITE
  // request"; RFC 6665 (SUBSCRIBE) and RFC 3515 (REFER) create dialogs too.
  return method == "INVITE" || method == "SUBSCRIBE" || method == "REFER";
}

expected<outgoing_request> make_request(const uac_identity& identity, const request_spec& spec) {
  if (!text::is_token(spec.method)) return failure{"the method is not a token"};
  if (spec.method == "ACK" || spec.method == "CANCEL")
    return failure{"ACK and CANCEL are built from the request they answer (§13.2.2.4, §17.1.1.3, §9.1)"};
  auto target = parse_uri(spec.request_uri);
  if (!target) return failure{"the Request-URI is not a URI"};

  // §8.1.1.2: "A request outside of a dialog MUST NOT contain a To tag".
  std::string to = spec.to.empty() ? "<" + spec.request_uri + ">" : spec.to;
  auto to_address = parse_name_addr(to);
  if (!to_address) return failure{"the To address is not a name-addr"};
  if (!to_address->tag().empty()) return failure{"a request outside of a dialog has no To tag (§8.1.1.2)"};
  // §8.1.1.3: "The From field MUST contain a new "tag" parameter, chosen by the UAC."
  auto from_address = parse_name_addr(identity.from);
  if (!from_address) return failure{"the From address is not a name-addr"};
  if (!from_address->tag().empty()) return failure{"the From address carries a tag; the UAC chooses a new one"};

  // §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer and MUST
  // be less than 2**31."
  std::uint32_t cseq = spec.cseq ? *spec.cseq : initial_cseq();
  if (cseq >= (std::uint32_t{1} << 31)) return failure{"the CSeq number must be less than 2^31 (§8.1.1.5)"};

  std::vector<route_entry> routes;
  for (const std::string& r : identity.preloaded_route) {
    auto entry = parse_route_entry(r);
    if (!entry) return failure{"a route of the pre-existing route set is not a SIP or SIPS name-addr"};
    routes.push_back(std::move(*entry));
  }

  outgoing_request out;
  out.request = message_builder::request(spec.method, spec.request_uri);
  out.request.add_header("Max-Forwards", initial_max_forwards);  // §8.1.1.6
  // §8.1.1.1: "When a pre-existing route set is present, the procedures for populating the
  // Request-URI and Route header field detailed in Section 12.2.1.1 MUST be followed (even though
  // there is no dialog), using the desired Request-URI as the remote target URI."
  out.next_hop = apply_route_set(out.request, spec.request_uri, routes);
  out.request.add_header("To", to);
  std::string from_tag = spec.from_tag.empty() ? new_tag() : spec.from_tag;
  out.request.add_header("From", identity.from + ";tag=" + from_tag);
  out.request.add_header("Call-ID", spec.call_id.empty() ? new_call_id(identity.call_id_host) : spec.call_id);
  out.request.add_header("CSeq", std::to_string(cseq) + " " + spec.method);

  if (spec.with_contact.value_or(establishes_dialog(spec.method))) {
    auto contact = parse_name_addr(identity.contact);
    if (identity.contact.empty() || !contact) return failure{"the request needs a Contact (§8.1.1.8)"};
    // §8.1.1.8: "If the Request-URI or top Route header field value contains a SIPS URI, the
    // Contact header field MUST contain a SIPS URI as well."
    bool sips_route = !routes.empty() && text::istarts_with(routes.front().uri, "sips:");
    if ((target->scheme == uri_scheme::sips || sips_route) && contact->address.scheme != uri_scheme::sips)
      return failure{"a SIPS Request-URI or top Route needs a SIPS Contact (§8.1.1.8)"};
    out.request.add_header("Contact", identity.contact);
  }
  if (!identity.user_agent.empty()) out.request.add_header("User-Agent", identity.user_agent);
  // §8.1.1.9: "the UAC SHOULD include a Supported header field in the request listing the option
  // tags (Section 19.2) for those extensions."
  if (!identity.supported.empty()) {
    std::string supported;
    for (const std::string& tag : identity.supported) supported += (supported.empty() ? "" : ", ") + tag;
    out.request.add_header("Supported", supported);
  }
  if (!spec.body.empty()) out.request.set_body(spec.content_type, spec.body);  // §8.1.1.10
  out.branch = new_branch();
  out.sips_request_uri = target->scheme == uri_scheme::sips;
  return out;
}

outgoing_request request_for_retry(const message_ptr& sent, std::string next_hop) {
  outgoing_request out;
  const message& m = *sent;
  out.sips_request_uri = m.request_uri().scheme == uri_scheme::sips;
  std::string cseq = std::to_string(std::uint64_t{m.cseq().number} + 1) + " " + std::string(m.method_name());
  out.request = message_builder::copy_of(sent);
  out.request.remove_header("Via").set_header("CSeq", cseq);
  out.branch = new_branch();
  out.next_hop = std::move(next_hop);
  return out;
}

parse_result make_cancel(const message& request) {
  if (!request.is_request() || request.method() == sip_method::ack || request.method() == sip_method::cancel)
    return parse_result{nullptr, parse_error{400, "only a request other than ACK or CANCEL can be cancelled"}};
  auto cancel = message_builder::request("CANCEL", request.request_uri().text);
  // §9.1: "A CANCEL constructed by a client MUST have only a single Via header field value
  // matching the top Via value in the request being cancelled."
  cancel.add_header("Via", request.top_via().text);
  cancel.add_header("Max-Forwards", initial_max_forwards);
  // "If the request being cancelled contains a Route header field, the CANCEL request MUST
  // include that Route header field's values."
  request.for_each_header(header_id::route, [&](const header& h) { cancel.add_header("Route", h.value); });
  // "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the CANCEL
  // request MUST be identical to those in the request being cancelled, including tags."
  if (auto to = request.header_value(header_id::to)) cancel.add_header("To", *to);
  if (auto from = request.header_value(header_id::from)) cancel.add_header("From", *from);
  cancel.add_header("Call-ID", request.call_id());
  // "However, the method part of the CSeq header field MUST have a value of CANCEL."
  cancel.add_header("CSeq", std::to_string(request.cseq().number) + " CANCEL");
  // "The CANCEL request MUST NOT contain any Require or Proxy-Require header fields."
  return cancel.build();
}

bool response_has_one_via(const message& response) { return response.via_count() == 1; }

auth_challenge challenge_of(const message& response) {
  // §8.1.3.5: "If a 401 (Unauthorized) or 407 (Proxy Authentication Required) response is
  // received, the UAC SHOULD follow the authorization procedures of Section 22.2 and Section 22.3".
  if (response.status() == 401) return auth_challenge::www_authenticate;
  if (response.status() == 407) return auth_challenge::proxy_authenticate;
  return auth_challenge::none;
}

bool response_invites_retry(int status) {
  switch (status) {
    case 401: case 407: case 413: case 415: case 416: case 420: return true;
    default: return false;
  }
}

redirect_target_set::redirect_target_set(std::string_view original_request_uri)
    : original_sips_(text::istarts_with(text::trim(original_request_uri), "sips:")) {
  // §8.1.3.4: "A client starts with an initial target set containing exactly one URI, the
  // Request-URI of the original request."
  seen_.emplace_back(original_request_uri);
}

bool redirect_target_set::known(const uri& u) const {
  return std::any_of(seen_.begin(), seen_.end(), [&](const std::string& s) {
    auto other = parse_uri(s);
    return other ? uri_equivalent(u, *other) : s == u.text;
  });
}

namespace {

// §19.1.1: headers = "?" header *( "&" header ), header = hname "=" hvalue, both %-escaped.
std::vector<std::pair<std::string, std::string>> uri_headers(std::string_view headers) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!headers.empty()) {
    std::size_t amp = headers.find('&');
    std::string_view h = headers.substr(0, amp);
    std::size_t eq = h.find('=');
    out.emplace_back(text::unescape(h.substr(0, eq)), eq == std::string_view::npos ? "" : text::unescape(h.substr(eq + 1)));
    headers = amp == std::string_view::npos ? std::string_view{} : headers.substr(amp + 1);
  }
  return out;
}

}  // namespace

std::size_t redirect_target_set::add_from(const message& response) {
  if (response.status() < 300 || response.status() > 399) return 0;
  std::size_t added = 0;
  for (const contact& c : response.contacts().contacts) {
    const uri& u = c.address.address;
    // "a client can choose which Contact URIs it places into the target set": those it can send
    // a SIP request to.
    if (!u.is_sip() && u.scheme != uri_scheme::tel) continue;
    if (known(u)) continue;
    seen_.emplace_back(u.text);
    redirect_target t;
    t.uri = std::string(u.text);
    t.request_uri = request_uri_form(u);
    if (u.is_sip()) {
      if (auto method = u.param("method")) t.method = text::unescape(*method);
      t.headers = uri_headers(u.headers);
    }
    t.q_milli = c.q_milli < 0 ? 1000 : c.q_milli;
    t.leaves_sips = original_sips_ && u.scheme != uri_scheme::sips;
    // After every target of higher or equal q: decreasing q, ties in arrival order.
    auto at = std::upper_bound(pending_.begin(), pending_.end(), t.q_milli,
                               [](int q, const redirect_target& other) { return q > other.q_milli; });
    pending_.insert(at, std::move(t));
    ++added;
  }
  return added;
}

std::optional<redirect_target> redirect_target_set::next() {
  if (pending_.empty()) return std::nullopt;
  redirect_target t = std::move(pending_.front());
  pending_.erase(pending_.begin());
  return t;
}

}  // namespace sipactor
