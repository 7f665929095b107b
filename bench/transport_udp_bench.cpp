// sipactor_udp_bench (issue 3): inbound UDP rate of the transport layer against a plain recvmmsg
// loop on the same kind of socket.
//
// The program forks a sender process first (before any thread exists), then, for each run, opens
// a receiver in this process and tells the sender to blast the SIPp INVITE at it from ONE source
// socket with sendmmsg for N seconds. Receivers:
//   baseline      one thread, one SO_REUSEPORT socket with a 4 MiB SO_RCVBUF, recvmmsg (32 x 64 KiB
//                 slots, as the transport's readers), counting datagrams and nothing else;
//   sipactor/R    start_transport() with one UDP listen point on 127.0.0.1 and udp_readers = R; a
//                 sink actor counts inbound_message and checks each is a parsed INVITE with a
//                 Call-ID.
// With one source address every datagram hashes to the same SO_REUSEPORT socket, so one reader
// does all the work whatever R is.
//
// CPU is this (receiving) process's getrusage over the run; the sender's CPU is its own.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "bench/transport_bench_util.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor::bench {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// The sender process.

struct blast_command {
  std::uint16_t port = 0;   // 0: quit
  std::uint32_t duration_ms = 0;
  std::uint64_t rate = 0;   // datagrams per second; 0: as fast as possible
  std::uint32_t batch = 64; // datagrams per sendmmsg
};

struct blast_result {
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;  // sendmmsg calls that failed (ENOBUFS, EAGAIN)
  double elapsed = 0;             // seconds
  double cpu = 0;                 // the sender's CPU seconds
};

// Writes `n` as 7 decimal digits at `at` (keeps the message length).
void stamp7(char* at, std::uint64_t n) {
  for (int i = 6; i >= 0; --i) {
    at[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
}

blast_result blast(const std::string& message, const blast_command& cmd) {
  blast_result out;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int sndbuf = 4 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
  sockaddr_in to = local;
  to.sin_port = htons(cmd.port);
  ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);

  // Each datagram gets its own Call-ID and branch (7 digits written over the originals).
  const std::size_t batch = std::max<std::uint32_t>(1, cmd.batch);
  std::vector<std::string> buffers(batch, message);
  std::size_t call_id_at = message.find("Call-ID: ");
  std::size_t branch_at = message.find("branch=z9hG4bK");
  if (call_id_at != std::string::npos) call_id_at += 9;
  if (branch_at != std::string::npos) branch_at += 14;
  if (call_id_at != std::string::npos && message.size() - call_id_at < 7) call_id_at = std::string::npos;
  if (branch_at != std::string::npos && message.size() - branch_at < 7) branch_at = std::string::npos;
  std::vector<iovec> iov(batch);
  std::vector<mmsghdr> headers(batch);
  for (std::size_t i = 0; i < batch; ++i) {
    iov[i].iov_base = buffers[i].data();
    iov[i].iov_len = buffers[i].size();
    std::memset(&headers[i], 0, sizeof headers[i]);
    headers[i].msg_hdr.msg_iov = &iov[i];
    headers[i].msg_hdr.msg_iovlen = 1;
  }

  cpu_times cpu0 = process_cpu();
  auto t0 = steady::now();
  auto end = t0 + std::chrono::milliseconds(cmd.duration_ms);
  std::uint64_t seq = 1;
  for (auto now = t0; now < end; now = steady::now()) {
    for (std::size_t i = 0; i < batch; ++i) {
      if (call_id_at != std::string::npos) stamp7(buffers[i].data() + call_id_at, seq + i);
      if (branch_at != std::string::npos) stamp7(buffers[i].data() + branch_at, seq + i);
    }
    int n = ::sendmmsg(fd, headers.data(), static_cast<unsigned>(batch), 0);
    if (n < 0) {
      ++out.send_errors;
      if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED) break;
      continue;
    }
    out.sent += static_cast<std::uint64_t>(n);
    seq += static_cast<std::uint64_t>(n);
    if (cmd.rate != 0) {
      // Pace: never ahead of rate * elapsed.
      for (;;) {
        double elapsed = std::chrono::duration<double>(steady::now() - t0).count();
        if (static_cast<double>(out.sent) <= static_cast<double>(cmd.rate) * elapsed) break;
        std::this_thread::sleep_for(100us);
      }
    }
  }
  out.elapsed = seconds_since(t0);
  out.cpu = (process_cpu() - cpu0).total();
  ::close(fd);
  return out;
}

