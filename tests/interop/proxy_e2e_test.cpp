// End to end through the real `sipactor proxy` binary on loopback (issue 7, Tests): SIPp users
// register (bench/sipp/register_service.xml), then call each other through the proxy with the
// scenarios tests/interop/scenarios/proxy_*.xml: a call whose INVITE/180/200/ACK/BYE all take the
// Record-Route path (stateful and stateless), forking to two contacts of one AOR, CANCEL from the
// caller, 486 from a busy callee, the proxy's own 404 and 483, and a UDP caller calling a TCP
// callee (double Record-Route). Each SIPp process must exit 0 with its one call successful.
// Last, SIGTERM after a few hundred calls (the benchmark's call flow) must end the proxy.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/auth_credentials.hpp"
#include "actors/auth_users.hpp"
#include "tests/interop/proxy_process.hpp"
#include "tests/interop/sipp_process.hpp"
#include "tests/support/fake_dns_server.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

const std::string scenarios = SIPACTOR_SOURCE_DIR "/tests/interop/scenarios/";
const std::string register_scenario = SIPACTOR_SOURCE_DIR "/bench/sipp/register_service.xml";

// True once something (the SIPp we started) holds 127.0.0.1:port; waits up to 5 s.
bool wait_until_bound(std::uint16_t port, bool tcp) {
  auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    int fd = ::socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool taken = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0;
    ::close(fd);
    if (taken) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// One running `sipactor proxy` in a directory of its own, and SIPp parties around it.
struct e2e {
  proxy_dir dir;
  proxy_process proxy;

  explicit e2e(const std::string& extra = "") : proxy(dir.config(extra)) { REQUIRE(proxy.started()); }
  // With a users file (lines of `sipactor user add`) written before the proxy starts.
  e2e(const std::string& extra, const std::string& users) : proxy(config_with_users(dir, extra, users)) {
    REQUIRE(proxy.started());
  }
  static std::string config_with_users(const proxy_dir& d, const std::string& extra, const std::string& users) {
    write_temp_file(d.path, "users.txt", users);
    return d.config("users = users.txt\n" + extra);
  }

  std::string udp_address() const { return "127.0.0.1:" + std::to_string(proxy.udp_port()); }
  // §16.6 step 4: the proxy's URI with ;lr, toward a UDP and toward a TCP next hop.
  std::string udp_record_route() const { return "<sip:" + udp_address() + ";lr>"; }
  std::string tcp_record_route() const {
    return "<sip:127.0.0.1:" + std::to_string(proxy.tcp_port()) + ";transport=tcp;lr>";
  }

  // sip:USER@127.0.0.1 registers Contact sip:USER@CONTACT over UDP; must get its 200.
  void register_user(const std::string& user, const std::string& contact) {
    sipp_process sipp({"-sf", register_scenario, udp_address(), "-i", "127.0.0.1", "-p", std::to_string(free_udp_port()),
                       "-s", user, "-key", "contact", contact, "-m", "1", "-timeout", "10s"});
    REQUIRE(sipp.started());
    REQUIRE(sipp.wait(20s));
    INFO(sipp.command() << "\n" << sipp.output() << "\n" << proxy.log());
    REQUIRE(sipp.exit_code() == 0);
    REQUIRE(sipp.cumulative("Successful call") == 1);
  }

  // The same, answering the registrar's 401 (tests/interop/scenarios/register_auth.xml) from
  // 127.0.0.1:port, which is the Contact it registers.
  void register_with_password(const std::string& user, std::uint16_t port, const std::string& password) {
    sipp_process sipp({"-sf", scenarios + "register_auth.xml", udp_address(), "-i", "127.0.0.1", "-p",
                       std::to_string(port), "-s", user, "-au", user, "-ap", password, "-m", "1", "-timeout", "10s"});
    REQUIRE(sipp.started());
    REQUIRE(sipp.wait(20s));
    INFO(sipp.command() << "\n" << sipp.output() << "\n" << proxy.log());
    REQUIRE(sipp.exit_code() == 0);
    REQUIRE(sipp.cumulative("Successful call") == 1);
  }

  // A SIPp callee on 127.0.0.1:port (UDP, or TCP with "-t t1" in `extra`) playing `scenario`
  // for one call; returns once its socket is bound.
  std::unique_ptr<sipp_process> callee(const std::string& scenario, std::uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> args{"-sf", scenarios + scenario, "-i", "127.0.0.1", "-p", std::to_string(port),
                                  "-m", "1", "-timeout", "30s"};
    args.insert(args.end(), extra.begin(), extra.end());
    bool tcp = std::find(extra.begin(), extra.end(), "t1") != extra.end();
    auto sipp = std::make_unique<sipp_process>(std::move(args));
    REQUIRE(sipp->started());
    REQUIRE(wait_until_bound(port, tcp));
    return sipp;
  }

  // The SIPp caller on 127.0.0.1:port, sending to the proxy's UDP address.
  std::unique_ptr<sipp_process> caller(const std::string& scenario, std::uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> args{"-sf", scenarios + scenario, udp_address(), "-i", "127.0.0.1", "-p",
                                  std::to_string(port), "-m", "1", "-timeout", "30s"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto sipp = std::make_unique<sipp_process>(std::move(args));
    REQUIRE(sipp->started());
    return sipp;
  }

  // SIPp ended by itself with exit status 0 and its one call successful (a SIPp stopped by
  // -timeout exits 0 too, with no successful call).
  void check_call_succeeded(sipp_process& sipp) {
    REQUIRE(sipp.wait(45s));
    INFO(sipp.command() << "\n" << sipp.output() << "\n" << proxy.log());
    CHECK(sipp.exit_code() == 0);
    CHECK(sipp.cumulative("Successful call") == 1);
  }
};

// (a) RFC 3665 §3.1 through a record-routing proxy: both users register; Alice calls Bob. The
// callee checks the INVITE's Record-Route is the proxy's URI with ;lr and that ACK and BYE come
// through the proxy without Route; the caller checks the 200's Record-Route and sends ACK and BYE
// with Route from it.
void call_through_the_proxy(const std::string& extra_config) {
  e2e t(extra_config);
  std::uint16_t alice = free_udp_port(), bob = free_udp_port();
  t.register_user("alice", "127.0.0.1:" + std::to_string(alice));
  t.register_user("bob", "127.0.0.1:" + std::to_string(bob));
  auto callee = t.callee("proxy_callee.xml", bob,
                         {"-s", "bob", "-d", "100", "-set", "record_route", t.udp_record_route(), "-set", "record_route_2", ""});
  auto caller = t.caller("proxy_caller.xml", alice, {"-s", "bob", "-set", "record_route", t.udp_record_route()});
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*callee);
}

}  // namespace

