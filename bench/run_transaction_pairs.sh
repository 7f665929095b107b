#!/usr/bin/env bash
# Issue 4 on a guest whose speed moves within seconds: 1 and 2 scheduler threads in back-to-back
# pairs, ROUNDS times per configuration, then for each configuration the median of the pair ratios,
# the ratio of the medians and the ratio of the means (bench/RESULTS.md, "Session 8").
#
#   ROUNDS=8 SECONDS_PER_RUN=2 bench/run_transaction_pairs.sh "options:" "invite:--method INVITE" "nohome:--no-home"
#
# Each argument is LABEL:EXTRA-ARGUMENTS for sipactor_transaction_bench (TCP OPTIONS by default).
# Throughput runs preload tcmalloc_minimal when installed (ALLOCATOR=system: glibc's), as
# run_transaction_bench.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
rounds="${ROUNDS:-8}"
seconds="${SECONDS_PER_RUN:-2}"
[ $# -gt 0 ] || set -- "options:" "invite:--method INVITE"
cmake --build "$build" -j"${JOBS:-2}" --target sipactor_transaction_bench >/dev/null
bench="$build/bench/sipactor_transaction_bench"
preload=""
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ "${ALLOCATOR:-tcmalloc}" != system ] && [ -e "$tcmalloc" ]; then preload="$tcmalloc"; fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), allocator ${preload:-glibc}, $rounds rounds of $seconds s"
for round in $(seq "$rounds"); do
  for spec in "$@"; do
    label="${spec%%:*}"
    read -r -a extra <<<"${spec#*:}"
    for threads in 1 2; do
      rate="$(LD_PRELOAD="$preload" "$bench" --threads "$threads" --seconds "$seconds" --warmup 1 ${extra[@]+"${extra[@]}"} |
        awk '/exchanges\/s/ {print $2}')"
      echo "$label $round $threads $rate" | tee -a "$out"
    done
  done
done
python3 - "$out" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    label, round_, threads, rate = line.split()
    runs[label].setdefault(round_, {})[int(threads)] = float(rate)
for label, rounds in runs.items():
    pairs = [(r[1], r[2]) for r in rounds.values() if 1 in r and 2 in r and r[1] > 0]
    if not pairs:
        continue
    ratios = sorted(b / a for a, b in pairs)
    ones = [a for a, _ in pairs]
    twos = [b for _, b in pairs]
    print(f"# {label}: {len(pairs)} pairs; 1 thread median {statistics.median(ones):.0f}, 2 threads median "
          f"{statistics.median(twos):.0f}; median of pair ratios {statistics.median(ratios):.2f} "
          f"(middle half {ratios[len(ratios) // 4]:.2f}-{ratios[3 * len(ratios) // 4]:.2f}); ratio of medians "
          f"{statistics.median(twos) / statistics.median(ones):.2f}; ratio of means {statistics.mean(twos) / statistics.mean(ones):.2f}")
PY
