#include "apps/stress_stats.hpp"

#include <cstdio>
#include <ostream>

namespace sipactor::apps {

std::size_t latency_histogram::bucket_of(std::uint64_t us) noexcept {
  if (us < 1000) return us / 10;                                      // 0..99
  if (us < 10000) return 100 + (us - 1000) / 100;                     // 100..189
  if (us < 1000000) return 190 + (us - 10000) / 1000;                 // 190..1179
  if (us < 100000000) return 1180 + (us - 1000000) / 100000;          // 1180..2169
  return buckets - 1;
}

std::uint64_t latency_histogram::upper_us(std::size_t b) noexcept {
  if (b < 100) return (b + 1) * 10;
  if (b < 190) return 1000 + (b - 100 + 1) * 100;
  if (b < 1180) return 10000 + (b - 190 + 1) * 1000;
  if (b < 2170) return 1000000 + (b - 1180 + 1) * 100000;
  return 100000000;
}

void latency_histogram::record(std::chrono::microseconds latency) noexcept {
  auto us = latency.count() < 0 ? 0 : static_cast<std::uint64_t>(latency.count());
  ++counts_[bucket_of(us)];
  ++count_;
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
  for (std::size_t i = 0; i < buckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
}

double latency_histogram::percentile_ms(double p) const noexcept {
  if (count_ == 0) return 0;
  auto rank = static_cast<std::uint64_t>(p / 100.0 * static_cast<double>(count_) + 0.999999);
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return static_cast<double>(upper_us(i)) / 1000.0;
  }
  return static_cast<double>(upper_us(buckets - 1)) / 1000.0;
}

void latency_histogram::clear() noexcept {
  counts_.fill(0);
  count_ = 0;
}

namespace {

std::string failures_text(const stress_totals& totals) {
  std::string out;
  for (const auto& [status, n] : totals.failures_by_status) {
    if (!out.empty()) out += ' ';
    out += std::to_string(status) + ":" + std::to_string(n);
  }
  return out;
}

}  // namespace

std::string format_progress(const second_sample& s, const stress_totals& totals) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%5.0fs  rate %7.1f/s  active %5llu  ok %8llu  failed %6llu", s.t, static_cast<double>(s.started),
                static_cast<unsigned long long>(s.active), static_cast<unsigned long long>(totals.succeeded),
                static_cast<unsigned long long>(totals.failed));
  std::string out = line;
  if (!totals.failures_by_status.empty()) out += " (" + failures_text(totals) + ")";
  std::snprintf(line, sizeof line, "  retrans %llu  late %llu  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms",
                static_cast<unsigned long long>(totals.retransmitted), static_cast<unsigned long long>(totals.late),
                s.p50_ms, s.p95_ms, s.p99_ms);
  return out + line;
}

std::string format_summary(const stress_totals& totals, double seconds, const std::string& what) {
  char line[256];
  std::string out = "summary: " + what + "\n";
  std::snprintf(line, sizeof line, "  started %llu, succeeded %llu, failed %llu in %.1f s (%.1f/s succeeded)\n",
                static_cast<unsigned long long>(totals.started), static_cast<unsigned long long>(totals.succeeded),
                static_cast<unsigned long long>(totals.failed), seconds,
                seconds > 0 ? static_cast<double>(totals.succeeded) / seconds : 0.0);
  out += line;
  if (!totals.failures_by_status.empty()) out += "  failures by status: " + failures_text(totals) + "\n";
  std::snprintf(line, sizeof line,
                "  retransmissions %llu, late responses %llu (not failures)\n"
                "  latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n",
                static_cast<unsigned long long>(totals.retransmitted), static_cast<unsigned long long>(totals.late),
                totals.latency.percentile_ms(50), totals.latency.percentile_ms(95), totals.latency.percentile_ms(99));
  return out + line;
}

void write_csv(std::ostream& out, const std::vector<second_sample>& samples) {
  out << "second,started,succeeded,failed,active,retransmitted,late,p50_ms,p95_ms,p99_ms\n";
  for (const auto& s : samples) {
    out << s.t << ',' << s.started << ',' << s.succeeded << ',' << s.failed << ',' << s.active << ','
        << s.retransmitted << ',' << s.late << ',' << s.p50_ms << ',' << s.p95_ms << ',' << s.p99_ms << '\n';
  }
}

}  // namespace sipactor::apps
