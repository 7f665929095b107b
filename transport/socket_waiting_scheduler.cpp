#include "transport/socket_waiting_scheduler.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/logger.hpp>
#include <caf/policy/work_stealing.hpp>
#include <caf/scheduler/coordinator.hpp>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace sipactor::transport {

readable_handler::~readable_handler() = default;

namespace {

// How many jobs a busy worker runs between two looks at the sockets (epoll_wait without
// waiting): enough that the look costs little per job, few enough that datagrams do not wait
// behind a long run of actors.
constexpr std::size_t jobs_between_looks = 32;

// CAF's work stealing with another way to sleep: a worker with an empty queue sleeps in
// epoll_wait on its own epoll instance, which holds an eventfd (written by external_enqueue when
// the worker sleeps) and every watched socket (EPOLLEXCLUSIVE: a datagram wakes one sleeper).
// The members hide the base's of the same name; the coordinator calls them on this type.
class socket_waiting_policy : public caf::policy::work_stealing {
public:
  using base = caf::policy::work_stealing;

  struct coordinator_data {
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {}
    std::atomic<std::size_t> next_worker{0};  // the base's central_enqueue uses it
    std::mutex lock;
    std::vector<std::pair<int, std::shared_ptr<readable_handler>>> handlers;  // kept until the end
    // Actors with a home worker (set_home_worker): each entry is written once, before the count
    // that publishes it, and read on every internal enqueue.
    static constexpr std::size_t max_homes = 64;
    std::array<caf::resumable*, max_homes> home_jobs{};
    std::array<std::size_t, max_homes> home_workers{};
    std::atomic<std::size_t> homes{0};
  };

  struct worker_data : base::worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator* p) : base::worker_data(p) { open(); }
    // The coordinator copies one prototype for each worker: each gets descriptors of its own.
    worker_data(const worker_data& other) : base::worker_data(other) { open(); }
    worker_data& operator=(const worker_data&) = delete;
    ~worker_data() {
      if (wake_fd >= 0) ::close(wake_fd);
      if (epoll_fd >= 0) ::close(epoll_fd);
    }

    void open() {
      epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
      wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = nullptr;  // nullptr marks the eventfd
      if (epoll_fd >= 0 && wake_fd >= 0) ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev);
    }

    int epoll_fd = -1;
    int wake_fd = -1;
    std::atomic<bool> sleeping{false};
    std::size_t jobs_since_look = 0;
  };

  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    auto& d = self->data();
    d.queue.append(job);
    // Pairs with the fence in dequeue: either the worker sees the job before it sleeps, or
    // this sees it sleeping and wakes it.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (d.sleeping.load(std::memory_order_relaxed)) {
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(d.wake_fd, &one, sizeof one);
    }
  }

  // A job woken by an actor on this worker runs here (CAF: the front of this worker's queue),
  // unless it has a home worker: then it goes to the back of that worker's queue.
  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    auto* parent = self->parent();
    auto& c = parent->data();
    std::size_t n = c.homes.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < n; ++i) {
      if (c.home_jobs[i] != job) continue;
      std::size_t home = c.home_workers[i];
      if (home != self->id()) {
        external_enqueue(parent->worker_by_id(home), job);
        return;
      }
      break;
    }
    self->data().queue.prepend(job);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& d = self->data();
    if (++d.jobs_since_look >= jobs_between_looks) {
      d.jobs_since_look = 0;
      run_readable(self, 0);
    }
    if (auto job = d.queue.take_head()) return job;
    // Poll and steal first, as CAF does, assuming more work is on its way. (The moderate
    // strategy, polls with sleeps in between, is not used: sipactor sets it to 0 attempts.)
    const auto& aggressive = d.strategies[0];
    for (std::size_t i = 0; i < aggressive.attempts; i += aggressive.step_size) {
      if (auto job = d.queue.take_head()) return job;
      if (i % aggressive.steal_interval == 0)
        if (auto job = try_steal(self)) return job;
    }
    const auto& relaxed = d.strategies[2];
    const int timeout_ms =
        std::max(1, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(relaxed.sleep_duration).count()));
    for (std::size_t round = 1;; ++round) {
      d.sleeping.store(true, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      if (auto job = d.queue.take_head()) {
        d.sleeping.store(false, std::memory_order_relaxed);
        return job;
      }
      int n = run_readable(self, timeout_ms);
      d.jobs_since_look = 0;
      if (auto job = d.queue.take_head()) return job;
      if (n == 0 && round % relaxed.steal_interval == 0)
        if (auto job = try_steal(self)) return job;
    }
  }

private:
  // Waits up to `timeout_ms` (0: not at all) for the eventfd or a watched socket, empties the
  // eventfd and runs the handlers of readable sockets. Returns the number of ready descriptors.
  // The worker is awake from the return of epoll_wait on: enqueues while its handlers run need
  // no eventfd write.
  template <class Worker>
  int run_readable(Worker* self, int timeout_ms) {
    auto& d = self->data();
    std::array<epoll_event, 8> events;
    int n = ::epoll_wait(d.epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
    d.sleeping.store(false, std::memory_order_relaxed);
    for (int i = 0; i < n; ++i) {
      auto* handler = static_cast<readable_handler*>(events[static_cast<std::size_t>(i)].data.ptr);
      if (handler == nullptr) {
        std::uint64_t count = 0;
        [[maybe_unused]] auto r = ::read(d.wake_fd, &count, sizeof count);
      } else {
        handler->on_readable(self, self->id());
      }
    }
    return n < 0 ? 0 : n;
  }
};

}  // namespace
}  // namespace sipactor::transport

