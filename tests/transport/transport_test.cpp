// The transport layer on real loopback sockets (RFC 3261 §18, RFC 3581, RFC 5626 keep-alives):
// each test starts a transport in its own actor system and plays the peer with plain sockets.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <map>
#include <optional>
#include <set>
#include <thread>

#include "messages/builder.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/test_sockets.hpp"
#include "tests/support/real_time_config.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor {
namespace {

using namespace std::chrono_literals;
using transport::socket_address;
using transport::transport_kind;

// One transport in its own actor system; the test's scoped actor is the sink.
struct fixture {
  caf::actor_system sys{test::real_time_config()};
  std::optional<caf::scoped_actor> sink_holder;
  transport::transport_layer layer;

  explicit fixture(transport::transport_config config) {
    sink_holder.emplace(sys);
    layer = transport::start_transport(sys, config, caf::actor_cast<caf::actor>(*sink_holder));
    INFO(layer.error);
    REQUIRE(layer.actor);
  }
  ~fixture() {
    if (layer.actor) caf::anon_send_exit(layer.actor, caf::exit_reason::user_shutdown);
    sink_holder.reset();
  }
  caf::scoped_actor& sink() { return *sink_holder; }
  socket_address bound(transport_kind t, int family = AF_INET) const {
    for (const auto& p : layer.listening)
      if (p.transport == t && p.address.family() == family) return p.address;
    FAIL("not listening");
    return {};
  }
  std::optional<transport::inbound_message> next(std::chrono::milliseconds timeout = 3000ms) {
    std::optional<transport::inbound_message> got;
    sink()->receive([&](transport::inbound_message& m) { got = std::move(m); }, caf::after(timeout) >> [] {});
    return got;
  }
};

transport::transport_config listen_on(std::initializer_list<std::pair<transport_kind, const char*>> points) {
  transport::transport_config c;
  for (auto& [t, ip] : points) c.listen.push_back({t, *socket_address::from(ip, 0)});
  c.udp_readers = 1;
  return c;
}

std::string options_request(const std::string& via_transport, const socket_address& sent_by, const std::string& call_id,
                            const std::string& via_params = "", std::size_t body_size = 0) {
  return "OPTIONS sip:server@example.com SIP/2.0\r\n"
         "Via: SIP/2.0/" + via_transport + " " + sent_by.to_string() + ";branch=z9hG4bK" + call_id + via_params + "\r\n"
         "Max-Forwards: 70\r\nTo: <sip:server@example.com>\r\nFrom: <sip:client@example.com>;tag=c1\r\n"
         "Call-ID: " + call_id + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: " + std::to_string(body_size) + "\r\n\r\n" +
         std::string(body_size, 'x');
}

socket_address sent_by() { return *socket_address::from("127.0.0.1", 5060); }

}  // namespace

TEST_CASE("UDP: a request is delivered with rport and received, and its response routed back", "[transport][udp]") {
  fixture f(listen_on({{transport_kind::udp, "127.0.0.1"}}));
  test::udp_peer client;
  // The Via names another port than the one the request comes from: rport tells the truth.
  socket_address claimed = *socket_address::from("127.0.0.1", 5999);
  client.send(options_request("UDP", claimed, "udp1", ";rport"), f.bound(transport_kind::udp));
  auto in = f.next();
  REQUIRE(in);
  CHECK(in->transport == transport_kind::udp);
  CHECK(in->remote == client.local());
  CHECK(in->message->call_id() == "udp1");
  CHECK(in->message->top_via().rport_value == client.local().port());
  CHECK(in->message->top_via().received == "127.0.0.1");

  auto response = message_builder::response_to(*in->message, 200, {}, "s1").build();
  REQUIRE(response.ok());
  caf::anon_send(f.layer.actor, transport::outbound_response{response.message, transport_kind::udp, in->local, in->remote, {}});
  auto reply = client.receive();
  REQUIRE(reply);
  CHECK(reply->rfind("SIP/2.0 200 OK\r\n", 0) == 0);
}

