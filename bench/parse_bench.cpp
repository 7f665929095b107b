// sipactor_parse_bench: the SIP message layer against libosip2 and sofia-sip on the same bytes.
//
//   sipactor/parse/<msg>                 parse_message() only
//   sipactor/parse_views/<msg>           parse_message() + the views a proxy reads (top Via branch
//                                        and host, From/To tags, Call-ID, CSeq, Max-Forwards,
//                                        Request-URI, and the lazily parsed Contact list)
//   sipactor/parse_views_source/<msg>    the same with the packet's source, as the transport parses
//                                        (the top Via completed with received/rport, §18.2.1)
//   sipactor/copy_serialize/<msg>        message_builder::copy_of(msg).serialize()
//   sipactor/copy_via_mf_serialize/<msg> copy_of + push_via + decrement_max_forwards + serialize
//   osip2/parse_fields/<msg>             osip_message_init + osip_message_parse + reads + free
//   sofia/parse_fields/<msg>             msg_make (full msg_extract) + reads + msg_destroy
//
// <msg> is "invite" (<shared>/bench/sipp-invite.sip, a SIPp INVITE: IPv4 addresses everywhere),
// "names" (tests/data/rfc3665/rfc3665-015.sip, RFC 3665 §3.1 F1: the same kind of INVITE as
// deployments write it, with host names, a TCP Via and a bracketed Contact) and "wsinv"
// (<shared>/torture/rfc4475/wsinv.dat). <shared> is, first found: --shared_dir=PATH, the
// environment variable SIPACTOR_SHARED_DIR, the directory compiled in.
//
// After the runs: the medians as a table, the peer/sipactor ratios, heap use per message
// (allocation calls, bytes requested, bytes held while the message lives) and a cross-check that
// every parser read the same field values.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench_common.hpp"
#include "messages/builder.hpp"
#include "messages/char_masks.hpp"
#include "messages/message.hpp"
#include "messages/parser.hpp"

#ifndef SIPACTOR_SHARED_DIR
#define SIPACTOR_SHARED_DIR ""
#endif
#ifndef SIPACTOR_TORTURE_DIR
#define SIPACTOR_TORTURE_DIR ""
#endif
#ifndef SIPACTOR_SOURCE_DIR
#define SIPACTOR_SOURCE_DIR "."
#endif

namespace sipactor::bench {
namespace {

constexpr std::string_view kProxyVia = "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-sipactor-bench-0001;rport";

// ------------------------------------------------------------------ inputs

bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream s;
  s << f.rdbuf();
  out = s.str();
  return true;
}

std::vector<input> load_inputs(const std::string& shared_dir) {
  std::vector<input> inputs;
  auto load = [&](std::string name, std::vector<std::string> candidates) {
    for (const std::string& path : candidates) {
      std::string bytes;
      if (read_file(path, bytes)) {
        inputs.push_back(input{std::move(name), path, std::move(bytes)});
        return;
      }
    }
    std::fprintf(stderr, "sipactor_parse_bench: cannot read %s (tried:", name.c_str());
    for (const std::string& path : candidates) std::fprintf(stderr, " %s", path.c_str());
    std::fprintf(stderr, "); pass --shared_dir=PATH or set SIPACTOR_SHARED_DIR\n");
    std::exit(2);
  };
  load("invite", {shared_dir + "/bench/sipp-invite.sip"});
  load("names", {std::string(SIPACTOR_SOURCE_DIR) + "/tests/data/rfc3665/rfc3665-015.sip"});
  load("wsinv", {shared_dir + "/torture/rfc4475/wsinv.dat", std::string(SIPACTOR_TORTURE_DIR) + "/wsinv.dat"});
  return inputs;
}

// The value of our own `flag` (e.g. "--pairs="), taken out of argv so that benchmark::Initialize
// does not see it; the last one wins. Empty when absent.
std::string take_flag(int& argc, char** argv, std::string_view flag) {
  std::string value;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).substr(0, flag.size()) == flag) {
      value = argv[i] + flag.size();
      continue;
    }
    argv[out++] = argv[i];
  }
  argc = out;
  return value;
}

std::string shared_dir_from(int& argc, char** argv) {
  std::string dir = take_flag(argc, argv, "--shared_dir=");
  if (dir.empty())
    if (const char* env = std::getenv("SIPACTOR_SHARED_DIR"); env != nullptr && *env != '\0') dir = env;
  if (dir.empty()) dir = SIPACTOR_SHARED_DIR;
  return dir;
}

// ------------------------------------------------------------------ sipactor

