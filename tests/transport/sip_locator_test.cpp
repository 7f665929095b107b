// RFC 3263 §4 server location against a fake nameserver on loopback: NAPTR -> SRV -> A chains,
// SRV and A fallbacks, explicit ports and transports, sips, RFC 2782 ordering with injected
// randomness, errors, caching and coalescing; plus the pure NAPTR/SRV selection rules.
#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include <deque>
#include <memory>
#include <optional>

#include "tests/support/fake_dns_server.hpp"
#include "tests/support/real_time_config.hpp"
#include "transport/sip_locator.hpp"

namespace sipactor {
namespace {

using namespace std::chrono_literals;
using transport::dns_type;
using transport::location_result;
using transport::transport_kind;

// Random numbers for RFC 2782's weighted selection, taken from a script (0 when it runs out);
// the bounds asked for are recorded.
struct scripted_random {
  std::deque<std::uint32_t> values;
  std::vector<std::uint32_t> bounds;
};

transport::srv_random from_script(std::shared_ptr<scripted_random> script) {
  return [script](std::uint32_t max) {
    script->bounds.push_back(max);
    if (script->values.empty()) return std::uint32_t{0};
    std::uint32_t v = script->values.front();
    script->values.pop_front();
    return v;
  };
}

struct locator_fixture {
  caf::actor_system sys{test::real_time_config()};
  std::optional<caf::scoped_actor> self;
  transport::dns_resolver_actor resolver;
  transport::sip_locator_actor locator;
  std::shared_ptr<scripted_random> script = std::make_shared<scripted_random>();

  explicit locator_fixture(const test::fake_dns_server& dns, transport::sip_locator_config config = {},
                           std::chrono::milliseconds timeout = 200ms) {
    self.emplace(sys);
    transport::dns_resolver_config rc;
    rc.nameservers = {dns.address()};
    rc.timeout = timeout;
    auto started = transport::spawn_dns_resolver(sys, rc);
    INFO(started.error);
    REQUIRE(started.actor);
    resolver = started.actor;
    if (!config.random) config.random = from_script(script);
    locator = transport::spawn_sip_locator(sys, resolver, config);
  }
  ~locator_fixture() {
    caf::anon_send_exit(locator, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(resolver, caf::exit_reason::user_shutdown);
    self.reset();
  }

  location_result locate(const std::string& uri) {
    location_result out;
    (*self)->request(locator, 10s, transport::locate_atom::value, uri)
        .receive([&](location_result& r) { out = std::move(r); },
                 [&](caf::error& e) { FAIL("locator did not answer: " << caf::to_string(e)); });
    return out;
  }
};

std::vector<std::string> addresses(const location_result& r) {
  std::vector<std::string> out;
  for (const auto& t : r.targets) out.push_back(std::string(to_string(t.transport)) + " " + t.address.to_string());
  return out;
}

// RFC 3263 §4.1's example domain: NAPTR for TLS, TCP and UDP, SRV for each, two hosts.
void example_domain(test::fake_dns_server& dns) {
  dns.add(test::naptr_record("example.com", 50, 50, "SIPS+D2T", "_sips._tcp.example.com"));
  dns.add(test::naptr_record("example.com", 50, 60, "SIP+D2T", "_sip._tcp.example.com"));
  dns.add(test::naptr_record("example.com", 50, 70, "SIP+D2U", "_sip._udp.example.com"));
  dns.add(test::naptr_record("example.com", 40, 10, "SIP+D2S", "_sip._sctp.example.com"));  // not supported
  dns.add(test::srv_record("_sips._tcp.example.com", 0, 1, 5061, "server1.example.com"));
  dns.add(test::srv_record("_sips._tcp.example.com", 0, 2, 5071, "server2.example.com"));
  dns.add(test::srv_record("_sip._tcp.example.com", 0, 1, 5060, "server1.example.com"));
  dns.add(test::srv_record("_sip._udp.example.com", 0, 1, 5060, "server1.example.com"));
  dns.add(test::a_record("server1.example.com", "127.0.0.11"));
  dns.add(test::a_record("server1.example.com", "::1"));
  dns.add(test::a_record("server2.example.com", "127.0.0.12"));
}

TEST_CASE("SIP locator: NAPTR then SRV then A and AAAA give the targets in order") {
  test::fake_dns_server dns;
  example_domain(dns);
  locator_fixture f(dns);
  f.script->values = {3, 0};  // server2 (running sums 1, 3), then server1
  auto r = f.locate("sip:alice@Example.COM");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"TLS 127.0.0.12:5071", "TLS 127.0.0.11:5061", "TLS [::1]:5061"});
  for (const auto& t : r.targets) CHECK(t.server_name == "example.com");  // RFC 5922: the URI's domain
  CHECK(f.script->bounds == std::vector<std::uint32_t>{3, 1});
  CHECK(dns.queries("_sip._udp.example.com", dns_type::srv) == 0);  // only the first NAPTR that works
}

TEST_CASE("SIP locator: a NAPTR record without SRV records gives way to the next by preference") {
  test::fake_dns_server dns;
  dns.add(test::naptr_record("example.com", 10, 1, "SIP+D2T", "_sip._tcp.example.com"));
  dns.add(test::naptr_record("example.com", 10, 2, "SIP+D2U", "_sip._udp.example.com"));
  dns.add(test::naptr_record("example.com", 10, 0, "SIP+D2U", "_sip._udp.elsewhere.com", "a"));  // not "s"
  dns.add(test::srv_record("_sip._udp.example.com", 0, 0, 5080, "udp.example.com"));
  dns.add(test::a_record("udp.example.com", "127.0.0.21"));
  transport::sip_locator_config config;
  config.ipv6 = false;
  locator_fixture f(dns, config);
  auto r = f.locate("sip:example.com");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"UDP 127.0.0.21:5080"});
  CHECK(dns.queries("_sip._tcp.example.com", dns_type::srv) == 1);
  CHECK(dns.queries("udp.example.com", dns_type::aaaa) == 0);
}

