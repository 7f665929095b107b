// Timer strategy benchmark (issue: "CAF 0.17 timers cannot be cancelled and keep a finished actor
// alive until they fire"). Simulates the timer load of non-INVITE client transactions (RFC 3261
// §17.1.2.2, Figure 6) at a fixed rate and measures CPU and memory of two strategies:
//
//  delayed  What actors/transaction_timers.hpp does today: every timer is a delayed_send to self
//           tagged with a generation; a stale one is recognised by its generation and ignored.
//           CAF 0.17 cannot cancel a delayed message, and a pending one holds a strong reference
//           to its receiver, so a terminated transaction's actor object stays in memory until its
//           last timer has fired. The Timer F guard is therefore sent in steps of at most
//           --guard-step-ms (2 s in the project; 0 = one 32 s message, the naive way).
//  service  S shard actors (S = --threads), each owning a hashed timing wheel with 10 ms ticks,
//           driven by one periodic delayed message to itself. Transactions register
//           (generation, kind, deadline) with their shard and cancel by generation; the shard
//           sends the same (timer atom, generation) message when an entry is due. Cancelling
//           drops the shard's handle at once, so nothing holds a terminated transaction.
//
// Both strategies run the same transaction: Timer E (T1 = 500 ms, doubling, capped at T2 = 4 s,
// unreliable transports only), Timer F (64*T1 = 32 s), the final response after --response-ms
// (a delayed message to self, identical in both strategies), then Timer K (T4 = 5 s for UDP,
// --k-ms 0 models TCP: terminate at once, and no Timer E either, as §17.1.2.2 arms E only for
// unreliable transports).
//
// Measured: process CPU (getrusage) and the CAF clock thread's CPU (/proc/self/task/*, the
// thread named "caf.clock"), heap in use (mallinfo2: uordblks + hblkhd) and RSS sampled every
// 100 ms, live transactions (started, not terminated), lingering ones (terminated, actor object
// not yet destroyed: counted with a destructor counter on the actor class; the state itself is
// destroyed at quit() by stateful_actor::on_exit), and whether the driver kept up with the rate.
//
// One strategy per process run: the allocator state and the clock thread are then not shared.
#include <caf/all.hpp>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using namespace std::chrono;
using clock_type = steady_clock;

using timer_e_atom = caf::atom_constant<caf::atom("timerE")>;
using timer_f_atom = caf::atom_constant<caf::atom("timerF")>;
using timer_k_atom = caf::atom_constant<caf::atom("timerK")>;
using response_atom = caf::atom_constant<caf::atom("response")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;

// --- options ---------------------------------------------------------------------------------

enum class strategy { delayed, service };

struct options {
  strategy strat = strategy::delayed;
  int threads = 2;
  int rate = 20000;         // transactions per second
  double seconds = 10;      // driving period
  int response_ms = 20;     // final response arrives after this (before Timer E fires)
  int k_ms = 5000;          // Timer K: T4 = 5 s over UDP, 0 over TCP
  int guard_step_ms = 2000; // delayed strategy: F sent in steps of at most this (0: one message)
  int t1_ms = 500, t2_ms = 4000;
  double drain_seconds = 8; // after driving: wait at most this for every actor object to go
  int payload_bytes = 0;    // heap bytes in the state, standing for the request (freed at quit)
  std::string series;       // optional CSV of the 100 ms samples
};

options opt;  // written once in main before the actor system starts, then read only

// --- counters (relaxed atomics: read by the sampler thread) -----------------------------------