// Reads every view a proxy needs; the contact list is parsed here on first use.
inline std::size_t touch_views(const message& m) {
  std::size_t sum = 0;
  const via& v = m.top_via();
  benchmark::DoNotOptimize(v.branch.data());
  benchmark::DoNotOptimize(v.host.data());
  sum += v.branch.size() + v.host.size() + v.port;
  sum += m.from_tag().size() + m.to_tag().size() + m.call_id().size();
  sum += m.cseq().number + m.cseq().method.size();
  sum += static_cast<std::size_t>(m.max_forwards());
  const uri& ruri = m.request_uri();
  sum += ruri.host.size() + ruri.user.size() + ruri.port;
  const contact_list& contacts = m.contacts();
  if (!contacts.contacts.empty()) sum += contacts.contacts.front().address.address.host.size();
  return sum;
}

const message_ptr& must_parse(const input& in) {
  static std::map<const input*, message_ptr> parsed;
  auto it = parsed.find(&in);
  if (it != parsed.end()) return it->second;
  parse_result r = parse_message(in.bytes);
  if (!r.ok()) {
    std::fprintf(stderr, "sipactor_parse_bench: sipactor rejects %s: %d %s\n", in.path.c_str(), r.error->status,
                 r.error->reason.c_str());
    std::exit(3);
  }
  return parsed.emplace(&in, std::move(r.message)).first->second;
}

// One iteration of the paired runs (pairs.cpp): what bm_parse_views times.
std::size_t parse_touch(std::string_view bytes) {
  parse_result r = parse_message(bytes);
  return r.message ? touch_views(*r.message) : 0;
}

// `--classifier=scalar|ssse3|avx2|avx512`, removed from argv: the character-class kernel the
// parser uses (default: the fastest the CPU runs). Exits when the CPU lacks the one asked for.
void classifier_from(int& argc, char** argv) {
  const std::string name = take_flag(argc, argv, "--classifier=");
  if (name.empty()) return;
  const char* names[] = {"scalar", "ssse3", "avx2", "avx512"};
  for (std::size_t k = 0; k < std::size(names); ++k) {
    if (name != names[k]) continue;
    if (!detail::classifier_available(detail::all_classifiers[k])) {
      std::fprintf(stderr, "sipactor_parse_bench: this CPU does not run the %s classifier\n", names[k]);
      std::exit(2);
    }
    detail::select_classifier(detail::all_classifiers[k]);
    return;
  }
  std::fprintf(stderr, "sipactor_parse_bench: unknown classifier %s (scalar, ssse3, avx2, avx512)\n", name.c_str());
  std::exit(2);
}

// `--pairs=N`, removed from argv: 0 when absent.
int pairs_from(int& argc, char** argv) { return std::atoi(take_flag(argc, argv, "--pairs=").c_str()); }

