#include "actors/registrar.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "actors/auth_verifier.hpp"
#include "actors/sharded_entry.hpp"
#include "actors/transaction_messages.hpp"
#include "actors/ua_responses.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

using time_point = caf::actor_clock::time_point;

struct shard_state {
  std::shared_ptr<const registrar_actor_config> config;
  location_service location;
  // One authenticator per served domain, the domain its realm (see registrar.hpp, "Realms").
  std::unordered_map<std::string, auth::digest_authenticator> authenticators;
  time_point clock_origin;
  wall_seconds wall_origin = 0;
  std::size_t max_in_flight = 0;
  registrar_counters counters;
  static inline const char* name = "sip-registrar-shard";
};

using self_ptr = caf::stateful_actor<shard_state>*;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::to_lower(c);
  return out;
}

auth::auth_clock::time_point auth_now(self_ptr self) {
  const auto& st = self->state;
  auto since = std::chrono::duration_cast<auth::auth_clock::duration>(self->clock().now() - st.clock_origin);
  return auth::auth_clock::time_point(std::chrono::seconds(st.wall_origin)) + since;
}

void report(self_ptr self, bool failure, registrar_event e) {
  const auto& config = *self->state.config;
  if (config.events && (failure || config.report_every_request)) self->send(config.events, std::move(e));
}

void respond(self_ptr self, const caf::actor& transaction, const message_builder& b) {
  auto built = b.build();
  if (transaction && built.ok()) self->send(transaction, built.message);
}

registrar_rejection rejection_of(const auth::auth_result& r) {
  registrar_rejection out;
  out.status = r.status;
  out.reason = r.reason;
  for (const auto& value : r.challenges) out.headers.emplace_back(std::string(r.header_name), value);
  return out;
}

// §10.3 step 3 by Digest (§22.1, §22.4), with the realm of the Request-URI's domain. Step 1 ran
// before: the domain is served, so its authenticator exists.
registrar_step authenticate_register(self_ptr self, const message& request) {
  auto& st = self->state;
  auto it = st.authenticators.find(request.request_uri().host_canonical());
  if (it == st.authenticators.end()) return registrar_rejection{404, "Domain Not Served Here", {}};  // not reached
  auth::auth_result r = it->second.verify(request, *st.config->auth.users, auth_now(self));
  if (r.authenticated()) {
    // §10.3 step 4: "the registrar SHOULD determine if the authenticated user is authorized to
    // modify registrations for this address-of-record". A user here may modify the AOR named
    // by its own user name only (the users file knows no third-party registration, §10.2).
    const uri& to = request.to().address;
    if (to.is_sip() && to.user_unescaped() == r.user) return std::nullopt;
    ++st.counters.refused;
    std::string detail = "user " + r.user + " may not register " + std::string(to.text);
    report(self, true, {"auth", 403, std::string(to.text), detail, 0});
    return registrar_rejection{403, "Forbidden (not authorized for this address-of-record)", {}};
  }
  bool failure = r.outcome != auth::auth_outcome::challenge;
  ++(failure ? st.counters.refused : st.counters.challenged);
  report(self, failure, {"auth", r.status, std::string(request.to().address.text), r.detail, 0});
  return rejection_of(r);
}

