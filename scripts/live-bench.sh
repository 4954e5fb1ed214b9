#!/usr/bin/env bash
# Live-board load with many viewers (see live-bench.mjs): starts the release server (or
# TOUCHPOINT_BIN) on an in-memory database and runs the measurement against it.
#   scripts/live-bench.sh [people=50] [tabs per person=1] [cards=20]
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/test-server.sh
bin=${TOUCHPOINT_BIN:-target/release/touchpoint}
start_test_server "$bin" target/test-logs/live-bench-server.log warn
echo "server: $bin ($(nproc) cores)"
node scripts/live-bench.mjs "$base" "$token" "$server" "${1:-50}" "${2:-1}" "${3:-20}"
