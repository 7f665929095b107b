// The stub resolver actor against a fake nameserver on loopback: answers matched and cached,
// negative answers cached, identical lookups coalesced, retransmission and failover between
// nameservers, timeouts, SERVFAIL, TC; plus its resolv.conf reader and its cache.
#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include <optional>

#include "tests/support/fake_dns_server.hpp"
#include "tests/support/real_time_config.hpp"
#include "transport/dns_cache.hpp"
#include "transport/dns_resolver.hpp"
#include "transport/resolv_conf.hpp"

namespace sipactor {
namespace {

using namespace std::chrono_literals;
using transport::dns_lookup_result;
using transport::dns_status;
using transport::dns_type;

struct resolver_fixture {
  caf::actor_system sys{test::real_time_config()};
  std::optional<caf::scoped_actor> self;
  transport::dns_resolver_actor resolver;

  explicit resolver_fixture(std::vector<transport::socket_address> servers, std::chrono::milliseconds timeout = 200ms) {
    self.emplace(sys);
    transport::dns_resolver_config config;
    config.nameservers = std::move(servers);
    config.timeout = timeout;
    auto started = transport::spawn_dns_resolver(sys, config);
    INFO(started.error);
    REQUIRE(started.actor);
    resolver = started.actor;
  }
  ~resolver_fixture() {
    caf::anon_send_exit(resolver, caf::exit_reason::user_shutdown);
    self.reset();
  }

