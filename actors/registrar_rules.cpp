#include "actors/registrar_rules.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "messages/compare.hpp"
#include "messages/params.hpp"
#include "messages/status.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

registrar_rejection reject(int status, std::string_view reason = {}) {
  registrar_rejection r;
  r.status = status;
  r.reason = reason.empty() ? std::string(default_reason_phrase(status)) : std::string(reason);
  return r;
}

bool serves(const registrar_config& config, std::string_view host) {
  return std::any_of(config.domains.begin(), config.domains.end(),
                     [&](const std::string& d) { return text::iequals(d, host); });
}

bool supports(const registrar_config& config, std::string_view tag) {
  // Option tags compare case-insensitively: they are tokens (§7.3.1, §19.2).
  return std::any_of(config.supported.begin(), config.supported.end(),
                     [&](const std::string& s) { return text::iequals(s, tag); });
}

// The Contact value the 200 echoes: the address in <> (so that the "expires" added after it is
// a header parameter, §20.10) and every header parameter but "expires", as the UA wrote them.
std::string echo_value(const name_addr& address) {
  std::string out;
  if (!address.display_name.empty()) {
    out.append(address.display_name);
    out += ' ';
  }
  out += '<';
  out.append(address.address.text);
  out += '>';
  for_each_param(address.params, [&](const param& p) {
    if (!text::iequals(p.name, "expires")) {
      out += ';';
      out.append(p.name);
      if (p.has_value) {
        out += '=';
        out.append(p.value);
      }
    }
    return true;
  });
  return out;
}

// §10.3 step 7: "For each address, the registrar then searches the list of current bindings
// using the URI comparison rules" (§19.1.4). A URI that does not parse matches its own text only.
bool same_contact(const std::string& written, const expected<uri>& parsed, const location_binding& b) {
  if (written == b.contact_uri) return true;
  if (!parsed) return false;
  auto other = parse_uri(b.contact_uri);
  return other && uri_equivalent(*parsed, *other);
}

std::vector<location_binding>::iterator find_contact(std::vector<location_binding>& bindings, const std::string& written,
                                                     const expected<uri>& parsed) {
  return std::find_if(bindings.begin(), bindings.end(),
                      [&](const location_binding& b) { return same_contact(written, parsed, b); });
}

bool holds_contact(const std::vector<location_binding>& bindings, const std::string& contact_uri) {
  return std::any_of(bindings.begin(), bindings.end(),
                     [&](const location_binding& b) { return b.contact_uri == contact_uri; });
}

// §10.3 steps 6 and 7: same Call-ID and a CSeq that is not higher than the binding's: "the update
// MUST be aborted and the request fails". An out-of-order or replayed REGISTER of the same UA.
bool out_of_order(const register_request& request, const location_binding& b) {
  return call_ids_equal(request.call_id, b.call_id) && request.cseq <= b.cseq;
}

registrar_rejection out_of_order_rejection() { return reject(500, "Out Of Order REGISTER"); }

}  // namespace

registrar_step check_method(const message& request) {
  if (request.method() == sip_method::register_) return std::nullopt;
  registrar_rejection r = reject(405);
  r.headers.emplace_back("Allow", "REGISTER");
  return r;
}

registrar_step check_request_uri(const message& request, const registrar_config& config) {
  const uri& target = request.request_uri();
  if (!target.is_sip()) return reject(416);
  if (!serves(config, target.host_canonical())) return reject(404, "Domain Not Served Here");
  return std::nullopt;
}

registrar_step check_require(const message& request, const registrar_config& config) {
  if (!request.header_value(header_id::require)) return std::nullopt;
  const auto& tags = request.require();
  if (!tags) return reject(400, "Malformed Require");
  std::string unsupported;
  for (std::string_view tag : *tags) {
    if (supports(config, tag)) continue;
    if (!unsupported.empty()) unsupported += ", ";
    unsupported.append(tag);
  }
  if (unsupported.empty()) return std::nullopt;
  registrar_rejection r = reject(420);
  r.headers.emplace_back("Unsupported", std::move(unsupported));
  return r;
}

registrar_step authenticate(const message& request, const registrar_authenticator& authenticator) {
  if (!authenticator) return std::nullopt;
  return authenticator(request);
}

registrar_outcome<std::string> address_of_record(const message& request) {
  const uri& to = request.to().address;
  auto aor = canonical_aor(to);
  if (!aor) return reject(404, "Address-of-Record Not Valid");
  if (!text::iequals(to.host_canonical(), request.request_uri().host_canonical()))
    return reject(404, "Address-of-Record Not In This Domain");
  return std::string(*aor);
}

