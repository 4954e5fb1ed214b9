#!/usr/bin/env bash
# API fuzzing: schemathesis (from the repo's .venv) against the debug server's OpenAPI document,
# as an admin with an API token, on an in-memory database seeded with one project. A bounded
# number of examples per operation keeps it to a few minutes. Fails on any server error (5xx)
# and on any answer that contradicts the document (status, content type, schema).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${TOUCHPOINT_BIN:-target/debug/touchpoint}
[[ -x $bin ]] || { echo "missing $bin: run 'cargo leptos build' first"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=target/test-logs/fuzz-server.log
mkdir -p target/test-logs
base="http://127.0.0.1:$port"

TOUCHPOINT_DB=mem:// TOUCHPOINT_ADDR=127.0.0.1:$port TOUCHPOINT_SITE_ROOT=target/site \
  RUST_LOG=${RUST_LOG:-warn} NO_COLOR=1 "$bin" serve >"$log" 2>&1 &
server=$!
jar=$(mktemp)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$jar"' EXIT

for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
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

# The admin (browser session), then an API token for schemathesis and a project to aim at.
password="fuzzing password 123"
curl -fsS -c "$jar" -H 'accept: application/json' "$base/api/fn/auth/setup" \
  --data-urlencode "token=$token" --data-urlencode "email=admin@example.org" \
  --data-urlencode "name=Admin" --data-urlencode "password=$password" \
  --data-urlencode "confirm=$password" >/dev/null
api_token=$(curl -fsS -b "$jar" -H 'content-type: application/json' "$base/api/v1/tokens" \
  -d '{"name":"fuzzing"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth="Authorization: Bearer $api_token"
curl -fsS -H "$auth" -H 'content-type: application/json' "$base/api/v1/projects" \
  -d '{"key":"fuzz","name":"Fuzz","started_on":"2026-01-05"}' >/dev/null
curl -fsS -H "$auth" -H 'content-type: application/json' "$base/api/v1/projects/fuzz/sprints" \
  -d '{}' >/dev/null

# The token itself, the import (it replaces the workspace), user changes (they could lock
# the admin out) and the event stream (it never ends) are left out: the rest of the suite
# covers them.
.venv/bin/schemathesis --config-file scripts/schemathesis.toml run "$base/api/v1/openapi.json" \
  --url "$base/api/v1" \
  -H "$auth" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${FUZZ_EXAMPLES:-25}" \
  --phases examples,coverage,fuzzing \
  --exclude-path-regex '^/(import|tokens.*|users.*|projects/[^/]+/events)$' \
  --seed "${FUZZ_SEED:-20261204}" \
  --request-timeout 30 \
  --workers 1 \
  "$@"
