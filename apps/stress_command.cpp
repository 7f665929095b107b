#include "apps/stress_command.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "actors/stack.hpp"
#include "apps/stress_plot.hpp"
#include "apps/stress_responder.hpp"
#include "apps/stress_runner.hpp"

namespace sipactor::apps {

namespace {

std::atomic<bool> interrupted{false};
void on_signal(int) { interrupted = true; }

using steady = std::chrono::steady_clock;

// One stack per local port.
std::vector<stack> start_stacks(caf::actor_system& sys, const stress_options& o, const caf::actor& app,
                                std::ostream& err) {
  std::vector<stack> stacks;
  for (std::size_t i = 0; i < o.ports; ++i) {
    stack_config c;
    std::uint16_t port = o.local_port == 0 ? 0 : static_cast<std::uint16_t>(o.local_port + i);
    auto address = transport::socket_address::from(o.local_ip, port);
    if (!address) {
      err << "sipactor stress: --local " << o.local_ip << " is not an IP address\n";
      break;
    }
    c.transport.listen.push_back({o.transport, *address});
    c.transport.udp_readers = 1;
    c.transport.tls.certificate_file = o.tls_certificate;
    c.transport.tls.private_key_file = o.tls_private_key;
    c.transport.tls.ca_file = o.tls_ca;
    c.ua.answer_options = true;
    c.ua.policy.capabilities.allowed_methods = {"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "MESSAGE"};
    stack s = spawn_stack(sys, c, app);
    if (!s) {
      err << "sipactor stress: cannot listen on " << address->to_string() << ": " << s.error << "\n";
      break;
    }
    stacks.push_back(std::move(s));
  }
  if (stacks.size() != o.ports) {
    for (const auto& s : stacks) stop_stack(s);
    stacks.clear();
  }
  return stacks;
}

// Retransmissions and late responses over all stacks (transaction layer counters).
std::pair<std::uint64_t, std::uint64_t> layer_figures(caf::scoped_actor& self, const std::vector<stack>& stacks) {
  std::uint64_t retransmitted = 0, late = 0;
  for (const auto& s : stacks) {
    auto c = layer_counters(self, s.transactions);
    retransmitted += c.retransmitted;
    late += c.stray_responses;
  }
  return {retransmitted, late};
}

// Ends a run: the application actors first (they hold the stacks' handles), then the stacks
// (stop_stack ends transactions, calls and dialogs with them). Returns once every actor has
// terminated, or after `patience` with a word on stderr about those left (the run's figures are
// already out). Called with the caller's scoped actor alive: it counts as running.
void shut_down(caf::actor_system& sys, const std::vector<caf::actor>& apps, const std::vector<stack>& stacks,
               std::ostream& err, std::chrono::milliseconds patience = std::chrono::seconds(5)) {
  for (const auto& a : apps) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  for (const auto& s : stacks) stop_stack(s);
  const std::size_t own = 1;  // the caller's scoped actor
  auto deadline = steady::now() + patience;
  while (sys.registry().running() > own && steady::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (auto left = sys.registry().running(); left > own) {
    err << "sipactor stress: " << left - own << " actors still running after " << patience.count()
        << " ms; leaving without them\n";
    sys.await_actors_before_shutdown(false);
  }
}

void print_progress(std::ostream& out, const std::string& line, bool interactive) {
  if (interactive) out << "\r\033[K" << line << std::flush;
  else out << line << "\n" << std::flush;
}

int run_responder(caf::actor_system& sys, const stress_options& o, std::ostream& out, std::ostream& err) {
  caf::actor app = spawn_stress_responder(sys);
  auto stacks = start_stacks(sys, o, app, err);
  if (stacks.empty()) {
    caf::anon_send_exit(app, caf::exit_reason::user_shutdown);
    return 1;
  }
  for (const auto& s : stacks)
    for (const auto& lp : s.listening)
      out << "answering on " << transport::to_string(lp.transport) << " " << lp.address.to_string() << "\n";
  out << std::flush;
  caf::scoped_actor self{sys};
  auto start = steady::now();
  bool interactive = o.progress == progress_mode::automatic && isatty(STDOUT_FILENO);
  responder_counts last;
  while (!interrupted && (o.duration <= 0 || std::chrono::duration<double>(steady::now() - start).count() < o.duration)) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    self->request(app, std::chrono::seconds(5), snapshot_atom::value)
        .receive([&](const responder_counts& c) { last = c; }, [](caf::error&) {});
    if (o.progress != progress_mode::off) {
      char line[200];
      std::snprintf(line, sizeof line, "%5.0fs  calls %llu  ended %llu  active %llu  cancelled %llu  requests %llu",
                    std::chrono::duration<double>(steady::now() - start).count(),
                    static_cast<unsigned long long>(last.calls), static_cast<unsigned long long>(last.ended),
                    static_cast<unsigned long long>(last.calls - std::min(last.calls, last.ended + last.cancelled)),
                    static_cast<unsigned long long>(last.cancelled), static_cast<unsigned long long>(last.requests));
      print_progress(out, line, interactive);
    }
  }
  if (interactive) out << "\n";
  out << "summary: answered " << last.calls << " calls, " << last.ended << " ended, " << last.cancelled
      << " cancelled, " << last.requests << " other requests\n";
  shut_down(sys, {app}, stacks, err);
  return 0;
}

int run_generator(caf::actor_system& sys, const stress_options& o, std::ostream& out, std::ostream& err) {
  // Calls toward us (a target that calls back) are refused busy; BYEs are the UA's.
  caf::actor app = sys.spawn([](caf::event_based_actor*, int) -> caf::behavior {
    return {
      [](const incoming_call&) { return answer{486, {}, {}, {}, {}}; },
      [](const incoming_request&) { return answer{200, {}, {}, {}, {}}; },
      [](const dialog_ended&) {},
      [](const call_cancelled&) {},
    };
  }, 0);
  auto stacks = start_stacks(sys, o, app, err);
  if (stacks.empty()) {
    caf::anon_send_exit(app, caf::exit_reason::user_shutdown);
    return 1;
  }
  std::vector<ua_handle> handles;
  std::vector<std::string> hosts;
  for (const auto& s : stacks) {
    handles.push_back(s.ua);
    hosts.push_back(s.listening.front().address.to_string());
  }
  const char* what = o.scenario == stress_scenario::call      ? "calls"
                     : o.scenario == stress_scenario::options ? "OPTIONS requests"
                                                              : "REGISTER requests";
  caf::actor runner = spawn_stress_runner(sys, o, handles, hosts);
  caf::scoped_actor self{sys};
  bool interactive = o.progress == progress_mode::automatic && isatty(STDOUT_FILENO);
  std::vector<second_sample> samples;
  stress_totals totals;
  auto start = steady::now();
  std::uint64_t last_retransmitted = 0, last_late = 0;
  bool done = false;
  while (!done && !interrupted) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    stress_snapshot snap;
    self->request(runner, std::chrono::seconds(5), snapshot_atom::value)
        .receive([&](stress_snapshot& s) { snap = std::move(s); }, [](caf::error&) {});
    auto [retransmitted, late] = layer_figures(self, stacks);
    second_sample sample;
    sample.t = std::chrono::duration<double>(steady::now() - start).count();
    sample.started = snap.started;
    sample.succeeded = snap.succeeded;
    sample.failed = snap.failed;
    sample.active = snap.active;
    sample.retransmitted = retransmitted - last_retransmitted;
    sample.late = late - last_late;
    sample.p50_ms = snap.latency.percentile_ms(50);
    sample.p95_ms = snap.latency.percentile_ms(95);
    sample.p99_ms = snap.latency.percentile_ms(99);
    last_retransmitted = retransmitted;
    last_late = late;
    totals = snap.totals;
    totals.retransmitted = retransmitted;
    totals.late = late;
    samples.push_back(sample);
    if (o.progress != progress_mode::off) print_progress(out, format_progress(sample, totals), interactive);
    done = snap.done;
  }
  if (interactive) out << "\n";
  double seconds = std::chrono::duration<double>(steady::now() - start).count();
  out << format_summary(totals, seconds, std::string(what) + " to " + o.target);
  if (interrupted) out << "  interrupted: attempts still in progress were not counted\n";
  if (!o.csv.empty()) {
    std::ofstream csv(o.csv);
    write_csv(csv, samples);
    if (!csv) err << "sipactor stress: cannot write " << o.csv << "\n";
  }
  if (!o.plot.empty()) {
    std::ofstream svg(o.plot);
    svg << render_stress_svg(samples, std::string("sipactor stress: ") + what + " to " + o.target);
    if (!svg) err << "sipactor stress: cannot write " << o.plot << "\n";
  }
  shut_down(sys, {runner, app}, stacks, err);
  return totals.failed == 0 && totals.started > 0 && !interrupted ? 0 : 1;
}

}  // namespace

int run_stress_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_stress_options(args);
  if (parsed.help) {
    out << stress_usage();
    return 0;
  }
  if (!parsed.error.empty()) {
    err << "sipactor stress: " << parsed.error << "\n" << stress_usage();
    return 2;
  }
  const stress_options& o = parsed.options;
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  configure_scheduler(cfg, static_cast<std::size_t>(o.threads));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  add_message_types(cfg);
  interrupted = false;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  int status;
  {
    caf::actor_system sys{cfg};
    status = o.answer ? run_responder(sys, o, out, err) : run_generator(sys, o, out, err);
    out << std::flush;
  }
  return status;
}

}  // namespace sipactor::apps
