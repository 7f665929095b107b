// What `sipactor stress` measures: outcomes, failures by status, latency percentiles, per second
// and in total; and the text it writes (progress line, summary, CSV).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace sipactor::apps {

// Latencies in buckets of 10 µs up to 1 ms, 100 µs up to 10 ms, 1 ms up to 1 s, 100 ms up to
// 100 s: percentiles within a bucket's width, constant memory.
class latency_histogram {
 public:
  void record(std::chrono::microseconds latency) noexcept;
  void merge(const latency_histogram& other) noexcept;
  std::uint64_t count() const noexcept { return count_; }
  // The upper edge of the bucket holding the p-th percentile (0 < p <= 100), in ms; 0 if empty.
  double percentile_ms(double p) const noexcept;
  void clear() noexcept;

 private:
  static constexpr std::size_t buckets = 100 + 90 + 990 + 990 + 1;
  static std::size_t bucket_of(std::uint64_t us) noexcept;
  static std::uint64_t upper_us(std::size_t bucket) noexcept;
  std::array<std::uint64_t, buckets> counts_{};
  std::uint64_t count_ = 0;
};

// One second of a run.
struct second_sample {
  double t = 0;  // seconds since the start, at the end of this second
  std::uint64_t started = 0, succeeded = 0, failed = 0;
  std::uint64_t active = 0;          // in progress at the end of the second
  std::uint64_t retransmitted = 0;   // our transactions' retransmissions in this second
  std::uint64_t late = 0;            // responses that matched no transaction (late or duplicate)
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;  // latency of the outcomes of this second
};

struct stress_totals {
  std::uint64_t started = 0, succeeded = 0, failed = 0;
  std::map<int, std::uint64_t> failures_by_status;  // 408: timeout (no final response)
  std::uint64_t retransmitted = 0, late = 0;
  latency_histogram latency;
};

// "12s  rate 100.0/s  active 37  ok 1180  failed 2 (486:2)  retrans 3  late 0  p50 1.2 ms ..."
std::string format_progress(const second_sample& s, const stress_totals& totals);
std::string format_summary(const stress_totals& totals, double seconds, const std::string& what);
void write_csv(std::ostream& out, const std::vector<second_sample>& samples);

}  // namespace sipactor::apps
