#!/usr/bin/env bash
# The whole test suite: formatting, clippy per crate, unit and integration tests, the
# Playwright suite in Chromium and the API fuzzing, against a debug build on an in-memory
# database.
# Exits non-zero on any failure; the runners' summary lines are printed last.
set -uo pipefail
cd "$(dirname "$0")/.."

# The same LEPTOS_* values that `cargo leptos build` sets, for every cargo call: leptos reads
# some at compile time (the wasm file name among them), so a plain `cargo test` without them
# would rebuild the leptos crates and leave a server binary that asks for the wrong wasm file.
export LEPTOS_OUTPUT_NAME=touchpoint LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=frontend \
  LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false

logs=target/test-logs
mkdir -p "$logs"
rm -f "$logs"/*.log
failed_steps=()

step() {
  local name=$1; shift
  echo "==> $name"
  if ! "$@" 2>&1 | tee "$logs/$name.log"; then
    failed_steps+=("$name")
  fi
}

step fmt cargo fmt --all -- --check
step build cargo leptos build
step clippy-ssr cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
step clippy-wasm cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
# The OpenAPI document, generated from the code, checked by an independent validator.
step openapi bash -c 'target/debug/touchpoint openapi > target/openapi.json && .venv/bin/openapi-spec-validator target/openapi.json'
# cargo-nextest (.config/nextest.toml): each test in its own process, a hung test ended after
# three minutes and reported, a failed one run once more and reported as flaky if it passes.
step cargo-test cargo nextest run -p app -p server --features app/ssr
if [[ ! " ${failed_steps[*]} " =~ " build " ]]; then
  step e2e scripts/e2e.sh
  # API fuzzing against the OpenAPI document (schemathesis): no 5xx, no answer that
  # contradicts the document.
  step fuzz scripts/fuzz.sh
else
  echo "==> e2e and fuzz skipped: the build failed"
  failed_steps+=("e2e" "fuzz")
fi

echo
echo "==> Summary"
passed=0; failed=0
if [[ -f $logs/cargo-test.log ]]; then
  # nextest's last line: "Summary [ 70s] 280 tests run: 279 passed (1 flaky), 1 failed, 0 skipped".
  summary=$(grep -E '^ *Summary \[' "$logs/cargo-test.log" | tail -1 | sed -E 's/^ *Summary \[ *[0-9.]+s\] //')
  if [[ -n $summary ]]; then
    run=$(grep -Eo '^[0-9]+ tests? run' <<<"$summary" | grep -Eo '[0-9]+' || echo 0)
    ok=$(grep -Eo '[0-9]+ passed' <<<"$summary" | grep -Eo '[0-9]+' || echo 0)
    passed=$((passed + ok)); failed=$((failed + run - ok))
    echo "cargo: $summary"
    grep -E '^ *(FLAKY|FAIL|TIMEOUT|SIGSEGV|SIGABRT) ' "$logs/cargo-test.log" | sed -E 's/^ +/cargo: /' | sort -u | head -20
  else
    echo "cargo: no summary (the tests did not build or run)"
  fi
fi
if [[ -f $logs/e2e.log ]]; then
  pw_passed=$(grep -Eo '^ *[0-9]+ passed' "$logs/e2e.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  pw_failed=$(grep -Eo '^ *[0-9]+ failed' "$logs/e2e.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  echo "playwright: ${pw_passed} passed, ${pw_failed} failed"
  # Each failed browser test with its first error line, so that a log's tail says what broke.
  awk '/^  [0-9]+\) \[chromium\]/ { t = $0; sub(/^ +/, "", t); want = 1; next }
       want && /Error:/ { e = $0; sub(/^ +/, "", e); print "playwright failure: " t " :: " e; want = 0 }' \
    "$logs/e2e.log" | head -10
  passed=$((passed + pw_passed)); failed=$((failed + pw_failed))
fi
if [[ -f $logs/fuzz.log ]]; then
  echo "fuzz: $(grep -A1 '^Test cases:' "$logs/fuzz.log" | tail -1 | sed 's/^ *//')"
fi
if ((${#failed_steps[@]})); then
  echo "failed steps: ${failed_steps[*]}"
  echo "total: ${passed} passed, ${failed} failed"
  exit 1
fi
echo "total: ${passed} passed, ${failed} failed"
