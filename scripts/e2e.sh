#!/usr/bin/env bash
# Starts the debug server on a free port with an in-memory database, then runs Playwright
# against it in Debian's Chromium. The setup token is read from the server's log.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${TOUCHPOINT_BIN:-target/debug/touchpoint}
[[ -x $bin ]] || { echo "missing $bin: run 'cargo leptos build' first"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=target/test-logs/e2e-server.log
mkdir -p target/test-logs

TOUCHPOINT_DB=mem:// TOUCHPOINT_ADDR=127.0.0.1:$port TOUCHPOINT_SITE_ROOT=target/site \
  RUST_LOG=${RUST_LOG:-info} NO_COLOR=1 "$bin" serve >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "the server exited:"; cat "$log"; exit 1; }
  sleep 0.2
done
token=$(sed -n 's/.*one-time setup token: \([A-Za-z0-9_-]*\).*/\1/p' "$log" | tail -1)
[[ -n $token ]] || { echo "no setup token in the server log:"; cat "$log"; exit 1; }

export BASE_URL="http://127.0.0.1:$port" SETUP_TOKEN="$token"
cd end2end
../node_modules/.bin/playwright test --reporter=line "$@"