TEST_CASE("SIP locator: without NAPTR, SRV records choose the transport (TLS, then TCP, then UDP)") {
  test::fake_dns_server dns;
  dns.add(test::srv_record("_sip._udp.example.com", 0, 0, 5062, "udp.example.com"));
  dns.add(test::srv_record("_sip._tcp.example.com", 0, 0, 5063, "tcp.example.com"));
  dns.add(test::a_record("udp.example.com", "127.0.0.31"));
  dns.add(test::a_record("tcp.example.com", "127.0.0.32"));
  locator_fixture f(dns);
  auto r = f.locate("sip:bob@example.com");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"TCP 127.0.0.32:5063"});
  CHECK(dns.queries("example.com", dns_type::naptr) == 1);
  CHECK(dns.queries("_sips._tcp.example.com", dns_type::srv) == 1);
}

TEST_CASE("SIP locator: SRV only for UDP gives UDP targets") {
  test::fake_dns_server dns;
  dns.add(test::srv_record("_sip._udp.example.com", 0, 0, 5062, "udp.example.com"));
  dns.add(test::a_record("udp.example.com", "127.0.0.31"));
  locator_fixture f(dns);
  auto r = f.locate("sip:bob@example.com");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"UDP 127.0.0.31:5062"});
}

TEST_CASE("SIP locator: only A records give the default port of UDP, or of TLS for sips") {
  test::fake_dns_server dns;
  dns.add(test::a_record("example.com", "127.0.0.41"));
  dns.add(test::a_record("example.com", "127.0.0.42"));
  locator_fixture f(dns);
  auto r = f.locate("sip:example.com");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"UDP 127.0.0.41:5060", "UDP 127.0.0.42:5060"});
  auto s = f.locate("sips:example.com");
  INFO(s.error);
  REQUIRE(s.ok());
  CHECK(addresses(s) == std::vector<std::string>{"TLS 127.0.0.41:5061", "TLS 127.0.0.42:5061"});
  CHECK(s.targets[0].server_name == "example.com");
}

