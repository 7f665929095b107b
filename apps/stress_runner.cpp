#include "apps/stress_runner.hpp"

#include <algorithm>
#include <chrono>

namespace sipactor::apps {

double planned_rate(const stress_options& o, double seconds) noexcept {
  if (!o.ramp_from || o.ramp_seconds <= 0 || seconds >= o.ramp_seconds) return o.rate;
  return *o.ramp_from + (o.rate - *o.ramp_from) * seconds / o.ramp_seconds;
}

double planned_attempts(const stress_options& o, double seconds) noexcept {
  if (!o.ramp_from || o.ramp_seconds <= 0) return o.rate * seconds;
  double ramp = std::min(seconds, o.ramp_seconds);
  // The ramp's area (a trapezoid), then the constant part.
  double during = ramp * (*o.ramp_from + planned_rate(o, ramp)) / 2;
  return during + o.rate * std::max(0.0, seconds - o.ramp_seconds);
}

namespace {

using clock = std::chrono::steady_clock;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using bye_atom = caf::atom_constant<caf::atom("bye")>;
constexpr auto tick_interval = std::chrono::milliseconds(10);

struct runner_state {
  stress_options options;
  std::vector<ua_handle> stacks;
  std::vector<std::string> local_hosts;
  clock::time_point start;
  std::uint64_t started = 0;
  std::uint64_t active = 0;
  bool stopped_starting = false;
  stress_snapshot interval;  // figures since the last snapshot
  stress_totals totals;
  static inline const char* name = "sip-stress-runner";
};

using self_ptr = caf::stateful_actor<runner_state>*;

const char sdp[] =
    "v=0\r\no=sipactor 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

void succeeded(self_ptr self, clock::time_point began) {
  auto& st = self->state;
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - began);
  st.interval.latency.record(latency);
  st.totals.latency.record(latency);
  ++st.interval.succeeded;
  ++st.totals.succeeded;
  --st.active;
}

// A failure: the final status, or 408 when none came in time (§8.1.3.1).
void failed(self_ptr self, int status) {
  auto& st = self->state;
  ++st.interval.failed;
  ++st.totals.failed;
  ++st.totals.failures_by_status[status == 0 ? 408 : status];
  --st.active;
}

// The BYE of an answered call (§15.1.1); `latency_us` is its set-up time (INVITE to 2xx). The
// call counts as a success once the BYE is answered 2xx.
void send_bye(self_ptr self, const caf::actor& dialog, std::int64_t latency_us) {
  std::chrono::microseconds latency{latency_us};
  self->request(dialog, self->state.options.timeout, dialog_request{"BYE", {}, {}, {}})
      .then(
          [=](const request_outcome& r) {
            if (r.status / 100 != 2) return failed(self, r.status);
            succeeded(self, clock::now() - latency);
          },
          [=](caf::error&) { failed(self, 408); });
}

void start_call(self_ptr self, const ua_handle& ua, clock::time_point began) {
  auto timeout = self->state.options.timeout;
  self->request(ua, timeout, place_call{self->state.options.target, "application/sdp", sdp, {}, {}})
      .then(
          [=](const call_outcome& o) {
            if (o.status / 100 != 2 || !o.dialog) return failed(self, o.status);
            auto latency = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - began).count();
            auto hold = self->state.options.hold;
            if (hold.count() == 0) send_bye(self, o.dialog, latency);
            else self->delayed_send(self, hold, bye_atom::value, o.dialog, latency);
          },
          [=](caf::error&) { failed(self, 408); });
}

void start_request(self_ptr self, const ua_handle& ua, std::size_t stack_index, clock::time_point began) {
  auto& st = self->state;
  send_request r;
  if (st.options.scenario == stress_scenario::options) {
    r.method = "OPTIONS";
    r.target = st.options.target;
  } else {
    // REGISTER (§10.2): the registrar is the target; To is the user's AOR at the target's host.
    std::size_t user = st.started % st.options.users + 1;
    std::string name = st.options.user_prefix + std::to_string(user);
    std::string host = st.options.target.substr(st.options.target.find(':') + 1);
    if (auto at = host.find('@'); at != std::string::npos) host = host.substr(at + 1);
    r.method = "REGISTER";
    r.target = st.options.target.substr(0, st.options.target.find(':') + 1) + host;
    r.to = "<sip:" + name + "@" + host + ">";
    r.headers.push_back({"Contact", "<sip:" + name + "@" + st.local_hosts[stack_index] + ">"});
    r.headers.push_back({"Expires", std::to_string(st.options.expires)});
    if (!st.options.password.empty()) r.auth = credentials{name, st.options.password};
  }
  self->request(ua, st.options.timeout, std::move(r))
      .then(
          [=](const request_outcome& o) {
            if (o.status / 100 == 2) succeeded(self, began);
            else failed(self, o.status);
          },
          [=](caf::error&) { failed(self, 408); });
}

// Starts what the plan says is due by now, within the concurrency cap, total and duration.
void on_tick(self_ptr self) {
  auto& st = self->state;
  double elapsed = std::chrono::duration<double>(clock::now() - st.start).count();
  const auto& o = st.options;
  if ((o.duration > 0 && elapsed >= o.duration) || (o.total > 0 && st.started >= o.total)) st.stopped_starting = true;
  if (!st.stopped_starting) {
    auto due = static_cast<std::uint64_t>(planned_attempts(o, elapsed));
    if (o.total > 0) due = std::min<std::uint64_t>(due, o.total);
    while (st.started < due && st.active < o.max_concurrent) {
      std::size_t index = st.started % st.stacks.size();
      const ua_handle& ua = st.stacks[index];
      auto now = clock::now();
      ++st.active;
      ++st.interval.started;
      ++st.totals.started;
      if (o.scenario == stress_scenario::call) start_call(self, ua, now);
      else start_request(self, ua, index, now);
      ++st.started;
    }
  }
  if (!st.stopped_starting || st.active > 0) self->delayed_send(self, tick_interval, tick_atom::value);
}

}  // namespace

caf::actor spawn_stress_runner(caf::actor_system& sys, stress_options options, std::vector<ua_handle> stacks,
                               std::vector<std::string> local_hosts) {
  return sys.spawn(
      [](self_ptr self, stress_options options, std::vector<ua_handle> stacks,
         std::vector<std::string> local_hosts) -> caf::behavior {
        auto& st = self->state;
        st.options = std::move(options);
        st.stacks = std::move(stacks);
        st.local_hosts = std::move(local_hosts);
        st.start = clock::now();
        self->send(self, tick_atom::value);
        return {
          [=](tick_atom) { on_tick(self); },
          [=](bye_atom, const caf::actor& dialog, std::int64_t latency_us) { send_bye(self, dialog, latency_us); },
          [=](snapshot_atom) {
            auto& st = self->state;
            stress_snapshot out = std::move(st.interval);
            st.interval = stress_snapshot{};
            out.totals = st.totals;
            out.active = st.active;
            out.done = st.stopped_starting && st.active == 0;
            return out;
          },
        };
      },
      std::move(options), std::move(stacks), std::move(local_hosts));
}

}  // namespace sipactor::apps