TEST_CASE("UDP over IPv6", "[transport][udp]") {
  fixture f(listen_on({{transport_kind::udp, "::1"}}));
  test::udp_peer client("::1");
  client.send(options_request("UDP", client.local(), "udp6"), f.bound(transport_kind::udp, AF_INET6));
  auto in = f.next();
  REQUIRE(in);
  CHECK(in->remote == client.local());
  CHECK(in->message->top_via().host == "[::1]");
  CHECK(in->message->top_via().received.empty());  // same address: no received (§18.2.1)
}

TEST_CASE("UDP: a malformed request is answered 400 with the reason, garbage is dropped", "[transport][udp]") {
  fixture f(listen_on({{transport_kind::udp, "127.0.0.1"}}));
  test::udp_peer client;
  std::string bad = options_request("UDP", client.local(), "bad1");
  bad.replace(bad.find("CSeq: 1 OPTIONS"), 15, "CSeq: 1 INVITE");
  client.send(bad, f.bound(transport_kind::udp));
  auto reply = client.receive();
  REQUIRE(reply);
  CHECK(reply->rfind("SIP/2.0 400 Bad Request (CSeq method does not match the request method)\r\n", 0) == 0);
  CHECK(reply->find("Call-ID: bad1\r\n") != std::string::npos);

  client.send("\x01\x02 not sip at all", f.bound(transport_kind::udp));
  CHECK_FALSE(client.receive(300ms));
  CHECK_FALSE(f.next(300ms));
}

TEST_CASE("TCP: byte-by-byte delivery, pipelining, and responses on the same connection", "[transport][tcp]") {
  fixture f(listen_on({{transport_kind::tcp, "127.0.0.1"}}));
  auto client = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  REQUIRE(client.valid());
  std::string one = options_request("TCP", sent_by(), "tcp1");
  for (char c : one) client.send(std::string(1, c));
  auto in = f.next();
  REQUIRE(in);
  CHECK(in->transport == transport_kind::tcp);
  CHECK(in->message->call_id() == "tcp1");
  CHECK(in->connection);

  client.send(options_request("TCP", sent_by(), "p1") + options_request("TCP", sent_by(), "p2", "", 5) +
              options_request("TCP", sent_by(), "p3"));
  for (const char* id : {"p1", "p2", "p3"}) {
    auto m = f.next();
    REQUIRE(m);
    CHECK(m->message->call_id() == id);
  }

  auto response = message_builder::response_to(*in->message, 200, {}, "s1").build();
  caf::anon_send(f.layer.actor, transport::outbound_response{response.message, transport_kind::tcp, in->local, in->remote, in->connection});
  std::string got = client.receive_until("\r\n\r\n");
  CHECK(got.rfind("SIP/2.0 200 OK\r\n", 0) == 0);
  CHECK(got.find("Call-ID: tcp1") != std::string::npos);
}

TEST_CASE("TCP: a framing error closes that connection only, others keep working", "[transport][tcp]") {
  fixture f(listen_on({{transport_kind::tcp, "127.0.0.1"}}));
  auto good = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  auto bad = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  REQUIRE((good.valid() && bad.valid()));
  std::string ncl = options_request("TCP", sent_by(), "ncl");
  ncl.replace(ncl.find("Content-Length: 0"), 17, "Content-Length: -999");
  bad.send(ncl);
  // RFC 4475 §3.1.2.3: the stream cannot be resynchronised; the request is answered, then closed.
  std::string answer = bad.receive_until("\r\n\r\n");
  CHECK(answer.rfind("SIP/2.0 400 ", 0) == 0);
  CHECK(bad.closed_by_peer());
  good.send(options_request("TCP", sent_by(), "still-fine"));
  auto in = f.next();
  REQUIRE(in);
  CHECK(in->message->call_id() == "still-fine");
}

TEST_CASE("TCP: an oversized message closes the connection", "[transport][tcp]") {
  auto config = listen_on({{transport_kind::tcp, "127.0.0.1"}});
  config.limits.framing.max_message_bytes = 2048;
  fixture f(config);
  auto client = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  client.send(options_request("TCP", sent_by(), "big", "", 4000));
  CHECK(client.closed_by_peer());
  CHECK_FALSE(f.next(200ms));
}

