#include "actors/proxy_auth.hpp"

#include <algorithm>
#include <thread>
#include <unordered_map>
#include <utility>

#include "actors/auth_verifier.hpp"
#include "actors/sharded_entry.hpp"
#include "actors/transaction_messages.hpp"
#include "actors/ua_responses.hpp"
#include "messages/builder.hpp"
#include "messages/identifiers.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

using time_point = caf::actor_clock::time_point;

struct shard_state {
  std::shared_ptr<const proxy_auth_config> config;
  // One authenticator per domain, the domain its realm (as the registrar's).
  std::unordered_map<std::string, auth::digest_authenticator> authenticators;
  time_point clock_origin;
  proxy_auth_counters counters;
  static inline const char* name = "sip-proxy-auth-shard";
};

using self_ptr = caf::stateful_actor<shard_state>*;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::to_lower(c);
  return out;
}

bool listed(const std::vector<std::string>& list, std::string_view item) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return text::iequals(s, item); });
}

auth::auth_clock::time_point auth_now(self_ptr self) {
  const auto& st = self->state;
  auto since = std::chrono::duration_cast<auth::auth_clock::duration>(self->clock().now() - st.clock_origin);
  return auth::auth_clock::time_point(std::chrono::seconds(st.config->wall_origin)) + since;
}

void report(self_ptr self, bool failure, proxy_auth_event e) {
  const auto& config = *self->state.config;
  if (config.events && (failure || config.report_every_request)) self->send(config.events, std::move(e));
}

void answer(self_ptr self, const tu_request& e, const message_builder& b) {
  auto built = b.build();
  if (e.server_transaction && built.ok()) self->send(e.server_transaction, built.message);
}

void on_request(self_ptr self, tu_request& e) {
  auto& st = self->state;
  if (!e.inbound.message) return;
  const message& request = *e.inbound.message;
  std::string from(request.from().address.text);
  auto it = st.authenticators.find(request.from().address.host_canonical());
  if (it == st.authenticators.end()) {
    // Not ours to authenticate (the entry's caller checked needs_proxy_authentication).
    self->send(st.config->next, std::move(e));
    return;
  }
  auth::auth_result r = it->second.verify(request, *st.config->users, auth_now(self));
  std::string tag = response_to_tag(request);
  if (r.authenticated()) {
    if (request.from().address.user_unescaped() != r.user) {
      ++st.counters.refused;
      report(self, true, {403, from, r.user, "user " + r.user + " may not send as " + from});
      return answer(self, e, message_builder::response_to(request, 403, "Forbidden (From does not match the authenticated user)", tag));
    }
    ++st.counters.authenticated;
    report(self, false, {0, from, r.user, {}});
    e.inbound.message = without_proxy_credentials_for(e.inbound.message, st.config->domains);
    self->send(st.config->next, std::move(e));
    return;
  }
  if (r.outcome == auth::auth_outcome::unauthenticated) {
    // ACK or CANCEL (§22.1): never challenged; not sent here by the rule, passed on if they are.
    self->send(st.config->next, std::move(e));
    return;
  }
  bool failure = r.outcome != auth::auth_outcome::challenge;
  ++(failure ? st.counters.refused : st.counters.challenged);
  report(self, failure, {r.status, from, {}, r.detail});
  answer(self, e, auth::response_for(request, r, tag));
}

caf::behavior shard(self_ptr self, std::shared_ptr<const proxy_auth_config> config, std::string nonce_secret) {
  auto& st = self->state;
  st.config = std::move(config);
  st.clock_origin = self->clock().now();
  for (const std::string& domain : st.config->domains) {
    auth::auth_policy policy;
    policy.role = auth::challenger::proxy;  // 407 with Proxy-Authenticate (§22.3)
    policy.realms = {lower(domain)};
    policy.algorithms = st.config->algorithms;
    policy.nonce_lifetime = st.config->nonce_lifetime;
    // §22.4 item 6: "in SIP, a server MAY check that the Request-URI in the Authorization header
    // field value corresponds to a user for whom the server is willing to accept forwarded or
    // direct requests, but it is not necessarily a failure if the two fields are not
    // equivalent." UAs compute the digest-uri their own way (SIPp: sip:HOST:PORT of the proxy)
    // and a request may have been retargeted before it reached us; the response still covers
    // the digest-uri it names, and nonce counts still stop replays.
    policy.check_digest_uri = false;
    st.authenticators.emplace(policy.realms.front(), auth::digest_authenticator(policy, nonce_secret));
  }
  return {
      [=](tu_request& e) { on_request(self, e); },
      [=](proxy_auth_stats_atom) { return self->state.counters; },
  };
}

}  // namespace

