// The real `sipactor proxy` binary on loopback (issues 6 and 7): configuration errors, SIPp
// REGISTER scenarios (tests/interop/scenarios) with and without Digest authentication over UDP
// and TCP, SIGTERM, and the durability test of issue 6: 2,000 AORs registered while the process
// is SIGKILLed, every binding that got a 200 found again after a restart on the same database.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "actors/auth_users.hpp"
#include "tests/interop/proxy_process.hpp"
#include "tests/interop/sipp_process.hpp"
#include "tests/interop/udp_sip_client.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

const std::string scenarios = SIPACTOR_SOURCE_DIR "/tests/interop/scenarios/";

// Exit status and stderr of `sipactor proxy ARGS`.
std::pair<int, std::string> run_proxy_command(const std::string& args, const std::string& dir) {
  std::string err = dir + "/stderr.txt";
  int status = std::system((std::string(SIPACTOR_BINARY) + " proxy " + args + " >/dev/null 2>'" + err + "'").c_str());
  std::string text;
  if (FILE* f = std::fopen(err.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

void stop_with_sigterm(proxy_process& proxy) {
  proxy.signal(SIGTERM);
  REQUIRE(proxy.wait(10s));
  CHECK(proxy.exit_code() == 0);
  CHECK_THAT(proxy.log(), Catch::Contains("event=stopping signal=SIGTERM") && Catch::Contains("event=stopped"));
}

TEST_CASE("sipactor proxy: an invalid config fails fast with FILE:LINE: reason and status 2", "[interop][proxy]") {
  proxy_dir dir;
  std::string bad = write_temp_file(dir.path, "bad.conf", "# ok\nlisten = udp 127.0.0.1:0\nredirect = perhaps\n");
  auto [status, err] = run_proxy_command("--config " + bad, dir.path);
  CHECK(status == 2);
  CHECK(err == bad + ":3: expected on or off, not 'perhaps'\n");

  std::string users = write_temp_file(dir.path, "users.txt", "alice 127.0.0.1 nothex -\n");
  std::string with_users = write_temp_file(dir.path, "u.conf", "users = users.txt\n");
  auto [status2, err2] = run_proxy_command("--config " + with_users, dir.path);
  CHECK(status2 == 2);
  CHECK_THAT(err2, Catch::StartsWith(users + ":1: "));

  auto [status3, err3] = run_proxy_command("--config " + dir.path + "/missing.conf", dir.path);
  CHECK(status3 == 2);
  CHECK_THAT(err3, Catch::StartsWith(dir.path + "/missing.conf: "));

  auto [status4, err4] = run_proxy_command("--config " + dir.config("") + " --check", dir.path);
  CHECK(status4 == 0);
  CHECK(err4.empty());
}

TEST_CASE("sipactor proxy: SIPp registers, fetches and removes bindings without authentication",
          "[interop][proxy][sipp]") {
  proxy_dir dir;
  proxy_process proxy(dir.config(""));
  REQUIRE(proxy.started());
  CHECK(proxy.tcp_port() != 0);
  for (const char* transport : {"u1", "t1"}) {
    std::uint16_t port = transport[0] == 'u' ? proxy.udp_port() : proxy.tcp_port();
    sipp_process sipp({"-sf", scenarios + "register.xml", "127.0.0.1:" + std::to_string(port), "-i", "127.0.0.1", "-p",
                       std::to_string(free_udp_port()), "-t", transport, "-m", "20", "-r", "100", "-timeout", "30s"});
    REQUIRE(sipp.started());
    REQUIRE(sipp.wait(60s));
    INFO(sipp.command() << "\n" << sipp.output() << "\n" << proxy.log());
    CHECK(sipp.exit_code() == 0);
    CHECK(sipp.cumulative("Successful call") == 20);
  }
  stop_with_sigterm(proxy);
}

TEST_CASE("sipactor proxy: SIPp registers with Digest authentication, a wrong password gets 403",
          "[interop][proxy][sipp][auth]") {
  proxy_dir dir;
  std::string users = auth::format_user_line(auth::hash_password("alice", "127.0.0.1", "wonderland")) + "\n";
  write_temp_file(dir.path, "users.txt", users);
  // SIPp 3.6 answers the first challenge it sees and knows MD5 only: offer MD5 first.
  proxy_process proxy(dir.config("users = users.txt\nauth.algorithms = MD5 SHA-256\n"));
  REQUIRE(proxy.started());
  auto run = [&](const std::string& scenario, const std::string& password) {
    sipp_process sipp({"-sf", scenarios + scenario, "127.0.0.1:" + std::to_string(proxy.udp_port()), "-i",
                       "127.0.0.1", "-p", std::to_string(free_udp_port()), "-s", "alice", "-au", "alice", "-ap",
                       password, "-m", "5", "-r", "50", "-timeout", "30s"});
    REQUIRE(sipp.started());
    REQUIRE(sipp.wait(60s));
    INFO(sipp.command() << "\n" << sipp.output() << "\n" << proxy.log());
    CHECK(sipp.exit_code() == 0);
    CHECK(sipp.cumulative("Successful call") == 5);
  };
  run("register_auth.xml", "wonderland");
  run("register_wrong_password.xml", "not-the-password");
  CHECK_THAT(proxy.log(), Catch::Contains("event=auth status=403"));
  stop_with_sigterm(proxy);
}

// Issue 6: "a test registers 2,000 AORs through a running sipactor process, kills it with
// SIGKILL while REGISTERs are still arriving, restarts it, and checks that every binding that
// got a 200 OK is present and unexpired."
TEST_CASE("sipactor proxy: every binding that got a 200 survives SIGKILL and a restart", "[interop][proxy][durability]") {
  proxy_dir dir;
  std::string config = dir.config("");
  constexpr int aors = 2000;
  udp_sip_client client;
  std::set<int> acknowledged;
  auto user = [](int i) { return "user" + std::to_string(i); };
  auto collect = [&](std::chrono::milliseconds wait) {
    while (message_ptr m = client.receive(wait)) {
      std::string call_id(m->call_id());
      if (m->status() == 200 && call_id.rfind("dur-", 0) == 0) acknowledged.insert(std::atoi(call_id.c_str() + 4));
      wait = 0ms;
    }
  };
  int sent = 0;
  {
    proxy_process proxy(config);
    REQUIRE(proxy.started());
    // 40 REGISTERs every 5 ms (about 8,000/s) up to 800, then 200 at once and the kill right
    // behind them, so that it hits REGISTERs between the socket and the store; the rest arrive
    // at a dead process.
    auto send_one = [&] {
      client.send(client.register_text(user(sent), "dur-" + std::to_string(sent), 1,
                                       "sip:" + user(sent) + "@127.0.0.1:" + std::to_string(client.port())),
                  proxy.udp_port());
      ++sent;
    };
    while (sent < 800) {
      for (int k = 0; k < 40; ++k) send_one();
      std::this_thread::sleep_for(5ms);
      collect(0ms);
    }
    while (sent < 1000) send_one();
    std::this_thread::sleep_for(2ms);
    proxy.signal(SIGKILL);
    while (sent < aors) send_one();
    collect(300ms);
    REQUIRE(proxy.wait(10s));
    CHECK(proxy.exit_code() == 128 + SIGKILL);
  }
  INFO("acknowledged before the kill: " << acknowledged.size() << " of " << sent);
  REQUIRE(acknowledged.size() >= 100);
  CHECK(acknowledged.size() < static_cast<std::size_t>(aors));  // the kill came before the end

  proxy_process restarted(config);
  REQUIRE(restarted.started());
  std::map<int, std::string> found;  // AOR -> the Contact of its fetch
  std::map<int, int> statuses;       // of the fetches' answers, for the diagnosis
  auto collect_fetches = [&](std::chrono::milliseconds wait) {
    while (message_ptr m = client.receive(wait)) {
      std::string call_id(m->call_id());
      ++statuses[m->status()];
      if (m->status() == 200 && call_id.rfind("fetch-", 0) == 0)
        found[std::atoi(call_id.c_str() + 6)] = std::string(m->header_value("Contact").value_or(""));
      wait = 0ms;
    }
  };
  // 50 at a time: the answers must not overflow this client's socket buffer (rmem_max).
  std::vector<int> pending(acknowledged.begin(), acknowledged.end());
  for (std::size_t at = 0; at < pending.size(); at += 50) {
    std::size_t end = std::min(pending.size(), at + 50);
    for (std::size_t k = at; k < end; ++k)
      client.send(client.register_text(user(pending[k]), "fetch-" + std::to_string(pending[k]), 1, ""),
                  restarted.udp_port());
    auto until = std::chrono::steady_clock::now() + 2s;
    while (found.size() < end && std::chrono::steady_clock::now() < until) collect_fetches(50ms);
  }
  std::size_t missing = 0, wrong = 0;
  for (int i : acknowledged) {
    auto it = found.find(i);
    if (it == found.end()) {
      ++missing;
      continue;
    }
    // "<sip:userN@127.0.0.1:PORT>;expires=S" with 0 < S <= 3600: present and unexpired.
    std::string expected = "<sip:" + user(i) + "@127.0.0.1:" + std::to_string(client.port()) + ">;expires=";
    const std::string& contact = it->second;
    long left = contact.rfind(expected, 0) == 0 ? std::atol(contact.c_str() + expected.size()) : 0;
    if (left <= 0 || left > 3600) ++wrong;
  }
  INFO(restarted.log());
  std::string answered;
  for (const auto& [status, count] : statuses) answered += " " + std::to_string(status) + ":" + std::to_string(count);
  INFO("fetches answered (status:count):" << answered << "; collected " << found.size());
  CHECK(missing == 0);
  CHECK(wrong == 0);
  stop_with_sigterm(restarted);
}

}  // namespace
}  // namespace sipactor::test
