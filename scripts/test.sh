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
# The layers' rules (ARCHITECTURE.md): no import circles between files, no file over 800 lines,
# SurrealQL only in the store crate; the checker first checks itself on made-up crates.
step architecture bash -c 'python3 scripts/check-architecture.py --self-test && python3 scripts/check-architecture.py'
step build cargo leptos build
step clippy-ssr cargo clippy -p domain -p store -p app -p server --features app/ssr --all-targets -- -D warnings
step clippy-wasm cargo clippy -p domain -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
# The API docs of the server-side crates: no broken or private links.
step docs env RUSTDOCFLAGS='-D warnings' cargo doc -p domain -p store -p app -p server --features app/ssr --no-deps
# The OpenAPI document, generated from the code, checked by an independent validator.
step openapi bash -c 'target/debug/touchpoint openapi > target/openapi.json && .venv/bin/openapi-spec-validator target/openapi.json'
# cargo-nextest (.config/nextest.toml): each test in its own process, a hung test ended after
# three minutes and reported, a failed one run once more and reported as flaky if it passes.
step cargo-test cargo nextest run -p domain -p store -p app -p server --features app/ssr
if [[ ! " ${failed_steps[*]} " =~ " build " ]]; then
  step e2e scripts/e2e.sh
  # API fuzzing against the OpenAPI document (schemathesis): no 5xx, no answer that
  # contradicts the document.
  step fuzz scripts/fuzz.sh
  # Email against aiosmtpd (a real SMTP server): a stakeholder's consent, the message they get
  # (read with Python's email package) and one-click unsubscribe, interview invitations (read
  # with icalendar) through a reschedule and a cancellation, digests, a 451 then a retry, a
  # 550, and SIGKILL mid-attempt with a restart (sent once).
  step mail .venv/bin/python scripts/mail-test.py
else
  echo "==> e2e, fuzz and mail skipped: the build failed"
  failed_steps+=("e2e" "fuzz" "mail")
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
  # Playwright's closing lines (a failed test runs once more, see end2end/playwright.config.ts):
  # "  1 failed", "  2 flaky", each followed by its tests, then "  40 passed (4.1m)". A flaky
  # test passed on its retry: it counts as passed, as with nextest.
  pw_count() { grep -Eo "^ *[0-9]+ $1" "$logs/e2e.log" | tail -1 | grep -Eo '[0-9]+' || echo 0; }
  pw_passed=$(pw_count passed); pw_flaky=$(pw_count flaky); pw_failed=$(pw_count failed)
  pw_passed=$((pw_passed + pw_flaky))
  if ((pw_flaky)); then
    echo "playwright: ${pw_passed} passed (${pw_flaky} flaky), ${pw_failed} failed"
  else
    echo "playwright: ${pw_passed} passed, ${pw_failed} failed"
  fi
  # Each failed or flaky browser test with the first error of its failed attempt, so that a
  # log's tail says what broke.
  awk 'function title(line) { sub(/^ +([0-9]+\) )?/, "", line); sub(/ (─)*$/, "", line); return line }
       /^  [0-9]+\) \[/ { t = title($0); want = 1; next }
       want && /Error:/ { e = $0; sub(/^ +/, "", e); error[t] = e; want = 0; next }
       /^  [0-9]+ (failed|flaky)$/ { kind = $2 == "failed" ? "FAIL" : "FLAKY"; next }
       kind != "" && /^    \[/ { n++; name[n] = title($0); kinds[n] = kind; next }
       { kind = "" }
       END { for (i = 1; i <= n; i++) print "playwright: " kinds[i] " " name[i] (name[i] in error ? " :: " error[name[i]] : "") }' \
    "$logs/e2e.log" | head -20
  passed=$((passed + pw_passed)); failed=$((failed + pw_failed))
fi
if [[ -f $logs/fuzz.log ]]; then
  echo "fuzz: $(grep -A1 '^Test cases:' "$logs/fuzz.log" | tail -1 | sed 's/^ *//')"
fi
if [[ -f $logs/mail.log ]]; then
  mail_line=$(grep -E '^mail: [0-9]+ passed, [0-9]+ failed' "$logs/mail.log" | tail -1)
  echo "${mail_line:-mail: no summary}"
  grep -E '^FAIL ' "$logs/mail.log" | sed 's/^/mail: /' | head -10
  mail_ok=$(grep -Eo '^mail: [0-9]+ passed' <<<"$mail_line" | grep -Eo '[0-9]+' || echo 0)
  mail_failed=$(grep -Eo '[0-9]+ failed' <<<"$mail_line" | grep -Eo '[0-9]+' || echo 0)
  passed=$((passed + mail_ok)); failed=$((failed + mail_failed))
fi
if ((${#failed_steps[@]})); then
  echo "failed steps: ${failed_steps[*]}"
  echo "total: ${passed} passed, ${failed} failed"
  exit 1
fi
echo "total: ${passed} passed, ${failed} failed"
