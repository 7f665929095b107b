// Determining request targets (RFC 3261 §16.5) and the order they are tried in (§16.6: "A
// common ordering mechanism is to use the qvalue ... Targets with equal qvalues may be processed
// in parallel"). The decision is a pure step; the abstract location service is a pluggable
// actor, the target source, that answers target_query with target_answer.
#pragma once

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "actors/location_service.hpp"
#include "actors/proxy_config.hpp"
#include "actors/proxy_routing.hpp"

namespace sipactor {

// One element of the target set (§16.5): a URI, its q-value, and a next hop to visit first.
struct proxy_target {
  std::string uri;     // the new Request-URI (§16.6 step 2)
  int q_milli = 1000;  // q in thousandths; 1000 when none was given
  std::string route;   // a loose router's URI pushed as Route (§16.6 step 6), or empty
};

// The question a proxy asks its target source for a Request-URI of one of its domains: "When
// accessing the location service constructed by a registrar, the Request-URI MUST first be
// canonicalized as described in Section 10.3" (`aor`).
struct target_query {
  std::string aor;
  message_ptr request;  // for a source that looks at more than the AOR (§16.5: "Any information in or about the request")
};
// status 0 and no targets: nothing found, the proxy answers 480 (§16.5); a source that knows the
// resource does not exist says 404 ("If the Request-URI indicates a resource at this proxy that
// does not exist, the proxy MUST return a 404").
struct target_answer {
  std::vector<proxy_target> targets;
  int status = 0;
};

// What §16.5 decides before any lookup.
struct target_decision {
  std::vector<proxy_target> targets;  // predetermined: the Request-URI, maybe with a static route
  std::string aor;                    // not empty: ask the target source for this AOR
  int status = 0;                     // not 0: answer with it (no target can be found)
  std::string reason;
  bool needs_lookup() const noexcept { return !aor.empty(); }
};

// A REGISTER for one of our domains (or our own address) with no Route left to follow is for our
// registrar (§10), not for the location service's contacts.
bool is_for_registrar(const proxy_config& config, const routed_request& routed);

// §16.5 and §16.12, in this order:
//  - a Request-URI with maddr is the only target ("MUST be placed into the target set as the
//    only target URI");
//  - a request inside a dialog (To tag) goes to its Request-URI, along Route (loose routing): no
//    location lookup, unless the Request-URI is this proxy's own address (a UA that sends in-dialog
//    requests to the proxy without Route, as SIPp's built-in uac does);
//  - a static route for the Request-URI's domain (actors/proxy_config.hpp): the Request-URI, with
//    the route's next hop;
//  - one of our domains: the location service (canonical AOR, §10.3);
//  - any other domain: "the Request-URI MUST be placed into the target set as the only target".
target_decision decide_targets(const proxy_config& config, const routed_request& routed);

// §16.5: "Targets can only be placed in the target set once. If a target URI is already present
// in the set (based on the definition of equality for the URI type), it MUST NOT be added again."
// Then the groups to fork to, one after the other (§16.6), by `policy`; within a group in
// parallel. Highest q first; equal q keep their order.
std::vector<std::vector<proxy_target>> fork_groups(std::vector<proxy_target> targets, forking_policy policy);

// The targets of the location service's bindings (most preferred first, §16.6).
std::vector<proxy_target> targets_of(const std::vector<location_binding>& bindings);

// A target source backed by the location service (actors/location_service.hpp): no binding
// answers 404, since the service cannot tell an unknown user from one not registered now.
caf::actor spawn_location_target_source(caf::actor_system& sys, const location_service& service);

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::target_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::target_answer)
