#include "transport/sip_locator.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "messages/text.hpp"
#include "messages/uri.hpp"

namespace sipactor::transport {

namespace {

using locator_ptr = sip_locator_actor::pointer;

struct locator_env {
  dns_resolver_actor resolver;
  sip_locator_config config;
};

// What the URI alone decides (§4): TARGET, the transport if the URI names one, the port.
struct location_plan {
  std::optional<target> numeric;  // a numeric TARGET: the answer, no DNS
  std::string domain;             // TARGET
  bool sips = false;
  bool transport_given = false;   // a transport parameter
  transport_kind transport = transport_kind::udp;  // §4.1 without DNS (parameter, else UDP / TLS)
  std::uint16_t port = 0;
};

std::variant<location_plan, std::string> plan_location(std::string_view uri_text, const supported_transports& supported) {
  auto parsed = parse_uri(uri_text);
  if (!parsed) return std::string("the next hop is not a URI");
  const uri& u = *parsed;
  if (!u.is_sip()) return std::string("the next hop is not a sip or sips URI");
  auto kind = uri_transport(u);
  if (!kind) return std::string("the next hop's transport parameter is not UDP, TCP or TLS");
  location_plan plan;
  plan.domain = u.host_canonical();
  host_kind host_type = u.host_type;
  if (auto maddr = u.param("maddr"); maddr && !maddr->empty()) {
    plan.domain = std::string(*maddr);
    host_type = classify_host(*maddr);
  }
  if (host_type == host_kind::ipv4 || host_type == host_kind::ipv6 || text::iequals(plan.domain, "localhost")) {
    auto t = resolve_target(uri_text);
    if (!t) return std::string(t.reason());
    plan.numeric = *t;
    return plan;
  }
  if (host_type != host_kind::name) return std::string("the next hop has no host name");
  plan.domain = dns_name_canonical(plan.domain);
  plan.sips = u.scheme == uri_scheme::sips;
  plan.transport_given = u.has_param("transport");
  plan.transport = *kind;
  plan.port = u.port;
  if (!supported.has(plan.transport)) {
    // §4.1: UDP for a sip URI "SHOULD" be used; a stack without UDP uses what it has.
    if (plan.transport_given || plan.sips || (!supported.tcp && !supported.tls))
      return "the next hop's transport " + std::string(to_string(plan.transport)) + " is not enabled";
    plan.transport = supported.tcp ? transport_kind::tcp : transport_kind::tls;
  }
  return plan;
}

struct address_outcome {
  std::vector<socket_address> addresses;  // A first, then AAAA
  std::string failure;                    // a lookup failed (not: had no records) and none succeeded
};

// One location request: a chain of lookups whose callbacks hold the job. Runs in the locator's
// context only (callbacks of its requests).
class location_job : public std::enable_shared_from_this<location_job> {
 public:
  location_job(locator_ptr self, std::shared_ptr<locator_env> env, caf::typed_response_promise<location_result> promise,
               location_plan plan)
      : self_(self), env_(std::move(env)), promise_(std::move(promise)), plan_(std::move(plan)) {}

  void start() {
    if (plan_.port != 0) {
      // §4.2: "a port is present in the URI": A/AAAA only.
      finish_with_addresses(plan_.transport, plan_.port);
    } else if (plan_.transport_given) {
      // §4.2: "because a transport was specified explicitly, the client performs an SRV query
      // for that specific transport".
      srv_candidates({plan_.transport});
    } else {
      lookup(plan_.domain, dns_type::naptr, [job = shared_from_this()](dns_lookup_result& r) { job->on_naptr(r); });
    }
  }

 private:
  using lookup_callback = std::function<void(dns_lookup_result&)>;

  void lookup(const std::string& name, dns_type type, lookup_callback callback) {
    auto shared = std::make_shared<lookup_callback>(std::move(callback));
    self_->request(env_->resolver, env_->config.lookup_timeout, dns_lookup_atom::value, name, type)
        .then([shared](dns_lookup_result& r) { (*shared)(r); },
              [shared, name, type](caf::error& e) {
                dns_lookup_result r;
                r.status = dns_status::timeout;
                r.reason = "the DNS resolver did not answer " + std::string(to_string(type)) + " " + name + " (" +
                           caf::to_string(e) + ")";
                (*shared)(r);
              });
  }

  // Several lookups at once; `done` gets their results in the order asked.
  void lookup_all(std::vector<std::pair<std::string, dns_type>> questions,
                  std::function<void(std::vector<dns_lookup_result>&)> done) {
    struct gather {
      std::vector<dns_lookup_result> results;
      std::size_t remaining;
      std::function<void(std::vector<dns_lookup_result>&)> done;
    };
    auto g = std::make_shared<gather>(gather{std::vector<dns_lookup_result>(questions.size()), questions.size(), std::move(done)});
    if (questions.empty()) {
      g->done(g->results);
      return;
    }
    for (std::size_t i = 0; i < questions.size(); ++i)
      lookup(questions[i].first, questions[i].second, [g, i](dns_lookup_result& r) {
        g->results[i] = std::move(r);
        if (--g->remaining == 0) g->done(g->results);
      });
  }