registrar_outcome<register_request> read_contacts(const message& request, std::string aor,
                                                   const registrar_config& config) {
  register_request out;
  out.aor = std::move(aor);
  out.call_id = std::string(request.call_id());
  out.cseq = request.cseq().number;
  const contact_list& contacts = request.contacts();
  if (contacts.star) {
    // §10.3 step 6: "*" must be the one Contact value and come with an Expires of zero; §10.2.2:
    // "it MUST NOT be used unless the Expires header field is present with a value of '0'".
    if (!contacts.contacts.empty() || request.header_count(header_id::contact) != 1)
      return reject(400, "Contact * Must Be The Only Contact");
    if (request.expires() != std::optional<std::uint32_t>{0}) return reject(400, "Contact * Requires Expires: 0");
    out.remove_all = true;
    return out;
  }
  for (const contact& c : contacts.contacts) {
    // §10.3 step 7: the contact's "expires" parameter, else the Expires header, else the default.
    std::uint32_t requested = c.expires ? *c.expires : request.expires() ? *request.expires() : config.default_expires;
    // "If and only if the requested expiration interval is greater than zero AND smaller than
    // one hour AND less than a registrar-configured minimum, the registrar MAY reject the
    // registration with a response of 423 (Interval Too Brief). This response MUST contain a
    // Min-Expires header field"; "It then skips the remaining steps".
    if (requested > 0 && requested < 3600 && requested < config.min_expires) {
      registrar_rejection r = reject(423);
      r.headers.emplace_back("Min-Expires", std::to_string(config.min_expires));
      return r;
    }
    requested_contact rc;
    rc.uri = std::string(c.address.address.text);
    rc.value = echo_value(c.address);
    rc.q_milli = c.q_milli;
    rc.expires = std::min(requested, config.max_expires);
    out.contacts.push_back(std::move(rc));
  }
  return out;
}

registrar_outcome<register_request> prepare_register(const message& request, const registrar_config& config,
                                                     const registrar_authenticator& authenticator) {
  if (auto r = check_method(request)) return std::move(*r);
  if (auto r = check_request_uri(request, config)) return std::move(*r);
  if (auto r = check_require(request, config)) return std::move(*r);
  if (auto r = authenticate(request, authenticator)) return std::move(*r);
  auto aor = address_of_record(request);
  if (!aor) return aor.rejection();
  return read_contacts(request, std::move(aor.value()), config);
}

registrar_outcome<register_changes> apply_register(const register_request& request,
                                                   const std::vector<location_binding>& current, wall_seconds now) {
  register_changes out;
  std::vector<location_binding> live;
  live.reserve(current.size());
  for (const location_binding& b : current) {
    if (!b.expired(now)) live.push_back(b);
    else out.changes.push_back(remove_binding(b.aor, b.contact_uri));
  }

  if (request.remove_all) {
    // §10.3 step 6: a binding with another Call-ID is removed; one with the same Call-ID only
    // when the request's CSeq is higher, "Otherwise, the update MUST be aborted".
    for (const location_binding& b : live)
      if (out_of_order(request, b)) return out_of_order_rejection();
    out.changes.clear();
    if (!current.empty()) out.changes.push_back(remove_all_bindings(request.aor));
    return out;
  }

  // §10.3 step 7, each contact in turn against the bindings as they were before this request
  // (a contact the request names twice: the later one wins). "The binding updates MUST be
  // committed ... if and only if all binding updates and additions succeed": the caller stores
  // `changes` in one transaction.
  std::vector<location_binding> after = live;
  for (const requested_contact& c : request.contacts) {
    expected<uri> parsed = parse_uri(c.uri);
    auto before = find_contact(live, c.uri, parsed);
    if (before != live.end() && out_of_order(request, *before)) return out_of_order_rejection();
    auto it = find_contact(after, c.uri, parsed);
    if (c.expires == 0) {
      // "the binding MUST be removed if the expiration time is zero"; removing one that does not
      // exist changes nothing (§10.2.2).
      if (it != after.end()) after.erase(it);
      continue;
    }
    location_binding b{request.aor, c.uri, c.value, c.q_milli, now + c.expires, request.call_id, request.cseq};
    if (it != after.end()) *it = std::move(b);  // "updated otherwise"
    else after.push_back(std::move(b));         // "If the binding does not exist, it is tentatively added"
  }

  // The store keys a binding by (AOR, contact URI as written): a binding whose URI is now
  // written differently (an equivalent URI) is removed and stored again under the new text.
  for (const location_binding& b : live)
    if (!holds_contact(after, b.contact_uri)) out.changes.push_back(remove_binding(b.aor, b.contact_uri));
  for (const location_binding& b : after)
    if (std::find(live.begin(), live.end(), b) == live.end()) out.changes.push_back(upsert_binding(b));
  sort_by_preference(after);
  out.bindings = std::move(after);
  return out;
}

message_builder register_ok(const message& request, const std::vector<location_binding>& bindings, wall_seconds now,
                            std::string_view to_tag) {
  message_builder b = message_builder::response_to(request, 200, {}, to_tag);
  // §10.3 step 8: "Contact header field values enumerating all current bindings. Each Contact
  // value MUST feature an 'expires' parameter indicating its expiration interval chosen by the
  // registrar." §10.3: no Record-Route in any response to REGISTER (response_to copies none).
  for (const location_binding& binding : bindings) {
    if (binding.expired(now)) continue;
    b.add_header("Contact", binding.contact_value + ";expires=" + std::to_string(binding.seconds_left(now)));
  }
  // "The response SHOULD include a Date header field" (§10.2.5: UAs may set their clocks by it).
  b.add_header("Date", sip_date(now));
  return b;
}

message_builder register_rejected(const message& request, const registrar_rejection& rejection,
                                  std::string_view to_tag) {
  message_builder b = message_builder::response_to(request, rejection.status, rejection.reason, to_tag);
  for (const auto& [name, value] : rejection.headers) b.add_header(name, value);
  return b;
}

std::string sip_date(wall_seconds t) {
  // §20.17 and RFC 2822 names: fixed English, whatever the process locale says.
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer;
}

}  // namespace sipactor
