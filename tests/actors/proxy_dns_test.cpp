// The proxy and RFC 3263: a next hop that names a host is located (a fake locator answers on the
// virtual clock), the request goes to the first address, and to the next one after a 503, a
// timeout or a transport error (§4.3), each time as a new client transaction; a failed lookup is
// a 408 with the reason; a CANCEL during the lookup ends the INVITE with 487; the stateless
// proxy and the ACK for a 2xx use the first address.
#include <catch2/catch.hpp>

#include "actors/proxy_branch.hpp"
#include "tests/actors/proxy_test_fixture.hpp"
#include "transport/sip_locator.hpp"

namespace sipactor::test {
namespace {

using proxy_test::request;
using proxy_test::request_parts;
using transport::location_result;
using transport::transport_kind;

// What the fake locator answers: by the host of the asked URI, else "no DNS records".
struct dns_table {
  std::map<std::string, location_result> by_host;
  std::vector<std::string> asked;
  bool hold = false;  // keep the answers until release()
  std::vector<std::pair<caf::typed_response_promise<location_result>, std::string>> held;

  location_result answer(const std::string& uri) const {
    for (const auto& [host, result] : by_host)
      if (uri.find(host) != std::string::npos) return result;
    location_result none;
    none.error = "no DNS records for " + uri;
    return none;
  }
};

using release_atom = caf::atom_constant<caf::atom("release")>;

// Untyped so that it can also take release_atom (the held promises are delivered from inside the
// actor); the proxy sees it as a sip_locator_actor.
caf::actor spawn_fake_locator(caf::actor_system& sys, dns_table* table) {
  return sys.spawn(
      [](caf::event_based_actor* self, dns_table* t) -> caf::behavior {
        return {
            [=](transport::locate_atom, const std::string& uri) -> caf::result<location_result> {
              t->asked.push_back(uri);
              if (!t->hold) return t->answer(uri);
              auto rp = self->make_response_promise<location_result>();
              t->held.emplace_back(rp, uri);
              return rp;
            },
            [=](release_atom) {
              for (auto& [rp, uri] : t->held) rp.deliver(t->answer(uri));
              t->held.clear();
            },
        };
      },
      table);
}

location_result addresses(std::initializer_list<const char*> ips, transport_kind kind = transport_kind::udp) {
  location_result r;
  for (const char* ip : ips) r.targets.push_back({kind, *transport::socket_address::from(ip, 5060), "edge.example.net"});
  return r;
}

proxy_config config_with_named_route(bool stateless = false) {
  proxy_config c = proxy_test::config();
  c.routes.push_back({"named.example.net", "sip:edge.example.net"});
  c.stateless = stateless;
  return c;
}

struct dns_proxy_fixture : proxy_fixture {
  dns_table dns;
  caf::actor locator = spawn_fake_locator(sys, &dns);
  explicit dns_proxy_fixture(proxy_config c = config_with_named_route()) : proxy_fixture(std::move(c)) {
    set_proxy_locator(core, caf::actor_cast<transport::sip_locator_actor>(locator));
  }
  ~dns_proxy_fixture() { caf::anon_send_exit(locator, caf::exit_reason::kill); }
  void release() {
    caf::anon_send(locator, release_atom::value);
    sched.run();
  }
  bool sent_to_host(const std::string& method, const std::string& ip) const {
    for (const auto& s : requests_sent(method))
      if (s.destination.ip() == ip) return true;
    return false;
  }
};

message_ptr invite_for(const std::string& request_uri, const std::string& call_id = "call-1@198.51.100.7") {
  request_parts p;
  p.request_uri = request_uri;
  p.call_id = call_id;
  return request(p);
}

}  // namespace

TEST_CASE("proxy DNS: a route to a host name goes to its first address, a 503 to the next (RFC 3263 §4.3)", "[proxy][dns][actors]") {
  dns_proxy_fixture f;
  f.dns.by_host["edge.example.net"] = addresses({"192.0.2.51", "192.0.2.52"});
  f.from_network(invite_for("sip:carol@named.example.net"));
  REQUIRE(f.dns.asked.size() == 1);
  CHECK(f.dns.asked[0].find("edge.example.net") != std::string::npos);
  auto first = f.sent_to("INVITE", "192.0.2.51");
  CHECK(f.requests_sent("INVITE").size() == 1);
  // The Route the static route pushed stays a host name; only the destination is the address.
  CHECK(first.message->header_value("Route") == std::optional<std::string_view>("<sip:edge.example.net;lr>"));
  f.answer(first, 100);
  f.answer(first, 503, "edge51");
  auto second = f.sent_to("INVITE", "192.0.2.52");
  CHECK(second.message->top_via().branch != first.message->top_via().branch);  // a new transaction
  CHECK(f.upstream().empty());  // the 503 is not forwarded while an address is left
  f.answer(second, 180, "edge52");
  f.answer(second, 200, "edge52");
  CHECK(f.upstream() == std::vector<int>{180, 200});
  CHECK(f.dns.asked.size() == 1);
}

TEST_CASE("proxy DNS: the last address's 503 goes up as 500, as without DNS (§16.7 step 6)", "[proxy][dns][actors]") {
  dns_proxy_fixture f;
  f.dns.by_host["edge.example.net"] = addresses({"192.0.2.51"});
  f.from_network(invite_for("sip:carol@named.example.net"));
  f.answer(f.sent_to("INVITE", "192.0.2.51"), 503, "edge51");
  CHECK(f.requests_sent("INVITE").size() == 1);
  CHECK(f.upstream() == std::vector<int>{500});
}

TEST_CASE("proxy DNS: a timeout and a transport error move on to the next address", "[proxy][dns][actors]") {
  dns_proxy_fixture f;
  f.dns.by_host["edge.example.net"] = addresses({"192.0.2.51", "192.0.2.52", "192.0.2.53"});
  f.unreachable = {"192.0.2.52"};
  f.from_network(invite_for("sip:carol@named.example.net"));
  auto first = f.sent_to("INVITE", "192.0.2.51");
  // No answer from .51: Timer B (64*T1) ends its transaction; .52 fails at once; .53 answers.
  for (int i = 0; i < 40 && !f.sent_to_host("INVITE", "192.0.2.53"); ++i) {
    f.sched.advance_time(std::chrono::seconds(1));
    f.sched.run();
  }
  auto third = f.sent_to("INVITE", "192.0.2.53");
  CHECK(f.sent_to("INVITE", "192.0.2.52").message->top_via().branch != third.message->top_via().branch);
  CHECK(third.time - first.time >= std::chrono::milliseconds(32000));
  f.answer(third, 486, "edge53");
  CHECK(f.upstream() == std::vector<int>{486});
}

TEST_CASE("proxy DNS: a name that cannot be located is a 408 with the reason", "[proxy][dns][actors]") {
  dns_proxy_fixture f;
  f.from_network(invite_for("sip:carol@nowhere.example.org"));
  REQUIRE(f.dns.asked.size() == 1);
  CHECK(f.requests_sent("INVITE").empty());
  CHECK(f.upstream() == std::vector<int>{408});
  CHECK(f.last_upstream()->reason_phrase().find("no DNS records") != std::string_view::npos);
}

TEST_CASE("proxy DNS: a CANCEL during the lookup ends the INVITE with 487 and nothing is sent", "[proxy][dns][actors]") {
  dns_proxy_fixture f;
  f.dns.by_host["edge.example.net"] = addresses({"192.0.2.51"});
  f.dns.hold = true;
  f.from_network(invite_for("sip:carol@named.example.net"));
  REQUIRE(f.dns.held.size() == 1);
  request_parts p;
  p.method = "CANCEL";
  p.request_uri = "sip:carol@named.example.net";
  f.from_network(request(p));
  CHECK(f.upstream("CANCEL") == std::vector<int>{200});
  f.release();
  CHECK(f.requests_sent("INVITE").empty());
  CHECK(f.upstream() == std::vector<int>{487});
}

TEST_CASE("proxy DNS: the stateless proxy and the ACK for a 2xx go to the first address", "[proxy][dns][actors]") {
  SECTION("stateless proxy") {
    dns_proxy_fixture f{config_with_named_route(true)};
    f.dns.by_host["edge.example.net"] = addresses({"192.0.2.51", "192.0.2.52"});
    auto invite = invite_for("sip:carol@named.example.net");
    f.from_network(invite);
    auto sent = f.sent_to("INVITE", "192.0.2.51");
    CHECK(sent.message->top_via().branch == stateless_branch(*invite));
    CHECK(f.requests_sent("INVITE").size() == 1);
  }
  SECTION("ACK for a 2xx to a Contact with a host name") {
    dns_proxy_fixture f;
    f.dns.by_host["bob-phone.example.net"] = addresses({"192.0.2.61"});
    request_parts p;
    p.method = "ACK";
    p.request_uri = "sip:bob@bob-phone.example.net";
    p.to_tag = "b21";
    p.vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKack1";
    p.extra = {"Route: <sip:192.0.2.10:5060;lr>"};
    f.from_network(request(p));
    auto sent = f.sent_to("ACK", "192.0.2.61");
    CHECK(sent.message->request_uri().text == "sip:bob@bob-phone.example.net");
  }
}

}  // namespace sipactor::test
