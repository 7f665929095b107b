#!/usr/bin/env bash
# Builds sipactor and runs the whole test suite. BUILD_DIR and CMake arguments as for build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh "$@"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j"${JOBS:-2}"