TEST_CASE("SIP locator: a stack without UDP falls back to TCP for a sip URI") {
  test::fake_dns_server dns;
  dns.add(test::a_record("example.com", "127.0.0.43"));
  transport::sip_locator_config config;
  config.transports.udp = false;
  config.ipv6 = false;
  locator_fixture f(dns, config);
  auto r = f.locate("sip:example.com");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"TCP 127.0.0.43:5060"});
  CHECK(dns.queries("_sip._udp.example.com", dns_type::srv) == 0);
  CHECK(f.locate("sip:example.com;transport=udp").error == "the next hop's transport UDP is not enabled");
}

TEST_CASE("SIP locator: an explicit port skips NAPTR and SRV") {
  test::fake_dns_server dns;
  example_domain(dns);
  dns.add(test::a_record("example.com", "127.0.0.51"));
  locator_fixture f(dns);
  auto r = f.locate("sip:alice@example.com:5070");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"UDP 127.0.0.51:5070"});
  CHECK(dns.queries("example.com", dns_type::naptr) == 0);
  CHECK(dns.total_queries() == 2);  // A and AAAA
  auto t = f.locate("sip:alice@example.com:5070;transport=tcp");
  REQUIRE(t.ok());
  CHECK(addresses(t) == std::vector<std::string>{"TCP 127.0.0.51:5070"});
}

TEST_CASE("SIP locator: a transport parameter asks SRV of that transport only, else A at its port") {
  test::fake_dns_server dns;
  example_domain(dns);
  dns.add(test::a_record("example.com", "127.0.0.61"));
  transport::sip_locator_config config;
  config.ipv6 = false;
  locator_fixture f(dns, config);
  auto r = f.locate("sip:example.com;transport=TCP");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"TCP 127.0.0.11:5060"});
  CHECK(dns.queries("example.com", dns_type::naptr) == 0);
  CHECK(dns.queries("_sips._tcp.example.com", dns_type::srv) == 0);
  auto tls = f.locate("sip:example.com;transport=tls");
  REQUIRE(tls.ok());
  CHECK(tls.targets.front().transport == transport_kind::tls);
  dns.add(test::a_record("plain.example.com", "127.0.0.62"));
  auto a = f.locate("sip:plain.example.com;transport=tcp");
  INFO(a.error);
  REQUIRE(a.ok());
  CHECK(addresses(a) == std::vector<std::string>{"TCP 127.0.0.62:5060"});
  CHECK(dns.queries("_sip._tcp.plain.example.com", dns_type::srv) == 1);
  CHECK(dns.queries("plain.example.com", dns_type::naptr) == 0);
  CHECK(f.locate("sip:plain.example.com;transport=sctp").error.find("not UDP, TCP or TLS") != std::string::npos);
}

