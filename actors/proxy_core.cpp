#include "actors/proxy_core.hpp"

#include "actors/sharded_entry.hpp"

#include <atomic>
#include <functional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "actors/proxy_env.hpp"
#include "actors/proxy_responses.hpp"
#include "actors/proxy_validation.hpp"
#include "actors/transaction_layer.hpp"
#include "actors/transaction_timer_service.hpp"

namespace sipactor {

proxy_counters& proxy_counters::operator+=(const proxy_counters& o) noexcept {
  contexts += o.contexts;
  rejected += o.rejected;
  stateless_requests += o.stateless_requests;
  stray_responses += o.stray_responses;
  cancels += o.cancels;
  registers += o.registers;
  unanswered += o.unanswered;
  return *this;
}

namespace {

struct shard_state {
  proxy_env_ptr env;
  // §16.10: the response context of each INVITE server transaction, for its CANCEL.
  std::unordered_map<caf::actor_id, caf::actor> contexts;
  // The response contexts' timers (Timer C, linger). Timer C is 185 s and the linger 32 s:
  // wake-ups 100 ms apart at the most are precise enough and keep the shard's own delayed
  // messages to 10 a second.
  transaction_timer_service timers{std::chrono::milliseconds(100)};
  // INVITE contexts that have not sent their final response yet (SIGTERM waits for them).
  std::unordered_set<caf::actor_id> unanswered;
  // Response contexts that finished, for the next requests (actors/proxy_env.hpp: why).
  std::vector<caf::actor> idle_contexts;
  proxy_counters counters;
  static inline const char* name = "sip-proxy-core-shard";
};

using self_ptr = caf::stateful_actor<shard_state>*;

// Idle contexts a shard keeps; more are ended (a burst of short requests leaves this many).
constexpr std::size_t max_idle_contexts = 1024;

// Drops the CANCEL entry of `server_transaction` if it still names `context` (the id may have
// been given to a newer INVITE's context since).
void forget_context(shard_state& st, caf::actor_id server_transaction, caf::actor_id context) {
  auto i = st.contexts.find(server_transaction);
  if (i != st.contexts.end() && i->second.id() == context) st.contexts.erase(i);
}

void respond(self_ptr self, const caf::actor& server_transaction, const message_ptr& response) {
  if (server_transaction && response) self->send(server_transaction, response);
}

// §16.10: "If a matching response context is found, the element MUST immediately return a 200
// (OK) response to the CANCEL request ... Furthermore, the element MUST generate CANCEL requests
// for all pending client transactions in the context". The transaction layer matched the CANCEL
// to its INVITE server transaction (§9.2); none matched: 481, as a UAS (§9.2). (§16.10's stateless
// forwarding of an unmatched CANCEL is for a proxy that may have forwarded the INVITE
// statelessly; a stateful core never does, and in stateless mode every CANCEL is forwarded.)
void on_cancel(self_ptr self, const tu_request& e) {
  auto& st = self->state;
  const message& cancel = *e.inbound.message;
  ++st.counters.cancels;
  if (!e.cancelled_invite) return respond(self, e.server_transaction, proxy_response(cancel, 481));
  respond(self, e.server_transaction, proxy_response(cancel, 200));
  auto i = st.contexts.find(e.cancelled_invite.id());
  if (i != st.contexts.end()) self->send(i->second, cancel_context{e.inbound.message});
}

void on_request(self_ptr self, tu_request& e) {
  auto& st = self->state;
  if (!e.inbound.message || !e.inbound.message->is_request()) return;
  const message& request = *e.inbound.message;
  // The ACK for a 2xx is a transaction of its own without responses (§17.1.1.3): forwarded
  // statelessly. In stateless mode everything is.
  if (request.method() == sip_method::ack || st.env->config.stateless) {
    ++st.counters.stateless_requests;
    return forward_stateless_request(self, st.env, e.inbound);
  }
  if (request.method() == sip_method::cancel) return on_cancel(self, e);
  // §16.3: "If any of these checks fail, the element MUST behave as a user agent server".
  uas_check_result checked = validate_proxy_request(st.env->config, request);
  if (!checked.passed()) {
    ++st.counters.rejected;
    return respond(self, e.server_transaction, checked.response);
  }
  routed_request routed =
      preprocess_routes(st.env->config, e.inbound.message, e.inbound.transport, e.inbound.local.port());
  if (is_for_registrar(st.env->config, routed)) {
    ++st.counters.registers;
    if (st.env->config.registrar) return self->send(st.env->config.registrar, std::move(e));
    return respond(self, e.server_transaction, proxy_response(request, 501, "No Registrar Here"));
  }
  ++st.counters.contexts;
  caf::actor server_transaction = e.server_transaction;
  bool invite = request.method() == sip_method::invite;
  caf::actor context;
  if (!st.idle_contexts.empty()) {
    context = std::move(st.idle_contexts.back());
    st.idle_contexts.pop_back();
  } else {
    context = spawn_response_context(self->system(), st.env, caf::actor_cast<caf::actor>(self));
  }
  self->send(context, start_context{std::move(e), std::move(routed)});
  if (invite) st.unanswered.insert(context.id());
  // Server transaction actors are reused: an id may come back while the context of its previous
  // INVITE lingers; the new INVITE's context takes the entry (the old one no longer owes a
  // response, so a CANCEL has nothing to do there).
  if (invite && server_transaction) st.contexts.insert_or_assign(server_transaction.id(), std::move(context));
}

caf::behavior shard(self_ptr self) {
  // The idle contexts end with their shard; running ones finish on their own (stop_proxy_core).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& context : self->state.idle_contexts) self->send_exit(context, msg.reason);
    self->state.idle_contexts.clear();
    self->quit(msg.reason);
  });
  return {
      [=](tu_request& e) { on_request(self, e); },
      [=](const stray_response& s) {
        // §16.7: "If none is found, the element MUST process the response (even if it is an
        // informational response) as a stateless proxy".
        if (forward_stateless_response(self, *self->state.env, s.inbound.message)) ++self->state.counters.stray_responses;
      },
      [=](const transport::inbound_message& in) {
        if (!in.message) return;
        if (in.message->is_response()) {
          if (forward_stateless_response(self, *self->state.env, in.message)) ++self->state.counters.stray_responses;
          return;
        }
        ++self->state.counters.stateless_requests;
        forward_stateless_request(self, self->state.env, in);
      },
      [=](const context_finished& f) {
        auto& st = self->state;
        forget_context(st, f.server_transaction, f.context);
        st.unanswered.erase(f.context);
        st.timers.forget(f.context);
        auto context = caf::actor_cast<caf::actor>(self->current_sender());
        if (!context) return;
        if (st.idle_contexts.size() < max_idle_contexts)
          st.idle_contexts.push_back(std::move(context));
        else
          self->send_exit(context, caf::exit_reason::user_shutdown);
      },
      // §16.10: after the final response a CANCEL finds nothing pending; the entry goes now, so
      // that a lingering context does not hold its reusable server transaction's id.
      [=](const context_answered& a) {
        forget_context(self->state, a.server_transaction, a.context);
        self->state.unanswered.erase(a.context);
      },
      [=](const schedule_timer& t) {
        self->state.timers.schedule(t);
        plan_timer_wake(self, self->state.timers);
      },
      [=](timer_wake_atom, caf::actor_clock::time_point planned) {
        on_timer_wake(self, self->state.timers, planned);
      },
      [=](transport::stats_atom) {
        proxy_counters c = self->state.counters;
        c.unanswered = self->state.unanswered.size();
        return c;
      },
      // Server transaction events: §16.9 "If the proxy is notified of an error when forwarding a
      // response, it drops the response"; a stateless send that failed is dropped as well.
      [](const transaction_timeout&) {},
      [](const transaction_transport_error&) {},
      [](const transaction_terminated&) {},
      [](const transport::send_failed&) {},
  };
}

