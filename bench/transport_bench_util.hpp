// Small helpers shared by the transport benchmarks (issue 3): process CPU time and memory, pipes
// between the measuring process and its helper process, kernel UDP drop counters, and the CAF
// configuration every benchmark uses. Header-only, no CAF actors here.
#pragma once

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sipactor::bench {

using steady = std::chrono::steady_clock;

inline double seconds_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

// CPU seconds (user + system) used so far by this process, all threads.
struct cpu_times {
  double user = 0, system = 0;
  double total() const { return user + system; }
};
inline cpu_times process_cpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return {sec(u.ru_utime), sec(u.ru_stime)};
}
inline cpu_times operator-(const cpu_times& a, const cpu_times& b) { return {a.user - b.user, a.system - b.system}; }

// This process's memory: resident set (from /proc/self/statm) and malloc's view (mallinfo2
// sums all arenas).
struct memory_sample {
  std::uint64_t rss_bytes = 0;
  std::uint64_t heap_in_use = 0;  // uordblks: bytes in allocated chunks (arenas)
  std::uint64_t heap_mmapped = 0; // hblkhd: bytes in blocks malloc mmapped on its own (large ones)
  std::uint64_t heap_arena = 0;   // arena: bytes the arenas took from the OS
};
inline memory_sample sample_memory() {
  memory_sample m;
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  m.rss_bytes = resident_pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  struct mallinfo2 mi = mallinfo2();
  m.heap_in_use = mi.uordblks;
  m.heap_mmapped = mi.hblkhd;
  m.heap_arena = mi.arena;
  return m;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Kernel drop counters of every UDP socket bound to `port` (IPv4, /proc/net/udp "drops" column):
// datagrams that arrived while the socket's receive buffer was full.
inline std::uint64_t udp_socket_drops(std::uint16_t port) {
  std::ifstream in("/proc/net/udp");
  std::string line;
  std::getline(in, line);  // header
  std::uint64_t drops = 0;
  char hex_port[8];
  std::snprintf(hex_port, sizeof hex_port, "%04X", static_cast<unsigned>(port));
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local;
    fields >> slot >> local;
    if (local.size() < 5 || local.substr(local.size() - 4) != hex_port) continue;
    std::string last;
    for (std::string f; fields >> f;) last = f;
    drops += std::strtoull(last.c_str(), nullptr, 10);
  }
  return drops;
}

// System-wide UDP counters (/proc/net/snmp "Udp:" line): InDatagrams, RcvbufErrors.
struct udp_snmp {
  std::uint64_t in_datagrams = 0, rcvbuf_errors = 0;
};
inline udp_snmp read_udp_snmp() {
  std::ifstream in("/proc/net/snmp");
  std::string names, values, line;
  while (std::getline(in, line)) {
    if (line.rfind("Udp:", 0) != 0) continue;
    if (names.empty()) names = line;
    else {
      values = line;
      break;
    }
  }
  std::istringstream n(names), v(values);
  udp_snmp out;
  for (std::string name, value; n >> name && v >> value;) {
    if (name == "InDatagrams") out.in_datagrams = std::strtoull(value.c_str(), nullptr, 10);
    if (name == "RcvbufErrors") out.rcvbuf_errors = std::strtoull(value.c_str(), nullptr, 10);
  }
  return out;
}

// Fixed-size records over a pipe between the measuring process and its helper.
template <class T>
void write_record(int fd, const T& record) {
  const char* p = reinterpret_cast<const char*>(&record);
  std::size_t left = sizeof record;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("pipe write failed");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}
// False at end of file (the other side exited).
template <class T>
bool read_record(int fd, T& record) {
  char* p = reinterpret_cast<char*>(&record);
  std::size_t left = sizeof record;
  while (left > 0) {
    ssize_t n = ::read(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

// Raises RLIMIT_NOFILE to `wanted` (capped by the hard limit); returns the soft limit now in force.
inline rlim_t raise_fd_limit(rlim_t wanted) {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  rlim_t target = wanted;
  if (r.rlim_max != RLIM_INFINITY && target > r.rlim_max) target = r.rlim_max;
  if (r.rlim_cur < target) {
    r.rlim_cur = target;
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
  }
  return r.rlim_cur;
}

inline double load_average_1min() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

// Value of "--name=value" or "--name value" in argv, or the fallback.
inline std::string option(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.substr(0, 2) != "--" || a.substr(2, name.size()) != name) continue;
    std::string_view rest = a.substr(2 + name.size());
    if (rest.empty() && i + 1 < argc) return argv[i + 1];
    if (!rest.empty() && rest[0] == '=') return std::string(rest.substr(1));
  }
  return fallback;
}
inline bool flag(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]).substr(0, 2) == "--" && std::string_view(argv[i]).substr(2) == name) return true;
  return false;
}

}  // namespace sipactor::bench