TEST_CASE("proxy end to end: a call between two registered SIPp users takes the Record-Route path",
          "[interop][proxy][sipp][e2e]") {
  call_through_the_proxy("");
}

TEST_CASE("proxy end to end: the same call through the stateless proxy (§16.11)", "[interop][proxy][sipp][e2e]") {
  call_through_the_proxy("stateless = on\n");
}

// (b) §16.6/§16.7 step 10: two contacts for carol ring in parallel; the first answers 200 after
// 500 ms, which reaches the caller; the other, ringing, gets the proxy's CANCEL and answers 487.
TEST_CASE("proxy end to end: forking to two contacts, the 200 wins and the other branch is cancelled",
          "[interop][proxy][sipp][e2e]") {
  e2e t;
  std::uint16_t answering = free_udp_port(), ringing = free_udp_port(), alice = free_udp_port();
  t.register_user("carol", "127.0.0.1:" + std::to_string(answering));
  t.register_user("carol", "127.0.0.1:" + std::to_string(ringing));
  auto first = t.callee("proxy_callee.xml", answering,
                        {"-s", "carol", "-d", "500", "-set", "record_route", t.udp_record_route(), "-set", "record_route_2", ""});
  auto second = t.callee("proxy_callee_ring.xml", ringing, {"-s", "carol"});
  auto caller = t.caller("proxy_caller.xml", alice, {"-s", "carol", "-set", "record_route", t.udp_record_route()});
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*first);
  t.check_call_succeeded(*second);
}

// (c) §16.10: the callee rings, the caller cancels; the proxy answers the CANCEL 200, cancels the
// branch, and forwards the callee's 487.
TEST_CASE("proxy end to end: the caller's CANCEL reaches the ringing callee, the caller gets 200 and 487",
          "[interop][proxy][sipp][e2e]") {
  e2e t;
  std::uint16_t bob = free_udp_port(), alice = free_udp_port();
  t.register_user("bob", "127.0.0.1:" + std::to_string(bob));
  auto callee = t.callee("proxy_callee_ring.xml", bob, {"-s", "bob"});
  auto caller = t.caller("proxy_caller_cancel.xml", alice, {"-s", "bob"});
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*callee);
}

// (d) §16.7: the only branch's 486 is the best response and goes to the caller.
TEST_CASE("proxy end to end: a busy callee's 486 reaches the caller", "[interop][proxy][sipp][e2e]") {
  e2e t;
  std::uint16_t bob = free_udp_port(), alice = free_udp_port();
  t.register_user("bob", "127.0.0.1:" + std::to_string(bob));
  auto callee = t.callee("proxy_callee_busy.xml", bob, {});
  auto caller = t.caller("proxy_caller_rejected.xml", alice,
                         {"-s", "bob", "-key", "max_forwards", "70", "-set", "expected_status", "486"});
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*callee);
}

