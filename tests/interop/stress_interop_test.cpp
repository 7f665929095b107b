// `sipactor stress` (issue 8) against SIPp on loopback: our generator calls SIPp's uas, SIPp's
// uac calls our responder; every call completes and both sides count the same calls. The
// progress output is checked in its non-interactive (plain) form.
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <thread>

#include "apps/stress_command.hpp"
#include "tests/interop/sipp_process.hpp"

namespace sipactor::test {

using namespace std::chrono_literals;

TEST_CASE("Stress: sipactor stress calls SIPp uas at a fixed rate, every call completes", "[interop][sipp][stress]") {
  const int calls = 40;
  std::uint16_t port = free_udp_port();
  sipp_process sipp({"-sn", "uas", "-i", "127.0.0.1", "-p", std::to_string(port), "-m", std::to_string(calls)});
  REQUIRE(sipp.started());
  std::this_thread::sleep_for(500ms);  // SIPp binds its port
  std::ostringstream out, err;
  int rc = apps::run_stress_command({"--target", "sip:service@127.0.0.1:" + std::to_string(port), "--rate", "20",
                                     "--total", std::to_string(calls), "--hold", "100", "--progress", "plain"},
                                    out, err);
  bool exited = sipp.wait(30s);
  INFO(out.str() << err.str() << "\n" << sipp.command() << "\n" << sipp.output());
  CHECK(rc == 0);
  CHECK(out.str().find("started 40, succeeded 40, failed 0") != std::string::npos);
  // One plain progress line per second: "    1s  rate ..."
  CHECK(out.str().find("    1s  rate") != std::string::npos);
  CHECK(out.str().find("\r") == std::string::npos);
  REQUIRE(exited);
  CHECK(sipp.exit_code() == 0);
  CHECK(sipp.cumulative("Successful call") == calls);
}

// TCP (RFC 3261 §18): --transport tcp adds ;transport=tcp to the target, SIPp's uas answers on
// the connection our stack opened and takes the BYE on a connection too.
TEST_CASE("Stress: sipactor stress calls SIPp uas over TCP, every call completes", "[interop][sipp][stress]") {
  const int calls = 20;
  std::uint16_t port = free_tcp_port();
  sipp_process sipp({"-sn", "uas", "-t", "t1", "-i", "127.0.0.1", "-p", std::to_string(port), "-m", std::to_string(calls)});
  REQUIRE(sipp.started());
  std::this_thread::sleep_for(500ms);
  std::ostringstream out, err;
  int rc = apps::run_stress_command({"--target", "sip:service@127.0.0.1:" + std::to_string(port), "--transport", "tcp",
                                     "--rate", "20", "--total", std::to_string(calls), "--progress", "off"},
                                    out, err);
  bool exited = sipp.wait(30s);
  INFO(out.str() << err.str() << "\n" << sipp.command() << "\n" << sipp.output());
  CHECK(rc == 0);
  CHECK(out.str().find("started 20, succeeded 20, failed 0") != std::string::npos);
  CHECK(out.str().find(";transport=tcp") != std::string::npos);
  REQUIRE(exited);
  CHECK(sipp.exit_code() == 0);
  CHECK(sipp.cumulative("Successful call") == calls);
}

TEST_CASE("Stress: SIPp uac calls sipactor stress --answer, both count every call", "[interop][sipp][stress]") {
  const int calls = 20;
  std::uint16_t port = free_udp_port();
  std::ostringstream out, err;
  int rc = -1;
  std::thread responder([&] {
    rc = apps::run_stress_command({"--answer", "--local", "127.0.0.1:" + std::to_string(port), "--duration", "8",
                                   "--progress", "plain"},
                                  out, err);
  });
  std::this_thread::sleep_for(1s);  // the responder binds its port
  sipp_process sipp({"-sn", "uac", "127.0.0.1:" + std::to_string(port), "-i", "127.0.0.1", "-p",
                     std::to_string(free_udp_port()), "-m", std::to_string(calls), "-r", "10"});
  REQUIRE(sipp.started());
  bool exited = sipp.wait(30s);
  responder.join();
  INFO(out.str() << err.str() << "\n" << sipp.command() << "\n" << sipp.output());
  REQUIRE(exited);
  CHECK(sipp.exit_code() == 0);
  CHECK(sipp.cumulative("Successful call") == calls);
  CHECK(rc == 0);
  CHECK(out.str().find("summary: answered 20 calls, 20 ended") != std::string::npos);
}

}  // namespace sipactor::test
