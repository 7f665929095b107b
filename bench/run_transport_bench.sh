#!/usr/bin/env bash
# Builds and runs the transport benchmarks of issue 3, one measurement at a time, and prints the
# results (bench/RESULTS.md, "Transport (issue 3)", says what they mean).
#
#   bench/run_transport_bench.sh            # full run: UDP 3 x 5 s per receiver, 5,000 connections
#   QUICK=1 bench/run_transport_bench.sh    # smoke run: 1 x 2 s, 500 connections
#
# Environment: BUILD_DIR (default build), JOBS (default 2), BUILD_TYPE (default RelWithDebInfo),
# SECONDS_PER_RUN, REPEAT, CONNECTIONS, PACED_RATES (space-separated datagrams/s, default
# "20000 100000"). Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-2}"
if [[ "${QUICK:-0}" == 1 ]]; then
  seconds="${SECONDS_PER_RUN:-2}"; repeat="${REPEAT:-1}"; connections="${CONNECTIONS:-500}"
else
  seconds="${SECONDS_PER_RUN:-5}"; repeat="${REPEAT:-3}"; connections="${CONNECTIONS:-5000}"
fi
paced_rates="${PACED_RATES:-20000 100000}"

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build_dir" -j"$jobs" --target sipactor_udp_bench sipactor_conn_bench

udp="$build_dir/bench/sipactor_udp_bench"
conn="$build_dir/bench/sipactor_conn_bench"
log="$(mktemp /tmp/sipactor-transport-bench.XXXXXX)"
trap 'rm -f "$log"' EXIT

echo "== machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo
echo "== 1. inbound UDP, sender unpaced ($repeat x ${seconds} s per receiver)"
"$udp" --seconds "$seconds" --repeat "$repeat" --modes baseline,1,2 | tee -a "$log"
echo
echo "== 1b. inbound UDP, sender unpaced, pinned: sender on the last CPU, receiving process on the others"
"$udp" --seconds "$seconds" --repeat "$repeat" --modes baseline,1 --pin | tee -a "$log"
for rate in $paced_rates; do
  echo
  echo "== 1c. inbound UDP, sender paced at $rate datagrams/s (CPU per 1k messages at that rate)"
  "$udp" --seconds "$seconds" --repeat 1 --modes baseline,1 --rate "$rate" | tee -a "$log"
done
echo
echo "== 2. idle connections: $connections TCP, then $connections TLS (separate server processes)"
"$conn" --connections "$connections" | tee -a "$log"
echo "== 2b. controls: a bare CAF broker per connection for three read sizes, and tls::session alone"
for read in 65536 4096 1024; do
  "$conn" --connections "$connections" --control-broker-read "$read" | tee -a "$log"
done
"$conn" --connections "$connections" --control-tls-sessions | tee -a "$log"

echo
echo "== summary (RESULT lines)"
grep '^RESULT\|of the baseline rate' "$log" || true