  // --- §4.1: NAPTR ---------------------------------------------------------------------------------

  void on_naptr(dns_lookup_result& r) {
    if (!r.reason.empty() && !is_negative(r.status)) return fail(r.reason);
    naptr_choices_ = select_naptr(r.records.naptr, plan_.sips, env_->config.transports);
    try_naptr_choice(0);
  }

  // The chosen records in turn: SRV of the replacement, then its targets' addresses.
  void try_naptr_choice(std::size_t i) {
    if (i >= naptr_choices_.size()) {
      // No NAPTR record led anywhere: "If no NAPTR records are found, the client constructs SRV
      // queries for those transport protocols it supports".
      std::vector<transport_kind> order;
      for (transport_kind t : {transport_kind::tls, transport_kind::tcp, transport_kind::udp})
        if (env_->config.transports.has(t) && (!plan_.sips || t == transport_kind::tls)) order.push_back(t);
      return srv_candidates(std::move(order));
    }
    const naptr_choice& choice = naptr_choices_[i];
    lookup(choice.srv_name, dns_type::srv, [job = shared_from_this(), i, choice](dns_lookup_result& r) {
      if (!r.reason.empty() && !is_negative(r.status)) return job->fail(r.reason);
      auto ordered = order_srv(r.records.srv, job->random());
      if (ordered.empty()) return job->try_naptr_choice(i + 1);
      job->resolve_srv(choice.transport, choice.srv_name, std::move(ordered), [job, i](std::vector<target>& targets) {
        if (targets.empty()) return job->try_naptr_choice(i + 1);
        job->succeed(std::move(targets));
      });
    });
  }

  // --- §4.1/§4.2: SRV without NAPTR ------------------------------------------------------------

  // SRV of each transport in `order`, asked at once; the first in order with records is used. No
  // SRV records at all: A/AAAA at the default port (§4.2 last paragraph).
  void srv_candidates(std::vector<transport_kind> order) {
    std::vector<std::pair<std::string, dns_type>> questions;
    for (transport_kind t : order) questions.emplace_back(srv_name(t, plan_.domain), dns_type::srv);
    lookup_all(questions, [job = shared_from_this(), order, questions](std::vector<dns_lookup_result>& results) {
      auto candidates = std::make_shared<std::vector<std::pair<transport_kind, std::vector<dns_srv_record>>>>();
      std::string failure, declined;
      for (std::size_t i = 0; i < results.size(); ++i) {
        if (!results[i].reason.empty() && !is_negative(results[i].status)) {
          if (failure.empty()) failure = results[i].reason;
          continue;
        }
        auto ordered = order_srv(results[i].records.srv, job->random());
        if (!ordered.empty()) candidates->emplace_back(order[i], std::move(ordered));
        else if (!results[i].records.srv.empty() && declined.empty()) declined = questions[i].first;
      }
      if (candidates->empty()) {
        if (!failure.empty()) return job->fail(failure);
        // RFC 2782: a lone target "." means "decidedly not available": no A fallback.
        if (!declined.empty())
          return job->fail("no SIP service at " + job->plan_.domain + " (SRV target \".\" for " + declined + ")");
        // "If no SRV records were found": the transport of §4.1 without DNS.
        return job->finish_with_addresses(job->plan_.transport, default_port(job->plan_.transport));
      }
      job->try_srv_candidate(candidates, 0);
    });
  }

  void try_srv_candidate(std::shared_ptr<std::vector<std::pair<transport_kind, std::vector<dns_srv_record>>>> candidates,
                         std::size_t i) {
    if (i >= candidates->size()) return fail(first_failure_.empty() ? "no address records for the SRV targets of " + plan_.domain : first_failure_);
    auto& [transport, records] = (*candidates)[i];
    resolve_srv(transport, srv_name(transport, plan_.domain), records,
                [job = shared_from_this(), candidates, i](std::vector<target>& targets) {
                  if (targets.empty()) return job->try_srv_candidate(candidates, i + 1);
                  job->succeed(std::move(targets));
                });
  }

