// The response context of a stateful proxy (RFC 3261 §16.6, §16.7): one actor per proxied
// request. It holds the server transaction, forwards the request to the target set group by
// group (§16.6: "processing the groups serially and processing the targets in each group in
// parallel"), is the TU of one client transaction per branch, keeps Timer C per INVITE branch
// (§16.8), forwards provisional and 2xx responses at once and the best final response when every
// branch has ended (§16.7), and cancels pending branches (§16.7 step 10, §16.10).
#include <algorithm>
#include <string>
#include <vector>

#include "actors/proxy_branch.hpp"
#include "actors/proxy_env.hpp"
#include "actors/proxy_forwarding.hpp"
#include "actors/proxy_responses.hpp"
#include "actors/transaction_layer.hpp"
#include "actors/transaction_timer_service.hpp"
#include "actors/ua_request_factory.hpp"

namespace sipactor {

namespace {

using time_point = caf::actor_clock::time_point;

// One forwarded request and its client transaction (§16.6 step 10).
struct branch {
  proxy_target target;
  std::string id;  // the branch parameter of our Via: responses are matched by it
  transport::outbound_request out;
  // RFC 3263 §4.3: the next hop's host name resolved to these, tried in turn.
  std::vector<transport::target> alternatives;
  std::size_t alternative = 0;
  bool provisional = false;  // a 1xx arrived: a CANCEL may be sent (§9.1)
  bool done = false;         // a final response, a timeout, a transport error or Timer C ended it
  bool cancel_wanted = false;
  bool cancel_sent = false;
  time_point timer_c_due = time_point::max();  // §16.8 Timer C; max(): not armed
};

struct context_state {
  proxy_env_ptr env;
  tu_request request;  // its server_transaction gets our responses
  routed_request routed;
  caf::actor shard;
  bool invite = false;
  std::vector<std::vector<proxy_target>> groups;
  std::size_t next_group = 0;
  std::vector<branch> branches;
  std::vector<context_response> finals;  // §16.7 step 4
  bool looking_up = false;
  bool final_sent = false;
  bool got_2xx = false;
  bool no_new_branches = false;  // a CANCEL (§16.10) or a 6xx (§16.7 step 5) arrived
  bool lingering = false;
  time_point linger_until = time_point::max();
  // The one wake-up asked of the shard's timer service: for the earliest Timer C or the end of
  // the linger; a later deadline waits for it (a wake-up re-asks for what is still ahead).
  time_point wake_at = time_point::max();
  std::uint32_t wake_generation = 0;
  std::uint64_t run = 0;  // counts the contexts this actor ran: location answers carry it
  bool finished = true;   // idle
  static inline const char* name = "sip-proxy-response-context";
};

using self_ptr = caf::stateful_actor<context_state>*;

const message& original(self_ptr self) { return *self->state.request.inbound.message; }

void send_upstream(self_ptr self, const message_ptr& response) {
  if (response && self->state.request.server_transaction) self->send(self->state.request.server_transaction, response);
}

branch* branch_of(self_ptr self, const message& m) {
  if (m.via_count() == 0) return nullptr;
  std::string_view id = m.top_via().branch;
  for (branch& b : self->state.branches)
    if (b.id == id) return &b;
  return nullptr;
}

// The earliest deadline of the context; asks its shard for a wake-up then unless one as early
// is pending. Timers go through the shard (transaction_timer_service), not delayed messages: a
// delayed message cannot be cancelled in CAF 0.17 and kept every finished context alive for
// Timer C's 185 s, with the clock thread's queue holding two entries per call.
void plan_wake(self_ptr self) {
  auto& st = self->state;
  time_point next = st.linger_until;
  for (const branch& b : st.branches)
    if (!b.done) next = std::min(next, b.timer_c_due);
  if (next == time_point::max() || next >= st.wake_at) return;
  st.wake_at = next;
  self->send(st.shard, schedule_timer{caf::actor_cast<caf::actor>(self), context_wake_atom::value,
                                      ++st.wake_generation, next});
}

// The server transaction has its final response: the context owes nothing any more (what remains
// is cancelling and lingering). The shard counts INVITE contexts that still owe one (drain).
void final_response_sent(self_ptr self) {
  auto& st = self->state;
  if (st.final_sent) return;
  st.final_sent = true;
  if (st.invite) {
    const caf::actor& ist = st.request.server_transaction;
    self->send(st.shard, context_answered{ist ? ist.id() : 0, self->id()});
  }
}

void arm_timer_c(self_ptr self, std::size_t index) {
  auto& st = self->state;
  if (!st.invite) return;
  st.branches[index].timer_c_due = self->clock().now() + st.env->config.timer_c;
  plan_wake(self);
}

// §9.1, §16.7 step 10: "A pending client transaction is one that has received a provisional
// response, but no final response ... and has not had an associated CANCEL generated for it."
// One without a provisional response gets its CANCEL when the first arrives ("If no provisional
// response has been received, the CANCEL request MUST NOT be sent").
void cancel_branch(self_ptr self, branch& b) {
  if (b.done || b.cancel_sent || !self->state.invite) return;
  b.cancel_wanted = true;
  if (!b.provisional) return;
  parse_result cancel = make_cancel(*b.out.message);
  if (!cancel.ok()) return;
  b.cancel_sent = true;
  // "The destination address, port, and transport for the CANCEL MUST be identical to those
  // used to send the original request."
  transport::outbound_request out{cancel.message, b.out.transport, b.out.destination, b.out.server_name};
  self->send(self->state.env->transactions, client_request{std::move(out), caf::actor_cast<caf::actor>(self)});
}

void cancel_pending(self_ptr self) {
  for (branch& b : self->state.branches) cancel_branch(self, b);
}

// The end of the context: back to idle, holding nothing of the request.
void finish(self_ptr self) {
  auto& st = self->state;
  if (st.finished) return;
  st.finished = true;
  const caf::actor& ist = st.request.server_transaction;
  caf::actor_id server_transaction = st.invite && ist ? ist.id() : 0;
  st.request = {};
  st.routed = {};
  st.groups.clear();
  st.branches.clear();
  st.finals.clear();
  self->send(st.shard, context_finished{server_transaction, self->id()});
}

void start_next_group(self_ptr self);

// Every branch ended: the next group, the best response, or the end of the context.
void check_done(self_ptr self) {
  auto& st = self->state;
  if (st.looking_up) return;
  for (const branch& b : st.branches)
    if (!b.done) return;
  if (!st.final_sent) {
    if (!st.no_new_branches && st.next_group < st.groups.size()) return start_next_group(self);
    // §16.7 step 6: "A stateful proxy MUST send a final response to a response context's server
    // transaction if no final responses have been immediately forwarded by the above rules and
    // all client transactions in this response context have been terminated."
    send_upstream(self, best_response(st.finals, original(self)));
    final_response_sent(self);
  }
  // §16.7 step 9: "The proxy MUST maintain the response context until all of its associated
  // transactions have been terminated": after a 2xx, INVITE client transactions pass up 2xx
  // retransmissions until Timer M (RFC 6026 §7.2).
  if (st.got_2xx && st.invite && st.env->config.linger_after_2xx.count() > 0) {
    if (st.lingering) return;
    st.lingering = true;
    st.linger_until = self->clock().now() + st.env->config.linger_after_2xx;
    plan_wake(self);
    return;
  }
  finish(self);
}

// §16.6 step 7: a target the request cannot be sent to acts "as if this element of the target set
// returned a 408 (Request Timeout) final response"; §16.9: a transport error as a 503.
void branch_failed(self_ptr self, branch& b, int status) {
  if (b.done) return;
  b.done = true;
  self->state.finals.push_back({proxy_response(original(self), status), false});
}

// §16.6 steps 1-10 for branch `index` (to `resolved` when its next hop was looked up): the
// request, its client transaction and Timer C. When it cannot be sent, the forwarding says why
// (`needs_lookup`: a host name, RFC 3263).
forwarded_request send_branch(self_ptr self, std::size_t index, const transport::target* resolved) {
  auto& st = self->state;
  std::string id = stateful_branch(*st.routed.received);
  forwarded_request f =
      forward_request(st.env->config, st.routed, st.request.inbound.transport, st.branches[index].target, id, resolved);
  if (!f.ok()) return f;
  branch& b = st.branches[index];
  b.id = std::move(id);
  b.out = f.out;
  b.provisional = false;
  b.cancel_sent = false;
  b.done = false;
  // §16.6 step 10: "A stateful proxy MUST create a new client transaction for this request";
  // its events come here.
  self->send(st.env->transactions, client_request{f.out, caf::actor_cast<caf::actor>(self)});
  // §16.6 step 11: "Timer C MUST be set for each client transaction when an INVITE request is proxied."
  arm_timer_c(self, index);
  return f;
}

// RFC 3263 §4.3: a branch whose request failed at the transport or transaction layer, or got a
// 503, goes to the next address the lookup gave, as a new transaction ("a different value of the
// Via branch ID"). False when none is left to try (or no new branch may start).
bool try_next_alternative(self_ptr self, branch& failed) {
  auto& st = self->state;
  if (st.no_new_branches || st.final_sent) return false;
  std::size_t index = static_cast<std::size_t>(&failed - st.branches.data());
  while (st.branches[index].alternative + 1 < st.branches[index].alternatives.size()) {
    branch& b = st.branches[index];
    ++b.alternative;
    transport::target next = b.alternatives[b.alternative];
    if (send_branch(self, index, &next).ok()) return true;
  }
  return false;
}

void on_located(self_ptr self, std::size_t index, transport::location_result& r) {
  auto& st = self->state;
  branch& b = st.branches[index];
  b.alternatives = std::move(r.targets);
  b.alternative = 0;
  bool sent = false;
  if (st.no_new_branches) {
    // A CANCEL (§16.10: 487) or a 6xx came while the name was looked up: nothing goes out.
    b.done = true;
    if (!st.final_sent) st.finals.push_back({proxy_response(original(self), 487), false});
    return check_done(self);
  }
  if (r.ok()) {
    sent = send_branch(self, index, &b.alternatives.front()).ok();
    if (!sent) sent = try_next_alternative(self, st.branches[index]);
  }
  if (!sent) {
    // §16.6 step 7: a target that cannot be reached acts as a 408; the reason says why.
    st.branches[index].done = true;
    std::string reason = r.ok() ? "no usable address for the next hop" : r.error;
    st.finals.push_back({proxy_response(original(self), 408, reason), false});
    check_done(self);
  }
}

// Asks the locator for the next hop of branch `index` (a host name); the branch waits meanwhile.
void locate_branch(self_ptr self, std::size_t index, std::string next_hop) {
  auto& st = self->state;
  locate_next_hop(self, *st.env, std::move(next_hop), [self, index, run = st.run](transport::location_result& r) {
    if (self->state.run == run && !self->state.finished && index < self->state.branches.size())
      on_located(self, index, r);
  });
}

void start_next_group(self_ptr self) {
  auto& st = self->state;
  while (st.next_group < st.groups.size()) {
    const auto& group = st.groups[st.next_group++];
    bool started = false;
    for (const proxy_target& target : group) {
      branch added;
      added.target = target;
      st.branches.push_back(std::move(added));
      std::size_t index = st.branches.size() - 1;
      forwarded_request f = send_branch(self, index, nullptr);
      if (f.ok()) {
        started = true;
        continue;
      }
      // Not sent: a host name to look up (RFC 3263), else a 408 (§16.6 step 7).
      if (f.needs_lookup && st.env->locator) {
        locate_branch(self, index, f.next_hop);
        started = true;
        continue;
      }
      st.branches.pop_back();
      st.finals.push_back({proxy_response(original(self), 408, f.error), false});
    }
    if (started) return;
  }
  check_done(self);
}

void start(self_ptr self, std::vector<proxy_target> targets, int status) {
  auto& st = self->state;
  st.looking_up = false;
  st.groups = fork_groups(std::move(targets), st.env->config.forking);
  if (st.no_new_branches) return check_done(self);  // a CANCEL came during the lookup
  if (st.groups.empty()) {
    // §16.5: "If the target set remains empty after applying all of the above, the proxy MUST
    // return an error response, which SHOULD be the 480 (Temporarily Unavailable) response."
    st.finals.push_back({proxy_response(original(self), status != 0 ? status : 480), false});
    return check_done(self);
  }
  start_next_group(self);
}

void on_response(self_ptr self, const tu_response& r) {
  auto& st = self->state;
  if (!r.response || r.response->method() == sip_method::cancel) return;  // the 200 to our CANCEL
  // §16.7 step 3: "If no Via header field values remain in the response, the response was meant
  // for this element and MUST NOT be forwarded."
  if (r.response->via_count() < 2) return;
  branch* b = branch_of(self, *r.response);
  if (!b) return;
  int status = r.response->status();
  if (status < 200) {
    b->provisional = true;
    // §16.7 step 2: "if the response is a provisional response with status codes 101 to 199
    // inclusive (i.e., anything but 100), the proxy MUST reset timer C for that client transaction."
    if (status > 100 && !b->done) arm_timer_c(self, static_cast<std::size_t>(b - st.branches.data()));
    if (b->cancel_wanted) cancel_branch(self, *b);
  } else {
    b->done = true;
    // RFC 3263 §4.3: "If a 503 error response is received, the client SHOULD try the next element".
    if (status == 503 && try_next_alternative(self, *b)) return;
  }
  switch (dispose(*r.response, st.final_sent)) {
    case response_disposition::forward_now:
      send_upstream(self, without_top_via(r.response));
      if (status / 100 == 2) {
        st.got_2xx = true;
        final_response_sent(self);
        st.no_new_branches = true;
        // §16.7 step 10: "If the forwarded response was a final response, the proxy MUST
        // generate a CANCEL request for all pending client transactions".
        cancel_pending(self);
      }
      break;
    case response_disposition::keep:
      st.finals.push_back({r.response, true});
      if (status >= 600) {
        // §16.7 step 5: "If a 6xx response is received, it is not immediately forwarded, but the
        // stateful proxy SHOULD cancel all client pending transactions ... and it MUST NOT
        // create any new branches in this context."
        st.no_new_branches = true;
        cancel_pending(self);
      }
      break;
    case response_disposition::drop:
      break;
  }
  if (status >= 200) check_done(self);
}

// Timer B/F of a branch, or a transport error (§16.9: "as if the forwarded request received a 503").
void on_branch_error(self_ptr self, const message_ptr& request, int status) {
  if (!request || request->method() == sip_method::cancel) return;
  if (branch* b = branch_of(self, *request)) {
    // RFC 3263 §4.3: a timeout or a transport error sends a new request to the next address.
    if (!b->done && try_next_alternative(self, *b)) return;
    branch_failed(self, *b, status);
    check_done(self);
  }
}

// §16.8: "If the client transaction has received a provisional response, the proxy MUST generate
// a CANCEL request matching that transaction. If the client transaction has not received a
// provisional response, the proxy MUST behave as if the transaction received a 408". A branch
// whose CANCEL was not answered by Timer C's next expiry is given up as a 408 too.
void on_timer_c(self_ptr self, std::size_t index) {
  auto& st = self->state;
  branch& b = st.branches[index];
  b.timer_c_due = time_point::max();
  if (b.provisional && !b.cancel_sent) {
    cancel_branch(self, b);
    arm_timer_c(self, index);
    return;
  }
  branch_failed(self, b, 408);
  check_done(self);
}

// The shard's wake-up: every deadline that has come, then the next wake-up.
void on_wake(self_ptr self, std::uint32_t generation) {
  auto& st = self->state;
  if (generation != st.wake_generation || st.finished) return;
  st.wake_at = time_point::max();
  time_point now = self->clock().now();
  if (st.linger_until <= now) return finish(self);
  for (std::size_t i = 0; i < st.branches.size() && !st.finished; ++i)
    if (!st.branches[i].done && st.branches[i].timer_c_due <= now) on_timer_c(self, i);
  if (!st.finished) plan_wake(self);
}

// §16.10: "A proxy MUST cancel any pending client transactions associated with a response
// context when it receives a matching CANCEL request." The 200 to the CANCEL is the core's.
void on_cancel(self_ptr self) {
  auto& st = self->state;
  st.no_new_branches = true;
  if (st.final_sent) return;
  if (st.branches.empty()) {
    // Nothing forwarded yet (a lookup is running): the INVITE ends here (§9.2: 487).
    send_upstream(self, proxy_response(original(self), 487));
    final_response_sent(self);
    return finish(self);
  }
  cancel_pending(self);
}

// §16.5: the target set, from the request or the target source.
void begin(self_ptr self) {
  auto& st = self->state;
  target_decision d = decide_targets(st.env->config, st.routed);
  if (d.status != 0) {
    st.finals.push_back({proxy_response(original(self), d.status, d.reason), false});
    check_done(self);
  } else if (d.needs_lookup()) {
    st.looking_up = true;
    find_targets(self, *st.env, std::move(d.aor), st.routed.request, [self, run = st.run](target_answer a) {
      if (self->state.run == run && !self->state.finished) start(self, std::move(a.targets), a.status);
    });
  } else {
    start(self, std::move(d.targets), 0);
  }
}

void on_start(self_ptr self, start_context& s) {
  auto& st = self->state;
  if (!st.finished || !s.request.inbound.message) return;
  ++st.run;
  st.request = std::move(s.request);
  st.routed = std::move(s.routed);
  st.invite = original(self).method() == sip_method::invite;
  st.next_group = 0;
  st.looking_up = false;
  st.final_sent = false;
  st.got_2xx = false;
  st.no_new_branches = false;
  st.lingering = false;
  st.linger_until = time_point::max();
  st.wake_at = time_point::max();
  st.finished = false;
  begin(self);
}

caf::behavior response_context(self_ptr self, proxy_env_ptr env, caf::actor shard) {
  auto& st = self->state;
  st.env = std::move(env);
  st.shard = std::move(shard);
  // Only what belongs to a running context is taken; while idle, late inputs of the previous
  // one are dropped (see proxy_env.hpp).
  auto running = [self] { return !self->state.finished; };
  return {
      [=](start_context& s) { on_start(self, s); },
      [=](const tu_response& r) {
        if (running()) on_response(self, r);
      },
      [=](const transaction_timeout& t) {
        if (running()) on_branch_error(self, t.request, 408);
      },
      [=](const transaction_transport_error& e) {
        if (running()) on_branch_error(self, e.request, 503);
      },
      [](const transaction_terminated&) {},
      [=](context_wake_atom, std::uint32_t generation) { on_wake(self, generation); },
      [=](const cancel_context&) {
        if (running()) on_cancel(self);
      },
  };
}

}  // namespace

caf::actor spawn_response_context(caf::actor_system& sys, proxy_env_ptr env, caf::actor shard) {
  return sys.spawn(response_context, std::move(env), std::move(shard));
}

}  // namespace sipactor