  dns_lookup_result lookup(const std::string& name, dns_type type) {
    dns_lookup_result out;
    (*self)->request(resolver, 10s, transport::dns_lookup_atom::value, name, type)
        .receive([&](dns_lookup_result& r) { out = std::move(r); },
                 [&](caf::error& e) { FAIL("resolver did not answer: " << caf::to_string(e)); });
    return out;
  }
  transport::dns_resolver_counters stats() {
    transport::dns_resolver_counters out;
    (*self)->request(resolver, 10s, transport::stats_atom::value)
        .receive([&](transport::dns_resolver_counters& c) { out = c; }, [&](caf::error&) {});
    return out;
  }
};

TEST_CASE("DNS resolver: an answer is matched to its query and then served from the cache") {
  test::fake_dns_server dns;
  dns.add(test::a_record("sip.example.com", "192.0.2.1"));
  dns.add(test::a_record("sip.example.com", "192.0.2.2"));
  resolver_fixture f({dns.address()});
  auto r = f.lookup("SIP.Example.com.", dns_type::a);
  INFO(r.reason);
  REQUIRE(r.status == dns_status::ok);
  REQUIRE(r.records.addresses.size() == 2);
  CHECK(r.records.addresses[0].address == "192.0.2.1");
  CHECK_FALSE(r.from_cache);
  auto again = f.lookup("sip.example.com", dns_type::a);
  CHECK(again.status == dns_status::ok);
  CHECK(again.from_cache);
  CHECK(dns.queries("sip.example.com", dns_type::a) == 1);
  auto counters = f.stats();
  CHECK(counters.cache_hits == 1);
  CHECK(counters.queries_sent == 1);
}

TEST_CASE("DNS resolver: NXDOMAIN and empty answers are cached as negative answers") {
  test::fake_dns_server dns;
  dns.add(test::a_record("host.example.com", "192.0.2.1"));
  resolver_fixture f({dns.address()});
  auto missing = f.lookup("nowhere.example.com", dns_type::a);
  CHECK(missing.status == dns_status::no_such_name);
  CHECK(missing.reason.find("nowhere.example.com") != std::string::npos);
  auto no_data = f.lookup("host.example.com", dns_type::aaaa);
  CHECK(no_data.status == dns_status::no_data);
  CHECK(f.lookup("nowhere.example.com", dns_type::a).from_cache);
  CHECK(f.lookup("host.example.com", dns_type::aaaa).from_cache);
  CHECK(dns.total_queries() == 2);
}

TEST_CASE("DNS resolver: concurrent identical lookups send one query") {
  test::fake_dns_server dns;
  dns.add(test::a_record("slow.example.com", "192.0.2.7"));
  dns.set_delay(300ms);
  resolver_fixture f({dns.address()}, 1000ms);
  auto& self = *f.self;
  auto first = self->request(f.resolver, 10s, transport::dns_lookup_atom::value, std::string("slow.example.com"), dns_type::a);
  auto second = self->request(f.resolver, 10s, transport::dns_lookup_atom::value, std::string("SLOW.example.com"), dns_type::a);
  int answered = 0;
  for (auto* handle : {&first, &second})
    handle->receive(
        [&](dns_lookup_result& r) {
          CHECK(r.status == dns_status::ok);
          REQUIRE(r.records.addresses.size() == 1);
          CHECK(r.records.addresses[0].address == "192.0.2.7");
          ++answered;
        },
        [&](caf::error& e) { FAIL(caf::to_string(e)); });
  CHECK(answered == 2);
  CHECK(dns.queries("slow.example.com", dns_type::a) == 1);
  CHECK(f.stats().coalesced == 1);
}

TEST_CASE("DNS resolver: an unanswered query is sent again, then to the next nameserver") {
  test::fake_dns_server silent, working;
  silent.set_silent(true);
  working.add(test::a_record("sip.example.com", "192.0.2.9"));
  resolver_fixture f({silent.address(), working.address()}, 100ms);
  auto r = f.lookup("sip.example.com", dns_type::a);
  INFO(r.reason);
  CHECK(r.status == dns_status::ok);
  CHECK(silent.queries("sip.example.com", dns_type::a) == 2);  // two attempts per nameserver
  CHECK(working.queries("sip.example.com", dns_type::a) == 1);
}

TEST_CASE("DNS resolver: IPv6 and IPv4 nameservers are asked over sockets of their family") {
  test::fake_dns_server v6("::1"), v4;
  v6.set_silent(true);
  v4.add(test::a_record("sip.example.com", "192.0.2.9"));
  resolver_fixture f({v6.address(), v4.address()}, 100ms);
  auto r = f.lookup("sip.example.com", dns_type::a);
  INFO(r.reason);
  CHECK(r.status == dns_status::ok);
  CHECK(v6.queries("sip.example.com", dns_type::a) == 2);
  CHECK(v4.queries("sip.example.com", dns_type::a) == 1);
}

TEST_CASE("DNS resolver: no answer from any nameserver is a timeout within bounded time") {
  test::fake_dns_server silent;
  silent.set_silent(true);
  resolver_fixture f({silent.address()}, 100ms);
  auto start = std::chrono::steady_clock::now();
  auto r = f.lookup("sip.example.com", dns_type::srv);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.status == dns_status::timeout);
  CHECK(r.reason.find("DNS timeout") != std::string::npos);
  CHECK(r.reason.find("SRV sip.example.com") != std::string::npos);
  CHECK(took >= 190ms);
  CHECK(took < 2s);
  CHECK(silent.queries("sip.example.com", dns_type::srv) == 2);
  CHECK(f.stats().timeouts == 1);
  // A timeout is not cached: the next lookup asks again.
  f.lookup("sip.example.com", dns_type::srv);
  CHECK(silent.queries("sip.example.com", dns_type::srv) == 4);
}

TEST_CASE("DNS resolver: answers with a wrong ID are ignored") {
  test::fake_dns_server dns;
  dns.add(test::a_record("sip.example.com", "192.0.2.9"));
  dns.set_wrong_id(true);
  resolver_fixture f({dns.address()}, 100ms);
  auto r = f.lookup("sip.example.com", dns_type::a);
  CHECK(r.status == dns_status::timeout);
  CHECK(f.stats().ignored == 2);
}

TEST_CASE("DNS resolver: SERVFAIL moves on at once and from every nameserver is a server failure") {
  test::fake_dns_server failing, working;
  failing.fail("sip.example.com", dns_type::a, transport::dns_rcode::server_failure);
  working.add(test::a_record("sip.example.com", "192.0.2.9"));
  {
    resolver_fixture f({failing.address(), working.address()}, 2000ms);
    auto start = std::chrono::steady_clock::now();
    CHECK(f.lookup("sip.example.com", dns_type::a).status == dns_status::ok);
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);
    CHECK(failing.queries("sip.example.com", dns_type::a) == 1);
  }
  resolver_fixture f({failing.address()});
  auto r = f.lookup("sip.example.com", dns_type::a);
  CHECK(r.status == dns_status::server_failure);
  CHECK(r.reason.find("SERVFAIL") != std::string::npos);
}