TEST_CASE("SIP locator: a sips URI follows SIPS+D2T only") {
  test::fake_dns_server dns;
  dns.add(test::naptr_record("example.com", 10, 10, "SIP+D2U", "_sip._udp.example.com"));
  dns.add(test::naptr_record("example.com", 20, 10, "SIPS+D2T", "_sips._tcp.example.com"));
  dns.add(test::srv_record("_sip._udp.example.com", 0, 0, 5060, "udp.example.com"));
  dns.add(test::srv_record("_sips._tcp.example.com", 0, 0, 5061, "tls.example.com"));
  dns.add(test::a_record("udp.example.com", "127.0.0.71"));
  dns.add(test::a_record("tls.example.com", "127.0.0.72"));
  locator_fixture f(dns);
  auto s = f.locate("sips:carol@example.com");
  INFO(s.error);
  REQUIRE(s.ok());
  CHECK(addresses(s) == std::vector<std::string>{"TLS 127.0.0.72:5061"});
  CHECK(dns.queries("_sip._udp.example.com", dns_type::srv) == 0);
  auto plain = f.locate("sip:carol@example.com");  // the lowest order wins for a sip URI
  REQUIRE(plain.ok());
  CHECK(addresses(plain) == std::vector<std::string>{"UDP 127.0.0.71:5060"});
  // Without NAPTR, a sips URI asks _sips._tcp only.
  dns.add(test::srv_record("_sip._udp.bare.example.com", 0, 0, 5060, "udp.example.com"));
  dns.add(test::a_record("bare.example.com", "127.0.0.73"));
  auto b = f.locate("sips:bare.example.com");
  INFO(b.error);
  REQUIRE(b.ok());
  CHECK(addresses(b) == std::vector<std::string>{"TLS 127.0.0.73:5061"});
  CHECK(dns.queries("_sips._tcp.bare.example.com", dns_type::srv) == 1);
  CHECK(dns.queries("_sip._udp.bare.example.com", dns_type::srv) == 0);
}

TEST_CASE("SIP locator: SRV priority first, then weighted selection with injected randomness") {
  test::fake_dns_server dns;
  dns.add(test::srv_record("_sip._udp.example.com", 10, 0, 5000, "zero.example.com"));
  dns.add(test::srv_record("_sip._udp.example.com", 10, 60, 5001, "b.example.com"));
  dns.add(test::srv_record("_sip._udp.example.com", 10, 40, 5002, "c.example.com"));
  dns.add(test::srv_record("_sip._udp.example.com", 1, 5, 5003, "first.example.com"));
  dns.add(test::a_record("zero.example.com", "127.0.0.80"));
  dns.add(test::a_record("b.example.com", "127.0.0.81"));
  dns.add(test::a_record("c.example.com", "127.0.0.82"));
  dns.add(test::a_record("first.example.com", "127.0.0.83"));
  transport::sip_locator_config config;
  config.ipv6 = false;
  config.transports.tcp = config.transports.tls = false;
  locator_fixture f(dns, config);
  // Priority 1 alone; priority 10 in the fixed order zero (weight 0), b (60), c (40): sums 0, 60, 100.
  f.script->values = {0, 100, 0, 0};
  auto r = f.locate("sip:example.com");
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"UDP 127.0.0.83:5003", "UDP 127.0.0.82:5002", "UDP 127.0.0.80:5000",
                                                 "UDP 127.0.0.81:5001"});
  CHECK(f.script->bounds == std::vector<std::uint32_t>{5, 100, 60, 60});
  // The same draws again (answers from the cache now) give the same order.
  f.script->values = {0, 100, 0, 0};
  CHECK(addresses(f.locate("sip:example.com")) == addresses(r));
  f.script->values = {0, 1, 60};  // b (running sum 60 >= 1), then c (60 is clamped to the sum 40)
  auto second = f.locate("sip:example.com");
  REQUIRE(second.targets.size() == 4);
  CHECK(second.targets[1].address.port() == 5001);
}

