#include "tests/interop/sipp_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

extern char** environ;

namespace sipactor::test {

namespace {

// Binds a UDP (or `type`) socket on 127.0.0.1:port (0: any); the bound port, or 0 on failure. The socket is
// kept open in `fd` so that several ports can be held at once.
std::uint16_t bind_loopback(std::uint16_t port, int& fd, int type = SOCK_DGRAM) {
  fd = ::socket(AF_INET, type, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    fd = -1;
    return 0;
  }
  return ntohs(addr.sin_port);
}

}  // namespace

std::uint16_t free_udp_port() {
  int fd = -1;
  std::uint16_t port = bind_loopback(0, fd);
  if (fd >= 0) ::close(fd);
  return port;
}

std::uint16_t free_tcp_port() {
  int fd = -1;
  std::uint16_t port = bind_loopback(0, fd, SOCK_STREAM);
  if (fd >= 0) ::close(fd);
  return port;
}

std::uint16_t free_media_ports() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int fds[4] = {-1, -1, -1, -1};
    std::uint16_t base = bind_loopback(0, fds[0]);
    bool all = base != 0 && base < 65530;
    for (int i = 1; all && i < 4; ++i) all = bind_loopback(static_cast<std::uint16_t>(base + i), fds[i]) != 0;
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
    if (all) return base;
  }
  return 0;
}

sipp_process::sipp_process(std::vector<std::string> args) {
  args.insert(args.begin(), "sipp");
  args.push_back("-nostdin");
  // SIPACTOR_SIPP_TRACE=DIR keeps SIPp's message log of each run in DIR (for diagnosis).
  if (const char* dir = std::getenv("SIPACTOR_SIPP_TRACE")) {
    static int run = 0;
    args.insert(args.end(), {"-trace_msg", "-message_file",
                             std::string(dir) + "/sipp-" + std::to_string(::getpid()) + "-" + std::to_string(++run) + ".log"});
  }
  args.push_back("-mp");
  args.push_back(std::to_string(free_media_ports()));
  for (const auto& a : args) command_ += (command_.empty() ? "" : " ") + a;

  char path[] = "/tmp/sipactor-sipp-XXXXXX";
  int out = ::mkstemp(path);
  if (out < 0) return;
  output_path_ = path;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, out, 2);
  posix_spawn_file_actions_addclose(&actions, out);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (::posix_spawnp(&pid_, "sipp", &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
  ::close(out);
}

sipp_process::~sipp_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (!output_path_.empty()) ::unlink(output_path_.c_str());
}

bool wait_for_child(pid_t& pid, int& exit_code, std::chrono::milliseconds deadline) {
  if (pid <= 0) return false;
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
  return false;
}

bool sipp_process::wait(std::chrono::seconds deadline) { return wait_for_child(pid_, exit_code_, deadline); }

std::string sipp_process::output() const {
  std::ifstream in(output_path_, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

long sipp_process::cumulative(const std::string& label) const {
  // The statistics screen: "  Successful call        |        0                  |        5"
  // (periodic, then cumulative); the last such line is the final screen.
  std::istringstream lines(output());
  std::string line;
  long value = -1;
  while (std::getline(lines, line)) {
    auto at = line.find(label);
    if (at == std::string::npos) continue;
    auto bar = line.rfind('|');
    if (bar == std::string::npos || bar < at) continue;
    value = std::strtol(line.c_str() + bar + 1, nullptr, 10);
  }
  return value;
}

}  // namespace sipactor::test
