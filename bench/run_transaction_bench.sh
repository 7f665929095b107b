#!/usr/bin/env bash
# The transaction layer benchmark (issue 4): exchanges/s through two transaction layers over an
# in-process loopback with 1 and with 2 scheduler threads, alternating, REPEAT times each; then
# memory per live transaction. Results go to stdout; see "Transactions (issue 4)" in RESULTS.md.
#
#   BUILD_DIR=build bench/run_transaction_bench.sh        # REPEAT=3 SECONDS=10 by default
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
repeat="${REPEAT:-3}"
seconds="${SECONDS_PER_RUN:-10}"
cmake --build "$build" -j"${JOBS:-2}" --target sipactor_transaction_bench >/dev/null
bench="$build/bench/sipactor_transaction_bench"
# The throughput runs use the allocator the sipactor programs link (tcmalloc_minimal when it is
# installed, cmake/sipactor_allocator.cmake; ALLOCATOR=system for glibc's); the memory runs keep
# glibc's, whose mallinfo2 they read.
preload=""
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ "${ALLOCATOR:-tcmalloc}" != system ] && [ -e "$tcmalloc" ]; then preload="$tcmalloc"; fi

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), allocator ${preload:-glibc}"
# UDP runs wait 64*T1 after each run for Timer J/K (the live count must reach zero): one each.
for transport in tcp udp; do
  runs="$repeat"
  [ "$transport" = udp ] && runs=1
  for method in OPTIONS INVITE; do
    for i in $(seq "$runs"); do
      for threads in 1 2; do
        LD_PRELOAD="$preload" "$bench" --threads "$threads" --seconds "$seconds" --transport "$transport" --method "$method" |
          awk -v t="$threads" -v tr="$transport" -v m="$method" -v run="$i" \
            '/exchanges\/s/ {rate=$2} /CPU:/ {cpu=$2; cores=$8; us=$10} /after the run/ {live=$5+$7}
             END {gsub(/[(,]/, "", cores); printf "%s %s run %s threads %s: %s exchanges/s, %s cores, %s us CPU/exchange, live after %s\n", tr, m, run, t, rate, cores, us, live}'
      done
    done
  done
done
echo "# memory per live transaction (heap, request excluded)"
for side in server client; do
  for method in INVITE OPTIONS; do
    for transport in udp tcp; do
      printf '%s %s %s: ' "$side" "$method" "$transport"
      "$bench" --memory 20000 --side "$side" --method "$method" --transport "$transport" | awk '/heap per live/ {print $5, "bytes"}'
    done
  done
done
