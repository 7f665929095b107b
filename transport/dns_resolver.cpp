#include "transport/dns_resolver.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>

#include "transport/dns_cache.hpp"
#include "transport/resolv_conf.hpp"
#include "transport/udp_socket.hpp"

namespace sipactor::transport {

namespace {

using lookup_promise = caf::typed_response_promise<dns_lookup_result>;
using clock = dns_cache::clock;

struct pending_query {
  std::string name;  // canonical
  dns_type type = dns_type::a;
  std::string wire;
  std::size_t server = 0;    // the nameserver asked now
  int attempts_made = 0;     // to that nameserver
  std::uint64_t serial = 0;  // of the armed retransmission timer
  std::string last_failure;  // "SERVFAIL from 192.0.2.53:53", a send error
  std::vector<lookup_promise> waiting;
};

struct resolver_state {
  dns_resolver_config config;
  std::vector<socket_address> nameservers;
  std::shared_ptr<const udp_socket> socket_v4, socket_v6;
  dns_cache cache{0};
  std::unordered_map<std::uint16_t, pending_query> in_flight;  // by query ID
  std::map<std::pair<std::string, dns_type>, std::uint16_t> by_question;
  std::random_device random;  // RFC 5452 §9.2: IDs an attacker cannot predict
  std::uint64_t next_serial = 0;
  dns_resolver_counters counters;
  static inline const char* name = "sip-dns-resolver";
};

using self_ptr = dns_resolver_actor::stateful_pointer<resolver_state>;

std::string question_text(const std::string& name, dns_type type) {
  return std::string(to_string(type)) + " " + name;
}

dns_lookup_result failed(dns_status status, std::string reason) {
  dns_lookup_result r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

// --- sending and retransmitting ------------------------------------------------------------------

void send_attempt(self_ptr self, std::uint16_t id, pending_query& q) {
  auto& st = self->state;
  const socket_address& server = st.nameservers[q.server];
  const auto& socket = server.is_ipv6() ? st.socket_v6 : st.socket_v4;
  std::string error = socket ? socket->send_to(q.wire, server) : "no socket for " + server.to_string();
  if (error.empty()) ++st.counters.queries_sent;
  else q.last_failure = error;
  ++q.attempts_made;
  q.serial = ++st.next_serial;
  self->delayed_send(caf::actor_cast<dns_resolver_actor>(self), st.config.timeout, dns_retry_atom::value, id, q.serial);
}

// Answers every lookup waiting for `id`, caches the result when it is an answer, and forgets the
// query.
void finish(self_ptr self, std::uint16_t id, dns_lookup_result result, std::optional<std::chrono::seconds> keep_for) {
  auto& st = self->state;
  auto it = st.in_flight.find(id);
  if (it == st.in_flight.end()) return;
  pending_query q = std::move(it->second);
  st.in_flight.erase(it);
  st.by_question.erase({q.name, q.type});
  if (keep_for && keep_for->count() > 0) {
    auto now = clock::now();
    st.cache.insert(q.name, q.type, result, now + *keep_for, now);
    st.counters.cache_entries = st.cache.size();
  }
  for (auto& promise : q.waiting) promise.deliver(result);
}

// The next attempt: the same nameserver until it had `attempts`, then the next one; after the
// last nameserver the lookup fails (RFC 1035 §7.2 leaves the schedule to the resolver).
void next_attempt(self_ptr self, std::uint16_t id, pending_query& q, bool skip_server) {
  auto& st = self->state;
  if (skip_server || q.attempts_made >= st.config.attempts) {
    ++q.server;
    q.attempts_made = 0;
  }
  if (q.server < st.nameservers.size()) {
    send_attempt(self, id, q);
    return;
  }
  std::string asked = st.nameservers.size() == 1 ? st.nameservers.front().to_string()
                                                  : std::to_string(st.nameservers.size()) + " nameservers";
  std::string what = question_text(q.name, q.type);
  if (!q.last_failure.empty() && skip_server) {
    finish(self, id, failed(dns_status::server_failure, "DNS server failure for " + what + ": " + q.last_failure), {});
    return;
  }
  ++st.counters.timeouts;
  std::string reason = "DNS timeout: no answer for " + what + " from " + asked;
  if (!q.last_failure.empty()) reason += " (last error: " + q.last_failure + ")";
  finish(self, id, failed(dns_status::timeout, std::move(reason)), {});
}

// --- answers -------------------------------------------------------------------------------------

// The records of the asked type for `name`, following CNAMEs inside the answer section
// (RFC 1034 §3.6.2, §4.3.2); `ttl` becomes the smallest TTL on the way.
dns_records records_for(const dns_records& answers, const std::string& name, dns_type type, std::uint32_t& ttl) {
  dns_records out;
  std::string current = name;
  ttl = UINT32_MAX;
  for (int hops = 0; hops < 8; ++hops) {
    for (const auto& r : answers.addresses)
      if ((type == dns_type::a || type == dns_type::aaaa) && r.ipv6 == (type == dns_type::aaaa) &&
          dns_name_equal(r.owner, current))
        out.addresses.push_back(r), ttl = std::min(ttl, r.ttl);
    if (type == dns_type::srv)
      for (const auto& r : answers.srv)
        if (dns_name_equal(r.owner, current)) out.srv.push_back(r), ttl = std::min(ttl, r.ttl);
    if (type == dns_type::naptr)
      for (const auto& r : answers.naptr)
        if (dns_name_equal(r.owner, current)) out.naptr.push_back(r), ttl = std::min(ttl, r.ttl);
    if (!out.empty()) return out;
    const dns_cname_record* alias = nullptr;
    for (const auto& c : answers.cnames)
      if (dns_name_equal(c.owner, current)) alias = &c;
    if (!alias) break;
    current = alias->canonical_name;
    ttl = std::min(ttl, alias->ttl);
  }
  return out;
}

bool from_a_nameserver(const resolver_state& st, const socket_address& source) {
  for (const auto& s : st.nameservers)
    if (s == source) return true;
  return false;
}

void on_datagram(self_ptr self, const dns_datagram& d) {
  auto& st = self->state;
  auto decoded = decode_dns_message(d.bytes);
  auto it = decoded ? st.in_flight.find(decoded->id) : st.in_flight.end();
  // RFC 5452 §9.1: the ID, the question and the nameserver must all match.
  if (it == st.in_flight.end() || !decoded->is_response || !from_a_nameserver(st, d.source) ||
      decoded->questions.size() != 1 || decoded->questions[0].type != it->second.type ||
      decoded->questions[0].dns_class != dns_class_in || !dns_name_equal(decoded->questions[0].name, it->second.name)) {
    ++st.counters.ignored;
    return;
  }
  ++st.counters.answers;
  const dns_message& m = *decoded;
  std::uint16_t id = it->first;
  pending_query& q = it->second;
  std::string what = question_text(q.name, q.type);
  if (m.truncated) {
    finish(self, id, failed(dns_status::truncated, "the DNS answer for " + what + " is truncated (TC) and TCP is not supported"), {});
    return;
  }
  auto negative_ttl = std::chrono::seconds(st.config.negative_ttl);
  switch (m.rcode) {
    case dns_rcode::no_error: {
      std::uint32_t ttl = 0;
      dns_lookup_result result;
      result.records = records_for(m.answers, q.name, q.type, ttl);
      if (result.records.empty()) {
        finish(self, id, failed(dns_status::no_data, "no " + what + " records"), negative_ttl);
        return;
      }
      auto keep = std::min<std::chrono::seconds>(std::chrono::seconds(ttl), st.config.max_ttl);
      finish(self, id, std::move(result), keep);
      return;
    }
    case dns_rcode::name_error:
      finish(self, id, failed(dns_status::no_such_name, "no such domain name: " + q.name + " (NXDOMAIN)"), negative_ttl);
      return;
    default:
      // SERVFAIL, REFUSED, FORMERR, NOTIMP: this nameserver cannot help; ask the next at once.
      q.last_failure = std::string(rcode_name(m.rcode)) + " from " + d.source.to_string();
      next_attempt(self, id, q, true);
  }
}

// --- lookups -------------------------------------------------------------------------------------

caf::result<dns_lookup_result> on_lookup(self_ptr self, const std::string& asked, dns_type type) {
  auto& st = self->state;
  ++st.counters.lookups;
  std::string name = dns_name_canonical(asked);
  if (name.empty() || name == ".") return failed(dns_status::bad_request, "not a domain name: \"" + asked + "\"");
  if (const dns_lookup_result* cached = st.cache.find(name, type, clock::now())) {
    ++st.counters.cache_hits;
    dns_lookup_result copy = *cached;
    copy.from_cache = true;
    return copy;
  }
  st.counters.cache_entries = st.cache.size();
  if (auto joined = st.by_question.find({name, type}); joined != st.by_question.end()) {
    ++st.counters.coalesced;
    auto promise = self->make_response_promise<dns_lookup_result>();
    st.in_flight[joined->second].waiting.push_back(promise);
    return promise;
  }
  if (st.in_flight.size() >= st.config.max_in_flight)
    return failed(dns_status::bad_request, "too many DNS questions in flight for " + question_text(name, type));
  std::uint16_t id = 0;
  do id = static_cast<std::uint16_t>(st.random() & 0xFFFF);
  while (st.in_flight.count(id) != 0);
  auto wire = encode_dns_query(id, name, type);
  if (!wire) return failed(dns_status::bad_request, "not a domain name: \"" + asked + "\" (" + wire.reason() + ")");
  pending_query& q = st.in_flight[id];
  q.name = name;
  q.type = type;
  q.wire = std::move(*wire);
  auto promise = self->make_response_promise<dns_lookup_result>();
  q.waiting.push_back(promise);
  st.by_question.emplace(std::make_pair(name, type), id);
  send_attempt(self, id, q);
  return promise;
}

// --- readers -------------------------------------------------------------------------------------

// One socket's answers, on a thread of its own: passes every datagram to the resolver (which
// decodes and matches it), and looks at its mailbox between reads (the resolver's exit). It holds
// the resolver weakly, so the resolver ends when its users let it go.
void dns_reader(caf::blocking_actor* self, std::shared_ptr<const udp_socket> socket, caf::actor_addr resolver) {
  udp_receiver receiver(8, 4096);
  std::vector<datagram> batch;
  bool running = true;
  while (running) {
    if (!receiver.receive(*socket, batch)) break;
    if (!batch.empty()) {
      auto strong = caf::actor_cast<caf::strong_actor_ptr>(resolver);
      if (!strong) break;
      auto handle = caf::actor_cast<dns_resolver_actor>(strong);
      for (const datagram& d : batch)
        if (!d.truncated) self->send(handle, dns_datagram{std::string(d.bytes), d.source});
    }
    for (bool pending = !self->mailbox().empty(); pending && running;) {
      self->receive([&](caf::exit_msg&) { running = false; },
                    caf::after(std::chrono::seconds(0)) >> [&] { pending = false; });
    }
  }
}

dns_resolver_actor::behavior_type resolver(self_ptr self, dns_resolver_config config,
                                           std::vector<socket_address> nameservers,
                                           std::shared_ptr<const udp_socket> socket_v4,
                                           std::shared_ptr<const udp_socket> socket_v6) {
  auto& st = self->state;
  st.cache = dns_cache(config.cache_entries);
  st.config = std::move(config);
  st.nameservers = std::move(nameservers);
  st.socket_v4 = std::move(socket_v4);
  st.socket_v6 = std::move(socket_v6);
  for (const auto& socket : {st.socket_v4, st.socket_v6})
    if (socket) self->spawn<caf::detached + caf::linked>(dns_reader, socket, self->address());
  return {
      [=](dns_lookup_atom, const std::string& name, dns_type type) { return on_lookup(self, name, type); },
      [=](stats_atom) {
        self->state.counters.cache_entries = self->state.cache.size();
        return self->state.counters;
      },
      [=](const dns_datagram& d) { on_datagram(self, d); },
      [=](dns_retry_atom, std::uint16_t id, std::uint64_t serial) {
        auto it = self->state.in_flight.find(id);
        if (it == self->state.in_flight.end() || it->second.serial != serial) return;  // answered meanwhile
        next_attempt(self, id, it->second, false);
      },
  };
}

bool is_loopback(const socket_address& a) {
  return a.is_ipv6() ? a.ip() == "::1" : a.ip().rfind("127.", 0) == 0;
}

// One socket per address family the nameservers use: on loopback when they all are, else on the
// wildcard address, at a port the kernel picks (RFC 5452 §9.2).
std::shared_ptr<const udp_socket> open_socket(const std::vector<socket_address>& servers, bool ipv6,
                                              std::string& error) {
  bool used = false, all_loopback = true;
  for (const auto& s : servers)
    if (s.is_ipv6() == ipv6) used = true, all_loopback = all_loopback && is_loopback(s);
  if (!used) return nullptr;
  const char* ip = ipv6 ? (all_loopback ? "::1" : "::") : (all_loopback ? "127.0.0.1" : "0.0.0.0");
  udp_socket_options options;
  options.reuse_port = false;
  options.receive_buffer = 0;
  options.receive_timeout = std::chrono::milliseconds(100);  // how soon a reader notices the exit
  auto socket = std::make_shared<udp_socket>(udp_socket::bind(*socket_address::from(ip, 0), options, error));
  if (!socket->valid()) return nullptr;
  return socket;
}

}  // namespace

dns_resolver_start spawn_dns_resolver(caf::actor_system& sys, const dns_resolver_config& config) {
  dns_resolver_start out;
  dns_resolver_config effective = config;
  std::vector<socket_address> servers = config.nameservers;
  if (servers.empty()) {
    auto conf = read_resolv_conf(config.resolv_conf, out.error);
    if (!conf) return out;
    servers = conf->nameservers;
    if (conf->timeout) effective.timeout = *conf->timeout;
    if (conf->attempts) effective.attempts = *conf->attempts;
    // resolv.conf(5): without nameserver lines, the nameserver on this machine.
    if (servers.empty()) servers.push_back(*socket_address::from("127.0.0.1", dns_port));
  }
  effective.attempts = std::max(effective.attempts, 1);
  effective.max_in_flight = std::min<std::size_t>(effective.max_in_flight, 0x8000);  // IDs stay easy to find
  std::string error;
  auto v4 = open_socket(servers, false, error);
  auto v6 = error.empty() ? open_socket(servers, true, error) : nullptr;
  if (!error.empty()) {
    out.error = "DNS resolver: " + error;
    return out;
  }
  out.actor = sys.spawn(resolver, effective, servers, v4, v6);
  return out;
}

}  // namespace sipactor::transport