// --pin: the sender on the last CPU, the receiving process (all its threads) on the others.
bool pin_to(int first_cpu, int last_cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c = first_cpu; c <= last_cpu; ++c) CPU_SET(c, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

[[noreturn]] void sender_process(int command_fd, int result_fd, const std::string& message, bool pin) {
  if (pin) pin_to(static_cast<int>(std::thread::hardware_concurrency()) - 1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  blast_command cmd;
  while (read_record(command_fd, cmd) && cmd.port != 0) write_record(result_fd, blast(message, cmd));
  ::_exit(0);
}

struct sender_handle {
  pid_t pid = -1;
  int command_fd = -1;
  int result_fd = -1;
};

sender_handle fork_sender(const std::string& message, bool pin) {
  int to_child[2], from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) throw std::runtime_error("pipe");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    sender_process(to_child[0], from_child[1], message, pin);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  return {pid, to_child[1], from_child[0]};
}

// ---------------------------------------------------------------------------------------------
// Per-thread CPU of this process, by thread name (/proc/self/task/*/stat, clock ticks), so a run
// can say which threads used the CPU (reader, CAF workers, multiplexer, main).

std::map<std::string, double> thread_cpu_by_name() {
  std::map<std::string, double> out;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return out;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::string base = std::string("/proc/self/task/") + e->d_name;
    std::string stat = read_file(base + "/stat");
    std::size_t close_paren = stat.rfind(')');
    std::size_t open_paren = stat.find('(');
    if (close_paren == std::string::npos || open_paren == std::string::npos) continue;
    std::string name = stat.substr(open_paren + 1, close_paren - open_paren - 1);
    std::istringstream rest(stat.substr(close_paren + 2));
    std::string field;
    std::uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
      if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    out[name] += static_cast<double>(utime + stime) / tick;
  }
  ::closedir(dir);
  return out;
}

std::string thread_cpu_delta(const std::map<std::string, double>& before, const std::map<std::string, double>& after) {
  std::ostringstream s;
  bool first = true;
  for (const auto& [name, secs] : after) {
    auto it = before.find(name);
    double d = secs - (it == before.end() ? 0.0 : it->second);
    if (d < 0.005) continue;
    // CAF 0.17.6 names its scheduler workers "caf.multiplexer" too (worker.hpp); detached actors
    // (the UDP readers) are "caf.actor".
    s << (first ? "" : ", ") << (name == "caf.multiplexer" ? "caf.multiplexer (workers+I/O)" : name) << " " << std::fixed << std::setprecision(2) << d << " s";
    first = false;
  }
  return first ? "-" : s.str();
}

// ---------------------------------------------------------------------------------------------
// One measured run.

struct run_result {
  std::string name;
  blast_result sender;
  std::uint64_t received = 0;       // counted by the receiver (baseline) / delivered to the sink
  std::uint64_t bad = 0;            // sipactor: delivered but not a parsed INVITE with a Call-ID
  std::uint64_t kernel_drops = 0;   // /proc/net/udp drops of the receiving socket(s)
  cpu_times cpu;                    // receiving process, whole run incl. the drain
  double wall = 0;                  // go .. drained
  std::string threads;              // CPU by thread name
  double load_before = 0;
  // Sent but neither delivered nor dropped by the kernel: lost inside the receiver.
  std::int64_t unaccounted() const {
    return static_cast<std::int64_t>(sender.sent) - static_cast<std::int64_t>(received) -
           static_cast<std::int64_t>(kernel_drops);
  }
  double rate() const { return sender.elapsed > 0 ? static_cast<double>(received) / sender.elapsed : 0; }
  double cpu_ms_per_k() const { return received > 0 ? cpu.total() * 1e3 / (static_cast<double>(received) / 1e3) : 0; }
};

// Waits for the sender's result on a helper thread (blocked in read(), no CPU), so the receive
// loops need no syscall to notice the end.
struct result_waiter {
  std::atomic<bool> done{false};
  blast_result result;
  std::thread thread;
  explicit result_waiter(int fd) : thread([this, fd] {
    read_record(fd, result);
    done.store(true, std::memory_order_release);
  }) {}
  ~result_waiter() {
    if (thread.joinable()) thread.join();
  }
};

