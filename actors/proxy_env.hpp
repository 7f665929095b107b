// What the actors of a proxy core share (immutable once traffic flows) and the messages between
// the core's shards and their response contexts. Internal to actors/proxy_*.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "actors/location_service.hpp"
#include "actors/proxy_config.hpp"
#include "actors/proxy_routing.hpp"
#include "actors/proxy_targets.hpp"
#include "actors/transaction_messages.hpp"
#include "transport/sip_locator.hpp"

namespace sipactor {

struct proxy_env {
  proxy_config config;
  caf::actor transactions;  // transaction_layer::entry: client transactions start there (§16.6 step 10)
  caf::actor transport;     // stateless forwarding (§16.11), ACK for 2xx, stray responses (§16.7)
  // §16.5: where the targets of our domains come from: the location service's shards directly,
  // else a target source actor (target_query -> target_answer), else nowhere (480).
  std::optional<location_service> locations;
  caf::actor target_source;
  // RFC 3263: where a next hop that names a host goes (transport/sip_locator.hpp); invalid: such
  // a next hop cannot be reached (the target acts as a 408, §16.6 step 7 / §16.9).
  transport::sip_locator_actor locator;
};
using proxy_env_ptr = std::shared_ptr<const proxy_env>;

// Asks the target source of `env` for `aor` from `self`; calls done(answer) (errors: status 500).
template <class Self, class Done>
void find_targets(Self* self, const proxy_env& env, std::string aor, message_ptr request, Done done) {
  if (env.locations) {
    // The shard first: in one call, `location_lookup{std::move(aor)}` may be evaluated before
    // `shard_for(aor)`, which would then pick the shard of "".
    const location_shard_actor& shard = env.locations->shard_for(aor);
    self->request(shard, caf::infinite, location_lookup{std::move(aor)})
        .then(
            [=](const location_bindings& found) mutable {
              target_answer a;
              a.targets = targets_of(found.bindings);
              // §16.5: "If the Request-URI indicates a resource at this proxy that does not
              // exist, the proxy MUST return a 404 (Not Found) response."
              if (a.targets.empty()) a.status = 404;
              done(std::move(a));
            },
            [=](caf::error&) mutable { done(target_answer{{}, 500}); });
    return;
  }
  if (env.target_source) {
    self->request(env.target_source, caf::infinite, target_query{std::move(aor), std::move(request)})
        .then([=](target_answer& a) mutable { done(std::move(a)); },
              [=](caf::error&) mutable { done(target_answer{{}, 500}); });
    return;
  }
  done(target_answer{});
}

// RFC 3263: asks env.locator where `next_hop` (a URI naming a host) goes; calls done(result),
// whose error says why when there is no address (a failed request included).
template <class Self, class Done>
void locate_next_hop(Self* self, const proxy_env& env, std::string next_hop, Done done) {
  self->request(env.locator, std::chrono::seconds(60), transport::locate_atom::value, std::move(next_hop))
      .then([=](transport::location_result& r) mutable { done(r); },
            [=](caf::error& e) mutable {
              transport::location_result r;
              r.error = "the DNS lookup failed: " + caf::to_string(e);
              done(r);
            });
}

// --- between a shard and its response contexts

// §16.10: a CANCEL matched the INVITE of this context; cancel its pending branches.
struct cancel_context {
  message_ptr cancel;
};
// From a shard to one of its idle response contexts: run the context of this request, which
// passed §16.3 and §16.4 (`routed`).
struct start_context {
  tu_request request;
  routed_request routed;
};
// The context is done and idle again; its shard forgets the INVITE server transaction it served
// (0: none) and the context's timers, and may give it the next request.
struct context_finished {
  caf::actor_id server_transaction = 0;
  caf::actor_id context = 0;
};

// An INVITE context sent its final response upstream (§16.7 steps 5, 6): it no longer owes one.
struct context_answered {
  caf::actor_id server_transaction = 0;
  caf::actor_id context = 0;
};

// A response context's wake-up from its shard's timer service (Timer C, the linger after a 2xx).
using context_wake_atom = caf::atom_constant<caf::atom("pxwake")>;

// Spawns an idle response context (§16.7) of `shard`. Each start_context runs one context; at its
// end the actor reports context_finished to `shard` and waits for the next start_context.
//
// Why reused: CAF 0.17 takes a global lock and wakes its clock thread for every actor that
// terminates (actors/transaction_reuse.hpp); a context per request was two of those per call.
// What a reused context must not take for its new request (inputs of the previous one arriving
// late): a wake-up (its generation keeps counting and the shard forgot the old timers), a
// response or error of an old branch (branch ids are unique: branch_of() finds nothing), a
// location answer (tagged with the run it was asked for). cancel_context and wake-ups come from
// the shard, which gives the actor a new request only after its context_finished, so they arrive
// while it is idle and are dropped.
caf::actor spawn_response_context(caf::actor_system& sys, proxy_env_ptr env, caf::actor shard);

// §16.11 and §16.7: forwarding without a transaction. `self` sends; answers go out through the
// transport. `forward_stateless_request` runs §16.3-§16.6 for one target (the first).
void forward_stateless_request(caf::event_based_actor* self, const proxy_env_ptr& env,
                               const transport::inbound_message& inbound);
// "the proxy MUST inspect the sent-by value in the first (topmost) Via ... If that address
// matches the proxy ... remove that header field value from the response and forward the result
// to the location indicated in the next Via header field value ... If the address does not match
// the proxy, the message MUST be silently discarded." False when discarded.
bool forward_stateless_response(caf::event_based_actor* self, const proxy_env& env, const message_ptr& response);

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::cancel_context)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::context_finished)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::start_context)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::context_answered)
