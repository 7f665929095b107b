#!/usr/bin/env bash
# Quick start: install dependencies, build, and run sipactor's main job: `sipactor proxy` on its
# embedded default config (UDP and TCP on 127.0.0.1:5060, domains 127.0.0.1 and localhost,
# registrations without authentication stored in ./sipactor.db). Stop it with Ctrl-C (SIGINT)
# or SIGTERM: it finishes what it took, flushes the store and exits 0.
# Extra arguments go to `sipactor proxy` (e.g. --config apps/sipactor.conf.example).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec "${BUILD_DIR:-build}/apps/sipactor" proxy "$@"