TEST_CASE("DNS resolver: a truncated answer is reported as such") {
  test::fake_dns_server dns;
  dns.truncate("big.example.com", dns_type::naptr);
  resolver_fixture f({dns.address()});
  auto r = f.lookup("big.example.com", dns_type::naptr);
  CHECK(r.status == dns_status::truncated);
  CHECK(r.reason.find("truncated (TC)") != std::string::npos);
}

TEST_CASE("DNS resolver: a CNAME inside the answer is followed") {
  test::fake_dns_server dns;
  dns.add(transport::dns_cname_record{"alias.example.com", 60, "real.example.com"});
  dns.add(test::a_record("real.example.com", "192.0.2.33"));
  resolver_fixture f({dns.address()});
  auto r = f.lookup("alias.example.com", dns_type::a);
  REQUIRE(r.status == dns_status::ok);
  REQUIRE(r.records.addresses.size() == 1);
  CHECK(r.records.addresses[0].address == "192.0.2.33");
}

TEST_CASE("DNS resolver: a name that is not a domain name is refused without a query") {
  test::fake_dns_server dns;
  resolver_fixture f({dns.address()});
  CHECK(f.lookup("a..example.com", dns_type::a).status == dns_status::bad_request);
  CHECK(f.lookup("", dns_type::a).status == dns_status::bad_request);
  CHECK(f.lookup(std::string(70, 'x') + ".example", dns_type::a).status == dns_status::bad_request);
  CHECK(dns.total_queries() == 0);
}

TEST_CASE("DNS resolver: without nameservers and without a readable resolv.conf it does not start") {
  caf::actor_system sys{test::real_time_config()};
  transport::dns_resolver_config config;
  config.resolv_conf = "/nonexistent/resolv.conf";
  auto started = transport::spawn_dns_resolver(sys, config);
  CHECK_FALSE(started.actor);
  CHECK(started.error.find("/nonexistent/resolv.conf") != std::string::npos);
}

TEST_CASE("DNS resolver: resolv.conf nameservers and options are read") {
  auto conf = transport::parse_resolv_conf(
      "# comment\n"
      "search example.com\n"
      "nameserver 192.0.2.53\n"
      "nameserver   2001:db8::53  # a comment\n"
      "nameserver fe80::1%eth0\n"
      "nameserver not-an-address\n"
      "options ndots:2 timeout:3 attempts:4\n");
  REQUIRE(conf.nameservers.size() == 2);
  CHECK(conf.nameservers[0].to_string() == "192.0.2.53:53");
  CHECK(conf.nameservers[1].to_string() == "[2001:db8::53]:53");
  CHECK(conf.timeout == std::chrono::seconds(3));
  CHECK(conf.attempts == 4);
  CHECK(transport::parse_resolv_conf("").nameservers.empty());
  std::string error;
  CHECK_FALSE(transport::read_resolv_conf("/nonexistent/resolv.conf", error));
  CHECK(error.find("/nonexistent/resolv.conf") != std::string::npos);
}

TEST_CASE("DNS resolver: the cache keeps answers until they expire and stays within its size") {
  using clock = transport::dns_cache::clock;
  transport::dns_cache cache(2);
  auto t0 = clock::now();
  transport::dns_lookup_result r;
  r.records.addresses.push_back({"a.example", 60, false, "192.0.2.1"});
  cache.insert("a.example", dns_type::a, r, t0 + std::chrono::seconds(60), t0);
  cache.insert("b.example", dns_type::a, r, t0 + std::chrono::seconds(10), t0);
  CHECK(cache.find("a.example", dns_type::a, t0 + std::chrono::seconds(59)) != nullptr);
  CHECK(cache.find("a.example", dns_type::aaaa, t0) == nullptr);
  CHECK(cache.find("b.example", dns_type::a, t0 + std::chrono::seconds(10)) == nullptr);  // expired: gone
  CHECK(cache.size() == 1);
  cache.insert("b.example", dns_type::a, r, t0 + std::chrono::seconds(10), t0);
  cache.insert("c.example", dns_type::a, r, t0 + std::chrono::seconds(30), t0);  // full: b goes (soonest)
  CHECK(cache.size() == 2);
  CHECK(cache.find("b.example", dns_type::a, t0) == nullptr);
  CHECK(cache.find("c.example", dns_type::a, t0) != nullptr);
  CHECK(cache.find("a.example", dns_type::a, t0) != nullptr);
  cache.insert("d.example", dns_type::a, r, t0, t0);  // already expired: not stored
  CHECK(cache.size() == 2);
}

}  // namespace
}  // namespace sipactor
