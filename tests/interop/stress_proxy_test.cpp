// `sipactor stress` (issue 8) against the real `sipactor proxy` binary: REGISTERs of several users
// answered with Digest credentials (a wrong password counted as 403 failures), and calls through
// the proxy to SIPp's uas; the summary's counts match what the peers saw.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "actors/auth_users.hpp"
#include "apps/stress_command.hpp"
#include "tests/interop/proxy_process.hpp"
#include "tests/interop/sipp_process.hpp"
#include "tests/support/test_certificates.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

struct stress_proxy_dir {
  std::string path = make_temp_dir();
  ~stress_proxy_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

int stress(const std::vector<std::string>& args, std::string& output) {
  std::ostringstream out, err;
  int rc = apps::run_stress_command(args, out, err);
  output = out.str() + err.str();
  return rc;
}

}  // namespace

TEST_CASE("Stress: sipactor stress registers users with Digest and calls through sipactor proxy",
          "[interop][proxy][stress]") {
  stress_proxy_dir dir;
  std::string users;
  for (int i = 1; i <= 5; ++i)
    users += auth::format_user_line(auth::hash_password("user" + std::to_string(i), "127.0.0.1", "secret")) + "\n";
  write_temp_file(dir.path, "users.txt", users);
  std::string config = write_temp_file(dir.path, "sipactor.conf",
                                       "listen = udp 127.0.0.1:0\ndomain = 127.0.0.1\nstore = registrations.db\n"
                                       "users = users.txt\n");
  proxy_process proxy(config);
  REQUIRE(proxy.started());
  std::string target = "127.0.0.1:" + std::to_string(proxy.udp_port());

  // REGISTER (§10.2) for user1..user5, each challenged (401) and answered with its credentials.
  std::string output;
  int rc = stress({"--scenario", "register", "--target", "sip:" + target, "--users", "5", "--password", "secret",
                   "--rate", "50", "--total", "50", "--progress", "off"},
                  output);
  INFO(output << "\n" << proxy.log());
  CHECK(rc == 0);
  CHECK_THAT(output, Catch::Contains("started 50, succeeded 50, failed 0"));
  rc = stress({"--scenario", "register", "--target", "sip:" + target, "--users", "2", "--password", "wrong",
               "--rate", "10", "--total", "2", "--progress", "off"},
              output);
  CHECK(rc == 1);
  CHECK_THAT(output, Catch::Contains("failures by status: 403:2"));

  proxy.signal(SIGTERM);
  CHECK(proxy.wait(10s));
}

// The callee is `sipactor stress --answer`, not SIPp's uas: SIPp's built-in uas leaves
// Record-Route out of its 200 (against §12.1.1), so the caller's BYE goes straight to it (§12.2.1.1),
// and SIPp answers that BYE to the address the call came from, the proxy, which rightly drops a
// response whose top Via is not its own (§16.7, §18.1.2).
TEST_CASE("Stress: sipactor stress calls through sipactor proxy to a responder, both count every call",
          "[interop][proxy][stress]") {
  stress_proxy_dir dir;
  std::string config = write_temp_file(dir.path, "sipactor.conf",
                                       "listen = udp 127.0.0.1:0\ndomain = 127.0.0.1\nstore = registrations.db\n");
  proxy_process proxy(config);
  REQUIRE(proxy.started());
  std::string target = "127.0.0.1:" + std::to_string(proxy.udp_port());
  const int calls = 30;
  std::uint16_t callee_port = free_udp_port();
  std::string callee_output;
  int callee_rc = -1;
  std::thread callee([&] {
    callee_rc = stress({"--answer", "--local", "127.0.0.1:" + std::to_string(callee_port), "--duration", "10",
                        "--progress", "off"},
                       callee_output);
  });
  std::this_thread::sleep_for(1s);
  // sip:service@127.0.0.1 -> the responder (no users configured: REGISTER without authentication).
  sipp_process registration({"-sf", SIPACTOR_SOURCE_DIR "/bench/sipp/register_service.xml", target, "-i", "127.0.0.1",
                             "-p", std::to_string(free_udp_port()), "-key", "contact",
                             "127.0.0.1:" + std::to_string(callee_port), "-m", "1", "-timeout", "20s"});
  REQUIRE(registration.wait(30s));
  CHECK(registration.exit_code() == 0);
  std::string output;
  int rc = stress({"--target", "sip:service@" + target, "--rate", "15", "--total", std::to_string(calls), "--progress",
                   "off"},
                  output);
  callee.join();
  INFO(output << "\n" << callee_output << "\n" << proxy.log());
  CHECK(rc == 0);
  CHECK_THAT(output, Catch::Contains("started 30, succeeded 30, failed 0"));
  CHECK(callee_rc == 0);
  CHECK_THAT(callee_output, Catch::Contains("answered 30 calls, 30 ended"));
  proxy.signal(SIGTERM);
  CHECK(proxy.wait(10s));
}