TEST_CASE("SIP locator: numeric hosts, localhost and maddr need no DNS") {
  test::fake_dns_server dns;
  dns.add(test::a_record("proxy.example.net", "127.0.0.91"));
  locator_fixture f(dns);
  auto r = f.locate("sip:alice@192.0.2.5:5080;transport=tcp");
  REQUIRE(r.ok());
  CHECK(addresses(r) == std::vector<std::string>{"TCP 192.0.2.5:5080"});
  CHECK(addresses(f.locate("sips:[2001:db8::5]")) == std::vector<std::string>{"TLS [2001:db8::5]:5061"});
  CHECK(addresses(f.locate("sip:localhost")) == std::vector<std::string>{"UDP 127.0.0.1:5060"});
  CHECK(addresses(f.locate("sip:alice@example.com;maddr=192.0.2.6")) == std::vector<std::string>{"UDP 192.0.2.6:5060"});
  CHECK(dns.total_queries() == 0);
  // maddr naming a host: it is TARGET, for DNS and for the TLS server name.
  auto m = f.locate("sip:alice@example.com:5090;maddr=proxy.example.net");
  INFO(m.error);
  REQUIRE(m.ok());
  CHECK(addresses(m) == std::vector<std::string>{"UDP 127.0.0.91:5090"});
  CHECK(m.targets[0].server_name == "proxy.example.net");
  CHECK(dns.queries("example.com", dns_type::a) == 0);
  CHECK_FALSE(f.locate("tel:+15551234").ok());
  CHECK(f.locate("not a uri").error == "the next hop is not a URI");
}

TEST_CASE("SIP locator: a domain without records gives a clear error") {
  test::fake_dns_server dns;
  locator_fixture f(dns);
  auto r = f.locate("sip:alice@nowhere.example.com");
  CHECK_FALSE(r.ok());
  CHECK(r.targets.empty());
  CHECK(r.error == "no DNS records for nowhere.example.com");
  auto p = f.locate("sip:alice@nowhere.example.com:5060");
  CHECK(p.error == "no DNS records for nowhere.example.com");
}

TEST_CASE("SIP locator: SRV targets without addresses are an error that says so") {
  test::fake_dns_server dns;
  dns.add(test::srv_record("_sip._udp.example.com", 0, 0, 5060, "ghost.example.com"));
  locator_fixture f(dns);
  auto r = f.locate("sip:example.com");
  CHECK_FALSE(r.ok());
  CHECK(r.error.find("no address records for the SRV targets of") != std::string::npos);
  // A single SRV record with target "." : the service is decidedly not available (RFC 2782), so
  // there is no falling back to the domain's A records.
  dns.add(test::srv_record("_sip._udp.none.example.com", 0, 0, 0, "."));
  dns.add(test::a_record("none.example.com", "127.0.0.2"));
  auto none = f.locate("sip:none.example.com");
  CHECK(none.error == "no SIP service at none.example.com (SRV target \".\" for _sip._udp.none.example.com)");
}

TEST_CASE("SIP locator: a nameserver that never answers gives a timeout error in bounded time") {
  test::fake_dns_server dns;
  dns.set_silent(true);
  locator_fixture f(dns, {}, 100ms);
  auto start = std::chrono::steady_clock::now();
  auto r = f.locate("sip:alice@example.com");
  auto took = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(r.ok());
  CHECK(r.error.find("DNS timeout") != std::string::npos);
  CHECK(r.error.find("NAPTR example.com") != std::string::npos);
  CHECK(took < 3s);
  CHECK(dns.queries("example.com", dns_type::naptr) == 2);
}

TEST_CASE("SIP locator: a second location is answered from the cache without queries") {
  test::fake_dns_server dns;
  example_domain(dns);
  locator_fixture f(dns);
  auto first = f.locate("sip:example.com");
  REQUIRE(first.ok());
  std::size_t asked = dns.total_queries();
  CHECK(asked >= 4);  // NAPTR, SRV, A and AAAA of two servers
  auto second = f.locate("sip:EXAMPLE.com");
  REQUIRE(second.ok());
  CHECK(dns.total_queries() == asked);
  // Negative answers are cached too.
  f.locate("sip:nowhere.example.com");
  std::size_t after_negative = dns.total_queries();
  f.locate("sip:nowhere.example.com");
  CHECK(dns.total_queries() == after_negative);
}

