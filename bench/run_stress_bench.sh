#!/usr/bin/env bash
# Issue 8: the highest call rate one `sipactor stress` process sustains with zero failures, against
# one SIPp uac process, in the same run, against the same responder (`sipactor stress --answer`
# on its own port; every call: INVITE, 100, 200, ACK, BYE, 200).
#
# For each rate R both generators place R*SECONDS calls at R per second. A rate is sustained when
# no call failed and the run kept to its schedule (it ended within SECONDS*1.1 + 2 s: a generator
# that cannot keep up falls behind and takes longer).
#
# HOLD_MS (default 0) holds each call that long between the ACK and the BYE (SIPp -d, our --hold);
# the run's time limit grows by it.
#
#   BUILD_DIR=build RATES="500 1000 2000 3000 4000" SECONDS_PER_RATE=10 HOLD_MS=0 bench/run_stress_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
rates="${RATES:-500 1000 1500 2000 3000 4000 5000 6000}"
seconds="${SECONDS_PER_RATE:-10}"
hold="${HOLD_MS:-0}"
cmake --build "$build" -j"${JOBS:-2}" --target sipactor >/dev/null
sipactor="$build/apps/sipactor"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

port="$(free_port)"
"$sipactor" stress --answer --local "127.0.0.1:$port" --progress off >"$work/responder.log" 2>&1 &
sleep 1

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); hold $hold ms; responder: sipactor stress --answer on 127.0.0.1:$port"
echo "# rate/s | generator | calls | failed | seconds | sustained"
best_sipp=0
best_ours=0
limit() { python3 -c "print($seconds * 1.1 + 2 + $hold / 1000)"; }
for rate in $rates; do
  total=$((rate * seconds))
  t0="$(now)"
  sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 -p "$(free_port)" -r "$rate" -m "$total" -d "$hold" -l $((rate * (hold / 1000 + 5))) -nostdin \
    -trace_screen -screen_file "$work/sipp.txt" >/dev/null 2>&1 || true
  t1="$(now)"
  ok="$(awk -F'|' '/Successful call/ {gsub(/ /, "", $3); print $3}' "$work/sipp.txt" | tail -1)"
  failed="$(awk -F'|' '/Failed call/ {gsub(/ /, "", $3); print $3}' "$work/sipp.txt" | tail -1)"
  elapsed="$(python3 -c "print(round($t1 - $t0, 1))")"
  sustained="$(python3 -c "print('yes' if '${failed:-1}' == '0' and '${ok:-0}' == '$total' and $elapsed <= $(limit) else 'no')")"
  echo "$rate | sipp uac | ${ok:-0} | ${failed:-?} | $elapsed | $sustained"
  [ "$sustained" = yes ] && best_sipp=$rate
  sleep 2
  t0="$(now)"
  "$sipactor" stress --target "sip:service@127.0.0.1:$port" --rate "$rate" --total "$total" --hold "$hold" --max-concurrent $((rate * (hold / 1000 + 5))) --progress off \
    >"$work/ours.txt" 2>&1 || true
  t1="$(now)"
  ok="$(sed -n 's/.*succeeded \([0-9]*\), failed.*/\1/p' "$work/ours.txt")"
  failed="$(sed -n 's/.*failed \([0-9]*\) in.*/\1/p' "$work/ours.txt")"
  elapsed="$(python3 -c "print(round($t1 - $t0, 1))")"
  sustained="$(python3 -c "print('yes' if '${failed:-1}' == '0' and '${ok:-0}' == '$total' and $elapsed <= $(limit) else 'no')")"
  echo "$rate | sipactor stress | ${ok:-0} | ${failed:-?} | $elapsed | $sustained"
  [ "$sustained" = yes ] && best_ours=$rate
  sleep 2
done
echo "# highest sustained rate: sipp uac $best_sipp/s, sipactor stress $best_ours/s"
if [ "$best_sipp" -gt 0 ]; then python3 -c "print('# ratio: %.2fx' % ($best_ours / $best_sipp))"; fi