// SIGTERM while a forwarded INVITE waits for its callee: new requests get 503, but the INVITE
// already taken gets its final response (the callee's 486, 1.5 s later) before the proxy stops.
TEST_CASE("proxy end to end: SIGTERM waits for a forwarded INVITE's final response", "[interop][proxy][sipp][e2e]") {
  e2e t;
  std::uint16_t bob = free_udp_port(), alice = free_udp_port();
  t.register_user("bob", "127.0.0.1:" + std::to_string(bob));
  auto callee = t.callee("proxy_callee_busy.xml", bob, {"-d", "1500"});
  auto caller = t.caller("proxy_caller_rejected.xml", alice,
                         {"-s", "bob", "-key", "max_forwards", "70", "-set", "expected_status", "486"});
  std::this_thread::sleep_for(500ms);  // the INVITE is at the callee
  t.proxy.signal(SIGTERM);
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*callee);
  REQUIRE(t.proxy.wait(10s));
  CHECK(t.proxy.exit_code() == 0);
  CHECK_THAT(t.proxy.log(), Catch::Contains("invites_unanswered=0"));
}

// (e) §16.5: no binding for the user: 404. (f) §16.3 item 3: Max-Forwards 0: 483, even for a
// registered user.
TEST_CASE("proxy end to end: unknown user gets 404, Max-Forwards 0 gets 483", "[interop][proxy][sipp][e2e]") {
  e2e t;
  t.register_user("bob", "127.0.0.1:" + std::to_string(free_udp_port()));
  auto unknown = t.caller("proxy_caller_rejected.xml", free_udp_port(),
                          {"-s", "nobody", "-key", "max_forwards", "70", "-set", "expected_status", "404"});
  t.check_call_succeeded(*unknown);
  auto too_many_hops = t.caller("proxy_caller_rejected.xml", free_udp_port(),
                                {"-s", "bob", "-key", "max_forwards", "0", "-set", "expected_status", "483"});
  t.check_call_succeeded(*too_many_hops);
}

// (h) §16.3 item 6, §22.3: with users configured, Alice's INVITE without credentials gets 407
// (ACKed), her INVITE with SIPp's Proxy-Authorization goes through to Bob, and the rest of the
// call takes the Record-Route path; the proxy consumed the credentials of its realm, so Bob's
// INVITE has none (proxy_callee.xml does not look; the log says who was authenticated). A
// caller without credentials just gets the 407.
TEST_CASE("proxy end to end: with users, the caller is challenged (407) and the authenticated call completes",
          "[interop][proxy][sipp][e2e][auth]") {
  std::string users;
  for (const char* user : {"alice", "bob"})
    users += auth::format_user_line(auth::hash_password(user, "127.0.0.1", std::string(user) + "-secret")) + "\n";
  // SIPp 3.6 answers the first challenge it reads and knows MD5 only: offer MD5 first.
  e2e t("auth.algorithms = MD5 SHA-256\nlog.level = debug\n", users);
  std::uint16_t alice = free_udp_port(), bob = free_udp_port();
  t.register_with_password("alice", alice, "alice-secret");
  t.register_with_password("bob", bob, "bob-secret");
  auto callee = t.callee("proxy_callee.xml", bob,
                         {"-s", "bob", "-d", "100", "-set", "record_route", t.udp_record_route(), "-set", "record_route_2", ""});
  auto caller = t.caller("proxy_caller_auth.xml", alice,
                         {"-s", "bob", "-au", "alice", "-ap", "alice-secret", "-set", "record_route", t.udp_record_route()});
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*callee);
  CHECK_THAT(t.proxy.log(), Catch::Contains("event=proxy_auth status=0 from=sip:alice@127.0.0.1 user=alice"));
  auto no_credentials = t.caller("proxy_caller_rejected.xml", free_udp_port(),
                                 {"-s", "bob", "-key", "max_forwards", "70", "-set", "expected_status", "407"});
  t.check_call_succeeded(*no_credentials);
}

