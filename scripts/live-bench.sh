#!/usr/bin/env bash
# Live-board latency with many viewers (see live-bench.mjs): starts the release server (or
# TOUCHPOINT_BIN) on an in-memory database and runs the measurement against it.
#   scripts/live-bench.sh [viewers=50] [cards=20]
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/test-server.sh
bin=${TOUCHPOINT_BIN:-target/release/touchpoint}
start_test_server "$bin" target/test-logs/live-bench-server.log warn
echo "server: $bin ($(nproc) cores)"
node scripts/live-bench.mjs "$base" "$token" "${1:-50}" "${2:-20}"
