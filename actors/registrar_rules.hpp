// RFC 3261 §10.3, processing REGISTER requests, as small pure steps. Each step takes the parsed
// REGISTER (and, for steps 6-7, the AOR's current bindings) and either lets it go on or returns
// the response that ends it. No actor, no clock, no I/O: the registrar actor runs the steps in
// order, the location service shard applies the binding changes, and both are tested alone.
//
//   prepare_register()   §10.3 steps 1-5 and the parts of 6-7 that need no bindings: method,
//                        Request-URI domain, Require, authentication hook, AOR, Contact "*"
//                        rules, the expiry of each contact (423 with Min-Expires).
//   apply_register()     §10.3 steps 6-7 against the current bindings: Call-ID / CSeq
//                        ordering, add, refresh, remove; the changes to store in one transaction.
//   register_ok()        §10.3 step 8: the 200 listing every binding with its expires, and Date.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/location_binding.hpp"
#include "messages/builder.hpp"
#include "messages/message.hpp"

namespace sipactor {

struct registrar_config {
  // §10.3: "A registrar has to know (for example, through configuration) the set of domain(s)
  // for which it maintains bindings." Host names or IP addresses (IPv6 without brackets), any case.
  std::vector<std::string> domains;
  // Option tags this registrar supports (§8.2.2.3, §19.2.1); a Require with another gets 420.
  std::vector<std::string> supported;
  // §10.3 step 7: "a locally-configured default value MUST be taken as the requested expiration".
  std::uint32_t default_expires = 3600;
  // §10.3 step 7: a requested interval > 0, < 1 hour and below this gets 423 (Interval Too Brief).
  std::uint32_t min_expires = 60;
  // §10.3 step 7: "The registrar MAY choose an expiration less than the requested expiration
  // interval": longer requests are cut to this, which bounds how long a dead UA stays bound.
  std::uint32_t max_expires = 86400;
};

// The response that ends a REGISTER before step 8.
struct registrar_rejection {
  int status = 500;
  std::string reason;  // the reason phrase to send
  // Headers the status requires: Unsupported (420), Min-Expires (423), Allow (405),
  // WWW-Authenticate (401).
  std::vector<std::pair<std::string, std::string>> headers;
};

// A step's result: nullopt, go on; else the response that ends the request.
using registrar_step = std::optional<registrar_rejection>;

// A value, or the response that rejects the request.
template <class T>
class registrar_outcome {
 public:
  registrar_outcome(T value) : value_(std::move(value)) {}                        // NOLINT: implicit by design
  registrar_outcome(registrar_rejection r) : rejection_(std::move(r)) {}          // NOLINT: implicit by design
  bool ok() const noexcept { return !rejection_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  const T& value() const& noexcept { return value_; }
  T& value() & noexcept { return value_; }
  const T& operator*() const& noexcept { return value_; }
  const T* operator->() const noexcept { return &value_; }
  const registrar_rejection& rejection() const noexcept { return *rejection_; }

 private:
  T value_{};
  std::optional<registrar_rejection> rejection_;
};

// A contact address of the REGISTER with the interval the registrar chose for it (§10.3 step 7).
struct requested_contact {
  std::string uri;    // as written
  std::string value;  // what the 200 echoes (location_binding::contact_value)
  int q_milli = -1;
  std::uint32_t expires = 0;  // 0: remove the binding (§10.2.2)
};

// What steps 6-7 need of a REGISTER, taken out of the message so it can cross to a shard.
// No contacts and not remove_all: a fetch (§10.2.3), the bindings are left unchanged.
struct register_request {
  std::string aor;  // canonical (§10.3 step 5)
  std::string call_id;
  std::uint32_t cseq = 0;
  bool remove_all = false;  // "Contact: *" with "Expires: 0" (§10.2.2)
  std::vector<requested_contact> contacts;
};

// What a REGISTER changes, once steps 6-7 accepted it.
struct register_changes {
  std::vector<location_change> changes;    // to store, in order, in one transaction (§10.3 step 7)
  std::vector<location_binding> bindings;  // the AOR's bindings afterwards, most preferred first
};

// §10.3 step 3: "A registrar SHOULD authenticate the UAC" by the mechanisms of §22. The hook
// answers nullopt for an authenticated request, else the challenge (401 with WWW-Authenticate,
// §22.1) or the refusal. An empty hook means no mechanism is configured, and then "the
// registrar MAY take the From address as the asserted identity of the originator".
using registrar_authenticator = std::function<registrar_step(const message& request)>;

// --- the steps, in the order the registrar runs them

// §10.3: a registrar "accepts only REGISTER requests"; others get 405 with Allow (§8.2.1).
registrar_step check_method(const message& request);
// §10.3 step 1 with §8.2.2.1: a Request-URI of another scheme gets 416; one for a domain this
// registrar does not serve gets 404 ("does not identify an address that the UAS is willing to
// accept requests for"). A registrar that is also a proxy forwards instead (step 1); this one is
// not, and a 404 is what a UAS answers.
registrar_step check_request_uri(const message& request, const registrar_config& config);
// §10.3 step 2 with §8.2.2.3: option tags in Require that the registrar does not support get 420
// (Bad Extension) with an Unsupported header listing them; a malformed Require gets 400.
registrar_step check_require(const message& request, const registrar_config& config);
// §10.3 step 3: runs the hook, if any.
registrar_step authenticate(const message& request, const registrar_authenticator& authenticator);
// §10.3 step 4 (authorization: may this user change this AOR's bindings?) has no step here:
// there is no authorization database yet. It will take the authenticated identity and the AOR
// and answer 403 (Forbidden) when refused.

// §10.3 step 5: the AOR from the To URI, in canonical form (canonical_aor). 404 when it is not
// "valid for the domain in the Request-URI": not a SIP/SIPS URI, or its host is not the
// Request-URI's domain. (A To header that is missing or does not parse never gets here: the
// parser rejects such a request with 400, §8.1.1, §20.39.)
registrar_outcome<std::string> address_of_record(const message& request);
// §10.3 steps 6-7 up to the binding search: the "*" rules (400), the expiry of each contact
// (contact "expires" parameter, else the Expires header, else the default; 423 with Min-Expires
// when too brief; cut to max_expires).
registrar_outcome<register_request> read_contacts(const message& request, std::string aor,
                                                   const registrar_config& config);
// All of the above in order: the register_request for the AOR's shard, or the response.
registrar_outcome<register_request> prepare_register(const message& request, const registrar_config& config,
                                                     const registrar_authenticator& authenticator = {});

// §10.3 steps 6-7 against `current`, the AOR's bindings, at wall time `now`. Bindings already
// expired count as absent and are removed with the other changes. A binding with the request's
// Call-ID and a CSeq not lower than the request's aborts the whole request: "the update MUST be
// aborted and the request fails" with 500 (the failure response step 7 names for a failed update).
registrar_outcome<register_changes> apply_register(const register_request& request,
                                                   const std::vector<location_binding>& current, wall_seconds now);

// §10.3 step 8: 200 (OK) with one Contact per binding carrying "expires" (the seconds left at
// `now`), and a Date header (§20.17). `to_tag` as in message_builder::response_to.
message_builder register_ok(const message& request, const std::vector<location_binding>& bindings, wall_seconds now,
                            std::string_view to_tag);
// The response for a rejection, with its headers.
message_builder register_rejected(const message& request, const registrar_rejection& rejection,
                                  std::string_view to_tag);

// rfc1123-date of §20.17 (always GMT): "Sat, 13 Nov 2010 23:29:00 GMT".
std::string sip_date(wall_seconds t);

}  // namespace sipactor