// (g) §16.6 step 4 and §18: the caller is on UDP, the callee registered a ;transport=tcp Contact
// and listens on TCP. The proxy record-routes twice (its TCP URI toward the callee, its UDP URI
// toward the caller); the callee sees both, in that order, and so does the caller in the 200,
// whose ACK and BYE carry both as Route.
TEST_CASE("proxy end to end: a UDP caller calls a TCP callee", "[interop][proxy][sipp][e2e][tcp]") {
  e2e t;
  std::uint16_t dave = free_udp_port(), alice = free_udp_port();
  t.register_user("alice", "127.0.0.1:" + std::to_string(alice));
  t.register_user("dave", "127.0.0.1:" + std::to_string(dave) + ";transport=tcp");
  auto callee = t.callee("proxy_callee.xml", dave,
                         {"-t", "t1", "-s", "dave", "-d", "100", "-set", "record_route", t.tcp_record_route(), "-set",
                          "record_route_2", t.udp_record_route()});
  // SIPp's callee copies both values into one Record-Route header of its 200.
  auto caller = t.caller("proxy_caller.xml", alice,
                         {"-s", "dave", "-set", "record_route", t.tcp_record_route() + ", " + t.udp_record_route()});
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*callee);
}

// (h) RFC 3263 through the binary: Bob registers a Contact whose host is a name without a port,
// sip:bob@bob-phone.test. The proxy asks the nameserver of its config (a fake one on loopback):
// no NAPTR, SRV _sip._udp.bob-phone.test gives dead.test first (priority 10: a port where nothing
// listens) and live.test after it (priority 20: Bob's port). The INVITE goes to the dead address
// until Timer B (T1 = 50 ms here: 3.2 s), then, as a new transaction, to Bob (§4.3); the call
// completes.
TEST_CASE("proxy end to end: a Contact with a host name is located by SRV and the dead address skipped (RFC 3263)",
          "[interop][proxy][sipp][e2e][dns]") {
  fake_dns_server dns;
  std::uint16_t alice = free_udp_port(), bob = free_udp_port(), dead = free_udp_port();
  dns.add(srv_record("_sip._udp.bob-phone.test", 10, 0, dead, "dead.test"));
  dns.add(srv_record("_sip._udp.bob-phone.test", 20, 0, bob, "live.test"));
  dns.add(a_record("dead.test", "127.0.0.1"));
  dns.add(a_record("live.test", "127.0.0.1"));
  e2e t("dns.nameservers = " + dns.address().to_string() + "\ntimer.t1 = 50ms\n");
  t.register_user("alice", "127.0.0.1:" + std::to_string(alice));
  t.register_user("bob", "bob-phone.test");
  auto callee = t.callee("proxy_callee.xml", bob,
                         {"-s", "bob", "-d", "100", "-set", "record_route", t.udp_record_route(), "-set", "record_route_2", ""});
  auto caller = t.caller("proxy_caller.xml", alice, {"-s", "bob", "-set", "record_route", t.udp_record_route()});
  t.check_call_succeeded(*caller);
  t.check_call_succeeded(*callee);
  CHECK(dns.queries("_sip._udp.bob-phone.test", transport::dns_type::srv) == 1);
  CHECK(dns.queries("dead.test", transport::dns_type::a) == 1);
  CHECK(dns.queries("live.test", transport::dns_type::a) == 1);
}

// Regression (found by bench/run_proxy_bench.sh): after a few hundred calls, SIGTERM left the
// proxy hanging in CAF's teardown. Every finished response context is kept alive by its pending
// Timer C (a delayed message cannot be cancelled in CAF 0.17); the clock thread destroying them
// at shutdown pushed their timeout cancellations into its own full 64-entry queue and blocked.
// The benchmark's calls: SIPp's built-in uas registered as sip:service@, its built-in uac.
TEST_CASE("proxy end to end: SIGTERM after 300 calls ends the proxy with status 0", "[interop][proxy][sipp][e2e]") {
  e2e t;
  std::uint16_t service = free_udp_port();
  t.register_user("service", "127.0.0.1:" + std::to_string(service));
  sipp_process uas({"-sn", "uas", "-i", "127.0.0.1", "-p", std::to_string(service), "-timeout", "30s"});
  REQUIRE(uas.started());
  REQUIRE(wait_until_bound(service, false));
  sipp_process uac({"-sn", "uac", t.udp_address(), "-s", "service", "-i", "127.0.0.1", "-p",
                    std::to_string(free_udp_port()), "-r", "300", "-m", "300", "-timeout", "30s"});
  REQUIRE(uac.started());
  REQUIRE(uac.wait(40s));
  INFO(uac.command() << "\n" << uac.output() << "\n" << t.proxy.log());
  CHECK(uac.exit_code() == 0);
  CHECK(uac.cumulative("Successful call") == 300);
  t.proxy.signal(SIGTERM);
  REQUIRE(t.proxy.wait(10s));
  CHECK(t.proxy.exit_code() == 0);
  CHECK_THAT(t.proxy.log(), Catch::Contains("event=stopped"));
}

}  // namespace sipactor::test
