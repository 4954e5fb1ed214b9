#!/usr/bin/env bash
# API fuzzing: schemathesis (from the repo's .venv) against the debug server's OpenAPI document,
# as an admin with an API token, on an in-memory database seeded with one project. A bounded
# number of examples per operation keeps it to a few minutes. Runs every check: fails on any
# server error (5xx), on any answer that contradicts the document (status, content type,
# schema, headers), on a request the document allows that the server refuses, and on one it
# forbids that the server accepts, but for the rules JSON Schema cannot state
# (scripts/fuzz_hooks.py).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/test-server.sh
jar=$(mktemp)
on_exit 'rm -f "$jar"'
start_test_server "${TOUCHPOINT_BIN:-target/debug/touchpoint}" target/test-logs/fuzz-server.log warn

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
  --checks all \
  --max-examples "${FUZZ_EXAMPLES:-25}" \
  --phases examples,coverage,fuzzing \
  --exclude-path-regex '^/(import|tokens.*|users.*|projects/[^/]+/events)$' \
  --seed "${FUZZ_SEED:-20261204}" \
  --request-timeout 30 \
  --workers 1 \
  "$@"