TEST_CASE("TCP: a client that sends a few bytes at a time is cut off by the read timeout", "[transport][tcp]") {
  auto config = listen_on({{transport_kind::tcp, "127.0.0.1"}});
  config.limits.header_read_timeout = 400ms;
  fixture f(config);
  auto slow = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  std::string m = options_request("TCP", sent_by(), "slow");
  auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (std::size_t i = 0; i < m.size() && !closed; i += 4) {
    slow.send(m.substr(i, 4));
    closed = slow.closed_by_peer(150ms);
  }
  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - started < 2000ms);
  CHECK_FALSE(f.next(100ms));
}

TEST_CASE("TCP: CRLF keep-alive pings are answered (RFC 5626 §4.4.1)", "[transport][tcp]") {
  fixture f(listen_on({{transport_kind::tcp, "127.0.0.1"}}));
  auto client = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  client.send("\r\n\r\n");
  CHECK(client.receive_until("\r\n", 1000ms) == "\r\n");
}

TEST_CASE("TCP: outbound requests open one connection and reuse it (§18.1.1)", "[transport][tcp]") {
  fixture f(listen_on({{transport_kind::udp, "127.0.0.1"}}));
  test::tcp_server server;
  auto send = [&](const std::string& id) {
    auto m = parse_message(options_request("TCP", sent_by(), id));
    REQUIRE(m.ok());
    caf::anon_send(f.layer.actor, transport::outbound_request{m.message, transport_kind::tcp, server.local(), {}});
  };
  send("out1");
  auto peer = server.accept();
  REQUIRE(peer.valid());
  CHECK(peer.receive_until("out1").find("Call-ID: out1") != std::string::npos);
  send("out2");
  CHECK(peer.receive_until("out2").find("Call-ID: out2") != std::string::npos);
  CHECK_FALSE(server.accept(200ms).valid());  // no second connection

  // What the peer sends back on that connection reaches the sink.
  auto reply = message_builder::response_to(*parse_message(options_request("TCP", sent_by(), "out2")).message, 200, {}, "t");
  peer.send(reply.serialize());
  auto in = f.next();
  REQUIRE(in);
  CHECK(in->message->status() == 200);
  CHECK(in->transport == transport_kind::tcp);
}

TEST_CASE("UDP requests over 1300 bytes go over TCP with the Via changed (§18.1.1)", "[transport][udp][tcp]") {
  fixture f(listen_on({{transport_kind::udp, "127.0.0.1"}}));
  test::tcp_server server;
  auto m = parse_message(options_request("UDP", sent_by(), "large", "", 1400));
  REQUIRE(m.ok());
  caf::anon_send(f.layer.actor, transport::outbound_request{m.message, transport_kind::udp, server.local(), {}});
  auto peer = server.accept();
  REQUIRE(peer.valid());
  std::string got = peer.receive_until(std::string(1400, 'x'));
  CHECK(got.find("Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKlarge") != std::string::npos);
}

TEST_CASE("a failed send is reported to the sender", "[transport][tcp]") {
  fixture f(listen_on({{transport_kind::udp, "127.0.0.1"}}));
  // A port bound but not listening, and held for the whole test: a connect is refused, and no
  // other test running in parallel can take the port meanwhile (a closed port could be reused).
  int held = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(held >= 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(held, reinterpret_cast<const sockaddr*>(&any), sizeof any) == 0);
  socklen_t len = sizeof any;
  REQUIRE(::getsockname(held, reinterpret_cast<sockaddr*>(&any), &len) == 0);
  std::uint16_t closed_port = ntohs(any.sin_port);
  auto m = parse_message(options_request("TCP", sent_by(), "nowhere"));
  f.sink()->send(f.layer.actor, transport::outbound_request{m.message, transport_kind::tcp,
                                                            *socket_address::from("127.0.0.1", closed_port), {}});
  bool failed = false;
  f.sink()->receive([&](const transport::send_failed& e) { failed = e.message->call_id() == "nowhere"; },
                    caf::after(5s) >> [] {});
  ::close(held);
  CHECK(failed);
}

