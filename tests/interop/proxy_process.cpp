#include "tests/interop/proxy_process.hpp"
#include "tests/interop/sipp_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

extern char** environ;

namespace sipactor::test {

namespace {

// "listening udp 127.0.0.1:5060" -> 5060 for udp.
std::uint16_t port_of(const std::string& line, const std::string& transport) {
  std::string prefix = "listening " + transport + " ";
  if (line.rfind(prefix, 0) != 0) return 0;
  auto colon = line.rfind(':');
  return colon == std::string::npos ? 0 : static_cast<std::uint16_t>(std::atoi(line.c_str() + colon + 1));
}

}  // namespace

std::string make_temp_dir() {
  char pattern[] = "/tmp/sipactor-proxy-XXXXXX";
  return ::mkdtemp(pattern) != nullptr ? std::string(pattern) : std::string();
}

std::string write_temp_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

proxy_dir::~proxy_dir() { std::system(("rm -rf '" + path + "'").c_str()); }

std::string proxy_dir::config(const std::string& extra) const {
  return write_temp_file(path, "sipactor.conf",
                         "listen = udp 127.0.0.1:0\n"
                         "listen = tcp 127.0.0.1:0\n"
                         "domain = 127.0.0.1\n"
                         "store = registrations.db\n" +
                             std::string(extra.find("log.level") == std::string::npos ? "log.level = info\n" : "") +
                             extra);
}

proxy_process::proxy_process(const std::string& config_file, std::vector<std::string> extra_args) {
  std::vector<std::string> args{SIPACTOR_BINARY, "proxy", "--config", config_file};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  log_path_ = config_file + ".log";
  int out[2];
  if (::pipe(out) != 0) return;
  int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, log, 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(log);
  // Read the "listening" lines; the last one is followed by no more output until shutdown, so
  // stop at the first quiet 300 ms after a udp line.
  std::string buffer;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (pid_ > 0 && std::chrono::steady_clock::now() < until) {
    pollfd p{out[0], POLLIN, 0};
    int ready = ::poll(&p, 1, udp_port_ != 0 ? 300 : 100);
    if (ready == 0 && udp_port_ != 0) break;
    if (ready <= 0) continue;
    char chunk[512];
    ssize_t n = ::read(out[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t eol;
    while ((eol = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, eol);
      buffer.erase(0, eol + 1);
      listening_.push_back(line);
      if (auto p = port_of(line, "udp"); p != 0 && udp_port_ == 0) udp_port_ = p;
      if (auto p = port_of(line, "tcp"); p != 0 && tcp_port_ == 0) tcp_port_ = p;
      if (auto p = port_of(line, "tls"); p != 0 && tls_port_ == 0) tls_port_ = p;
    }
  }
  ::close(out[0]);  // later writes to stdout fail with EPIPE, which the proxy does not make
}

proxy_process::~proxy_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void proxy_process::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool proxy_process::wait(std::chrono::milliseconds deadline) { return wait_for_child(pid_, exit_code_, deadline); }

std::string proxy_process::log() const {
  std::ifstream in(log_path_, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace sipactor::test