void bm_parse(benchmark::State& state, const input* in) {
  for (auto _ : state) {
    parse_result r = parse_message(in->bytes);
    benchmark::DoNotOptimize(r.message.get());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in->bytes.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void bm_parse_views(benchmark::State& state, const input* in) {
  std::size_t sink = 0;
  for (auto _ : state) {
    parse_result r = parse_message(in->bytes);
    sink += touch_views(*r.message);
  }
  benchmark::DoNotOptimize(sink);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in->bytes.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// What the transport hands a received request: the packet's source, so that the parse also
// decides the top Via's received and rport (RFC 3261 §18.2.1, RFC 3581). The SIPp INVITE comes
// from its Via's own address (nothing to add); the others name a host, so received is added.
packet_source source_of(const input& in) {
  if (in.name == "invite") return {"127.0.0.1", 5080};
  return {"192.0.2.101", 5060};
}

void bm_parse_views_source(benchmark::State& state, const input* in) {
  const packet_source source = source_of(*in);
  std::size_t sink = 0;
  for (auto _ : state) {
    parse_result r = parse_message(in->bytes, framing::datagram, parse_limits{}, source);
    sink += touch_views(*r.message);
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void bm_copy_serialize(benchmark::State& state, const input* in) {
  const message_ptr& m = must_parse(*in);
  std::size_t out_size = 0;
  for (auto _ : state) {
    std::string out = message_builder::copy_of(m).serialize();
    benchmark::DoNotOptimize(out.data());
    out_size = out.size();
  }
  state.counters["out_bytes"] = static_cast<double>(out_size);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void bm_copy_via_mf_serialize(benchmark::State& state, const input* in) {
  const message_ptr& m = must_parse(*in);
  std::size_t out_size = 0;
  for (auto _ : state) {
    message_builder b = message_builder::copy_of(m);
    b.push_via(kProxyVia);
    b.decrement_max_forwards();
    std::string out = b.serialize();
    benchmark::DoNotOptimize(out.data());
    out_size = out.size();
  }
  state.counters["out_bytes"] = static_cast<double>(out_size);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void register_sipactor_benchmarks(const std::vector<input>& inputs) {
  for (const input& in : inputs) {
    must_parse(in);
    benchmark::RegisterBenchmark(("sipactor/parse/" + in.name).c_str(), bm_parse, &in)->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("sipactor/parse_views/" + in.name).c_str(), bm_parse_views, &in)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("sipactor/parse_views_source/" + in.name).c_str(), bm_parse_views_source, &in)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("sipactor/copy_serialize/" + in.name).c_str(), bm_copy_serialize, &in)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(("sipactor/copy_via_mf_serialize/" + in.name).c_str(), bm_copy_via_mf_serialize, &in)
        ->Unit(benchmark::kNanosecond);
  }
}

// ------------------------------------------------------------------ results

struct result {
  double median_ns = -1;  // CPU time per message
  double mean_ns = -1;
  double stddev_ns = -1;
  double real_median_ns = -1;
  std::vector<double> samples;  // when no aggregates were reported
  std::vector<double> real_samples;
  bool error = false;
  std::string error_message;

  double best() const {
    if (median_ns >= 0) return median_ns;
    if (samples.empty()) return -1;
    std::vector<double> s = samples;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
};

class capture_reporter : public benchmark::ConsoleReporter {
 public:
  explicit capture_reporter(OutputOptions options) : ConsoleReporter(options) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) record(run);
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, result>& results() const { return results_; }

 private:
  void record(const Run& run) {
    result& r = results_[run.run_name.str()];
    if (run.error_occurred) {
      r.error = true;
      r.error_message = run.error_message;
      return;
    }
    double scale = 1.0;  // to ns
    switch (run.time_unit) {
      case benchmark::kNanosecond: scale = 1.0; break;
      case benchmark::kMicrosecond: scale = 1e3; break;
      case benchmark::kMillisecond: scale = 1e6; break;
      case benchmark::kSecond: scale = 1e9; break;
    }
    if (run.run_type == Run::RT_Aggregate) {
      if (run.aggregate_unit != benchmark::kTime) return;  // cv
      if (run.aggregate_name == "median") {
        r.median_ns = run.GetAdjustedCPUTime() * scale;
        r.real_median_ns = run.GetAdjustedRealTime() * scale;
      } else if (run.aggregate_name == "mean") {
        r.mean_ns = run.GetAdjustedCPUTime() * scale;
      } else if (run.aggregate_name == "stddev") {
        r.stddev_ns = run.GetAdjustedCPUTime() * scale;
      }
    } else {
      r.samples.push_back(run.GetAdjustedCPUTime() * scale);
      r.real_samples.push_back(run.GetAdjustedRealTime() * scale);
    }
  }
  std::map<std::string, result> results_;
};

void print_timings(const std::map<std::string, result>& results, const std::vector<input>& inputs) {
  std::printf("\n== ns per message (CPU time, median of the repetitions) ==\n");
  std::printf("%-40s %12s %12s %10s\n", "benchmark", "median ns", "mean ns", "stddev ns");
  for (const auto& [name, r] : results) {
    if (r.error) {
      std::printf("%-40s %12s  (%s)\n", name.c_str(), "error", r.error_message.c_str());
      continue;
    }
    auto cell = [](double v) {
      char buf[32];
      if (v < 0) std::snprintf(buf, sizeof buf, "-");
      else std::snprintf(buf, sizeof buf, "%.1f", v);
      return std::string(buf);
    };
    std::printf("%-40s %12s %12s %10s\n", name.c_str(), cell(r.best()).c_str(), cell(r.mean_ns).c_str(),
                cell(r.stddev_ns).c_str());
  }

  auto time_of = [&](const std::string& name) {
    auto it = results.find(name);
    return it == results.end() || it->second.error ? -1.0 : it->second.best();
  };
  std::printf("\n== ratios peer_time / sipactor_time (higher: sipactor faster) ==\n");
  for (const input& in : inputs) {
    double parse = time_of("sipactor/parse/" + in.name);
    double views = time_of("sipactor/parse_views/" + in.name);
    for (const peer& p : peers()) {
      double t = time_of(std::string(p.name) + "/parse_fields/" + in.name);
      if (t < 0 || parse <= 0 || views <= 0) {
        std::printf("%-6s %-6s: n/a\n", p.name, in.name.c_str());
        continue;
      }
      std::printf("%-6s/sipactor %-6s: %6.2fx vs parse+views   %6.2fx vs parse only\n", p.name, in.name.c_str(),
                  t / views, t / parse);
    }
  }
  double sofia = time_of("sofia/parse_fields/invite");
  double views = time_of("sipactor/parse_views/invite");
  if (sofia > 0 && views > 0)
    std::printf("target (sofia full parse of the INVITE >= 5x sipactor parse+views): %.2fx -> %s\n", sofia / views,
                sofia / views >= 5.0 ? "MET" : "NOT MET");
}

// ------------------------------------------------------------------ heap per message

void print_heap_row(const char* what, const alloc_stats& s, const char* extra = "") {
  std::printf("%-44s %7llu %7llu %10llu %10lld  %s\n", what, static_cast<unsigned long long>(s.calls()),
              static_cast<unsigned long long>(s.malloc_calls), static_cast<unsigned long long>(s.bytes_requested),
              static_cast<long long>(s.live_bytes), extra);
}

void print_heap(const std::vector<input>& inputs) {
  if (!alloc_counting_available()) {
    std::printf("\n(heap counting not built in: sanitizer build)\n");
    return;
  }
  std::printf("\n== heap per message (one parse after a warm-up; counted by the replaced operator new/delete\n"
              "   and the interposed malloc family) ==\n");
  std::printf("%-44s %7s %7s %10s %10s\n", "what", "allocs", "(C)", "requested", "held");
  std::printf("%-44s %7s %7s %10s %10s\n", "", "", "", "bytes", "bytes");
  for (const input& in : inputs) {
    // Warm-up: the parser's per-thread scratch index is allocated by the first parse of a thread.
    { parse_result warm = parse_message(in.bytes); touch_views(*warm.message); }

    alloc_counting_start();
    parse_result r = parse_message(in.bytes);
    alloc_stats after_parse = alloc_counting_peek();
    std::size_t heap_parse = r.message->heap_bytes();
    touch_views(*r.message);
    alloc_stats after_views = alloc_counting_stop();
    std::size_t heap_views = r.message->heap_bytes();
    char extra[160];
    std::snprintf(extra, sizeof extra, "message::heap_bytes() = %zu", heap_parse);
    print_heap_row(("sipactor parse " + in.name).c_str(), after_parse, extra);
    std::snprintf(extra, sizeof extra, "message::heap_bytes() = %zu", heap_views);
    print_heap_row(("sipactor parse + all views " + in.name).c_str(), after_views, extra);

    alloc_counting_start();
    r = parse_result{};
    alloc_stats freed = alloc_counting_stop();
    if (freed.live_bytes + after_views.live_bytes != 0)
      std::printf("  (note: freeing the %s message returned %lld bytes, held %lld)\n", in.name.c_str(),
                  static_cast<long long>(-freed.live_bytes), static_cast<long long>(after_views.live_bytes));

    {
      // A warm thread takes the message block from its cache (messages/message_blocks.hpp), so the
      // rows above count no allocation for it; this row counts a parse whose cache is empty.
      std::vector<parse_result> holding;
      for (int i = 0; i < 16; ++i) holding.push_back(parse_message(in.bytes));
      alloc_counting_start();
      parse_result cold = parse_message(in.bytes);
      alloc_stats s = alloc_counting_stop();
      std::snprintf(extra, sizeof extra, "(block cache empty)");
      print_heap_row(("sipactor parse, no cached block " + in.name).c_str(), s, extra);
    }

    const message_ptr& m = must_parse(in);
    {
      alloc_counting_start();
      std::string out = message_builder::copy_of(m).serialize();
      alloc_stats s = alloc_counting_stop();
      std::snprintf(extra, sizeof extra, "(transient; output %zu bytes)", out.size());
      print_heap_row(("sipactor copy_serialize " + in.name).c_str(), s, extra);
    }
    {
      alloc_counting_start();
      message_builder b = message_builder::copy_of(m);
      b.push_via(kProxyVia);
      b.decrement_max_forwards();
      std::string out = b.serialize();
      alloc_stats s = alloc_counting_stop();
      std::snprintf(extra, sizeof extra, "(transient; output %zu bytes)", out.size());
      print_heap_row(("sipactor copy_via_mf_serialize " + in.name).c_str(), s, extra);
    }

    for (const peer& p : peers()) {
      void* warm = p.parse(in.bytes);
      if (warm) p.destroy(warm);
      alloc_counting_start();
      void* msg = p.parse(in.bytes);
      alloc_stats s = alloc_counting_stop();
      if (msg == nullptr) {
        std::printf("%-44s  parse failed\n", (std::string(p.name) + " parse " + in.name).c_str());
        continue;
      }
      print_heap_row((std::string(p.name) + " parse " + in.name).c_str(), s);
      p.destroy(msg);
    }
  }
  std::printf("allocs: allocation calls (operator new + malloc/calloc/realloc); (C): of which malloc family.\n"
              "requested: sum of requested sizes; held: usable bytes still allocated after the parse, i.e.\n"
              "what one live parsed message costs (glibc chunk sizes).\n");
}

// ------------------------------------------------------------------ cross-check

void print_crosscheck(const std::vector<input>& inputs) {
  std::printf("\n== fields read by each parser (cross-check) ==\n");
  for (const input& in : inputs) {
    const message& m = *must_parse(in);
    std::printf("%s (%zu bytes, %s)\n", in.name.c_str(), in.bytes.size(), in.path.c_str());
    auto row = [](const char* who, const peer_fields& f) {
      std::printf("  %-8s ok=%d branch=%s via_host=%s from_tag=%s to_tag=%s call_id=%s cseq=%u %s mf=%ld ruri_host=%s "
                  "contact_host=%s%s%s\n",
                  who, f.ok ? 1 : 0, f.branch.c_str(), f.via_host.c_str(), f.from_tag.c_str(), f.to_tag.c_str(),
                  f.call_id.c_str(), f.cseq, f.cseq_method.c_str(), f.max_forwards, f.ruri_host.c_str(),
                  f.contact_host.c_str(), f.note.empty() ? "" : "  ", f.note.c_str());
    };
    peer_fields ours;
    ours.ok = true;
    ours.branch = std::string(m.top_via().branch);
    ours.via_host = std::string(m.top_via().host);
    ours.from_tag = std::string(m.from_tag());
    ours.to_tag = std::string(m.to_tag());
    ours.call_id = std::string(m.call_id());
    ours.cseq = m.cseq().number;
    ours.cseq_method = std::string(m.cseq().method);
    ours.max_forwards = m.max_forwards();
    ours.ruri_host = std::string(m.request_uri().host);
    if (!m.contacts().contacts.empty()) ours.contact_host = std::string(m.contacts().contacts.front().address.address.host);
    row("sipactor", ours);
    for (const peer& p : peers()) {
      void* msg = p.parse(in.bytes);
      peer_fields f = p.fields(msg);
      if (msg) p.destroy(msg);
      row(p.name, f);
    }
  }
}

}  // namespace
}  // namespace sipactor::bench

int main(int argc, char** argv) {
  using namespace sipactor::bench;
  std::string shared_dir = shared_dir_from(argc, argv);
  // Our display reporter replaces the library's, so honour --benchmark_color ourselves.
  bool color = ::isatty(STDOUT_FILENO) != 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--benchmark_color=false" || a == "--benchmark_color=no") color = false;
    if (a == "--benchmark_color=true" || a == "--benchmark_color=yes") color = true;
  }
  classifier_from(argc, argv);
  const int pair_rounds = pairs_from(argc, argv);
  static const std::vector<input> inputs = load_inputs(shared_dir);
  if (pair_rounds > 0) {
    // Paired slices only (see pairs.cpp); every input must parse first.
    for (const input& in : inputs) must_parse(in);
    if (peers().empty()) {
      std::fprintf(stderr, "sipactor_parse_bench: --pairs needs a peer parser (libosip2 or sofia-sip)\n");
      return 2;
    }
    run_pairs(inputs, parse_touch, pair_rounds);
    return 0;
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::printf("inputs:");
  for (const input& in : inputs) std::printf(" %s=%s (%zu bytes)", in.name.c_str(), in.path.c_str(), in.bytes.size());
  std::printf("\npeers:");
  for (const peer& p : peers()) std::printf(" %s %s", p.name, p.version);
  if (peers().empty()) std::printf(" none (libosip2 / sofia-sip not found at configure time)");
  std::printf("\n");

  register_sipactor_benchmarks(inputs);
  register_peer_benchmarks(inputs);

  capture_reporter reporter(color ? benchmark::ConsoleReporter::OO_Defaults : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  print_timings(reporter.results(), inputs);
  print_heap(inputs);
  print_crosscheck(inputs);
  std::fflush(stdout);
  return 0;
}