// --- the entry: which shard a message belongs to

std::optional<std::string_view> call_id_of(const caf::type_erased_tuple& content) {
  auto of = [](const message_ptr& m) -> std::optional<std::string_view> {
    if (m) return m->call_id();
    return std::nullopt;
  };
  if (content.match_elements<tu_request>()) return of(content.get_as<tu_request>(0).inbound.message);
  if (content.match_elements<stray_response>()) return of(content.get_as<stray_response>(0).inbound.message);
  if (content.match_elements<transport::inbound_message>())
    return of(content.get_as<transport::inbound_message>(0).message);
  return std::nullopt;
}

proxy_core spawn_core(caf::actor_system& sys, std::shared_ptr<proxy_env> env) {
  std::size_t n = env->config.shards;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  proxy_core core;
  core.env = env;
  proxy_env_ptr shared = env;
  for (std::size_t i = 0; i < n; ++i) {
    core.shards.push_back(sys.spawn(
        [](self_ptr self, proxy_env_ptr env) -> caf::behavior {
          self->state.env = std::move(env);
          return shard(self);
        },
        shared));
  }
  core.entry = make_sharded_entry(sys, core.shards, [](const caf::type_erased_tuple& content) {
    auto call_id = call_id_of(content);
    return call_id ? std::optional<std::size_t>{text_key(*call_id)} : std::nullopt;
  });
  return core;
}

}  // namespace

proxy_core spawn_proxy_core(caf::actor_system& sys, const proxy_config& config, caf::actor transactions,
                            caf::actor transport, caf::actor target_source) {
  auto env = std::make_shared<proxy_env>();
  env->config = config;
  env->transactions = std::move(transactions);
  env->transport = std::move(transport);
  env->target_source = std::move(target_source);
  return spawn_core(sys, std::move(env));
}

proxy_core spawn_proxy_core(caf::actor_system& sys, const proxy_config& config, caf::actor transactions,
                            caf::actor transport, const location_service& locations) {
  auto env = std::make_shared<proxy_env>();
  env->config = config;
  env->transactions = std::move(transactions);
  env->transport = std::move(transport);
  env->locations = locations;
  return spawn_core(sys, std::move(env));
}

void complete_proxy_core(proxy_core& core, caf::actor transactions, caf::actor transport,
                         std::vector<transport::listen_point> listening) {
  if (transactions) core.env->transactions = std::move(transactions);
  if (transport) core.env->transport = std::move(transport);
  if (!listening.empty()) core.env->config.listening = std::move(listening);
}

void set_proxy_locator(proxy_core& core, transport::sip_locator_actor locator) { core.env->locator = std::move(locator); }

proxy_counters proxy_core_counters(caf::scoped_actor& self, const proxy_core& core) {
  proxy_counters sum;
  for (const auto& shard : core.shards)
    self->request(shard, caf::infinite, transport::stats_atom::value)
        .receive([&](const proxy_counters& c) { sum += c; }, [](caf::error&) {});
  return sum;
}

void stop_proxy_core(const proxy_core& core) {
  if (core.entry) caf::anon_send_exit(core.entry, caf::exit_reason::user_shutdown);
  for (const auto& shard : core.shards) caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
}

}  // namespace sipactor