run_result run_baseline(const sender_handle& sender, const blast_command& base) {
  run_result r;
  r.name = "baseline (recvmmsg loop)";
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  int rcvbuf = 4 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  timeval tv{0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::uint16_t port = ntohs(addr.sin_port);

  constexpr std::size_t batch = 32, slot = 65536;
  std::vector<char> buffer(batch * slot);
  std::vector<sockaddr_storage> names(batch);
  std::vector<iovec> iov(batch);
  std::vector<mmsghdr> headers(batch);

  std::uint64_t drops0 = udp_socket_drops(port);
  r.load_before = load_average_1min();
  auto threads0 = thread_cpu_by_name();
  cpu_times cpu0 = process_cpu();
  auto t0 = steady::now();
  blast_command cmd = base;
  cmd.port = port;
  write_record(sender.command_fd, cmd);
  {
    result_waiter waiter(sender.result_fd);
    for (;;) {
      for (std::size_t i = 0; i < batch; ++i) {
        iov[i] = {buffer.data() + i * slot, slot};
        std::memset(&headers[i].msg_hdr, 0, sizeof headers[i].msg_hdr);
        headers[i].msg_hdr.msg_iov = &iov[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        headers[i].msg_hdr.msg_name = &names[i];
        headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      }
      int n = ::recvmmsg(fd, headers.data(), batch, MSG_WAITFORONE, nullptr);
      if (n > 0) {
        r.received += static_cast<std::uint64_t>(n);
        continue;
      }
      // A timeout: nothing queued. Done once the sender has finished.
      if (waiter.done.load(std::memory_order_acquire)) break;
    }
    waiter.thread.join();
    r.sender = waiter.result;
  }
  r.cpu = process_cpu() - cpu0;
  r.wall = seconds_since(t0);
  r.threads = thread_cpu_delta(threads0, thread_cpu_by_name());
  r.kernel_drops = udp_socket_drops(port) - drops0;
  ::close(fd);
  return r;
}

struct sink_counters {
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> bad{0};
};

caf::behavior counting_sink(caf::event_based_actor*, std::shared_ptr<sink_counters> counters) {
  return {
      [counters](const transport::inbound_message& in) {
        const bool ok = in.message && in.transport == transport::transport_kind::udp && in.message->is_request() &&
                        in.message->method() == sip_method::invite && !in.message->call_id().empty() &&
                        in.remote.port() != 0;
        if (!ok) counters->bad.fetch_add(1, std::memory_order_relaxed);
        counters->delivered.fetch_add(1, std::memory_order_relaxed);
      },
  };
}

// Extra CAF settings from "--set key=value" (repeatable): an integer, a duration ("50us",
// "10ms") or an atom.
std::vector<std::string> extra_settings(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view(argv[i]) == "--set") out.push_back(argv[++i]);
  return out;
}

void apply_setting(caf::actor_system_config& cfg, const std::string& setting) {
  std::size_t eq = setting.find('=');
  if (eq == std::string::npos) throw std::runtime_error("--set wants key=value: " + setting);
  std::string key = setting.substr(0, eq), value = setting.substr(eq + 1);
  char* end = nullptr;
  long long number = std::strtoll(value.c_str(), &end, 10);
  std::string unit = end != nullptr ? end : "";
  if (!value.empty() && end != value.c_str() && unit.empty()) cfg.set(key, static_cast<int64_t>(number));
  else if (unit == "us") cfg.set(key, caf::timespan(std::chrono::microseconds(number)));
  else if (unit == "ms") cfg.set(key, caf::timespan(std::chrono::milliseconds(number)));
  else cfg.set(key, caf::atom_from_string(value));
}

caf::actor_system_config& caf_config(int max_threads, int max_throughput, const std::string& policy,
                                     const std::vector<std::string>& extra) {
  static caf::actor_system_config cfg;
  static bool made = false;
  if (!made) {
    cfg.load<caf::io::middleman>();
    cfg.set("scheduler.max-threads", max_threads);
    cfg.set("scheduler.max-throughput", max_throughput);
    cfg.set("scheduler.policy", caf::atom_from_string(policy));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    for (const auto& s : extra) apply_setting(cfg, s);
    made = true;
  }
  return cfg;
}

run_result run_sipactor(const sender_handle& sender, const blast_command& base, std::size_t readers,
                        caf::actor_system_config& cfg) {
  run_result r;
  r.name = "sipactor udp_readers=" + std::to_string(readers);
  caf::actor_system sys{cfg};
  auto counters = std::make_shared<sink_counters>();
  caf::actor sink = sys.spawn(counting_sink, counters);
  transport::transport_config config;
  config.listen.push_back({transport::transport_kind::udp, *transport::socket_address::from("127.0.0.1", 0)});
  config.udp_readers = readers;
  transport::transport_layer layer = transport::start_transport(sys, config, sink);
  if (!layer.actor) throw std::runtime_error("start_transport: " + layer.error);
  const std::uint16_t port = layer.listening.front().address.port();
  std::this_thread::sleep_for(200ms);  // readers up, scheduler settled

  std::uint64_t drops0 = udp_socket_drops(port);
  r.load_before = load_average_1min();
  auto threads0 = thread_cpu_by_name();
  cpu_times cpu0 = process_cpu();
  auto t0 = steady::now();
  blast_command cmd = base;
  cmd.port = port;
  write_record(sender.command_fd, cmd);
  if (!read_record(sender.result_fd, r.sender)) throw std::runtime_error("sender died");
  // Drained: the sink's count has not moved for 200 ms (the readers' queues and its mailbox).
  std::uint64_t last = counters->delivered.load();
  for (auto still_since = steady::now(); steady::now() - still_since < 200ms;) {
    std::this_thread::sleep_for(10ms);
    std::uint64_t now = counters->delivered.load();
    if (now != last) {
      last = now;
      still_since = steady::now();
    }
  }
  r.cpu = process_cpu() - cpu0;
  r.wall = seconds_since(t0);
  r.threads = thread_cpu_delta(threads0, thread_cpu_by_name());
  r.kernel_drops = udp_socket_drops(port) - drops0;
  r.received = counters->delivered.load();
  r.bad = counters->bad.load();
  caf::anon_send_exit(layer.actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  return r;
}

void print_run(const run_result& r) {
  std::printf(
      "%-28s sent %9" PRIu64 " (%7.1f k/s)  received %9" PRIu64 " (%7.1f k/s, %5.1f%%)  bad %" PRIu64
      "  kernel drops %9" PRIu64 "  unaccounted %" PRId64 "  CPU %.2f s (user %.2f, sys %.2f) = %.3f ms per 1k  load %.2f\n",
      r.name.c_str(), r.sender.sent, static_cast<double>(r.sender.sent) / r.sender.elapsed / 1e3, r.received,
      r.rate() / 1e3, r.sender.sent ? 100.0 * static_cast<double>(r.received) / static_cast<double>(r.sender.sent) : 0.0,
      r.bad, r.kernel_drops, r.unaccounted(), r.cpu.total(), r.cpu.user, r.cpu.system, r.cpu_ms_per_k(), r.load_before);
  std::printf("%-28s   threads: %s; sender CPU %.2f s in %.2f s\n", "", r.threads.c_str(), r.sender.cpu, r.sender.elapsed);
  std::fflush(stdout);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string find_message(int argc, char** argv) {
  std::string path = option(argc, argv, "message", "");
  if (!path.empty()) return path;
  for (const char* candidate : {SIPACTOR_SHARED_DIR "/bench/sipp-invite.sip", SIPACTOR_SOURCE_DIR "/tests/data/sipp-invite.sip"})
    if (!read_file(candidate).empty()) return candidate;
  return {};
}

}  // namespace
}  // namespace sipactor::bench

int main(int argc, char** argv) {
  using namespace sipactor::bench;
  if (flag(argc, argv, "help")) {
    std::puts(
        "sipactor_udp_bench [--seconds 5] [--repeat 3] [--modes baseline,1,2] [--rate 0] [--batch 64]\n"
        "                   [--message FILE] [--max-threads 2] [--max-throughput 100] [--policy stealing]\n"
        "                   [--pin] [--set caf.key=value ...]   e.g. --set work-stealing.moderate-sleep-duration=200us\n"
        "modes: baseline = plain recvmmsg loop; N = sipactor transport with udp_readers N.\n"
        "--rate R paces the sender at R datagrams/s (0: as fast as it can).\n"
        "--pin puts the sender on the last CPU and this process on the others.");
    return 0;
  }
  const double seconds = std::stod(option(argc, argv, "seconds", "5"));
  const int repeat = std::stoi(option(argc, argv, "repeat", "3"));
  const std::string modes_text = option(argc, argv, "modes", "baseline,1,2");
  const std::uint64_t rate = std::stoull(option(argc, argv, "rate", "0"));
  const std::uint32_t batch = static_cast<std::uint32_t>(std::stoul(option(argc, argv, "batch", "64")));
  const int max_threads = std::stoi(option(argc, argv, "max-threads", "2"));
  const int max_throughput = std::stoi(option(argc, argv, "max-throughput", "100"));
  const std::string policy = option(argc, argv, "policy", "stealing");
  const std::string message_path = find_message(argc, argv);
  const std::string message = read_file(message_path);
  if (message.empty()) {
    std::fprintf(stderr, "no message to send (--message FILE)\n");
    return 2;
  }
  std::vector<std::string> modes;
  for (std::size_t start = 0; start <= modes_text.size();) {
    std::size_t comma = modes_text.find(',', start);
    if (comma == std::string::npos) comma = modes_text.size();
    if (comma > start) modes.push_back(modes_text.substr(start, comma - start));
    start = comma + 1;
  }

  // The sender is forked before CAF starts any thread.
  const bool pin = flag(argc, argv, "pin") && std::thread::hardware_concurrency() >= 2;
  sender_handle sender = fork_sender(message, pin);
  if (pin) pin_to(0, static_cast<int>(std::thread::hardware_concurrency()) - 2);

  std::printf("sipactor_udp_bench: message %s (%zu bytes), %.1f s per run, %d repetition(s), sender rate %s, "
              "sendmmsg batch %u, one source socket, sender in its own process (pid %d)\n",
              message_path.c_str(), message.size(), seconds, repeat,
              rate ? (std::to_string(rate) + "/s").c_str() : "unlimited", batch, static_cast<int>(sender.pid));
  if (pin)
    std::printf("pinned: sender on CPU %u, this process (receiver, all threads) on CPU 0..%u\n",
                std::thread::hardware_concurrency() - 1, std::thread::hardware_concurrency() - 2);
  std::printf("CAF: scheduler.max-threads=%d scheduler.max-throughput=%d scheduler.policy=%s; cores %u\n\n", max_threads,
              max_throughput, policy.c_str(), std::thread::hardware_concurrency());
  std::fflush(stdout);

  const std::vector<std::string> extra = extra_settings(argc, argv);
  for (const auto& e : extra) std::printf("CAF: %s\n", e.c_str());
  auto& cfg = caf_config(max_threads, max_throughput, policy, extra);
  blast_command base;
  base.duration_ms = static_cast<std::uint32_t>(seconds * 1000);
  base.rate = rate;
  base.batch = batch;

  std::map<std::string, std::vector<run_result>> results;
  std::vector<std::string> order;
  for (int rep = 0; rep < repeat; ++rep) {
    for (const std::string& mode : modes) {
      run_result r = mode == "baseline" ? run_baseline(sender, base)
                                        : run_sipactor(sender, base, std::stoul(mode), cfg);
      print_run(r);
      if (results.find(r.name) == results.end()) order.push_back(r.name);
      results[r.name].push_back(r);
      std::this_thread::sleep_for(500ms);
    }
  }
  write_record(sender.command_fd, blast_command{});
  ::waitpid(sender.pid, nullptr, 0);

  // Medians, and sipactor against the baseline.
  std::printf("\nmedians over %d run(s):\n", repeat);
  std::printf("%-28s %12s %12s %12s %10s %14s %10s\n", "receiver", "sent k/s", "recv k/s", "recv/sent", "bad",
              "CPU ms per 1k", "drops");
  double baseline_rate = 0;
  for (const auto& name : order) {
    std::vector<double> sent_rate, recv_rate, share, cpu, drops;
    std::uint64_t bad = 0;
    for (const auto& r : results[name]) {
      sent_rate.push_back(static_cast<double>(r.sender.sent) / r.sender.elapsed / 1e3);
      recv_rate.push_back(r.rate() / 1e3);
      share.push_back(r.sender.sent ? 100.0 * static_cast<double>(r.received) / static_cast<double>(r.sender.sent) : 0);
      cpu.push_back(r.cpu_ms_per_k());
      drops.push_back(static_cast<double>(r.kernel_drops));
      bad += r.bad;
    }
    std::printf("%-28s %12.1f %12.1f %11.1f%% %10" PRIu64 " %14.3f %10.0f\n", name.c_str(), median(sent_rate),
                median(recv_rate), median(share), bad, median(cpu), median(drops));
    std::printf("RESULT receiver=\"%s\" sent_kps=%.1f recv_kps=%.1f recv_share=%.1f bad=%" PRIu64
                " cpu_ms_per_k=%.3f drops=%.0f\n",
                name.c_str(), median(sent_rate), median(recv_rate), median(share), bad, median(cpu), median(drops));
    if (name.rfind("baseline", 0) == 0) baseline_rate = median(recv_rate);
  }
  if (baseline_rate > 0) {
    for (const auto& name : order) {
      if (name.rfind("sipactor", 0) != 0) continue;
      std::vector<double> recv_rate;
      std::uint64_t bad = 0;
      for (const auto& r : results[name]) {
        recv_rate.push_back(r.rate() / 1e3);
        bad += r.bad;
      }
      double ratio = median(recv_rate) / baseline_rate;
      std::printf("%s: %.1f%% of the baseline rate; target >= 80%% with every datagram parsed: %s\n", name.c_str(),
                  100 * ratio, ratio >= 0.8 && bad == 0 ? "MET" : "NOT MET");
    }
  }
  return 0;
}
