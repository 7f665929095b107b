// Forwarding without transactions: a stateless proxy's requests and responses (RFC 3261 §16.11),
// and what a stateful proxy forwards that way too: the ACK for a 2xx (end to end, no
// transaction, §13.2.2.4) and responses no client transaction matched (§16.7, RFC 6026 §7.2).
#include "actors/proxy_branch.hpp"
#include "actors/proxy_env.hpp"
#include "actors/proxy_forwarding.hpp"
#include "actors/proxy_responses.hpp"
#include "actors/proxy_validation.hpp"

namespace sipactor {

namespace {

using transport::inbound_message;

// §16.11: "when handling a request statelessly, an element MUST NOT generate its own 100
// (Trying) or any other provisional response"; errors go back as a stateless UAS's (§8.2.7).
void answer(caf::event_based_actor* self, const proxy_env& env, const inbound_message& in, const message_ptr& response) {
  if (!response || in.message->method() == sip_method::ack || !env.transport) return;
  self->send(env.transport, transport::outbound_response{response, in.transport, in.local, in.remote, in.connection});
}

// "The request is sent directly to the transport layer instead of through a client transaction."
void send_out(caf::event_based_actor* self, const proxy_env& env, transport::outbound_request out) {
  if (env.transport) self->send(env.transport, std::move(out));
}

void send_to(caf::event_based_actor* self, const proxy_env_ptr& env, const inbound_message& in,
             const routed_request& routed, std::vector<proxy_target> targets, int status) {
  // §16.11: "A stateless proxy MUST choose one and only one target from the target set." The
  // most preferred one, so that a retransmission goes where the original went.
  auto groups = fork_groups(std::move(targets), forking_policy::serial);
  if (groups.empty()) return answer(self, *env, in, proxy_response(*in.message, status != 0 ? status : 480));
  const proxy_target& target = groups.front().front();
  std::string branch = stateless_branch(*routed.received);
  forwarded_request f = forward_request(env->config, routed, in.transport, target, branch);
  if (f.ok()) return send_out(self, *env, std::move(f.out));
  if (!f.needs_lookup || !env->locator) return answer(self, *env, in, proxy_response(*in.message, 408, f.error));
  // RFC 3263: the next hop names a host. Its first address (§4.3 failover needs a transaction,
  // which a stateless proxy does not have).
  locate_next_hop(self, *env, f.next_hop, [=](transport::location_result& r) {
    if (!r.ok()) return answer(self, *env, in, proxy_response(*in.message, 408, r.error));
    forwarded_request g = forward_request(env->config, routed, in.transport, target, branch, &r.targets.front());
    if (!g.ok()) return answer(self, *env, in, proxy_response(*in.message, 408, g.error));
    send_out(self, *env, std::move(g.out));
  });
}

}  // namespace

void forward_stateless_request(caf::event_based_actor* self, const proxy_env_ptr& env, const inbound_message& in) {
  const message& request = *in.message;
  // "A stateless proxy MUST validate a request as described in Section 16.3".
  uas_check_result checked = validate_proxy_request(env->config, request);
  if (!checked.passed()) return answer(self, *env, in, checked.response);
  routed_request routed = preprocess_routes(env->config, in.message, in.transport, in.local.port());
  if (is_for_registrar(env->config, routed)) {
    // Without a server transaction the registrar answers through the transport (its tu_request
    // has no server_transaction).
    if (env->config.registrar) return self->send(env->config.registrar, tu_request{in, {}, {}});
    return answer(self, *env, in, proxy_response(request, 501, "No Registrar Here"));
  }
  target_decision d = decide_targets(env->config, routed);
  if (d.status != 0) return answer(self, *env, in, proxy_response(request, d.status, d.reason));
  if (!d.needs_lookup()) return send_to(self, env, in, routed, std::move(d.targets), 0);
  find_targets(self, *env, std::move(d.aor), routed.request, [=](target_answer a) {
    send_to(self, env, in, routed, std::move(a.targets), a.status);
  });
}

bool forward_stateless_response(caf::event_based_actor* self, const proxy_env& env, const message_ptr& response) {
  if (!response || response->via_count() < 2) return false;
  const via& top = response->top_via();
  if (!is_our_sent_by(env.config, top.host, top.port)) return false;
  message_ptr popped = without_top_via(response);
  if (!popped || !env.transport) return false;
  auto kind = transport::transport_from(popped->top_via().transport).value_or(transport::transport_kind::udp);
  transport::outbound_response out;
  out.message = popped;
  out.transport = kind;
  // The transport sends it to the next Via's received/rport, maddr or sent-by (§18.2.2), from
  // our listen point for that transport.
  if (const auto* local = listen_point_for(env.config, kind)) out.local = local->address;
  self->send(env.transport, std::move(out));
  return true;
}

}  // namespace sipactor
