#!/usr/bin/env bash
# Live-board latency with many viewers (see live-bench.mjs): starts the release server (or
# TOUCHPOINT_BIN) on an in-memory database and runs the measurement against it.
#   scripts/live-bench.sh [viewers=50] [cards=20]
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${TOUCHPOINT_BIN:-target/release/touchpoint}
[[ -x $bin ]] || { echo "missing $bin: run 'make build-release' first"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=target/test-logs/live-bench-server.log
mkdir -p target/test-logs

TOUCHPOINT_DB=mem:// TOUCHPOINT_ADDR=127.0.0.1:$port TOUCHPOINT_SITE_ROOT=target/site \
  RUST_LOG=${RUST_LOG:-warn} NO_COLOR=1 "$bin" serve >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "the server exited:"; cat "$log"; exit 1; }
  sleep 0.2
done
token=""
for _ in $(seq 1 50); do
  token=$(sed -n 's/.*one-time setup token: \([A-Za-z0-9_-]*\).*/\1/p' "$log" | tail -1)
  [[ -n $token ]] && break
  sleep 0.1
done
[[ -n $token ]] || { echo "no setup token in the server log"; cat "$log"; exit 1; }
echo "server: $bin ($(nproc) cores)"
node scripts/live-bench.mjs "http://127.0.0.1:$port" "$token" "${1:-50}" "${2:-20}"