std::atomic<std::int64_t> n_started{0};      // transactions spawned
std::atomic<std::int64_t> n_terminated{0};   // transactions that called quit()
std::atomic<std::int64_t> n_states{0};       // transaction states alive
std::atomic<std::int64_t> n_objects{0};      // transaction actor objects alive
std::atomic<std::int64_t> n_retransmits{0};  // Timer E fired while armed
std::atomic<std::int64_t> n_stale{0};        // timer messages ignored by generation
std::atomic<std::int64_t> n_k_fired{0};
std::atomic<std::int64_t> k_late_sum_us{0};  // Timer K lateness (fire time - deadline)
std::atomic<std::int64_t> k_late_max_us{0};
std::atomic<std::int64_t> max_spawn_lag{0};  // transactions the driver was behind the rate
std::atomic<bool> driving_done{false};

void atomic_max(std::atomic<std::int64_t>& x, std::int64_t v) {
  auto cur = x.load(std::memory_order_relaxed);
  while (v > cur && !x.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

std::vector<caf::actor> shards;  // service strategy: filled before the driver starts

// --- the timer service shard: a hashed timing wheel ------------------------------------------

// Hashed timing wheel (Varghese & Lauck): 4096 slots of 10 ms = 40.96 s, longer than the longest
// timer here (F = 32 s), so an entry normally fires on the first pass over its slot; a later
// deadline stays in its slot for another round. Entries live in a pool (free list, no per-timer
// allocation once warm) and form a doubly linked list per slot, so cancel is O(1): a hash map
// from (actor id, generation) to the pool index finds the entry, which is unlinked and its actor
// handle released at once (what makes cancellation free the transaction).
constexpr milliseconds wheel_tick{10};
constexpr std::uint32_t wheel_slots = 4096;
constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

enum timer_kind : std::uint8_t { kind_e = 0, kind_f = 1, kind_k = 2 };

struct wheel_entry {
  caf::actor target;
  std::uint64_t key = 0;
  std::int64_t due_tick = 0;
  std::uint32_t generation = 0;
  std::uint32_t prev = npos, next = npos;
  timer_kind kind = kind_e;
};

struct timer_wheel {
  std::vector<wheel_entry> pool;
  std::vector<std::uint32_t> free_list;
  std::vector<std::uint32_t> heads = std::vector<std::uint32_t>(wheel_slots, npos);
  std::unordered_map<std::uint64_t, std::uint32_t> index;
  std::int64_t current = 0;  // last processed tick

  void link(std::uint32_t i) {
    auto& e = pool[i];
    auto& head = heads[static_cast<std::uint64_t>(e.due_tick) % wheel_slots];
    e.prev = npos;
    e.next = head;
    if (head != npos) pool[head].prev = i;
    head = i;
  }

  void unlink(std::uint32_t i) {
    auto& e = pool[i];
    if (e.prev != npos) pool[e.prev].next = e.next;
    else heads[static_cast<std::uint64_t>(e.due_tick) % wheel_slots] = e.next;
    if (e.next != npos) pool[e.next].prev = e.prev;
  }

  void release(std::uint32_t i) {
    pool[i].target = nullptr;  // drop the strong reference now
    free_list.push_back(i);
  }

  void add(caf::actor target, std::uint64_t key, std::int64_t due_tick, std::uint32_t generation,
           timer_kind kind) {
    std::uint32_t i;
    if (!free_list.empty()) {
      i = free_list.back();
      free_list.pop_back();
    } else {
      i = static_cast<std::uint32_t>(pool.size());
      pool.emplace_back();
    }
    auto& e = pool[i];
    e.target = std::move(target);
    e.key = key;
    e.due_tick = std::max(due_tick, current + 1);  // never into a slot already passed
    e.generation = generation;
    e.kind = kind;
    link(i);
    index[key] = i;
  }

  void cancel(std::uint64_t key) {
    auto it = index.find(key);
    if (it == index.end()) return;  // already fired: the transaction ignores it by generation
    unlink(it->second);
    release(it->second);
    index.erase(it);
  }

  template <class Fire>
  void advance(std::int64_t to_tick, Fire&& fire) {
    for (; current < to_tick;) {
      ++current;
      auto i = heads[static_cast<std::uint64_t>(current) % wheel_slots];
      while (i != npos) {
        auto next = pool[i].next;
        if (pool[i].due_tick <= current) {
          unlink(i);
          index.erase(pool[i].key);
          fire(pool[i]);
          release(i);
        }
        i = next;
      }
    }
  }
};

clock_type::time_point wheel_epoch;  // tick 0 of every shard

std::int64_t tick_of(clock_type::time_point t, bool round_up) {
  auto d = duration_cast<nanoseconds>(t - wheel_epoch).count();
  auto w = duration_cast<nanoseconds>(wheel_tick).count();
  return round_up ? (d + w - 1) / w : d / w;
}

struct shard_state {
  timer_wheel wheel;
  static inline const char* name = "timer-shard";
};

std::uint64_t key_of(caf::actor_id id, std::uint32_t generation) {
  // A transaction arms fewer than 256 timers here (at most ~20 with a late response).
  return (static_cast<std::uint64_t>(id) << 8) | (generation & 0xffu);
}

caf::behavior timer_shard(caf::stateful_actor<shard_state>* self, int /*index*/) {
  // ONE periodic delayed message per shard: the clock thread sees 100 timers/s per shard,
  // whatever the transaction rate.
  self->state.wheel.current = tick_of(clock_type::now(), false);
  self->delayed_send(self, wheel_tick, tick_atom::value);
  return {
    [=](register_atom, std::uint32_t generation, std::uint8_t kind, std::int64_t deadline_ns) {
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      auto due = tick_of(clock_type::time_point{nanoseconds{deadline_ns}}, true);
      self->state.wheel.add(std::move(sender), key_of(sender.id(), generation), due, generation,
                            static_cast<timer_kind>(kind));
    },
    [=](cancel_atom, std::uint32_t generation) {
      self->state.wheel.cancel(key_of(self->current_sender()->id(), generation));
    },
    [=](tick_atom) {
      // Catch up on every tick that passed (a late tick fires everything due in between).
      self->state.wheel.advance(tick_of(clock_type::now(), false), [&](wheel_entry& e) {
        switch (e.kind) {
          case kind_e: self->send(e.target, timer_e_atom::value, e.generation); break;
          case kind_f: self->send(e.target, timer_f_atom::value, e.generation); break;
          case kind_k: self->send(e.target, timer_k_atom::value, e.generation); break;
        }
      });
      self->delayed_send(self, wheel_tick, tick_atom::value);
    },
  };
}

// --- the transaction ---------------------------------------------------------------------------

using timer_slot = std::uint32_t;  // generation of the armed instance; 0: not armed

struct txn_state {
  std::uint32_t timer_generation = 0;
  timer_slot e = 0, f = 0, k = 0;
  clock_type::time_point f_deadline{}, k_deadline{};
  milliseconds interval_e{0};
  std::vector<char> request;  // --payload-bytes: stands for the request message
  txn_state() { n_states.fetch_add(1, std::memory_order_relaxed); }
  ~txn_state() { n_states.fetch_sub(1, std::memory_order_relaxed); }
  static inline const char* name = "bench-nict";
};

// Class-based so that its destructor counts actor objects: CAF 0.17 destroys the state at quit()
// (stateful_actor::on_exit) but the object only when the last strong reference goes, and a
// pending delayed message is one.
class txn_actor : public caf::stateful_actor<txn_state> {
public:
  using super = caf::stateful_actor<txn_state>;

  explicit txn_actor(caf::actor_config& cfg) : super(cfg) {
    n_objects.fetch_add(1, std::memory_order_relaxed);
  }
  ~txn_actor() override { n_objects.fetch_sub(1, std::memory_order_relaxed); }

  caf::behavior make_behavior() override;

private:
  bool delayed() const { return opt.strat == strategy::delayed; }
  const caf::actor& shard() { return shards[id() % shards.size()]; }

  // Arms a timer: a delayed message to self (delayed) or an entry in the shard (service).
  template <class Atom>
  void arm(timer_slot& slot, timer_kind kind, milliseconds delay) {
    slot = ++state.timer_generation;
    if (delayed()) {
      delayed_send(this, delay, Atom::value, slot);
    } else {
      auto deadline = duration_cast<nanoseconds>((clock_type::now() + delay).time_since_epoch());
      send(shard(), register_atom::value, slot, static_cast<std::uint8_t>(kind),
           static_cast<std::int64_t>(deadline.count()));
    }
  }

  // Cancels a timer: clears the slot; the service also drops its entry (and its handle to us).
  void cancel(timer_slot& slot) {
    if (slot != 0 && !delayed()) send(shard(), cancel_atom::value, slot);
    slot = 0;
  }

  // Timer F, as actors/transaction_timers.hpp's guard_timer: in the delayed strategy it is sent
  // in steps of at most guard_step so that a cancelled guard holds the actor for one step only.
  void send_f_step() {
    auto left = state.f_deadline - clock_type::now();
    milliseconds step{opt.guard_step_ms};
    if (step.count() > 0 && left > step) left = step;
    delayed_send(this, duration_cast<nanoseconds>(left), timer_f_atom::value, state.f);
  }

  void terminated() {
    n_terminated.fetch_add(1, std::memory_order_relaxed);
    quit();
  }

  // §17.1.2.2: a final response in Trying/Proceeding: pass it up (not modelled), cancel E and F,
  // then Completed with Timer K = T4 over unreliable transports, or Terminated at once (K = 0).
  void on_final_response() {
    cancel(state.e);
    cancel(state.f);
    state.request.clear();
    state.request.shrink_to_fit();
    if (opt.k_ms == 0) return terminated();
    state.k_deadline = clock_type::now() + milliseconds{opt.k_ms};
    arm<timer_k_atom>(state.k, kind_k, milliseconds{opt.k_ms});
  }
};

caf::behavior txn_actor::make_behavior() {
  n_started.fetch_add(1, std::memory_order_relaxed);
  if (opt.payload_bytes > 0) state.request.assign(static_cast<std::size_t>(opt.payload_bytes), 'x');
  // §17.1.2.2: "When entering this state, the client transaction SHOULD set timer F to fire in
  // 64*T1 seconds. [...] If an unreliable transport is in use, the client transaction MUST set
  // timer E to fire in T1 seconds."
  state.f_deadline = clock_type::now() + 64 * milliseconds{opt.t1_ms};
  if (delayed()) {
    state.f = ++state.timer_generation;
    send_f_step();
  } else {
    arm<timer_f_atom>(state.f, kind_f, 64 * milliseconds{opt.t1_ms});
  }
  if (opt.k_ms > 0) {  // K > 0 models UDP: unreliable, so Timer E
    state.interval_e = milliseconds{opt.t1_ms};
    arm<timer_e_atom>(state.e, kind_e, state.interval_e);
  }
  // The final response: a delayed message to self in both strategies (same cost for both).
  delayed_send(this, milliseconds{opt.response_ms}, response_atom::value);
  return {
    [=](timer_e_atom, std::uint32_t generation) {
      if (state.e == 0 || state.e != generation) {
        n_stale.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      // "If timer E fires while still in this state, the timer is reset, but this time with a
      // value of MIN(2*T1, T2)." (the retransmission itself is not modelled)
      n_retransmits.fetch_add(1, std::memory_order_relaxed);
      state.interval_e = std::min(2 * state.interval_e, milliseconds{opt.t2_ms});
      arm<timer_e_atom>(state.e, kind_e, state.interval_e);
    },
    [=](timer_f_atom, std::uint32_t generation) {
      if (state.f == 0 || state.f != generation) {
        n_stale.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      if (delayed() && clock_type::now() < state.f_deadline) return send_f_step();
      // "If Timer F fires while the client transaction is still in the Trying state, the client
      // transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the
      // Terminated state."
      state.f = 0;
      cancel(state.e);
      terminated();
    },
    [=](response_atom) {
      if (state.f != 0) on_final_response();  // not if F already timed the transaction out
    },
    [=](timer_k_atom, std::uint32_t generation) {
      if (state.k == 0 || state.k != generation) {
        n_stale.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      state.k = 0;
      auto late = duration_cast<microseconds>(clock_type::now() - state.k_deadline).count();
      n_k_fired.fetch_add(1, std::memory_order_relaxed);
      k_late_sum_us.fetch_add(late, std::memory_order_relaxed);
      atomic_max(k_late_max_us, late);
      // "If Timer K fires while in this state, the client transaction MUST transition to the
      // Terminated state."
      terminated();
    },
  };
}

// --- the driver: a paced spawn loop -------------------------------------------------------------

struct driver_state {
  clock_type::time_point start{};
  std::int64_t spawned = 0;
  static inline const char* name = "bench-driver";
};

// Every millisecond, spawns as many transactions as the rate asks for up to now.
caf::behavior driver(caf::stateful_actor<driver_state>* self, std::int64_t total) {
  self->state.start = clock_type::now();
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      auto& st = self->state;
      auto elapsed = duration<double>(clock_type::now() - st.start).count();
      auto target = std::min<std::int64_t>(total, static_cast<std::int64_t>(elapsed * opt.rate));
      atomic_max(max_spawn_lag, target - st.spawned);
      for (; st.spawned < target; ++st.spawned) self->spawn<txn_actor>();
      if (st.spawned >= total) {
        driving_done = true;
        self->quit();
        return;
      }
      self->delayed_send(self, milliseconds{1}, tick_atom::value);
    },
  };
}

// --- measurement --------------------------------------------------------------------------------

double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

// CPU of one thread in seconds: schedstat's first field (ns on CPU), else stat's utime+stime.
double thread_cpu_seconds(const std::string& tid) {
  auto sched = read_line("/proc/self/task/" + tid + "/schedstat");
  if (!sched.empty()) return std::strtod(sched.c_str(), nullptr) / 1e9;
  auto stat = read_line("/proc/self/task/" + tid + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  // Fields after ")": state(3) ... utime(14) stime(15).
  std::vector<std::string> f;
  std::size_t pos = close + 2;
  while (pos < stat.size()) {
    auto sp = stat.find(' ', pos);
    f.push_back(stat.substr(pos, sp - pos));
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  if (f.size() < 13) return 0;
  return (std::strtod(f[11].c_str(), nullptr) + std::strtod(f[12].c_str(), nullptr)) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct thread_info {
  std::string tid, name;
};

std::vector<thread_info> list_threads() {
  std::vector<thread_info> out;
  if (DIR* d = opendir("/proc/self/task")) {
    while (auto* ent = readdir(d)) {
      if (ent->d_name[0] == '.') continue;
      std::string tid = ent->d_name;
      out.push_back({tid, read_line("/proc/self/task/" + tid + "/comm")});
    }
    closedir(d);
  }
  return out;
}

std::int64_t heap_in_use() {
  // All arenas (glibc sums them); hblkhd: chunks served by mmap (large vectors, hash tables).
  auto mi = mallinfo2();
  return static_cast<std::int64_t>(mi.uordblks + mi.hblkhd);
}

std::int64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

struct sample {
  double t, cpu, clock_cpu;
  std::int64_t heap, rss, started, terminated, states, objects;
  std::size_t running;
};

bool parse_args(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--strategy") {
      auto v = value();
      if (v == "delayed") opt.strat = strategy::delayed;
      else if (v == "service") opt.strat = strategy::service;
      else return false;
    } else if (a == "--threads") opt.threads = std::stoi(value());
    else if (a == "--rate") opt.rate = std::stoi(value());
    else if (a == "--seconds") opt.seconds = std::stod(value());
    else if (a == "--response-ms") opt.response_ms = std::stoi(value());
    else if (a == "--k-ms") opt.k_ms = std::stoi(value());
    else if (a == "--guard-step-ms") opt.guard_step_ms = std::stoi(value());
    else if (a == "--drain-seconds") opt.drain_seconds = std::stod(value());
    else if (a == "--payload-bytes") opt.payload_bytes = std::stoi(value());
    else if (a == "--series") opt.series = value();
    else return false;
  }
  return opt.threads > 0 && opt.rate > 0 && opt.seconds > 0 && opt.response_ms >= 0 &&
         opt.k_ms >= 0 && opt.guard_step_ms >= 0;
}

double mean_of(const std::vector<sample>& s, double from, double to,
               double (*get)(const sample&)) {
  double sum = 0;
  int n = 0;
  for (auto& x : s)
    if (x.t >= from && x.t <= to) sum += get(x), ++n;
  return n ? sum / n : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!parse_args(argc, argv)) {
    std::fprintf(stderr,
                 "usage: %s [--strategy delayed|service] [--threads N] [--rate R/s] [--seconds D]\n"
                 "  [--response-ms 20] [--k-ms 5000 (0 = TCP)] [--guard-step-ms 2000 (0 = one 32 s message)]\n"
                 "  [--drain-seconds 8] [--payload-bytes 0] [--series file.csv]\n",
                 argv[0]);
    return 2;
  }
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(opt.threads));
  cfg.set("scheduler.max-throughput", static_cast<std::size_t>(100));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("logger.console", caf::atom("none"));
  caf::actor_system sys{cfg};

  wheel_epoch = clock_type::now();
  if (opt.strat == strategy::service)
    for (int i = 0; i < opt.threads; ++i) shards.push_back(sys.spawn(timer_shard, i));

  // Find the clock thread ("caf.clock"; the workers are all named "caf.multiplexer" in 0.17).
  std::this_thread::sleep_for(milliseconds{200});
  std::string clock_tid;
  for (auto& th : list_threads())
    if (th.name == "caf.clock") clock_tid = th.tid;
  auto clock_cpu = [&] { return clock_tid.empty() ? 0.0 : thread_cpu_seconds(clock_tid); };
  // The sampler (this thread) is left out of the process CPU: mallinfo2 walks every arena's
  // free lists, which costs milliseconds per call once the heap is fragmented.
  const std::string main_tid = std::to_string(getpid());
  auto work_cpu = [&] { return process_cpu_seconds() - thread_cpu_seconds(main_tid); };

  // Idle baseline (1 s): what the process burns with no transactions (worker polling, ticks).
  auto heap0 = heap_in_use();
  auto rss0 = rss_bytes();
  auto cpu_idle0 = work_cpu();
  std::this_thread::sleep_for(seconds{1});
  auto idle_cpu_per_s = work_cpu() - cpu_idle0;
  heap0 = heap_in_use();
  rss0 = rss_bytes();

  auto total = static_cast<std::int64_t>(opt.rate * opt.seconds);
  auto fixed_running = sys.registry().running();
  auto cpu0 = work_cpu();
  auto ccpu0 = clock_cpu();
  auto t0 = clock_type::now();
  auto drv = sys.spawn(driver, total);

  std::vector<sample> samples;
  double t_driven = -1, t_drained = -1;
  for (;;) {
    std::this_thread::sleep_for(milliseconds{100});
    sample s{};
    s.t = duration<double>(clock_type::now() - t0).count();
    s.cpu = work_cpu() - cpu0;
    s.clock_cpu = clock_cpu() - ccpu0;
    s.heap = heap_in_use() - heap0;
    s.rss = rss_bytes() - rss0;
    s.started = n_started.load();
    s.terminated = n_terminated.load();
    s.states = n_states.load();
    s.objects = n_objects.load();
    s.running = sys.registry().running();
    samples.push_back(s);
    if (t_driven < 0 && driving_done) t_driven = s.t;
    if (t_driven >= 0 && s.started == total && s.objects == 0 && t_drained < 0) t_drained = s.t;
    if (t_drained >= 0) break;
    if (t_driven >= 0 && s.t > t_driven + opt.drain_seconds) break;
  }

  // --- report
  auto& last = samples.back();
  const char* sname = opt.strat == strategy::delayed ? "delayed" : "service";
  std::printf("strategy=%s threads=%d rate=%d/s seconds=%.0f response_ms=%d k_ms=%d guard_step_ms=%d "
              "payload_bytes=%d\n",
              sname, opt.threads, opt.rate, opt.seconds, opt.response_ms, opt.k_ms,
              opt.strat == strategy::delayed ? opt.guard_step_ms : -1, opt.payload_bytes);
  std::printf("loadavg: %s\n", read_line("/proc/loadavg").c_str());
  std::printf("idle CPU before the run: %.3f s/s\n", idle_cpu_per_s);
  std::printf("throughput: %" PRId64 " started in %.2f s (%.0f/s, target %d/s), max spawn lag %" PRId64
              " transactions; K lateness mean %.2f ms max %.2f ms (%" PRId64 " K fired)\n",
              last.started, t_driven, last.started / t_driven, opt.rate, max_spawn_lag.load(),
              n_k_fired ? k_late_sum_us.load() / 1000.0 / n_k_fired.load() : 0.0,
              k_late_max_us.load() / 1000.0, n_k_fired.load());
  std::printf("timers: %" PRId64 " E retransmits, %" PRId64 " stale timer messages ignored\n",
              n_retransmits.load(), n_stale.load());

  // CPU over the driving period, over its second half (steady state: every phase of a
  // transaction's life is present), and to the end (drained, or drain timeout).
  auto at = [&](double t) -> const sample& {
    for (auto& x : samples)
      if (x.t >= t) return x;
    return samples.back();
  };
  auto& mid = at(opt.seconds / 2);
  auto& end_drive = at(t_driven);
  auto started_between = [&](const sample& a, const sample& b) {
    return static_cast<double>(b.started - a.started);
  };
  double steady_cpu = end_drive.cpu - mid.cpu, steady_clock_cpu = end_drive.clock_cpu - mid.clock_cpu;
  double steady_n = started_between(mid, end_drive);
  std::printf("CPU steady (t=%.1f..%.1f s): %.3f s process (%.1f%% of one core), %.3f s clock thread; "
              "per 1k transactions: %.4f s process, %.4f s clock\n",
              mid.t, end_drive.t, steady_cpu, 100 * steady_cpu / (end_drive.t - mid.t), steady_clock_cpu,
              1000 * steady_cpu / steady_n, 1000 * steady_clock_cpu / steady_n);
  std::printf("CPU total to %s (t=%.1f s): %.3f s process, %.3f s clock; per 1k transactions: %.4f s "
              "process, %.4f s clock\n",
              t_drained >= 0 ? "drained" : "drain timeout", last.t, last.cpu, last.clock_cpu,
              1000 * last.cpu / last.started, 1000 * last.clock_cpu / last.started);

  // Memory: plateau = mean over the last 30 % of the driving period.
  double from = 0.7 * t_driven, to = t_driven;
  auto heap_pl = mean_of(samples, from, to, [](const sample& x) { return double(x.heap); });
  auto rss_pl = mean_of(samples, from, to, [](const sample& x) { return double(x.rss); });
  auto live_pl = mean_of(samples, from, to, [](const sample& x) { return double(x.started - x.terminated); });
  auto ling_pl = mean_of(samples, from, to, [](const sample& x) {
    return double(x.objects - (x.started - x.terminated));
  });
  std::int64_t heap_peak = 0, rss_peak = 0, held_peak = 0;
  for (auto& x : samples) {
    heap_peak = std::max(heap_peak, x.heap);
    rss_peak = std::max(rss_peak, x.rss);
    held_peak = std::max(held_peak, x.objects);
  }
  std::printf("baseline before the run: heap %.1f MB, RSS %.1f MB (figures below are above it)\n",
              heap0 / 1e6, rss0 / 1e6);
  std::printf("plateau (t=%.1f..%.1f s): heap %.1f MB, RSS %.1f MB, live %.0f, lingering %.0f, "
              "heap per held actor %.0f B\n",
              from, to, heap_pl / 1e6, rss_pl / 1e6, live_pl, ling_pl, heap_pl / (live_pl + ling_pl));
  std::printf("peak: heap %.1f MB, RSS %.1f MB, actor objects held %" PRId64 "\n", heap_peak / 1e6,
              rss_peak / 1e6, held_peak);

  // Bytes per live and per lingering transaction: least squares through the origin over all
  // samples (driving and drain). When one kind stays under 5 % of the held actors (or 100) (UDP with
  // short guard steps: no lingering; TCP: almost no live ones), a one-variable fit on held
  // actors; otherwise heap = a*live + b*lingering (the drain separates the two).
  {
    double sll = 0, slg = 0, sgg = 0, shl = 0, shg = 0, shh = 0, shd = 0;
    double live_peak = 0, ling_peak = 0;
    for (auto& x : samples) {
      double l = double(x.started - x.terminated), g = std::max(0.0, double(x.objects) - l),
             h = double(x.heap), d = l + g;
      sll += l * l, slg += l * g, sgg += g * g, shl += h * l, shg += h * g, shh += d * d, shd += h * d;
      live_peak = std::max(live_peak, l), ling_peak = std::max(ling_peak, g);
    }
    double per_held = shh > 0 ? shd / shh : 0;
    if (ling_peak < std::max(100.0, 0.05 * double(held_peak))) {
      std::printf("bytes per live transaction %.0f (fit on held actors; lingering peak %.0f)\n", per_held,
                  ling_peak);
    } else if (live_peak < std::max(100.0, 0.05 * double(held_peak))) {
      std::printf("bytes per lingering actor %.0f (fit on held actors; live peak %.0f)\n", per_held, live_peak);
    } else {
      double det = sll * sgg - slg * slg;
      std::printf("bytes per live transaction %.0f, per lingering actor %.0f (two-variable fit; %.0f per "
                  "held actor)\n",
                  (shl * sgg - shg * slg) / det, (sll * shg - slg * shl) / det, per_held);
    }
  }
  std::printf("end: started %" PRId64 ", terminated %" PRId64 ", states alive %" PRId64
              ", actor objects alive %" PRId64 ", registry running %zu (fixed %zu)\n",
              last.started, last.terminated, last.states, last.objects, last.running, fixed_running);
  std::printf("threads (CPU s since process start):");
  for (auto& th : list_threads())
    std::printf(" %s[%s]=%.2f", th.name.c_str(), th.tid.c_str(), thread_cpu_seconds(th.tid));
  std::printf("\n");
  if (!opt.series.empty()) {
    if (FILE* f = std::fopen(opt.series.c_str(), "w")) {
      std::fprintf(f, "t,cpu,clock_cpu,heap,rss,started,terminated,states,objects,running\n");
      for (auto& x : samples)
        std::fprintf(f, "%.2f,%.3f,%.3f,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%zu\n",
                     x.t, x.cpu, x.clock_cpu, x.heap, x.rss, x.started, x.terminated, x.states, x.objects,
                     x.running);
      std::fclose(f);
    }
  }
  std::fflush(stdout);
  // Shutdown: with guard step 0 (or a drain timeout) delayed messages of up to 32 s are still
  // pending, and the shards tick forever. We tell our actors to exit, then leave with _Exit:
  // the measurement is printed, and waiting for CAF's clock and scheduler to wind down (or for
  // 32 s timers) would only slow the benchmark runs down.
  for (auto& s : shards) caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(drv, caf::exit_reason::user_shutdown);
  std::_Exit(0);
}
