// `sipactor stress` (issue 8) without the network: options, the rate plan, latency percentiles,
// the progress line, CSV and SVG.
#include <catch2/catch.hpp>

#include <sstream>

#include "apps/stress_options.hpp"
#include "apps/stress_plot.hpp"
#include "apps/stress_runner.hpp"
#include "apps/stress_stats.hpp"

namespace sipactor::apps {

TEST_CASE("stress options: a call run, and each bad option named in its error", "[stress]") {
  auto ok = parse_stress_options({"--target", "sip:service@127.0.0.1:5070", "--rate", "250", "--total", "1000",
                                  "--hold", "2000", "--ports", "4", "--csv", "out.csv", "--progress", "plain"});
  REQUIRE(ok.error.empty());
  CHECK(ok.options.rate == 250);
  CHECK(ok.options.total == 1000);
  CHECK(ok.options.hold == std::chrono::milliseconds(2000));
  CHECK(ok.options.ports == 4);
  CHECK(ok.options.progress == progress_mode::plain);
  CHECK(parse_stress_options({"--rate", "10", "--total", "1"}).error.find("--target") != std::string::npos);
  CHECK(parse_stress_options({"--target", "http://x", "--total", "1"}).error.find("--target") != std::string::npos);
  CHECK(parse_stress_options({"--target", "sip:a@b", "--rate", "-3", "--total", "1"}).error.find("--rate") != std::string::npos);
  CHECK(parse_stress_options({"--target", "sip:a@b", "--ramp", "10", "--total", "1"}).error.find("--ramp") != std::string::npos);
  CHECK(parse_stress_options({"--target", "sip:a@b"}).error.find("--total or --duration") != std::string::npos);
  CHECK(parse_stress_options({"--target", "sip:a@b", "--total"}).error == "--total needs a value");
  CHECK(parse_stress_options({"--bogus", "1"}).error == "unknown option --bogus");
  CHECK(parse_stress_options({"--answer", "--local", "127.0.0.1:5070"}).error.empty());
  CHECK(parse_stress_options({"--help"}).help);
}

TEST_CASE("stress options: --transport names the target's transport, TLS needs a certificate", "[stress]") {
  auto tcp = parse_stress_options({"--target", "sip:service@127.0.0.1:5070", "--transport", "tcp", "--total", "1"});
  REQUIRE(tcp.error.empty());
  CHECK(tcp.options.target == "sip:service@127.0.0.1:5070;transport=tcp");
  // Before the URI's headers; a transport already named is kept when it agrees.
  auto headers = parse_stress_options({"--target", "sip:service@127.0.0.1;lr?Subject=x", "--transport", "tcp",
                                       "--total", "1"});
  REQUIRE(headers.error.empty());
  CHECK(headers.options.target == "sip:service@127.0.0.1;lr;transport=tcp?Subject=x");
  auto named = parse_stress_options({"--target", "sip:a@127.0.0.1;transport=TCP", "--transport", "tcp", "--total", "1"});
  REQUIRE(named.error.empty());
  CHECK(named.options.target == "sip:a@127.0.0.1;transport=TCP");
  auto udp = parse_stress_options({"--target", "sip:a@127.0.0.1", "--total", "1"});
  CHECK(udp.options.target == "sip:a@127.0.0.1");

  auto tls = parse_stress_options({"--target", "sip:a@127.0.0.1:5061", "--transport", "tls", "--tls-cert", "c.pem",
                                   "--tls-key", "k.pem", "--tls-ca", "ca.pem", "--total", "1"});
  REQUIRE(tls.error.empty());
  CHECK(tls.options.target == "sip:a@127.0.0.1:5061;transport=tls");
  CHECK(tls.options.tls_certificate == "c.pem");
  CHECK(tls.options.tls_private_key == "k.pem");
  CHECK(tls.options.tls_ca == "ca.pem");
  // sips: implies TLS (§26.2.2): nothing is added.
  auto sips = parse_stress_options({"--target", "sips:a@127.0.0.1", "--transport", "tls", "--tls-cert", "c.pem",
                                    "--tls-key", "k.pem", "--total", "1"});
  REQUIRE(sips.error.empty());
  CHECK(sips.options.target == "sips:a@127.0.0.1");

  CHECK(parse_stress_options({"--target", "sip:a@127.0.0.1", "--transport", "tls", "--total", "1"}).error.find("--tls-cert") !=
        std::string::npos);
  CHECK(parse_stress_options({"--answer", "--transport", "tls", "--tls-cert", "c.pem"}).error.find("--tls-key") !=
        std::string::npos);
  CHECK(parse_stress_options({"--target", "sips:a@127.0.0.1", "--total", "1"}).error.find("sips:") != std::string::npos);
  CHECK(parse_stress_options({"--target", "sip:a@127.0.0.1;transport=udp", "--transport", "tcp", "--total", "1"})
            .error.find("transport=udp") != std::string::npos);
  CHECK(parse_stress_options({"--target", "sip:a@[::1", "--total", "1"}).error.find("not a valid") != std::string::npos);
}

TEST_CASE("stress plan: constant rate, and a ramp's attempts are its area", "[stress]") {
  stress_options o;
  o.rate = 100;
  CHECK(planned_attempts(o, 2.5) == Approx(250));
  o.ramp_from = 0;
  o.ramp_seconds = 10;
  CHECK(planned_rate(o, 5) == Approx(50));
  CHECK(planned_attempts(o, 10) == Approx(500));       // the triangle 0..100 over 10 s
  CHECK(planned_attempts(o, 12) == Approx(700));       // then 100/s
  CHECK(planned_rate(o, 30) == Approx(100));
}

TEST_CASE("stress latency: percentiles within a bucket's width", "[stress]") {
  latency_histogram h;
  CHECK(h.percentile_ms(50) == 0);
  for (int i = 1; i <= 100; ++i) h.record(std::chrono::microseconds(i * 100));  // 0.1 .. 10 ms
  CHECK(h.count() == 100);
  CHECK(h.percentile_ms(50) == Approx(5.0).margin(0.1));
  CHECK(h.percentile_ms(95) == Approx(9.5).margin(0.1));
  CHECK(h.percentile_ms(100) == Approx(10.0).margin(1.0));
  latency_histogram slow;
  slow.record(std::chrono::seconds(3));
  h.merge(slow);
  CHECK(h.percentile_ms(100) == Approx(3000).margin(100));
}

TEST_CASE("stress output: progress line, summary, CSV and SVG", "[stress]") {
  stress_totals totals;
  totals.started = 120;
  totals.succeeded = 117;
  totals.failed = 3;
  totals.failures_by_status = {{486, 2}, {408, 1}};
  totals.retransmitted = 5;
  second_sample s{3, 40, 39, 1, 7, 2, 0, 1.25, 3.5, 8.0};
  std::string line = format_progress(s, totals);
  CHECK(line.find("rate    40.0/s") != std::string::npos);
  CHECK(line.find("failed      3 (408:1 486:2)") != std::string::npos);
  CHECK(line.find("retrans 5") != std::string::npos);
  CHECK(line.find("p95 3.50 ms") != std::string::npos);
  std::string summary = format_summary(totals, 3.0, "calls to sip:x@y");
  CHECK(summary.find("started 120, succeeded 117, failed 3") != std::string::npos);
  CHECK(summary.find("failures by status: 408:1 486:2") != std::string::npos);
  std::ostringstream csv;
  write_csv(csv, {s, s});
  CHECK(csv.str().rfind("second,started,succeeded,failed,active,retransmitted,late,p50_ms,p95_ms,p99_ms\n", 0) == 0);
  CHECK(csv.str().find("3,40,39,1,7,2,0,1.25,3.5,8\n") != std::string::npos);
  std::string svg = render_stress_svg({s, second_sample{4, 50, 50, 0, 5, 0, 0, 1, 2, 3}}, "a <test>");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("a &lt;test&gt;") != std::string::npos);
  std::size_t polylines = 0;
  for (auto at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++polylines;
  CHECK(polylines == 7);  // started, succeeded; failed, retransmitted; p50, p95, p99
}

}  // namespace sipactor::apps