TEST_CASE("connections per peer are limited", "[transport][tcp]") {
  auto config = listen_on({{transport_kind::tcp, "127.0.0.1"}});
  config.limits.max_connections_per_peer = 2;
  fixture f(config);
  auto a = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  auto b = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  std::this_thread::sleep_for(100ms);
  auto c = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  CHECK(c.closed_by_peer());
  a.send(options_request("TCP", sent_by(), "a-ok"));
  auto in = f.next();
  REQUIRE(in);
  CHECK(in->message->call_id() == "a-ok");
}

TEST_CASE("TLS: a round trip between two transports, and a wrong CA rejected without harm", "[transport][tls]") {
  const auto& certs = test::shared_test_certificates();
  auto server_config = listen_on({{transport_kind::tls, "127.0.0.1"}});
  server_config.tls.certificate_file = certs.server_certificate;
  server_config.tls.private_key_file = certs.server_key;
  server_config.tls.ca_file = certs.ca_certificate;
  fixture server(server_config);
  socket_address tls_address = server.bound(transport_kind::tls);

  auto client_config = listen_on({{transport_kind::udp, "127.0.0.1"}});
  client_config.tls.ca_file = certs.ca_certificate;
  fixture client(client_config);

  auto request = parse_message(options_request("TLS", sent_by(), "tls1"));
  REQUIRE(request.ok());
  client.sink()->send(client.layer.actor, transport::outbound_request{request.message, transport_kind::tls, tls_address, "localhost"});
  auto in = server.next();
  REQUIRE(in);
  CHECK(in->transport == transport_kind::tls);
  CHECK(in->message->call_id() == "tls1");

  // The answer travels back over the same TLS connection.
  auto response = message_builder::response_to(*in->message, 200, {}, "s").build();
  caf::anon_send(server.layer.actor, transport::outbound_response{response.message, transport_kind::tls, in->local, in->remote, in->connection});
  auto back = client.next();
  REQUIRE(back);
  CHECK(back->message->status() == 200);
  CHECK(back->transport == transport_kind::tls);

  // A client trusting another CA refuses the server: its sender hears of it.
  auto wrong_config = listen_on({{transport_kind::udp, "127.0.0.1"}});
  wrong_config.tls.ca_file = certs.wrong_ca_certificate;
  fixture wrong(wrong_config);
  auto rejected = parse_message(options_request("TLS", sent_by(), "tls-wrong-ca"));
  wrong.sink()->send(wrong.layer.actor, transport::outbound_request{rejected.message, transport_kind::tls, tls_address, "localhost"});
  std::string reason;
  wrong.sink()->receive([&](const transport::send_failed& e) { reason = e.reason; }, caf::after(5s) >> [] {});
  CHECK(reason.find("TLS") != std::string::npos);
  CHECK_FALSE(server.next(300ms));

  // The server still serves the good client.
  auto again = parse_message(options_request("TLS", sent_by(), "tls2"));
  client.sink()->send(client.layer.actor, transport::outbound_request{again.message, transport_kind::tls, tls_address, "localhost"});
  auto in2 = server.next();
  REQUIRE(in2);
  CHECK(in2->message->call_id() == "tls2");
}

TEST_CASE("TLS: a plain-text client on the TLS port is cut off, and the listener keeps going", "[transport][tls]") {
  const auto& certs = test::shared_test_certificates();
  auto config = listen_on({{transport_kind::tls, "127.0.0.1"}});
  config.tls.certificate_file = certs.server_certificate;
  config.tls.private_key_file = certs.server_key;
  fixture f(config);
  auto plain = test::tcp_peer::connect(f.bound(transport_kind::tls));
  plain.send(options_request("TCP", sent_by(), "plain"));
  CHECK(plain.closed_by_peer());
  CHECK_FALSE(f.next(200ms));
}

