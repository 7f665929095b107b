// The real `sipactor proxy` binary as a child process in interop tests: started with a config
// file, its stdout read until it has printed its bound addresses, its log (stderr) kept in a
// file; stopped with a signal and waited for with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sipactor::test {

class proxy_process {
 public:
  // Runs SIPACTOR_BINARY proxy --config `config_file` (plus `extra_args`) and waits up to 20 s for
  // its "listening ..." lines.
  explicit proxy_process(const std::string& config_file, std::vector<std::string> extra_args = {});
  ~proxy_process();  // SIGKILL if it still runs
  proxy_process(const proxy_process&) = delete;
  proxy_process& operator=(const proxy_process&) = delete;

  bool started() const noexcept { return udp_port_ != 0; }
  std::uint16_t udp_port() const noexcept { return udp_port_; }
  std::uint16_t tcp_port() const noexcept { return tcp_port_; }
  std::uint16_t tls_port() const noexcept { return tls_port_; }
  const std::vector<std::string>& listening() const noexcept { return listening_; }

  void signal(int sig);
  // Waits for the exit; false if the deadline passed (the process is then killed).
  bool wait(std::chrono::milliseconds deadline);
  int exit_code() const noexcept { return exit_code_; }
  std::string log() const;  // what it wrote to stderr

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::uint16_t udp_port_ = 0;
  std::uint16_t tcp_port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::vector<std::string> listening_;
  std::string log_path_;
};

// Writes `text` to a new file in a new temporary directory; the path.
std::string write_temp_file(const std::string& dir, const std::string& name, const std::string& text);
std::string make_temp_dir();

// A temporary directory for one proxy (its config, store and log), removed with everything in it.
struct proxy_dir {
  std::string path = make_temp_dir();
  ~proxy_dir();
  // A config in it: UDP and TCP on 127.0.0.1 (free ports), domain 127.0.0.1, a store file in the
  // directory, log level info (unless `extra` sets it); then `extra` lines. The file's path.
  std::string config(const std::string& extra) const;
};

}  // namespace sipactor::test