TEST_CASE("SIP locator: concurrent identical locations send each query once") {
  test::fake_dns_server dns;
  dns.add(test::a_record("example.com", "127.0.0.99"));
  dns.set_delay(150ms);
  locator_fixture f(dns, {}, 1000ms);
  auto& self = *f.self;
  auto first = self->request(f.locator, 10s, transport::locate_atom::value, std::string("sip:example.com:5070"));
  auto second = self->request(f.locator, 10s, transport::locate_atom::value, std::string("sip:example.com:5070"));
  int answered = 0;
  for (auto* handle : {&first, &second})
    handle->receive(
        [&](location_result& r) {
          CHECK(addresses(r) == std::vector<std::string>{"UDP 127.0.0.99:5070"});
          ++answered;
        },
        [&](caf::error& e) { FAIL(caf::to_string(e)); });
  CHECK(answered == 2);
  CHECK(dns.queries("example.com", dns_type::a) == 1);
  CHECK(dns.queries("example.com", dns_type::aaaa) == 1);
}

// --- the selection rules alone ---------------------------------------------------------------------

TEST_CASE("SIP locator: NAPTR selection keeps supported SIP services of the lowest order") {
  using transport::dns_naptr_record;
  std::vector<dns_naptr_record> records = {
      test::naptr_record("d", 20, 1, "SIP+D2U", "_sip._udp.d"),
      test::naptr_record("d", 10, 5, "sip+d2t", "_sip._tcp.d"),
      test::naptr_record("d", 10, 1, "SIPS+D2T", "_sips._tcp.d"),
      test::naptr_record("d", 5, 1, "SIP+D2S", "_sip._sctp.d"),
      test::naptr_record("d", 5, 1, "SIPS+D2U", "_sips._udp.d"),
      test::naptr_record("d", 5, 1, "E2U+sip", "_sip._udp.d"),
  };
  transport::supported_transports all;
  auto choices = transport::select_naptr(records, false, all);
  REQUIRE(choices.size() == 2);
  CHECK(choices[0].transport == transport_kind::tls);
  CHECK(choices[0].srv_name == "_sips._tcp.d");
  CHECK(choices[1].transport == transport_kind::tcp);
  auto secure = transport::select_naptr(records, true, all);
  REQUIRE(secure.size() == 1);
  CHECK(secure[0].transport == transport_kind::tls);
  transport::supported_transports udp_only;
  udp_only.tcp = udp_only.tls = false;
  auto udp = transport::select_naptr(records, false, udp_only);
  REQUIRE(udp.size() == 1);
  CHECK(udp[0].srv_name == "_sip._udp.d");
  CHECK(transport::select_naptr(records, true, udp_only).empty());
  CHECK(transport::srv_name(transport_kind::tls, "d") == "_sips._tcp.d");
  CHECK(transport::srv_name(transport_kind::udp, "d") == "_sip._udp.d");
}

TEST_CASE("SIP locator: SRV order does not depend on the order of the answer") {
  std::vector<transport::dns_srv_record> a = {
      test::srv_record("s", 2, 10, 1, "x"), test::srv_record("s", 1, 10, 2, "y"), test::srv_record("s", 1, 30, 3, "z")};
  std::vector<transport::dns_srv_record> b = {a[2], a[0], a[1]};
  auto fixed = [](std::uint32_t max) { return max / 2; };
  auto ports = [](const std::vector<transport::dns_srv_record>& v) {
    std::vector<int> out;
    for (const auto& r : v) out.push_back(r.port);
    return out;
  };
  CHECK(ports(transport::order_srv(a, fixed)) == ports(transport::order_srv(b, fixed)));
  CHECK(ports(transport::order_srv(a, fixed)) == std::vector<int>{3, 2, 1});  // 20 of 40: z's running sum 40
  CHECK(transport::order_srv({test::srv_record("s", 0, 0, 0, ".")}, fixed).empty());
  CHECK(transport::order_srv({test::srv_record("s", 0, 0, 0, "."), test::srv_record("s", 1, 0, 9, "h")}, fixed).size() == 1);
}

}  // namespace
}  // namespace sipactor
