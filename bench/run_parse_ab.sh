#!/usr/bin/env bash
# A/B of two builds of sipactor_parse_bench on this noisy machine: ROUNDS rounds, each running
# A, B, B, A with --pairs=P, and taking from each run its median pair ratio against sofia on the
# INVITE (bench/pairs.cpp). Per round, B/A is B's mean of its two runs over A's; the summary is
# the median of the rounds' B/A (above 1: B is faster). Needs python3.
#
#   bench/run_parse_ab.sh OLD_BINARY NEW_BINARY        e.g. ROUNDS=10 P=20 bench/run_parse_ab.sh ...
#
# Environment: ROUNDS (default 8), P (default 20), SHARED_DIR (default <repo>/../shared).
set -euo pipefail
if [ "$#" -ne 2 ]; then
  echo "usage: $0 OLD_BINARY NEW_BINARY" >&2
  exit 2
fi
a="$1"
b="$2"
rounds="${ROUNDS:-8}"
pairs="${P:-20}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${SHARED_DIR:-$repo/../shared}"

ratio() {
  local out
  out="$("$1" --shared_dir="$shared" --pairs="$pairs" | awk '$1 == "invite" && $2 == "sofia" {print $NF}' | tr -d x)"
  if [ -z "$out" ]; then
    echo "$0: $1 printed no invite/sofia line (built without sofia-sip?)" >&2
    exit 1
  fi
  echo "$out"
}

for _ in $(seq "$rounds"); do
  a1="$(ratio "$a")"; b1="$(ratio "$b")"; b2="$(ratio "$b")"; a2="$(ratio "$a")"
  echo "$a1 $b1 $b2 $a2"
done | python3 -c '
import statistics as st, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
a = [(r[0] + r[3]) / 2 for r in rows]
b = [(r[1] + r[2]) / 2 for r in rows]
q = [y / x for x, y in zip(a, b)]
for x, y, z in zip(a, b, q):
    print(f"A {x:.2f}x  B {y:.2f}x  B/A {z:.3f}")
print(f"median B/A {st.median(q):.3f} over {len(q)} rounds (min {min(q):.3f}, max {max(q):.3f}); "
      f"median ratio to sofia: A {st.median(a):.2f}x, B {st.median(b):.2f}x")
'
