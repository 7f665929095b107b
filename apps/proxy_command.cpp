#include "apps/proxy_command.hpp"

#include <signal.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>
#include <thread>

#include "actors/auth_users.hpp"
#include "actors/location_service.hpp"
#include "actors/proxy_auth.hpp"
#include "actors/proxy_core.hpp"
#include "actors/registrar.hpp"
#include "actors/sharded_entry.hpp"
#include "actors/stack.hpp"
#include "actors/transaction_layer.hpp"
#include "apps/event_log.hpp"
#include "apps/proxy_config.hpp"
#include "apps/proxy_tu.hpp"
#include "transport/dns_resolver.hpp"
#include "transport/sip_locator.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor::apps {

namespace {

using namespace std::chrono_literals;

void usage(std::ostream& out) {
  out << "usage: sipactor proxy [--config FILE] [--check]\n"
         "  --config FILE  settings (see apps/sipactor.conf.example); without it: UDP and TCP on\n"
         "                 127.0.0.1:5060, domains 127.0.0.1 and localhost, store ./sipactor.db,\n"
         "                 REGISTER without authentication\n"
         "  --check        read the config (and users file), report errors, exit\n";
}

struct running {
  caf::actor log;
  location_service location;
  registrar reg;
  proxy_core core;
  proxy_authenticator auth;  // empty without users (or with auth.proxy off)
  caf::actor tu;
  transaction_layer layer;
  caf::actor sink;  // stateless mode: REGISTER to the transaction layer, the rest to the core
  caf::actor transport;
  transport::dns_resolver_actor resolver;  // RFC 3263 (empty with dns = off)
  transport::sip_locator_actor locator;
  std::string dns_unavailable;  // why there is no resolver although dns = on
};

// The actors, inside out: store and location service, registrar, TU, transaction layer,
// transport (bound last, so that nothing arrives before there is someone to answer it).
std::string start(caf::actor_system& sys, const proxy_config& config, std::shared_ptr<const auth::user_table> users,
                  running& r, std::vector<transport::listen_point>& listening) {
  location_store_config store_config{config.store_path, config.store_full_sync, 0, true};
  location_store_actor store = spawn_location_store(sys, store_config);
  {
    caf::scoped_actor self{sys};
    std::string open_error;
    self->request(store, caf::infinite, location_stats_atom::value)
        .receive([&](const location_store_stats& s) { open_error = s.open_error; },
                 [&](caf::error& e) { open_error = sys.render(e); });
    if (!open_error.empty()) {
      caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
      return "store " + config.store_path + ": " + open_error;
    }
  }
  r.location = spawn_location_service(sys, {config.workers, 0}, store);
  registrar_actor_config rc;
  rc.rules = config.registrar;
  rc.auth.users = users;
  rc.auth.algorithms = config.algorithms;
  rc.redirect = config.redirect;
  rc.shards = config.workers;
  rc.max_in_flight = config.max_registers_in_flight;
  rc.retry_after = config.retry_after;
  rc.events = r.log;
  rc.report_every_request = config.level == log_level::debug;
  r.reg = spawn_registrar(sys, rc, r.location);

  // The proxy core (§16): everything that is not REGISTER or OPTIONS to us; targets of our
  // domains from the location service, static routes for the rest.
  sipactor::proxy_config pc;
  pc.domains = config.domains;
  for (const auto& l : config.transport.listen) pc.listening.push_back({l.transport, l.address});
  for (const auto& route : config.routes) pc.routes.push_back({route.domain, route.next_hop});
  pc.shards = config.workers;
  pc.registrar = r.reg.entry;
  pc.stateless = config.stateless;
  if (std::string why = validate_proxy_config(pc); !why.empty()) return "proxy: " + why;
  r.core = spawn_proxy_core(sys, pc, caf::actor{}, caf::actor{}, r.location);

  proxy_tu_config tc;
  tc.registrar = r.reg.entry;
  tc.redirect = config.redirect;
  tc.domains = config.domains;
  tc.retry_after = config.retry_after;
  tc.listening.reserve(config.transport.listen.size());
  for (const auto& l : config.transport.listen) tc.listening.push_back({l.transport, l.address});
  // §16.3 item 6: our users' requests are authenticated before the core forwards them.
  if (users->size() > 0 && config.proxy_auth && !config.stateless && !config.redirect) {
    proxy_auth_config ac;
    ac.users = users;
    ac.domains = config.domains;
    ac.algorithms = config.algorithms;
    ac.shards = config.workers;
    ac.next = r.core.entry;
    ac.events = r.log;
    ac.report_every_request = config.level == log_level::debug;
    r.auth = spawn_proxy_authenticator(sys, ac);
    tc.authenticator = r.auth.entry;
  }
  r.tu = spawn_proxy_tu(sys, tc);
  if (!config.stateless) caf::anon_send(r.tu, proxy_core_atom::value, r.core.entry);
  r.layer = spawn_transaction_layer(sys, {config.timers, config.workers}, caf::actor{}, r.tu);
  caf::actor sink = r.layer.entry;
  if (config.stateless) {
    // §16.11: requests are forwarded without transactions; the registrar still answers through
    // server transactions (§10.3), so REGISTER takes the transaction layer.
    r.sink = make_sharded_entry(sys, {r.layer.entry, r.core.entry}, [](const caf::type_erased_tuple& content) {
      if (!content.match_elements<transport::inbound_message>()) return std::optional<std::size_t>{1};
      const auto& m = content.get_as<transport::inbound_message>(0).message;
      bool to_registrar = m && m->is_request() && m->method() == sip_method::register_;
      return std::optional<std::size_t>{to_registrar ? 0 : 1};
    });
    sink = r.sink;
  }
  transport::transport_layer started = transport::start_transport(sys, config.transport, sink);
  if (!started.actor) return started.error.empty() ? std::string("the transport did not start") : started.error;
  r.transport = started.actor;
  listening = started.listening;
  complete_proxy_core(r.core, config.stateless ? caf::actor{} : r.layer.entry, r.transport, listening);
  if (config.dns) {
    transport::dns_resolver_config dc;
    dc.nameservers = config.nameservers;
    dc.resolv_conf = config.resolv_conf;
    transport::dns_resolver_start resolver = transport::spawn_dns_resolver(sys, dc);
    if (!resolver.actor) {
      // Nameservers given in the config must work; a host without usable resolv.conf still
      // proxies to addresses (host names get a 408 saying why).
      if (!config.nameservers.empty()) return "dns: " + resolver.error;
      r.dns_unavailable = resolver.error;
      return {};
    }
    r.resolver = resolver.actor;
    transport::sip_locator_config lc;
    // §4.1: only transports the proxy can send over (a listener of that kind).
    lc.transports = {false, false, false};
    for (const auto& l : listening) {
      if (l.transport == transport::transport_kind::udp) lc.transports.udp = true;
      if (l.transport == transport::transport_kind::tcp) lc.transports.tcp = true;
      if (l.transport == transport::transport_kind::tls) lc.transports.tls = true;
    }
    r.locator = transport::spawn_sip_locator(sys, r.resolver, lc);
    set_proxy_locator(r.core, r.locator);
  }
  set_transport(r.layer, r.transport);
  return {};
}

struct drained {
  registrar_counters registrar;
  proxy_counters proxy;
  bool owed() const noexcept { return registrar.in_flight != 0 || proxy.unanswered != 0; }
};

// Waits until every REGISTER taken has been answered and every INVITE the proxy forwarded has
// its final response upstream (a ringing callee may still answer or decline), or `deadline`.
// Meanwhile responses, ACKs and CANCELs still pass; new requests get 503 (the TU drains).
// Transactions that only absorb retransmissions of a final response (Completed, §17.2.2) and
// response contexts lingering after a 2xx owe nothing and are not waited for.
drained drain(caf::actor_system& sys, const running& r, std::chrono::milliseconds deadline) {
  caf::scoped_actor self{sys};
  auto until = std::chrono::steady_clock::now() + deadline;
  auto now = [&] {
    drained d{registrar_stats(self, r.reg), {}};
    if (!r.core.shards.empty()) d.proxy = proxy_core_counters(self, r.core);
    return d;
  };
  drained d = now();
  while (d.owed() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
    d = now();
  }
  return d;
}

// Stops the actors outside in; returns once the store has committed and quit.
void stop(caf::actor_system& sys, const running& r, std::chrono::milliseconds deadline) {
  if (r.transport) caf::anon_send_exit(r.transport, caf::exit_reason::user_shutdown);
  stop_transaction_layer(r.layer);
  caf::anon_send_exit(r.tu, caf::exit_reason::user_shutdown);
  if (r.sink) caf::anon_send_exit(r.sink, caf::exit_reason::user_shutdown);
  stop_proxy_authenticator(r.auth);
  if (r.core.entry) stop_proxy_core(r.core);
  stop_registrar(r.reg);
  if (r.locator) caf::anon_send_exit(r.locator, caf::exit_reason::user_shutdown);
  if (r.resolver) caf::anon_send_exit(r.resolver, caf::exit_reason::user_shutdown);
  if (!r.location.store) return;
  caf::scoped_actor self{sys};
  self->monitor(r.location.store);
  stop_location_service(r.location);
  self->receive([](const caf::down_msg&) {}, caf::after(deadline) >> [] {});
}

int wait_for_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

}  // namespace

