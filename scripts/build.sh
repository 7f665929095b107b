#!/usr/bin/env bash
# Configures (once) and builds sipactor. BUILD_DIR (default: build) and extra CMake arguments
# (e.g. -DSIPACTOR_SANITIZE=ON) may be given.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build_dir" -j"${JOBS:-2}"
