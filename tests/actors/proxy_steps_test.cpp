// The proxy's steps of RFC 3261 §16.3-§16.7 one by one, without actors: validation with each
// status, route preprocessing (strict-route fix-up), the target decision and fork groups, the
// forwarded request's headers, branches, and the choice of the best response.
#include <catch2/catch.hpp>

#include "actors/proxy_branch.hpp"
#include "actors/proxy_forwarding.hpp"
#include "actors/proxy_responses.hpp"
#include "actors/proxy_routing.hpp"
#include "actors/proxy_targets.hpp"
#include "actors/proxy_validation.hpp"
#include "tests/actors/proxy_test_messages.hpp"

namespace sipactor {
namespace {

using namespace proxy_test;
using transport::transport_kind;

message_ptr response(const message_ptr& req, int status, std::initializer_list<std::string> extra = {}) {
  auto b = message_builder::response_to(*req, status, {}, "t" + std::to_string(status));
  for (const std::string& line : extra) {
    auto colon = line.find(':');
    b.add_header(line.substr(0, colon), line.substr(colon + 2));
  }
  auto r = b.build();
  REQUIRE(r.ok());
  return r.message;
}

forwarded_request forward(const proxy_config& c, const message_ptr& m, const proxy_target& t,
                          transport_kind in = transport_kind::udp) {
  routed_request routed = preprocess_routes(c, m);
  auto f = forward_request(c, routed, in, t, stateful_branch(*m));
  INFO(f.error);
  REQUIRE(f.ok());
  return f;
}

}  // namespace

TEST_CASE("proxy §16.3: each check answers with its status", "[proxy]") {
  proxy_config c = config();
  SECTION("a Request-URI scheme the proxy does not route: 416") {
    request_parts p;
    p.request_uri = "tel:+15551234567";
    auto r = validate_proxy_request(c, *request(p));
    CHECK(r.status == 416);
    REQUIRE(r.response);
    CHECK(r.response->status() == 416);
  }
  SECTION("Max-Forwards 0: 483; for OPTIONS the proxy answers 200 itself (§11); absent passes") {
    CHECK(validate_proxy_request(c, *request({"Max-Forwards: 0"})).status == 483);
    request_parts p;
    p.method = "OPTIONS";
    p.extra = {"Max-Forwards: 0"};
    auto options = validate_proxy_request(c, *request(p));
    CHECK(options.status == 200);
    REQUIRE(options.response);
    CHECK(options.response->header_value("Allow"));
    CHECK(check_max_forwards(*request({"Max-Forwards: 1"})).passed());
  }
  SECTION("Proxy-Require with an option tag not understood: 420 with Unsupported") {
    auto r = validate_proxy_request(c, *request({"Proxy-Require: foo, bar"}));
    CHECK(r.status == 420);
    REQUIRE(r.response);
    CHECK(r.response->header_value("Unsupported") == std::optional<std::string_view>("foo, bar"));
    c.supported_extensions = {"foo", "bar"};
    CHECK(validate_proxy_request(c, *request({"Proxy-Require: foo, bar"})).passed());
  }
  SECTION("a request that comes back unchanged has looped (482); one whose routing changed spirals") {
    request_parts p;
    p.request_uri = "sip:carol@203.0.113.9";  // not ours: forwarded as is
    auto original = request(p);
    auto f = forward(c, original, {"sip:carol@203.0.113.9", 1000, {}});
    // The next hop sends it back to us unchanged.
    CHECK(validate_proxy_request(c, *f.out.message).status == 482);
    // ... or with another Request-URI: a spiral.
    auto b = message_builder::copy_of(f.out.message);
    b.set_request_uri("sip:carol@203.0.113.10");
    auto spiral = b.build().message;
    CHECK(validate_proxy_request(c, *spiral).passed());
    c.detect_loops = false;
    CHECK(validate_proxy_request(c, *f.out.message).passed());
  }
}

TEST_CASE("proxy §16.4: our Route values go, a strict router's Request-URI is fixed up", "[proxy]") {
  proxy_config c = config();
  SECTION("one and two of ours on top (double record-routing)") {
    auto one = preprocess_routes(c, request({"Route: <sip:192.0.2.10;lr>", "Route: <sip:203.0.113.5;lr>"}));
    CHECK(one.own_routes == 1);
    CHECK(one.remaining_routes() == 1);
    auto two = preprocess_routes(c, request({"Route: <sip:192.0.2.10;lr>, <sip:proxy.example.com;transport=tcp;lr>",
                                             "Route: <sip:203.0.113.5;lr>"}));
    CHECK(two.own_routes == 2);
    auto other_port = preprocess_routes(c, request({"Route: <sip:192.0.2.10:5070;lr>"}));
    CHECK(other_port.own_routes == 0);
  }
  SECTION("strict-route fix-up: the last Route value becomes the Request-URI") {
    request_parts p;
    p.request_uri = "sip:192.0.2.10;lr";
    p.extra = {"Route: <sip:203.0.113.5;lr>", "Route: <sip:bob@198.51.100.20>"};
    auto m = request(p);
    CHECK(needs_strict_route_fix(c, *m));
    auto routed = preprocess_routes(c, m);
    CHECK(routed.strict_route_fixed);
    CHECK(routed.request->request_uri().text == "sip:bob@198.51.100.20");
    CHECK(values(*routed.request, header_id::route) == std::vector<std::string>{"<sip:203.0.113.5;lr>"});
    CHECK(routed.own_routes == 0);
    // A REGISTER to our address is not a strict router's request.
    p.method = "REGISTER";
    p.request_uri = "sip:192.0.2.10";
    p.extra = {};
    CHECK_FALSE(needs_strict_route_fix(c, *request(p)));
  }
}

TEST_CASE("proxy §16.4: a maddr of ours is stripped with its port and transport, only when it came that way",
          "[proxy]") {
  proxy_config c = config();  // 192.0.2.10:5060 UDP and TCP, domain example.com
  auto stripped = [&](const std::string& ruri, transport_kind over, std::uint16_t port) {
    request_parts p;
    p.request_uri = ruri;
    return preprocess_routes(c, request(p), over, port);
  };
  SECTION("our address, received over the transport and port the URI indicates") {
    auto r = stripped("sip:bob@example.com:5060;maddr=192.0.2.10;transport=tcp;user=phone", transport_kind::tcp, 5060);
    CHECK(r.own_maddr_stripped);
    CHECK(r.request->request_uri().text == "sip:bob@example.com:5060;user=phone");
    CHECK(r.received->request_uri().text == "sip:bob@example.com:5060;maddr=192.0.2.10;transport=tcp;user=phone");
    // Then it is routed as if the values had never been there: by the location service.
    CHECK(decide_targets(c, r).aor == "sip:bob@example.com");
    auto domain = stripped("sip:bob@example.com;maddr=example.com", transport_kind::udp, 5060);
    CHECK(domain.request->request_uri().text == "sip:bob@example.com");
  }
  SECTION("left alone: a maddr not ours, another transport or port, or no port known") {
    CHECK_FALSE(stripped("sip:bob@example.com;maddr=203.0.113.9", transport_kind::udp, 5060).own_maddr_stripped);
    CHECK_FALSE(stripped("sip:bob@example.com;maddr=192.0.2.10;transport=tcp", transport_kind::udp, 5060).own_maddr_stripped);
    CHECK_FALSE(stripped("sip:bob@example.com:5070;maddr=192.0.2.10", transport_kind::udp, 5060).own_maddr_stripped);
    CHECK_FALSE(stripped("sip:bob@example.com;maddr=192.0.2.10", transport_kind::udp, 0).own_maddr_stripped);
    // A maddr left in place makes the Request-URI the only target (§16.5).
    auto other = stripped("sip:bob@example.com;maddr=203.0.113.9", transport_kind::udp, 5060);
    auto d = decide_targets(c, other);
    REQUIRE(d.targets.size() == 1);
    CHECK(d.aor.empty());
  }
}

TEST_CASE("proxy §16.5: the target decision", "[proxy]") {
  proxy_config c = config();
  auto decide = [&](const message_ptr& m) { return decide_targets(c, preprocess_routes(c, m)); };
  request_parts p;
  auto ours = decide(request(p));
  CHECK(ours.aor == "sip:bob@example.com");
  p.request_uri = "sip:carol@other.example.org";
  auto other = decide(request(p));
  REQUIRE(other.targets.size() == 1);
  CHECK(other.targets[0].uri == "sip:carol@other.example.org");
  CHECK(other.targets[0].route.empty());
  p.request_uri = "sip:dave@static.example.net";
  auto routed = decide(request(p));
  REQUIRE(routed.targets.size() == 1);
  CHECK(routed.targets[0].route == "sip:192.0.2.99:5080");
  p.request_uri = "sip:bob@198.51.100.20:5062";
  p.to_tag = "b1";
  auto in_dialog = decide(request(p));
  REQUIRE(in_dialog.targets.size() == 1);
  CHECK(in_dialog.targets[0].uri == "sip:bob@198.51.100.20:5062");
  p.request_uri = "sip:bob@192.0.2.10";  // in a dialog but to our own address: by location
  CHECK(decide(request(p)).aor == "sip:bob@192.0.2.10");
  p.to_tag = "";
  p.request_uri = "sip:bob@example.com;maddr=203.0.113.5";
  CHECK(decide(request(p)).targets.size() == 1);
}

TEST_CASE("proxy §16.5/§16.6: targets once each, forked by q", "[proxy]") {
  std::vector<proxy_target> set{{"sip:a@192.0.2.21", 1000, {}},
                                {"sip:c@192.0.2.23", 500, {}},
                                {"sip:b@192.0.2.22", 1000, {}},
                                {"sip:A@192.0.2.21", 1000, {}},  // another user: kept
                                {"sip:a@192.0.2.21;transport=udp", 1000, {}},  // §19.1.4: a default-valued component on one side only: not equal
                                {"sip:b@192.0.2.22", 700, {}}};  // the same URI again: dropped
  auto by_q = fork_groups(set, forking_policy::by_q);
  REQUIRE(by_q.size() == 2);
  CHECK(by_q[0].size() == 4);
  CHECK(by_q[1].size() == 1);
  CHECK(by_q[1][0].uri == "sip:c@192.0.2.23");
  CHECK(fork_groups(set, forking_policy::parallel).size() == 1);
  CHECK(fork_groups(set, forking_policy::serial).size() == 5);
}

TEST_CASE("proxy §16.6: the forwarded request", "[proxy]") {
  proxy_config c = config();
  SECTION("Request-URI, Max-Forwards, Record-Route, Via, destination") {
    auto f = forward(c, request(), {"sip:bob@192.0.2.21:5062;transport=udp;method=INVITE", 1000, {}});
    const message& m = *f.out.message;
    CHECK(m.request_uri().text == "sip:bob@192.0.2.21:5062;transport=udp");  // method= is not allowed there
    CHECK(m.max_forwards() == 69);
    CHECK(values(m, header_id::record_route) == std::vector<std::string>{"<sip:192.0.2.10:5060;lr>"});
    REQUIRE(m.via_count() == 2);
    CHECK(m.top_via().host == "192.0.2.10");
    CHECK(m.top_via().port == 5060);
    CHECK(m.top_via().has_rfc3261_branch());
    CHECK(m.top_via().branch.find('.') != std::string_view::npos);
    CHECK(f.out.transport == transport_kind::udp);
    CHECK(f.out.destination == *transport::socket_address::from("192.0.2.21", 5062));
    c.record_route = false;
    CHECK(forward(c, request(), {"sip:bob@192.0.2.21", 1000, {}}).out.message->header_count(header_id::record_route) == 0);
  }
  SECTION("double record-routing from TCP to UDP (RFC 5658)") {
    auto f = forward(c, request(), {"sip:bob@192.0.2.21", 1000, {}}, transport_kind::tcp);
    CHECK(values(*f.out.message, header_id::record_route) ==
          std::vector<std::string>{"<sip:192.0.2.10:5060;lr>", "<sip:192.0.2.10:5060;transport=tcp;lr>"});
    auto to_tcp = forward(c, request(), {"sip:bob@192.0.2.21;transport=tcp", 1000, {}});
    CHECK(to_tcp.out.transport == transport_kind::tcp);
    CHECK(values(*to_tcp.out.message, header_id::record_route) ==
          std::vector<std::string>{"<sip:192.0.2.10:5060;transport=tcp;lr>", "<sip:192.0.2.10:5060;lr>"});
  }
  SECTION("our Route removed, the next Route is the next hop") {
    auto f = forward(c, request({"Route: <sip:192.0.2.10;lr>", "Route: <sip:203.0.113.5:5070;lr>"}),
                     {"sip:bob@example.com", 1000, {}});
    CHECK(values(*f.out.message, header_id::route) == std::vector<std::string>{"<sip:203.0.113.5:5070;lr>"});
    CHECK(f.out.destination == *transport::socket_address::from("203.0.113.5", 5070));
    CHECK(f.out.message->request_uri().text == "sip:bob@example.com");
  }
  SECTION("a static next hop goes on top of Route as a loose router") {
    request_parts p;
    p.request_uri = "sip:dave@static.example.net";
    auto f = forward(c, request(p), {"sip:dave@static.example.net", 1000, "sip:192.0.2.99:5080"});
    CHECK(values(*f.out.message, header_id::route) == std::vector<std::string>{"<sip:192.0.2.99:5080;lr>"});
    CHECK(f.out.destination == *transport::socket_address::from("192.0.2.99", 5080));
    CHECK(f.out.message->request_uri().text == "sip:dave@static.example.net");
  }
  SECTION("a strict router next: it becomes the Request-URI, the target the last Route") {
    auto f = forward(c, request({"Route: <sip:203.0.113.5>"}), {"sip:bob@192.0.2.21", 1000, {}});
    CHECK(f.out.message->request_uri().text == "sip:203.0.113.5");
    CHECK(values(*f.out.message, header_id::route) == std::vector<std::string>{"<sip:bob@192.0.2.21>"});
    CHECK(f.out.destination == *transport::socket_address::from("203.0.113.5", 5060));
  }
  SECTION("a host name cannot be resolved yet: an error, not a request") {
    routed_request routed = preprocess_routes(c, request());
    auto f = forward_request(c, routed, transport_kind::udp, {"sip:bob@pc.example.org", 1000, {}}, "z9hG4bKx");
    CHECK_FALSE(f.ok());
  }
}

TEST_CASE("proxy §16.6 step 8, §16.11: branches", "[proxy]") {
  auto invite = request();
  auto a = stateful_branch(*invite), b = stateful_branch(*invite);
  CHECK(a.rfind("z9hG4bK", 0) == 0);
  CHECK(a != b);  // unique per branch
  CHECK(a.substr(a.find('.')) == b.substr(b.find('.')));  // the same loop part
  // Stateless: the same for a retransmission and for the CANCEL of the INVITE; another for another transaction.
  request_parts p;
  p.method = "CANCEL";
  CHECK(stateless_branch(*invite) == stateless_branch(*request(p)));
  p.method = "INVITE";
  p.vias = "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKalice2";
  CHECK(stateless_branch(*invite) != stateless_branch(*request(p)));
}

TEST_CASE("proxy §16.7: what is forwarded at once, and the best final response", "[proxy]") {
  auto invite = request();
  SECTION("step 5") {
    CHECK(dispose(*response(invite, 100), false) == response_disposition::drop);
    CHECK(dispose(*response(invite, 180), false) == response_disposition::forward_now);
    CHECK(dispose(*response(invite, 200), false) == response_disposition::forward_now);
    CHECK(dispose(*response(invite, 486), false) == response_disposition::keep);
    CHECK(dispose(*response(invite, 200), true) == response_disposition::forward_now);
    CHECK(dispose(*response(invite, 183), true) == response_disposition::drop);
    CHECK(dispose(*response(invite, 486), true) == response_disposition::drop);
  }
  SECTION("step 6: 6xx wins, else the lowest class, 401/407 first, 503 last and as 500") {
    auto best = [&](std::vector<int> statuses) {
      std::vector<context_response> rs;
      for (int s : statuses) rs.push_back({response(invite, s), false});
      return best_response(rs, *invite)->status();
    };
    CHECK(best({486, 603, 404}) == 603);
    CHECK(best({503, 486}) == 486);
    CHECK(best({404, 486}) == 404);
    CHECK(best({404, 407, 486}) == 407);
    CHECK(best({503}) == 500);
    CHECK(best({503, 502}) == 502);
    CHECK(best({302, 404}) == 302);
    CHECK(best({}) == 408);
  }
  SECTION("step 7: every challenge of every 401 and 407") {
    std::vector<context_response> rs{
        {response(invite, 404), false},
        {response(invite, 401, {"WWW-Authenticate: Digest realm=\"a\", nonce=\"1\""}), false},
        {response(invite, 407, {"Proxy-Authenticate: Digest realm=\"b\", nonce=\"2\""}), false},
        {response(invite, 401, {"WWW-Authenticate: Digest realm=\"c\", nonce=\"3\""}), false}};
    auto r = best_response(rs, *invite);
    CHECK(r->status() == 401);
    CHECK(values(*r, header_id::www_authenticate).size() == 2);
    CHECK(values(*r, header_id::proxy_authenticate).size() == 1);
  }
  SECTION("step 3: our Via goes") {
    auto f = forward(config(), invite, {"sip:bob@192.0.2.21", 1000, {}});
    auto r = message_builder::response_to(*f.out.message, 486, {}, "x").build().message;
    auto up = without_top_via(r);
    REQUIRE(up->via_count() == 1);
    CHECK(up->top_via().branch == "z9hG4bKalice1");
    std::vector<context_response> rs{{r, true}};
    CHECK(best_response(rs, *invite)->via_count() == 1);
  }
}

}  // namespace sipactor
