// SIPp (Debian `sip-tester`) as a peer in interop tests: started as a child process on
// loopback with its stdin closed and its screen written to a file, waited for with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sipactor::test {

// A UDP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
std::uint16_t free_udp_port();
// The same for a TCP (or TLS) listener.
std::uint16_t free_tcp_port();
// The first of four consecutive free UDP ports: SIPp binds media sockets at -mp and -mp + 2.
std::uint16_t free_media_ports();

// Waits for child `pid` to exit within `deadline`, else kills it; sets `pid` to -1 and
// `exit_code` (128 + signal for a signalled child). false if the deadline passed.
bool wait_for_child(pid_t& pid, int& exit_code, std::chrono::milliseconds deadline);

class sipp_process {
 public:
  // Starts `sipp` with `args` (e.g. {"-sn", "uac", "127.0.0.1:5060", ...}); "-nostdin" and a free
  // "-mp" are added. The process's output goes to a temporary file.
  explicit sipp_process(std::vector<std::string> args);
  ~sipp_process();  // kills the process if it still runs
  sipp_process(const sipp_process&) = delete;
  sipp_process& operator=(const sipp_process&) = delete;

  bool started() const noexcept { return pid_ > 0; }
  // Waits for the exit; false if the deadline passed (the process is then killed).
  bool wait(std::chrono::seconds deadline);
  int exit_code() const noexcept { return exit_code_; }
  // What SIPp printed (its final statistics screen).
  std::string output() const;
  // The cumulative figure of a statistics line such as "Successful call" or "Failed call"; -1 if
  // it is not in the output.
  long cumulative(const std::string& label) const;
  // The command line, for test diagnostics.
  const std::string& command() const noexcept { return command_; }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string output_path_;
  std::string command_;
};

}  // namespace sipactor::test
