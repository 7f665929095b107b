#!/usr/bin/env bash
# Quick start: install dependencies, build, and run sipactor's main job.
# Until the proxy lands this is `sipactor parse` over the RFC 4475 torture corpus: 28 messages
# are accepted and 22 rejected with the status and reason the RFC expects.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
corpus=../shared/torture/rfc4475
[ -d "$corpus" ] || corpus=tests/data/rfc4475
set +e
build/apps/sipactor parse --quiet "$corpus"/*.dat
status=$?
set -e
# parse exits 1 because the corpus holds invalid messages on purpose.
[ "$status" -le 1 ] || exit "$status"