proxy_auth_counters& proxy_auth_counters::operator+=(const proxy_auth_counters& o) noexcept {
  authenticated += o.authenticated;
  challenged += o.challenged;
  refused += o.refused;
  return *this;
}

bool needs_proxy_authentication(const std::vector<std::string>& domains, const message& request) {
  if (!request.is_request()) return false;
  switch (request.method()) {
    case sip_method::register_:
    case sip_method::ack:
    case sip_method::cancel:
      return false;
    default:
      break;
  }
  if (!request.to_tag().empty()) return false;  // inside a dialog
  const uri& from = request.from().address;
  if (!from.is_sip()) return false;  // tel: and others name no domain of ours
  return listed(domains, from.host_canonical());
}

message_ptr without_proxy_credentials_for(const message_ptr& request, const std::vector<std::string>& realms) {
  std::vector<std::string_view> kept;
  bool consumed = false;
  request->for_each_header(header_id::proxy_authorization, [&](const header& h) {
    std::vector<auth_value> values;
    bool ours = false;
    if (parse_auth_value(h.value, values) == nullptr)
      for (const auto& v : values) ours = ours || listed(realms, v.param_unquoted("realm"));
    if (ours)
      consumed = true;
    else
      kept.push_back(h.value);
  });
  if (!consumed) return request;
  auto copy = message_builder::copy_of(request);
  copy.remove_header("Proxy-Authorization");
  for (std::string_view value : kept) copy.add_header("Proxy-Authorization", value);
  auto built = copy.build();
  return built.ok() ? built.message : request;
}

std::size_t proxy_auth_shard_of(const message& request, std::size_t shards) {
  return auth::shard_by_nonce(request, auth::challenger::proxy, shards);
}

proxy_authenticator spawn_proxy_authenticator(caf::actor_system& sys, const proxy_auth_config& config) {
  std::size_t n = config.shards != 0 ? config.shards : std::max(1u, std::thread::hardware_concurrency());
  auto shared_config = std::make_shared<proxy_auth_config>(config);
  if (shared_config->wall_origin == 0)
    shared_config->wall_origin =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string secret = config.nonce_secret.empty() ? random_token(64) : config.nonce_secret;
  proxy_authenticator a;
  for (std::size_t i = 0; i < n; ++i)
    a.shards.push_back(sys.spawn(shard, std::shared_ptr<const proxy_auth_config>(shared_config), secret));
  a.entry = make_sharded_entry(sys, a.shards, [n](const caf::type_erased_tuple& content) -> std::optional<std::size_t> {
    if (!content.match_elements<tu_request>()) return std::nullopt;
    const auto& m = content.get_as<tu_request>(0).inbound.message;
    if (!m) return std::nullopt;
    return proxy_auth_shard_of(*m, n);
  });
  return a;
}

proxy_auth_counters proxy_auth_stats(caf::scoped_actor& self, const proxy_authenticator& a) {
  proxy_auth_counters total;
  for (const auto& s : a.shards)
    self->request(s, caf::infinite, proxy_auth_stats_atom::value)
        .receive([&](const proxy_auth_counters& c) { total += c; }, [](const caf::error&) {});
  return total;
}

void stop_proxy_authenticator(const proxy_authenticator& a) {
  if (a.entry) caf::anon_send_exit(a.entry, caf::exit_reason::user_shutdown);
  for (const auto& s : a.shards) caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}

}  // namespace sipactor
