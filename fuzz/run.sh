#!/usr/bin/env bash
# Builds the libFuzzer targets (clang) if needed, replays the saved crash inputs, then fuzzes each
# target for SECONDS (default 30), one process at a time. Exits non-zero on any crash, invariant
# violation, leak or timeout. See fuzz/README.md.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      e.g. fuzz/run.sh 600 fuzz_parse_datagram
#
# Environment:
#   FUZZ_BUILD_DIR   fuzz build directory (default: <repo>/build-fuzz)
#   CC, CXX          compilers for a fresh configure (default: clang-14, clang++-14, else clang)
#   FUZZ_MAX_LEN     -max_len (default 8192)
#   FUZZ_JOBS        build parallelism (default: JOBS, else 2)
#   FUZZ_SKIP_REGRESSIONS=1   do not replay tests/data/fuzz-regressions first
#   FUZZ_EXTRA_ARGS  more libFuzzer flags, e.g. "-only_ascii=1"
set -euo pipefail

seconds="${1:-30}"
shift || true
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$repo/build-fuzz}"
max_len="${FUZZ_MAX_LEN:-8192}"
jobs="${FUZZ_JOBS:-${JOBS:-2}}"
all_targets=(fuzz_parse_datagram fuzz_stream_framer fuzz_uri fuzz_dns_message)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

# Seeds: the RFC 4475 torture messages and the SIPp INVITE of the benchmarks, from ../shared next
# to the repository, else from the copies in tests/data; and the RFC 3665 call flows (tests/data).
shared="$(cd "$repo/.." && pwd)/shared"
torture="$shared/torture/rfc4475"
[ -d "$torture" ] || torture="$repo/tests/data/rfc4475"
bench_invite="$shared/bench/sipp-invite.sip"
[ -f "$bench_invite" ] || bench_invite="$repo/tests/data/sipp-invite.sip"
if [ ! -d "$torture" ]; then
  echo "run.sh: warning: no RFC 4475 torture messages ($shared/torture/rfc4475, $repo/tests/data/rfc4475)" >&2
  torture=""
fi

# --- configure and build (again when the directory was not configured for fuzzing)
if ! grep -qs '^SIPACTOR_BUILD_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  if [ -z "${CXX:-}" ]; then
    if command -v clang++-14 >/dev/null; then export CC=clang-14 CXX=clang++-14
    else export CC=clang CXX=clang++; fi
  fi
  cmake -S "$repo" -B "$build" -DSIPACTOR_BUILD_FUZZ=ON -DSIPACTOR_BUILD_TESTS=OFF \
    -DSIPACTOR_BUILD_BENCH=OFF -DSIPACTOR_SANITIZE=ON
fi
cmake --build "$build" --target "${targets[@]}" -j "$jobs"

# --- seed directories, generated under the build directory (never in the repository)
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds/datagram" "$seeds/stream"
dat_files=()
[ -n "$torture" ] && dat_files=("$torture"/*.dat)
if [ -f "$bench_invite" ]; then
  dat_files+=("$bench_invite")
  cp "$bench_invite" "$seeds/datagram/"
fi
for f in "$repo"/tests/data/rfc3665/*.sip; do
  [ -f "$f" ] || continue
  dat_files+=("$f")
  cp "$f" "$seeds/datagram/"
done
# The framer target reads two control bytes (split seed, chunk/limit mode) before the stream.
byte() { printf "\\$(printf '%03o' "$(($1 % 256))")"; }
n=0
for f in "${dat_files[@]}"; do
  n=$((n + 1))
  { byte "$n"; byte 7; cat "$f"; } > "$seeds/stream/one-$n"
done
# Streams of several messages with keep-alives between them (messages with a Content-Length).
with_length=()
for f in "${dat_files[@]}"; do
  if grep -qaiE '^(Content-Length|l)[ 	]*:' "$f"; then with_length+=("$f"); fi
done
for ((i = 0; i + 2 < ${#with_length[@]}; i += 3)); do
  { byte "$i"; byte $(((i * 5) % 32));
    cat "${with_length[i]}"; printf '\r\n\r\n'; cat "${with_length[i + 1]}"; printf '\r\n';
    cat "${with_length[i + 2]}"; } > "$seeds/stream/multi-$i"
done

dict="$repo/fuzz/sip.dict"
regressions="$repo/tests/data/fuzz-regressions"
status=0

run_target() {
  local target="$1" bin="$build/fuzz/$1"
  local corpus="$build/fuzz-corpus/${target#fuzz_}" artifacts="$build/fuzz-artifacts/${target#fuzz_}"
  mkdir -p "$corpus" "$artifacts"
  local seed_dirs=() dict_args=("-dict=$dict")
  case "$target" in
    fuzz_parse_datagram) seed_dirs=(${torture:+"$torture"} "$seeds/datagram") ;;
    fuzz_stream_framer) seed_dirs=("$seeds/stream") ;;
    fuzz_uri) seed_dirs=("$repo/fuzz/corpus/uri") ;;
    fuzz_dns_message) seed_dirs=("$repo/fuzz/corpus/dns"); dict_args=() ;;  # binary: no SIP words
    *) echo "run.sh: unknown target $target" >&2; return 2 ;;
  esac

  # Saved crash inputs first: regressions named <target without fuzz_ prefix>-*.bin.
  if [ "${FUZZ_SKIP_REGRESSIONS:-0}" != 1 ] && [ -d "$regressions" ]; then
    local saved=()
    local prefix="${target#fuzz_}"
    prefix="${prefix%%_*}"  # parse_datagram -> parse, stream_framer -> stream, uri -> uri
    for f in "$regressions/$prefix"-*.bin; do [ -f "$f" ] && saved+=("$f"); done
    if [ "${#saved[@]}" -gt 0 ]; then
      echo "=== $target: replaying ${#saved[@]} saved input(s)"
      if ! "$bin" -runs=1 "${saved[@]}" > "$artifacts/regressions.log" 2>&1; then
        echo "run.sh: $target fails on a saved regression input; see $artifacts/regressions.log" >&2
        grep -E 'Running:|invariant violated|ERROR: ' "$artifacts/regressions.log" | tail -n 6 >&2 || true
        return 1
      fi
    fi
  fi

  echo "=== $target: fuzzing for ${seconds}s (corpus $corpus)"
  # One process (no -jobs/-workers): the machine is shared.
  local log="$artifacts/last-run.log" rc=0
  # shellcheck disable=SC2086
  "$bin" "$corpus" "${seed_dirs[@]}" "${dict_args[@]}" -max_len="$max_len" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" ${FUZZ_EXTRA_ARGS:-} > "$log" 2>&1 || rc=$?
  grep -E '^#[0-9]+.*(INITED|DONE)|^stat::(number_of_executed_units|peak_rss)|ERROR: |invariant violated|Test unit written' "$log" || true
  if [ "$rc" -ne 0 ]; then
    echo "run.sh: $target failed (exit $rc); input saved under $artifacts/, log $artifacts/last-run.log" >&2
    return 1
  fi
}

for t in "${targets[@]}"; do
  run_target "$t" || status=1
done
exit "$status"
