#!/bin/sh
# Registrar benchmark (issue 6): REGISTER/s with and without Digest authentication, SQLite
# persistence on (WAL, synchronous=NORMAL: a 200 is sent after COMMIT), driven by SIPp over
# loopback UDP; and memory per stored binding.
#
#   bench/run_registrar_bench.sh [SIPACTOR_BINARY]
# Environment: RATES (calls/s, default "1000 2000 4000 8000"), SECONDS (per rate, default 10),
# USERS (distinct AORs, default 20000), BINDINGS (for the memory figure, default 100000),
# WORKERS (proxy scheduler threads, default 2).
#
# For each mode and rate it prints: successful and failed registrations (SIPp's calls), the
# achieved rate, the proxy's CPU seconds (utime + stime from /proc/PID/stat) and REGISTERs per
# CPU-second. A call is one registration: without auth one transaction, with auth two
# (REGISTER/401, REGISTER/200). The memory figure: RSS of a proxy that loaded BINDINGS bindings
# from its store at start minus RSS of one that loaded none, divided by BINDINGS.
set -eu

BIN=${1:-build/apps/sipactor}
RATES=${RATES:-"1000 2000 4000 8000"}
SECONDS_PER_RATE=${SECONDS:-10}
USERS=${USERS:-20000}
BINDINGS=${BINDINGS:-100000}
WORKERS=${WORKERS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/sipactor-regbench-XXXXXX)
PROXY_PID=
trap 'if [ -n "$PROXY_PID" ]; then kill -KILL "$PROXY_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT INT TERM

# The users file (HA1 only, actors/auth_users.hpp) and SIPp injection file for USERS users.
python3 - "$WORK" "$USERS" <<'EOF'
import hashlib, sys
work, n = sys.argv[1], int(sys.argv[2])
with open(work + "/users.txt", "w") as users, open(work + "/users.csv", "w") as csv:
    csv.write("SEQUENTIAL\n")
    for i in range(n):
        u = "user%d" % i
        a1 = ("%s:127.0.0.1:benchpw" % u).encode()
        users.write("%s 127.0.0.1 %s %s\n" % (u, hashlib.md5(a1).hexdigest(), hashlib.sha256(a1).hexdigest()))
        csv.write("%s;[authentication username=%s password=benchpw]\n" % (u, u))
EOF

# start_proxy NAME EXTRA-CONFIG-LINES: sets PROXY_PID and PORT.
start_proxy() {
  printf 'listen = udp 127.0.0.1:0\ndomain = 127.0.0.1\nstore = %s\nlog.level = warn\nworkers = %s\nauth.algorithms = MD5 SHA-256\noverload.max_registers_in_flight = 100000\n%s\n' \
    "$WORK/$1.db" "$WORKERS" "$2" > "$WORK/$1.conf"
  rm -f "$WORK/$1.out"
  "$BIN" proxy --config "$WORK/$1.conf" > "$WORK/$1.out" 2>> "$WORK/$1.log" &
  PROXY_PID=$!
  for _ in $(seq 50); do
    grep -q '^listening udp' "$WORK/$1.out" 2>/dev/null && break
    sleep 0.1
  done
  PORT=$(sed -n 's/^listening udp .*:\([0-9]*\)$/\1/p' "$WORK/$1.out")
  [ -n "$PORT" ] || { echo "proxy did not start:"; cat "$WORK/$1.log"; exit 1; }
}

stop_proxy() {
  kill -TERM "$PROXY_PID"
  wait "$PROXY_PID" || true
  PROXY_PID=
}

cpu_seconds() {  # utime + stime of PROXY_PID in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$PROXY_PID/stat"
}

rss_kb() {
  awk '/^VmRSS/ { print $2 }' "/proc/$PROXY_PID/status"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_sipp SCENARIO RATE CALLS: prints "successful failed seconds".
run_sipp() {
  sipp -sf "$HERE/sipp/$1" "127.0.0.1:$PORT" -i 127.0.0.1 -p "$(free_port)" -inf "$WORK/users.csv" \
    -r "$2" -m "$3" -l 20000 -timeout $((SECONDS_PER_RATE * 4 + 30))s -nostdin -buff_size 4194304 \
    > "$WORK/sipp.out" 2>&1 || true
  ok=$(grep 'Successful call' "$WORK/sipp.out" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 }')
  failed=$(grep 'Failed call' "$WORK/sipp.out" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 }')
  echo "${ok:-0} ${failed:-0}"
}

echo "# sipactor registrar bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(sipp -v 2>&1 | grep -o 'SIPp v[0-9.]*')"
echo "# rates: $RATES calls/s, $SECONDS_PER_RATE s each; $USERS AORs; workers $WORKERS"
printf '%-6s %6s %8s %7s %8s %8s %12s\n' mode rate ok failed 'reg/s' cpu_s 'reg/cpu_s'
for mode in noauth auth; do
  if [ "$mode" = auth ]; then
    start_proxy "$mode" "users = $WORK/users.txt"
    scenario=register_auth_bench.xml
  else
    start_proxy "$mode" ""
    scenario=register_bench.xml
  fi
  for rate in $RATES; do
    calls=$((rate * SECONDS_PER_RATE))
    cpu0=$(cpu_seconds)
    t0=$(date +%s.%N)
    set -- $(run_sipp "$scenario" "$rate" "$calls")
    t1=$(date +%s.%N)
    cpu1=$(cpu_seconds)
    awk -v m="$mode" -v r="$rate" -v ok="$1" -v f="$2" -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" \
      'BEGIN { cpu = c1 - c0; printf "%-6s %6d %8d %7d %8.0f %8.2f %12.0f\n", m, r, ok, f, ok / (t1 - t0), cpu, (cpu > 0 ? ok / cpu : 0) }'
  done
  stop_proxy
done

# Memory per binding: BINDINGS registrations into a fresh store, then two restarts compared.
(echo SEQUENTIAL; seq 0 $((BINDINGS - 1)) | sed 's/^/m/') > "$WORK/mem.csv"
start_proxy mem ""
sipp -sf "$HERE/sipp/register_bench.xml" "127.0.0.1:$PORT" -i 127.0.0.1 -p "$(free_port)" -r 8000 -m "$BINDINGS" \
  -l 20000 -timeout 120s -nostdin -buff_size 4194304 -inf "$WORK/mem.csv" > "$WORK/sipp.out" 2>&1 || true
stored_ok=$(grep 'Successful call' "$WORK/sipp.out" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 }')
stop_proxy
db_bytes=$(cat "$WORK/mem.db" "$WORK/mem.db-wal" 2>/dev/null | wc -c)
start_proxy empty ""
sleep 2
rss_empty=$(rss_kb)
stop_proxy
start_proxy mem ""
sleep 3
rss_loaded=$(rss_kb)
stop_proxy
awk -v n="${stored_ok:-0}" -v e="$rss_empty" -v l="$rss_loaded" -v db="$db_bytes" 'BEGIN {
  printf "# memory: %d bindings loaded: RSS %d kB vs %d kB empty: %.0f bytes per binding in memory; store %.0f bytes per binding on disk\n",
    n, l, e, (n > 0 ? (l - e) * 1024 / n : 0), (n > 0 ? db / n : 0) }'
