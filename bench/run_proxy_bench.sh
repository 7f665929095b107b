#!/bin/bash
# Proxy benchmark (issue 7): calls per CPU-second of `sipactor proxy` and of Kamailio, the same
# calls in the same run. SIPp's built-in uas on 127.0.0.1:5070 is the callee, registered as
# sip:service@127.0.0.1 with Contact sip:service@127.0.0.1:5070 at the proxy under test
# (bench/sipp/register_service.xml); SIPp's built-in uac calls sip:service@ through the proxy at
# increasing rates. Its ACK and BYE carry no Route, so the proxy routes them by location too.
#
#   bench/run_proxy_bench.sh [SIPACTOR_BINARY]
# Environment: RATES (calls/s, default "250 500 1000 1500 2000"), DURATION (s per rate, default 20),
# WORKERS (sipactor scheduler threads, default 2; Kamailio runs children=2 from
# bench/kamailio/kamailio.cfg), UDP_READERS (sipactor's udp.readers, default 0: one per core), SIPACTOR_MODES ("stateful", "stateless" or both; default
# "stateful"), KAMAILIO (its binary, default kamailio; "none" skips it), KAMAILIO_CHILDREN (its
# worker processes, default 2 as in the config), KEEP (a directory: when a rate has failed calls,
# SIPp's summary and error logs of that rate and the proxy's log are copied there; default
# /tmp/sipactor-proxybench-failures).
#
# Per proxy and rate: calls successful and failed (failed = all SIPp started minus successful, so
# calls still open when SIPp gives up count as failed), the achieved rate, the proxy's CPU seconds
# (utime + stime from /proc/PID/stat, summed over all of Kamailio's processes) and calls per
# CPU-second; first an "idle" row, the CPU seconds per second it spends with no traffic. A rate
# with more than 1% failed calls ends that proxy's climb. Then per proxy the highest rate with
# zero failed calls, and the ratio of calls per CPU-second, sipactor / Kamailio, per rate both
# ran and over all those rates.
set -eu