void on_register(self_ptr self, const tu_request& e) {
  auto& st = self->state;
  const message_ptr& request = e.inbound.message;
  caf::actor txn = e.server_transaction;
  std::string tag = response_to_tag(*request);
  ++st.counters.registers;
  if (st.counters.in_flight >= st.max_in_flight) {
    // §21.5.4: "The server MAY include a Retry-After header field".
    ++st.counters.overloaded;
    report(self, true, {"overload", 503, std::string(request->to().address.text), "registers in flight", 0});
    auto b = message_builder::response_to(*request, 503, {}, tag);
    b.add_header("Retry-After", std::to_string(st.config->retry_after));
    return respond(self, txn, b);
  }
  registrar_authenticator hook;
  bool decided_by_auth = false;  // the hook counted and reported its verdict
  if (st.config->auth.enabled())
    hook = [self, &decided_by_auth](const message& m) {
      auto step = authenticate_register(self, m);
      decided_by_auth = step.has_value();
      return step;
    };
  auto prepared = prepare_register(*request, st.config->rules, hook);
  if (!prepared) {
    const registrar_rejection& r = prepared.rejection();
    if (!decided_by_auth) {
      ++st.counters.refused;
      report(self, true, {"reject", r.status, std::string(request->to().address.text), r.reason, 0});
    }
    return respond(self, txn, register_rejected(*request, r, tag));
  }
  ++st.counters.in_flight;
  std::string aor = prepared->aor;
  bool fetch = prepared->contacts.empty() && !prepared->remove_all;
  self->request(st.location.shard_for(aor), caf::infinite, location_register{std::move(prepared.value())})
      .then(
          [=](location_register_result& r) {
            auto& st = self->state;
            --st.counters.in_flight;
            if (!r.ok()) {
              ++st.counters.refused;
              report(self, true, {"reject", r.rejection->status, aor, r.detail.empty() ? r.rejection->reason : r.detail, 0});
              return respond(self, txn, register_rejected(*request, *r.rejection, tag));
            }
            ++st.counters.stored;
            report(self, false, {fetch ? "fetch" : "register", 200, aor, {}, r.bindings.size()});
            respond(self, txn, register_ok(*request, r.bindings, r.now, tag));
          },
          [=](caf::error& err) {
            auto& st = self->state;
            --st.counters.in_flight;
            ++st.counters.refused;
            report(self, true, {"reject", 500, aor, self->system().render(err), 0});
            respond(self, txn, message_builder::response_to(*request, 500, "Location Service Unavailable", tag));
          });
}

// "<uri>;q=0.5": a Contact of the 302 (§8.3, §20.10).
std::string redirect_contact(const location_binding& b) {
  std::string out = "<" + b.contact_uri + ">";
  if (b.q_milli >= 0) {
    char q[32];
    std::snprintf(q, sizeof q, ";q=%d.%03d", b.q_milli / 1000, b.q_milli % 1000);
    out += q;
  }
  return out;
}

// 480 for a user the users file knows in this domain (it exists, it is just not registered),
// 404 otherwise (§21.4.5: "the user does not exist at the domain specified in the Request-URI").
int unbound_status(const shard_state& st, const uri& target) {
  const auto& users = st.config->auth.users;
  if (users && users->find(target.user_unescaped(), target.host_canonical()) != nullptr) return 480;
  return 404;
}

// §8.3: a redirect server answers with the locations of the Request-URI's AOR.
void on_redirect(self_ptr self, const tu_request& e) {
  auto& st = self->state;
  const message_ptr& request = e.inbound.message;
  caf::actor txn = e.server_transaction;
  std::string tag = response_to_tag(*request);
  if (request->method() == sip_method::ack) return;  // nothing answers an ACK
  if (request->method() == sip_method::cancel) {
    // §9.2: the INVITE was answered at once (a 3xx), so there is little left to cancel.
    return respond(self, txn, message_builder::response_to(*request, e.cancelled_invite ? 200 : 481, {}, tag));
  }
  const uri& target = request->request_uri();
  if (!target.is_sip()) return respond(self, txn, message_builder::response_to(*request, 416, {}, tag));
  const auto& domains = st.config->rules.domains;
  bool served = std::any_of(domains.begin(), domains.end(),
                            [&](const std::string& d) { return text::iequals(d, target.host_canonical()); });
  auto aor = canonical_aor(target);
  if (!served || !aor) return respond(self, txn, message_builder::response_to(*request, 404, {}, tag));
  std::string key = *aor;
  self->request(st.location.shard_for(key), caf::infinite, location_lookup{key})
      .then(
          [=](location_bindings& found) {
            auto& st = self->state;
            if (found.bindings.empty()) {
              int status = unbound_status(st, request->request_uri());
              report(self, false, {"redirect", status, key, {}, 0});
              return respond(self, txn, message_builder::response_to(*request, status, {}, tag));
            }
            ++st.counters.redirected;
            report(self, false, {"redirect", 302, key, {}, found.bindings.size()});
            auto b = message_builder::response_to(*request, 302, {}, tag);
            for (const auto& binding : found.bindings) b.add_header("Contact", redirect_contact(binding));
            respond(self, txn, b);
          },
          [=](caf::error&) { respond(self, txn, message_builder::response_to(*request, 500, {}, tag)); });
}

