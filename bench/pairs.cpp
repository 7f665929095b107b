// `sipactor_parse_bench --pairs=N`: sipactor against each peer in back-to-back slices. This guest's
// speed moves by up to 2x within seconds, and Google Benchmark runs one benchmark's repetitions
// after another's, so its two medians may come from different machines. Here both sides of each
// ratio run within a few milliseconds of each other, and the order alternates from round to round
// so that a drift inside a round favours neither side.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "bench_common.hpp"

namespace sipactor::bench {

namespace {

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// CPU ns per iteration of `iterations` calls of f on bytes.
double slice(parse_touch_fn f, std::string_view bytes, int iterations) {
  std::size_t sink = 0;
  const double start = thread_cpu_ns();
  for (int i = 0; i < iterations; ++i) sink += f(bytes);
  const double ns = thread_cpu_ns() - start;
  benchmark::DoNotOptimize(sink);
  return ns / iterations;
}

// The value at fraction q of the sorted samples (nearest rank).
double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const std::size_t k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[k];
}

// Iterations that take about `target_ns` of f, from a short trial.
int iterations_for(parse_touch_fn f, std::string_view bytes, double target_ns) {
  const double per = slice(f, bytes, 200);
  const double n = target_ns / (per > 1 ? per : 1);
  return n < 100 ? 100 : n > 1e6 ? 1000000 : static_cast<int>(n);
}

}  // namespace

void run_pairs(const std::vector<input>& inputs, parse_touch_fn sipactor, int rounds) {
  std::printf("\n== paired slices: %d rounds, about 2 ms of each parser per round (CPU time) ==\n", rounds);
  std::printf("%-8s %-7s %11s %11s %8s %19s %8s\n", "input", "peer", "min ns us", "min ns peer", "min/min",
              "pair ratios q1-q3", "median");
  for (const input& in : inputs) {
    for (const peer& p : peers()) {
      const int ours_n = iterations_for(sipactor, in.bytes, 2e6);
      const int peer_n = iterations_for(p.parse_touch_free, in.bytes, 2e6);
      slice(sipactor, in.bytes, ours_n);  // warm both
      slice(p.parse_touch_free, in.bytes, peer_n);
      std::vector<double> ours, theirs, ratios;
      for (int r = 0; r < rounds; ++r) {
        double a = 0, b = 0;
        if (r % 2 == 0) {
          a = slice(sipactor, in.bytes, ours_n);
          b = slice(p.parse_touch_free, in.bytes, peer_n);
        } else {
          b = slice(p.parse_touch_free, in.bytes, peer_n);
          a = slice(sipactor, in.bytes, ours_n);
        }
        ours.push_back(a);
        theirs.push_back(b);
        ratios.push_back(b / a);
      }
      const double ours_min = *std::min_element(ours.begin(), ours.end());
      const double theirs_min = *std::min_element(theirs.begin(), theirs.end());
      std::printf("%-8s %-7s %11.1f %11.1f %7.2fx %8.2fx - %6.2fx %7.2fx\n", in.name.c_str(), p.name, ours_min,
                  theirs_min, theirs_min / ours_min, quantile(ratios, 0.25), quantile(ratios, 0.75),
                  quantile(ratios, 0.5));
    }
  }
  std::printf("min/min: the peer's fastest slice over ours; pair ratios: the peer's ns over ours within each\n"
              "round (higher = sipactor faster).\n");
  std::fflush(stdout);
}

}  // namespace sipactor::bench