BIN=${1:-build/apps/sipactor}
RATES=${RATES:-"250 500 1000 1500 2000"}
PER_RATE=${DURATION:-20}  # not SECONDS: bash counts that one itself
WORKERS=${WORKERS:-2}
UDP_READERS=${UDP_READERS:-0}
SIPACTOR_MODES=${SIPACTOR_MODES:-stateful}
KAMAILIO=${KAMAILIO:-kamailio}
KAMAILIO_CHILDREN=${KAMAILIO_CHILDREN:-2}
KEEP=${KEEP:-/tmp/sipactor-proxybench-failures}
UAS_PORT=5070
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/sipactor-proxybench-XXXXXX)
UAS_PID=
PROXY_PID=
cleanup() {
  for pid in $PROXY_PID $UAS_PID; do { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

unused_udp_port() {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# CPU seconds (utime + stime) of PROXY_PID and, for Kamailio, of its children.
proxy_cpu() {
  local pids="$PROXY_PID $(pgrep -P "$PROXY_PID" | tr '\n' ' ')"
  local stats=""
  for pid in $pids; do stats="$stats /proc/$pid/stat"; done
  # The command name (field 2) has no spaces for either proxy, so fields 14 and 15 are in place.
  cat $stats 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" '{ t += $14 + $15 } END { printf "%.2f", t / hz }'
}

# The proxy's UDP port from its stdout ("listening udp 127.0.0.1:PORT"), within 5 s.
sipactor_port() {
  local out=$1
  for _ in $(seq 50); do
    if grep -q '^listening udp' "$out" 2>/dev/null; then break; fi
    sleep 0.1
  done
  sed -n 's/^listening udp .*:\([0-9]*\)$/\1/p' "$out"
}

# start NAME: starts the proxy NAME (sipactor-stateful, sipactor-stateless, kamailio); sets
# PROXY_PID and PORT.
start() {
  case $1 in
    sipactor-*)
      local stateless=off
      [ "$1" = sipactor-stateless ] && stateless=on
      printf 'listen = udp 127.0.0.1:0\ndomain = 127.0.0.1\nstore = :memory:\nlog.level = warn\nworkers = %s\nudp.readers = %s\nstateless = %s\n' \
        "$WORKERS" "$UDP_READERS" "$stateless" > "$WORK/$1.conf"
      "$BIN" proxy --config "$WORK/$1.conf" > "$WORK/$1.out" 2> "$WORK/$1.log" &
      PROXY_PID=$!
      PORT=$(sipactor_port "$WORK/$1.out")
      ;;
    kamailio)
      PORT=$(unused_udp_port)
      mkdir -p "$WORK/kamailio-run"
      sed "s/^children=2 /children=$KAMAILIO_CHILDREN /" "$HERE/kamailio/kamailio.cfg" > "$WORK/kamailio.cfg"
      "$KAMAILIO" -f "$WORK/kamailio.cfg" -DD -E -l "udp:127.0.0.1:$PORT" -Y "$WORK/kamailio-run" \
        -P "$WORK/kamailio-run/kamailio.pid" -m 256 -M 16 > "$WORK/$1.log" 2>&1 &
      PROXY_PID=$!
      sleep 2
      ;;
  esac
  if [ -z "$PORT" ] || ! kill -0 "$PROXY_PID" 2>/dev/null; then
    echo "$1 did not start:" >&2
    cat "$WORK/$1.log" >&2
    exit 1
  fi
  sipp -sf "$HERE/sipp/register_service.xml" "127.0.0.1:$PORT" -i 127.0.0.1 -p "$(unused_udp_port)" \
    -key contact "127.0.0.1:$UAS_PORT" -m 1 -timeout 10s -nostdin > "$WORK/register.out" 2>&1 ||
    { echo "$1: REGISTER failed" >&2; cat "$WORK/register.out" >&2; exit 1; }
}

stop() {
  kill -TERM "$PROXY_PID"
  wait "$PROXY_PID" || true
  PROXY_PID=
}

# calls PROXY RATE COUNT: SIPp's uac through the proxy; prints "successful failed". When calls
# failed, the uac's and uas's logs of this rate and the proxy's log go to $KEEP/PROXY-RATE-TIME.
calls() {
  rm -f "$WORK/uac_errors.log"
  local uas_from
  uas_from=$(stat -c %s "$WORK/uas_errors.log" 2>/dev/null || echo 0)
  sipp -sn uac "127.0.0.1:$PORT" -s service -i 127.0.0.1 -p "$(unused_udp_port)" -r "$2" -m "$3" -l 20000 \
    -timeout $((PER_RATE + 40))s -nostdin -buff_size 4194304 -trace_err -error_file "$WORK/uac_errors.log" \
    > "$WORK/uac.out" 2>&1 || true
  local ok
  ok=$(grep 'Successful call' "$WORK/uac.out" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 }')
  ok=${ok:-0}
  if [ "$ok" -lt "$3" ]; then
    local kept
    kept="$KEEP/$1-$2-$(date -u +%H%M%S)"
    mkdir -p "$kept"
    cp "$WORK/uac.out" "$kept/"
    tail -c +$((uas_from + 1)) "$WORK/uas_errors.log" > "$kept/uas_errors.log" 2>/dev/null || true
    cp "$WORK/uac_errors.log" "$WORK/$1.log" "$kept/" 2>/dev/null || true
    echo "# $1 at $2 calls/s: $(($3 - ok)) failed; logs in $kept" >&2
  fi
  echo "$ok $(($3 - ok))"
}

if ! python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(('127.0.0.1', $UAS_PORT))" 2>/dev/null; then
  echo "127.0.0.1:$UAS_PORT (UDP) is in use: the callee needs it" >&2
  exit 1
fi
sipp -sn uas -i 127.0.0.1 -p "$UAS_PORT" -nostdin -buff_size 4194304 -trace_err -error_file "$WORK/uas_errors.log" \
  > "$WORK/uas.out" 2>&1 &
UAS_PID=$!

PROXIES=""
for mode in $SIPACTOR_MODES; do PROXIES="$PROXIES sipactor-$mode"; done
[ "$KAMAILIO" = none ] || PROXIES="$PROXIES kamailio"

echo "# sipactor proxy bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(sipp -v 2>&1 | grep -o 'SIPp v[0-9.]*')$([ "$KAMAILIO" = none ] || echo ", $("$KAMAILIO" -v | head -1)")"
echo "# rates: $RATES calls/s, $PER_RATE s each; sipactor workers $WORKERS, udp.readers $UDP_READERS; Kamailio children $KAMAILIO_CHILDREN; callee: SIPp uas on 127.0.0.1:$UAS_PORT"
printf '%-18s %6s %8s %7s %8s %8s %12s\n' proxy rate ok failed 'calls/s' cpu_s 'calls/cpu_s'
: > "$WORK/results"
for proxy in $PROXIES; do
  start "$proxy"
  # Idle: the CPU the proxy spends with no traffic (scheduler polling, timers), per second.
  cpu0=$(proxy_cpu)
  sleep 5
  awk -v p="$proxy" -v c0="$cpu0" -v c1="$(proxy_cpu)" 'BEGIN { printf "%-18s %6s %8s %7s %8s %8.2f %12s\n", p, "idle", "-", "-", "-", (c1 - c0) / 5, "-" }'
  for rate in $RATES; do
    total=$((rate * PER_RATE))
    cpu0=$(proxy_cpu)
    t0=$(date +%s.%N)
    read -r ok failed < <(calls "$proxy" "$rate" "$total")
    t1=$(date +%s.%N)
    cpu1=$(proxy_cpu)
    awk -v p="$proxy" -v r="$rate" -v ok="$ok" -v f="$failed" -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" \
      'BEGIN { cpu = c1 - c0; printf "%-18s %6d %8d %7d %8.0f %8.2f %12.0f\n", p, r, ok, f, ok / (t1 - t0), cpu, (cpu > 0 ? ok / cpu : 0) }' |
      tee -a "$WORK/results"
    if [ "$failed" -gt $((total / 100)) ]; then
      echo "# $proxy: more than 1% failed at $rate calls/s; no higher rate"
      break
    fi
  done
  stop
done

# Summary: per proxy the highest rate with zero failed calls; sipactor / Kamailio calls per
# CPU-second at each rate both ran, and over all of them.
awk -v rates="$RATES" '
  { ok[$1, $2] = $3; cpu[$1, $2] = $6; seen[$1] = 1; if ($4 == 0 && $3 > 0 && $2 + 0 > best[$1] + 0) best[$1] = $2 }
  END {
    n = split(rates, rate, " ");
    for (p in seen) printf "# %s: highest rate with zero failed calls: %s\n", p, (p in best ? best[p] " calls/s" : "none");
    if (!("kamailio" in seen)) exit;
    for (p in seen) {
      if (p !~ /^sipactor/) continue;
      so = 0; sc = 0; ko = 0; kc = 0;
      for (i = 1; i <= n; ++i) {
        s = p SUBSEP rate[i]; k = "kamailio" SUBSEP rate[i];
        if (!(s in ok) || !(k in ok) || cpu[s] <= 0 || cpu[k] <= 0) continue;
        printf "# %s / kamailio, calls per CPU-second at %d calls/s: %.2f\n", p, rate[i], (ok[s] / cpu[s]) / (ok[k] / cpu[k]);
        so += ok[s]; sc += cpu[s]; ko += ok[k]; kc += cpu[k];
      }
      if (sc > 0 && kc > 0)
        printf "# %s / kamailio, calls per CPU-second over those rates: %.2f (%.0f vs %.0f)\n", p, (so / sc) / (ko / kc), so / sc, ko / kc;
    }
  }' "$WORK/results"