void on_request(self_ptr self, const tu_request& e) {
  if (!e.inbound.message) return;
  const message& request = *e.inbound.message;
  if (request.method() == sip_method::register_) {
    if (e.server_transaction) on_register(self, e);
    return;
  }
  if (self->state.config->redirect) return on_redirect(self, e);
  // Not a redirect server: check_method's 405 with Allow: REGISTER (§10.3).
  if (request.method() == sip_method::ack) return;
  respond(self, e.server_transaction, register_rejected(request, *check_method(request), response_to_tag(request)));
}

caf::behavior shard(self_ptr self, std::shared_ptr<const registrar_actor_config> config, location_service location,
                    std::string nonce_secret, wall_seconds wall_origin, std::size_t max_in_flight) {
  auto& st = self->state;
  st.config = std::move(config);
  st.location = std::move(location);
  st.clock_origin = self->clock().now();
  st.wall_origin = wall_origin;
  st.max_in_flight = max_in_flight;
  for (const std::string& domain : st.config->rules.domains) {
    auth::auth_policy policy;
    policy.role = auth::challenger::user_agent;  // a registrar challenges with 401 (§22.2)
    policy.realms = {lower(domain)};
    policy.algorithms = st.config->auth.algorithms;
    policy.nonce_lifetime = st.config->auth.nonce_lifetime;
    st.authenticators.emplace(policy.realms.front(), auth::digest_authenticator(policy, nonce_secret));
  }
  return {
      [=](const tu_request& e) { on_request(self, e); },
      [=](registrar_stats_atom) { return self->state.counters; },
      // The layer's other TU events need nothing from a registrar.
      [](const transaction_timeout&) {},
      [](const transaction_transport_error&) {},
      [](const transaction_terminated&) {},
  };
}

// A request goes to the shard of its nonce, or of its Call-ID ("Sharding" in registrar.hpp);
// anything else to any shard.
std::optional<std::size_t> registrar_key(const caf::type_erased_tuple& content, std::size_t shards) {
  if (content.match_elements<tu_request>() && content.get_as<tu_request>(0).inbound.message)
    return registrar_shard_of(*content.get_as<tu_request>(0).inbound.message, shards);
  return std::nullopt;
}

// 256 bits from the system's generator (/dev/urandom on Linux), hex.
std::string random_secret() {
  std::random_device device;
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    std::uint32_t word = device();
    for (int k = 0; k < 8; ++k, word >>= 4) out += digits[word & 0xf];
  }
  return out;
}


}  // namespace

registrar_counters& registrar_counters::operator+=(const registrar_counters& o) noexcept {
  registers += o.registers;
  stored += o.stored;
  challenged += o.challenged;
  refused += o.refused;
  overloaded += o.overloaded;
  redirected += o.redirected;
  in_flight += o.in_flight;
  return *this;
}

std::size_t registrar_shard_of(const message& request, std::size_t shards) {
  return auth::shard_by_nonce(request, auth::challenger::user_agent, shards);
}

registrar spawn_registrar(caf::actor_system& sys, const registrar_actor_config& config, const location_service& location) {
  std::size_t n = config.shards != 0 ? config.shards : std::max(1u, std::thread::hardware_concurrency());
  auto shared = std::make_shared<const registrar_actor_config>(config);
  std::string secret = config.auth.nonce_secret.empty() ? random_secret() : config.auth.nonce_secret;
  wall_seconds wall = config.wall_origin;
  if (wall == 0)
    wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::size_t per_shard = std::max<std::size_t>(1, (config.max_in_flight + n - 1) / n);
  registrar r;
  for (std::size_t i = 0; i < n; ++i) r.shards.push_back(sys.spawn(shard, shared, location, secret, wall, per_shard));
  r.entry = make_sharded_entry(sys, r.shards, [n](const caf::type_erased_tuple& content) { return registrar_key(content, n); });
  return r;
}

registrar_counters registrar_stats(caf::scoped_actor& self, const registrar& r) {
  registrar_counters total;
  for (const auto& s : r.shards)
    self->request(s, caf::infinite, registrar_stats_atom::value)
        .receive([&](const registrar_counters& c) { total += c; }, [](const caf::error&) {});
  return total;
}

void stop_registrar(const registrar& r) {
  if (r.entry) caf::anon_send_exit(r.entry, caf::exit_reason::user_shutdown);
  for (const auto& s : r.shards) caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}

}  // namespace sipactor