  // RFC 2782: the addresses of each target, in the records' order, at the records' ports.
  void resolve_srv(transport_kind transport, const std::string& owner, std::vector<dns_srv_record> ordered,
                   std::function<void(std::vector<target>&)> done) {
    std::vector<std::string> hosts;
    for (const auto& r : ordered) {
      std::string h = dns_name_canonical(r.target);
      if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    }
    addresses_of(hosts, [job = shared_from_this(), transport, owner, ordered, hosts,
                         done = std::move(done)](std::vector<address_outcome>& outcomes) {
      std::vector<target> targets;
      for (const auto& r : ordered) {
        std::size_t h = static_cast<std::size_t>(std::find(hosts.begin(), hosts.end(), dns_name_canonical(r.target)) - hosts.begin());
        for (socket_address a : outcomes[h].addresses) {
          a.set_port(r.port);
          targets.push_back(job->make_target(transport, a));
        }
      }
      if (targets.empty() && job->first_failure_.empty()) {
        for (const auto& o : outcomes)
          if (!o.failure.empty()) {
            job->first_failure_ = o.failure;
            break;
          }
        if (job->first_failure_.empty()) job->first_failure_ = "no address records for the SRV targets of " + owner;
      }
      done(targets);
    });
  }

  // --- §4.2: A and AAAA ------------------------------------------------------------------------------

  void addresses_of(const std::vector<std::string>& hosts, std::function<void(std::vector<address_outcome>&)> done) {
    bool ipv6 = env_->config.ipv6;
    std::vector<std::pair<std::string, dns_type>> questions;
    for (const auto& h : hosts) {
      questions.emplace_back(h, dns_type::a);
      if (ipv6) questions.emplace_back(h, dns_type::aaaa);
    }
    std::size_t per_host = ipv6 ? 2 : 1;
    lookup_all(questions, [hosts, per_host, done = std::move(done)](std::vector<dns_lookup_result>& results) {
      std::vector<address_outcome> outcomes(hosts.size());
      for (std::size_t h = 0; h < hosts.size(); ++h) {
        std::string failure;
        for (std::size_t k = 0; k < per_host; ++k) {
          const dns_lookup_result& r = results[h * per_host + k];
          if (!r.reason.empty() && !is_negative(r.status) && failure.empty()) failure = r.reason;
          for (const auto& rec : r.records.addresses)
            if (auto a = socket_address::from(rec.address, 0)) outcomes[h].addresses.push_back(*a);
        }
        if (outcomes[h].addresses.empty()) outcomes[h].failure = failure;
      }
      done(outcomes);
    });
  }

  void finish_with_addresses(transport_kind transport, std::uint16_t port) {
    addresses_of({plan_.domain}, [job = shared_from_this(), transport, port](std::vector<address_outcome>& outcomes) {
      address_outcome& o = outcomes.front();
      if (o.addresses.empty()) return job->fail(o.failure.empty() ? "no DNS records for " + job->plan_.domain : o.failure);
      std::vector<target> targets;
      for (socket_address a : o.addresses) {
        a.set_port(port);
        targets.push_back(job->make_target(transport, a));
      }
      job->succeed(std::move(targets));
    });
  }

  // --- results ---------------------------------------------------------------------------------------

  target make_target(transport_kind transport, const socket_address& address) const {
    target t;
    t.transport = transport;
    t.address = address;
    t.server_name = plan_.domain;
    return t;
  }

  const srv_random& random() const { return env_->config.random; }

  void succeed(std::vector<target> targets) {
    location_result r;
    r.targets = std::move(targets);
    promise_.deliver(std::move(r));
  }

  void fail(std::string reason) {
    location_result r;
    r.error = std::move(reason);
    promise_.deliver(std::move(r));
  }

  locator_ptr self_;
  std::shared_ptr<locator_env> env_;
  caf::typed_response_promise<location_result> promise_;
  location_plan plan_;
  std::vector<naptr_choice> naptr_choices_;
  std::string first_failure_;  // the first reason a list of SRV targets gave no address
};

sip_locator_actor::behavior_type locator(locator_ptr self, dns_resolver_actor resolver, sip_locator_config config) {
  if (!config.random) config.random = default_srv_random();
  auto env = std::make_shared<locator_env>(locator_env{std::move(resolver), std::move(config)});
  return {
      [self, env](locate_atom, const std::string& uri_text) -> caf::result<location_result> {
        auto plan = plan_location(uri_text, env->config.transports);
        if (auto* error = std::get_if<std::string>(&plan)) return location_result{{}, *error};
        auto& p = std::get<location_plan>(plan);
        if (p.numeric) return location_result{{*p.numeric}, {}};
        if (!env->resolver) return location_result{{}, "no DNS resolver to find " + p.domain};
        auto promise = self->make_response_promise<location_result>();
        std::make_shared<location_job>(self, env, promise, std::move(p))->start();
        return promise;
      },
  };
}

}  // namespace

sip_locator_actor spawn_sip_locator(caf::actor_system& sys, dns_resolver_actor resolver, sip_locator_config config) {
  return sys.spawn(locator, std::move(resolver), std::move(config));
}

}  // namespace sipactor::transport