TEST_CASE("a TLS listener without a usable certificate fails to start with the reason", "[transport][tls]") {
  caf::actor_system sys{test::real_time_config()};
  caf::scoped_actor sink{sys};
  auto config = listen_on({{transport_kind::tls, "127.0.0.1"}});
  config.tls.certificate_file = "/nonexistent/server.pem";
  config.tls.private_key_file = "/nonexistent/server.key";
  auto layer = transport::start_transport(sys, config, caf::actor_cast<caf::actor>(sink));
  CHECK_FALSE(layer.actor);
  CHECK(layer.error.find("/nonexistent/server.pem") != std::string::npos);
}

TEST_CASE("TLS: a client that never finishes its handshake is cut off by the read timeout", "[transport][tls]") {
  const auto& certs = test::shared_test_certificates();
  auto config = listen_on({{transport_kind::tls, "127.0.0.1"}});
  config.tls.certificate_file = certs.server_certificate;
  config.tls.private_key_file = certs.server_key;
  config.limits.header_read_timeout = 300ms;
  fixture f(config);
  auto silent = test::tcp_peer::connect(f.bound(transport_kind::tls));
  REQUIRE(silent.valid());
  CHECK(silent.closed_by_peer(3000ms));
}

TEST_CASE("several addresses at once: UDP and TCP on IPv4 and IPv6", "[transport]") {
  fixture f(listen_on({{transport_kind::udp, "127.0.0.1"},
                       {transport_kind::tcp, "127.0.0.1"},
                       {transport_kind::udp, "::1"},
                       {transport_kind::tcp, "::1"}}));
  CHECK(f.layer.listening.size() == 4);
  test::udp_peer v4, v6("::1");
  v4.send(options_request("UDP", v4.local(), "m-udp4"), f.bound(transport_kind::udp, AF_INET));
  v6.send(options_request("UDP", v6.local(), "m-udp6"), f.bound(transport_kind::udp, AF_INET6));
  auto t4 = test::tcp_peer::connect(f.bound(transport_kind::tcp, AF_INET));
  auto t6 = test::tcp_peer::connect(f.bound(transport_kind::tcp, AF_INET6));
  t4.send(options_request("TCP", sent_by(), "m-tcp4"));
  t6.send(options_request("TCP", sent_by(), "m-tcp6"));
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i)
    if (auto in = f.next()) seen.insert(std::string(in->message->call_id()));
  CHECK(seen == std::set<std::string>{"m-udp4", "m-udp6", "m-tcp4", "m-tcp6"});
}

TEST_CASE("TCP: each response goes back on the connection its request came on", "[transport][tcp]") {
  fixture f(listen_on({{transport_kind::tcp, "127.0.0.1"}}));
  auto a = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  auto b = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  a.send(options_request("TCP", sent_by(), "from-a"));
  b.send(options_request("TCP", sent_by(), "from-b"));
  std::map<std::string, transport::inbound_message> by_id;
  for (int i = 0; i < 2; ++i)
    if (auto in = f.next()) by_id[std::string(in->message->call_id())] = *in;
  REQUIRE(by_id.size() == 2);
  for (auto& [id, in] : by_id) {
    auto r = message_builder::response_to(*in.message, 200, {}, "t").build();
    caf::anon_send(f.layer.actor, transport::outbound_response{r.message, transport_kind::tcp, in.local, in.remote, in.connection});
  }
  CHECK(a.receive_until("\r\n\r\n").find("Call-ID: from-a") != std::string::npos);
  CHECK(b.receive_until("\r\n\r\n").find("Call-ID: from-b") != std::string::npos);
}

TEST_CASE("idle connections are closed and forgotten", "[transport][tcp]") {
  auto config = listen_on({{transport_kind::tcp, "127.0.0.1"}});
  config.limits.idle_timeout = 400ms;
  fixture f(config);
  auto idle = test::tcp_peer::connect(f.bound(transport_kind::tcp));
  REQUIRE(idle.valid());
  CHECK(idle.closed_by_peer(3000ms));
  std::uint64_t open = 1;
  for (int i = 0; i < 20 && open != 0; ++i) {
    f.sink()->request(f.layer.actor, 2s, transport::stats_atom::value)
        .receive([&](const transport::transport_counters& c) { open = c.connections_open; }, [](caf::error&) {});
    if (open != 0) std::this_thread::sleep_for(50ms);
  }
  CHECK(open == 0);
}