// The scheduling loop of a socket-waiting worker: CAF's (caf/scheduler/worker.hpp) without its
// per-job logger bookkeeping. CAF_PUSH_AID_FROM_PTR costs a dynamic_cast from resumable to
// abstract_actor and a logger call for every job, even with Debian's CAF logging "quiet": about
// 3-4% of the proxy's CPU at 500 calls/s (perf, bench/RESULTS.md). An explicit specialization of
// the member for this policy only, declared before anything instantiates it.
//
// The same bookkeeping sits in scheduled_actor::resume, compiled into libcaf_core, for every
// message an actor runs: CAF_PUSH_AID swaps the thread's actor id in one map shared by all threads,
// under a shared spinlock (logger::thread_local_aid), twice per resume. With two workers that lock's
// cache line moves between the cores on every resume: 13% of the transaction benchmark's CPU with
// two threads (bench/RESULTS.md, "Session 8"). The ids only label log lines, and a CAF built with
// the quiet log level (Debian's) writes none, so there a worker runs with no current logger, which
// turns CAF_PUSH_AID into a null check. Spawning sets the spawning thread's logger again
// (CAF_SET_LOGGER_SYS in actor_system::spawn_impl), so the worker clears it after any job that did.
namespace sipactor::transport {
namespace {

inline void forget_current_logger() {
#if defined(CAF_LOG_LEVEL) && CAF_LOG_LEVEL == CAF_LOG_LEVEL_QUIET
  if (caf::logger::current_logger() != nullptr) caf::logger::set_current_actor_system(nullptr);
#endif
}

}  // namespace
}  // namespace sipactor::transport

template <>
void caf::scheduler::worker<sipactor::transport::socket_waiting_policy>::run() {
  for (;;) {
    sipactor::transport::forget_current_logger();
    resumable* job = policy_.dequeue(this);
    policy_.before_resume(this, job);
    auto result = job->resume(this, max_throughput_);
    policy_.after_resume(this, job);
    switch (result) {
      case resumable::resume_later:
        policy_.resume_job_later(this, job);  // the worker keeps its reference
        break;
      case resumable::done:
        policy_.after_completion(this, job);
        intrusive_ptr_release(job);
        break;
      case resumable::awaiting_message:
        intrusive_ptr_release(job);  // enqueued again (with a new reference) by its next message
        break;
      case resumable::shutdown_execution_unit:
        policy_.after_completion(this, job);
        policy_.before_shutdown(this);
        return;
    }
  }
}

namespace sipactor::transport {
namespace {

using socket_waiting_coordinator = caf::scheduler::coordinator<socket_waiting_policy>;

socket_waiting_coordinator* coordinator_of(caf::actor_system& sys) {
  return dynamic_cast<socket_waiting_coordinator*>(&sys.scheduler());
}

}  // namespace

void install_socket_waiting_scheduler(caf::actor_system_config& cfg) {
  cfg.module_factories.push_back(
      [](caf::actor_system& sys) -> caf::actor_system::module* { return new socket_waiting_coordinator(sys); });
}

std::size_t socket_waiting_workers(caf::actor_system& sys) {
  auto* c = coordinator_of(sys);
  return c != nullptr ? c->num_workers() : 0;
}

bool watch_readable(caf::actor_system& sys, int fd, std::shared_ptr<readable_handler> handler) {
  auto* c = coordinator_of(sys);
  if (c == nullptr || !handler) return false;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.ptr = handler.get();
  std::size_t added = 0;
  for (; added < c->num_workers(); ++added)
    if (::epoll_ctl(c->worker_by_id(added)->data().epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) break;
  if (added < c->num_workers()) {
    for (std::size_t i = 0; i < added; ++i) ::epoll_ctl(c->worker_by_id(i)->data().epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    return false;
  }
  std::lock_guard<std::mutex> guard(c->data().lock);
  c->data().handlers.emplace_back(fd, std::move(handler));
  return true;
}

bool set_home_worker(caf::actor_system& sys, const caf::actor& a, std::size_t index) {
  auto* c = coordinator_of(sys);
  auto* job = dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(a));
  if (c == nullptr || job == nullptr) return false;
  auto& d = c->data();
  std::lock_guard<std::mutex> guard(d.lock);
  std::size_t n = d.homes.load(std::memory_order_relaxed);
  if (n == d.max_homes) return false;
  d.home_jobs[n] = job;
  d.home_workers[n] = index % c->num_workers();
  d.homes.store(n + 1, std::memory_order_release);
  return true;
}

void unwatch_readable(caf::actor_system& sys, int fd) {
  auto* c = coordinator_of(sys);
  if (c == nullptr) return;
  for (std::size_t i = 0; i < c->num_workers(); ++i)
    ::epoll_ctl(c->worker_by_id(i)->data().epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
}

}  // namespace sipactor::transport