// The same over TLS end to end (RFC 3261 §26.2.1): generator -> proxy -> responder on TLS
// connections, each verifying the next one's certificate against the test CA.
TEST_CASE("Stress: sipactor stress calls over TLS through sipactor proxy to a TLS responder", "[interop][proxy][stress][tls]") {
  const test_certificates& certs = shared_test_certificates();
  stress_proxy_dir dir;
  std::string config = write_temp_file(
      dir.path, "sipactor.conf",
      "listen = udp 127.0.0.1:0\nlisten = tls 127.0.0.1:0\ndomain = 127.0.0.1\nstore = registrations.db\n"
      "tls.certificate = " + certs.server_certificate + "\ntls.private_key = " + certs.server_key +
      "\ntls.ca = " + certs.ca_certificate + "\n");
  proxy_process proxy(config);
  REQUIRE(proxy.started());
  REQUIRE(proxy.tls_port() != 0);
  const int calls = 20;
  std::uint16_t callee_port = free_tcp_port();
  std::vector<std::string> tls_files{"--transport", "tls", "--tls-cert", certs.server_certificate, "--tls-key",
                                     certs.server_key, "--tls-ca", certs.ca_certificate};
  std::string callee_output;
  int callee_rc = -1;
  std::thread callee([&] {
    std::vector<std::string> args{"--answer", "--local", "127.0.0.1:" + std::to_string(callee_port), "--duration", "10",
                                  "--progress", "off"};
    args.insert(args.end(), tls_files.begin(), tls_files.end());
    callee_rc = stress(args, callee_output);
  });
  std::this_thread::sleep_for(1s);
  sipp_process registration({"-sf", SIPACTOR_SOURCE_DIR "/bench/sipp/register_service.xml",
                             "127.0.0.1:" + std::to_string(proxy.udp_port()), "-i", "127.0.0.1", "-p",
                             std::to_string(free_udp_port()), "-key", "contact",
                             "127.0.0.1:" + std::to_string(callee_port) + ";transport=tls", "-m", "1", "-timeout", "20s"});
  REQUIRE(registration.wait(30s));
  CHECK(registration.exit_code() == 0);
  std::vector<std::string> args{"--target", "sip:service@127.0.0.1:" + std::to_string(proxy.tls_port()), "--rate", "10",
                                "--total", std::to_string(calls), "--progress", "off"};
  args.insert(args.end(), tls_files.begin(), tls_files.end());
  std::string output;
  int rc = stress(args, output);
  callee.join();
  INFO(output << "\n" << callee_output << "\n" << proxy.log());
  CHECK(rc == 0);
  CHECK_THAT(output, Catch::Contains("started 20, succeeded 20, failed 0"));
  CHECK_THAT(output, Catch::Contains("calls to sip:service@127.0.0.1:" + std::to_string(proxy.tls_port()) + ";transport=tls"));
  CHECK(callee_rc == 0);
  CHECK_THAT(callee_output, Catch::Contains("answering on TLS 127.0.0.1:" + std::to_string(callee_port)));
  CHECK_THAT(callee_output, Catch::Contains("answered 20 calls, 20 ended"));
  proxy.signal(SIGTERM);
  CHECK(proxy.wait(10s));
}

}  // namespace sipactor::test