TEST_CASE("counters: delivered, answered and dropped messages", "[transport][udp]") {
  fixture f(listen_on({{transport_kind::udp, "127.0.0.1"}}));
  test::udp_peer client;
  client.send(options_request("UDP", client.local(), "count-ok"), f.bound(transport_kind::udp));
  REQUIRE(f.next());
  std::string bad = options_request("UDP", client.local(), "count-bad");
  bad.replace(bad.find("Max-Forwards: 70"), 16, "Max-Forwards: 700");
  client.send(bad, f.bound(transport_kind::udp));
  REQUIRE(client.receive());
  client.send("SIP/2.0 999 nonsense\r\n\r\n", f.bound(transport_kind::udp));
  transport::transport_counters c;
  for (int i = 0; i < 20; ++i) {
    f.sink()->request(f.layer.actor, 2s, transport::stats_atom::value)
        .receive([&](const transport::transport_counters& got) { c = got; }, [](caf::error&) {});
    if (c.dropped == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(c.received == 1);
  CHECK(c.answered == 1);
  CHECK(c.dropped == 1);
}

TEST_CASE("TCP: a response whose connection is gone opens one to the sent-by port (§18.2.2)", "[transport][tcp]") {
  fixture f(listen_on({{transport_kind::tcp, "127.0.0.1"}}));
  test::tcp_server callback;  // where the client accepts connections (its Via sent-by)
  socket_address client_sent_by = callback.local();
  std::optional<transport::inbound_message> in;
  {
    auto client = test::tcp_peer::connect(f.bound(transport_kind::tcp));
    client.send(options_request("TCP", client_sent_by, "gone"));
    in = f.next();
    REQUIRE(in);
  }  // the client closes its connection before the answer
  std::this_thread::sleep_for(200ms);
  auto response = message_builder::response_to(*in->message, 200, {}, "t").build();
  caf::anon_send(f.layer.actor, transport::outbound_response{response.message, transport_kind::tcp, in->local, in->remote, in->connection});
  auto reopened = callback.accept();
  REQUIRE(reopened.valid());
  CHECK(reopened.receive_until("\r\n\r\n").find("Call-ID: gone") != std::string::npos);
}

TEST_CASE("TLS over IPv6 with client certificates required", "[transport][tls]") {
  const auto& certs = test::shared_test_certificates();
  auto server_config = listen_on({{transport_kind::tls, "::1"}});
  server_config.tls.certificate_file = certs.server_certificate;
  server_config.tls.private_key_file = certs.server_key;
  server_config.tls.ca_file = certs.ca_certificate;
  server_config.tls.verify_clients = true;
  fixture server(server_config);
  socket_address address = server.bound(transport_kind::tls, AF_INET6);

  auto with_cert = listen_on({{transport_kind::udp, "::1"}});
  with_cert.tls.ca_file = certs.ca_certificate;
  with_cert.tls.certificate_file = certs.client_certificate;
  with_cert.tls.private_key_file = certs.client_key;
  fixture client(with_cert);
  auto m = parse_message(options_request("TLS", sent_by(), "tls6"));
  client.sink()->send(client.layer.actor, transport::outbound_request{m.message, transport_kind::tls, address, "::1"});
  auto in = server.next();
  REQUIRE(in);
  CHECK(in->message->call_id() == "tls6");
  CHECK(in->remote.is_ipv6());

  auto without_cert = listen_on({{transport_kind::udp, "::1"}});
  without_cert.tls.ca_file = certs.ca_certificate;
  fixture anonymous(without_cert);
  auto n = parse_message(options_request("TLS", sent_by(), "tls6-anon"));
  anonymous.sink()->send(anonymous.layer.actor, transport::outbound_request{n.message, transport_kind::tls, address, "::1"});
  CHECK_FALSE(server.next(1000ms));
}

}  // namespace sipactor