int run_proxy_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config_path;
  bool check = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      usage(out);
      return 0;
    }
    if (args[i] == "--check") {
      check = true;
    } else if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      err << "sipactor proxy: unexpected argument '" << args[i] << "'\n";
      usage(err);
      return 2;
    }
  }
  config_result loaded;
  if (config_path.empty()) loaded.config = default_proxy_config();
  else loaded = load_proxy_config(config_path);
  if (!loaded.ok()) {
    err << loaded.error->to_string() << "\n";
    return 2;
  }
  const proxy_config& config = loaded.config;
  auto users = std::make_shared<auth::user_table>();
  if (!config.users_file.empty()) {
    auth::users_file file = auth::load_users_file(config.users_file);
    if (!file.read_error.empty()) {
      err << config.users_file << ": " << file.read_error << "\n";
      return 2;
    }
    if (!file.errors.empty()) {
      for (const auto& e : file.errors) err << e.to_string() << "\n";
      return 2;
    }
    *users = std::move(file.users);
  }
  if (check) {
    out << "configuration ok\n";
    return 0;
  }

  // Blocked before any thread starts, so every thread inherits the mask and the signals wait
  // for sigwait() below.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a peer that closed its connection is an error value, not a crash

  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  configure_scheduler(cfg, config.workers, config.transport.udp_read_on_workers);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  event_log log(config.level);
  running r;
  r.log = spawn_log_actor(sys, log);
  log.write(log_level::info, "starting",
            {{"config", config_path.empty() ? std::string("default") : config_path},
             {"store", config.store_path},
             {"auth", users->size() > 0 ? "digest" : "off"},
             {"users", std::to_string(users->size())},
             {"proxy_auth", users->size() > 0 && config.proxy_auth && !config.stateless && !config.redirect ? "on" : "off"},
             {"redirect", config.redirect ? "on" : "off"}});
  if (users->size() > 0 && config.proxy_auth && config.stateless)
    log.write(log_level::warn, "proxy_auth_off",
              {{"reason", "a stateless proxy (§16.11) forwards without authenticating; only REGISTER is authenticated"}});
  std::vector<transport::listen_point> listening;
  std::string error = start(sys, config, users, r, listening);
  if (!error.empty()) {
    log.write(log_level::error, "start_failed", {{"reason", error}});
    err << "sipactor proxy: " << error << "\n";
    stop(sys, r, config.drain_timeout);
    sys.await_actors_before_shutdown(false);
    return 1;
  }
  if (!r.dns_unavailable.empty())
    log.write(log_level::warn, "dns_unavailable",
              {{"reason", r.dns_unavailable}, {"effect", "next hops that name a host get 408; set dns.nameservers"}});
  for (const auto& p : listening) {
    std::string kind(transport::to_string(p.transport));
    for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out << "listening " << kind << " " << p.address.to_string() << "\n";
    log.write(log_level::info, "listening", {{"transport", kind}, {"address", p.address.to_string()}});
  }
  out.flush();

  int sig = wait_for_signal();
  log.write(log_level::info, "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  caf::anon_send(r.tu, drain_atom::value);
  drained d = drain(sys, r, config.drain_timeout);
  stop(sys, r, config.drain_timeout);
  log.write(log_level::info, "stopped",
            {{"registers", std::to_string(d.registrar.registers)},
             {"stored", std::to_string(d.registrar.stored)},
             {"unanswered", std::to_string(d.registrar.in_flight)},
             {"proxied", std::to_string(d.proxy.contexts)},
             {"invites_unanswered", std::to_string(d.proxy.unanswered)}});
  // Transactions still in Completed or Terminated-wait states hold no answer owed to anyone, the
  // store has committed and quit (stop), the log is written: leave without CAF's teardown, which
  // can hang: at shutdown the clock thread destroys the actors its pending delayed messages keep
  // alive (the shards' timer wake-ups), each pushes the cancellation of its timeouts into the
  // clock's own 64-entry queue, and the clock thread blocks on that queue once it is full.
  out.flush();
  err.flush();
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace sipactor::apps
