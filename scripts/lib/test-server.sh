# Sourced by the scripts that test against a running server (e2e, fuzz, live-bench).
#
#   start_test_server BIN LOG [RUST_LOG default]
#
# Starts BIN on a free port (or TEST_SERVER_PORT) with an in-memory database, waits until it answers, and reads the
# one-time setup token from its log. Sets `server` (the pid), `base` (http://127.0.0.1:PORT)
# and `token`; stops the server when the script exits (call `on_exit` to add cleanup).
_cleanup=""
on_exit() { _cleanup="$_cleanup; $1"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_test_server() {
  local bin=$1 log=$2 level=${3:-warn} port
  [[ -x $bin ]] || { echo "missing $bin: build it first (cargo leptos build, or make build-release)"; exit 1; }
  mkdir -p "$(dirname "$log")"
  port=${TEST_SERVER_PORT:-$(free_port)}
  base="http://127.0.0.1:$port"
  TOUCHPOINT_DB=mem:// TOUCHPOINT_ADDR=127.0.0.1:$port TOUCHPOINT_SITE_ROOT=target/site \
    RUST_LOG=${RUST_LOG:-$level} NO_COLOR=1 "$bin" serve >"$log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true'"$_cleanup" EXIT
  for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { echo "the server exited:"; cat "$log"; exit 1; }
    sleep 0.2
  done
  token=""
  for _ in $(seq 1 50); do
    token=$(sed -n 's/.*one-time setup token: \([A-Za-z0-9_-]*\).*/\1/p' "$log" | tail -1)
    [[ -n $token ]] && break
    sleep 0.1
  done
  [[ -n $token ]] || { echo "no setup token in the server log:"; cat "$log"; exit 1; }
}
