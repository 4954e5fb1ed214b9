#!/usr/bin/env bash
# Starts the debug server on a free port with an in-memory database, then runs Playwright
# against it in Debian's Chromium. The setup token is read from the server's log.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/test-server.sh
start_test_server "${TOUCHPOINT_BIN:-target/debug/touchpoint}" target/test-logs/e2e-server.log info

export BASE_URL="$base" SETUP_TOKEN="$token"
cd end2end
../node_modules/.bin/playwright test --reporter=line "$@"
