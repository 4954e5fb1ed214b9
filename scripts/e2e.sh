#!/usr/bin/env bash
# Starts the test identity provider (end2end/idp/server.mjs, on node-oidc-provider) and the
# debug server on free ports with an in-memory database and single sign-on through that
# provider, then runs Playwright against it in Debian's Chromium. The setup token is read from
# the server's log.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/test-server.sh
mkdir -p target/test-logs

# The provider registers the server's redirect URI, so the server's port is chosen first.
export TEST_SERVER_PORT
TEST_SERVER_PORT=$(free_port)
idp_out=target/test-logs/e2e-idp.out
IDP_REDIRECT_URIS="http://127.0.0.1:$TEST_SERVER_PORT/auth/oidc/callback" \
  node end2end/idp/server.mjs >"$idp_out" 2>target/test-logs/e2e-idp.log &
idp=$!
on_exit "kill $idp 2>/dev/null || true"
trap "kill $idp 2>/dev/null || true" EXIT
issuer=""
for _ in $(seq 1 100); do
  issuer=$(sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p' "$idp_out" | head -1)
  [[ -n $issuer ]] && break
  kill -0 "$idp" 2>/dev/null || { echo "the test identity provider exited:"; cat target/test-logs/e2e-idp.log; exit 1; }
  sleep 0.1
done
[[ -n $issuer ]] || { echo "the test identity provider did not start:"; cat target/test-logs/e2e-idp.log; exit 1; }

# An SMTP server that writes what it receives to a maildir (aiosmtpd, from .venv), read by
# the notification journey.
export MAILDIR
MAILDIR=$(mktemp -d "${TMPDIR:-/tmp}/touchpoint-e2e-mail.XXXXXX")
smtp_port=$(free_port)
.venv/bin/python -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$MAILDIR/box" \
  >target/test-logs/e2e-smtp.log 2>&1 &
smtp=$!
on_exit "kill $smtp 2>/dev/null || true; rm -rf '$MAILDIR'"
trap "kill $idp $smtp 2>/dev/null || true" EXIT
MAILDIR="$MAILDIR/box"

export TOUCHPOINT_SMTP_URL="smtp://127.0.0.1:$smtp_port" \
  TOUCHPOINT_MAIL_FROM="Touchpoint <touchpoint@example.org>" \
  TOUCHPOINT_MAIL_RETRY_BASE_MS=500
export TOUCHPOINT_PUBLIC_URL="http://127.0.0.1:$TEST_SERVER_PORT" \
  TOUCHPOINT_OIDC_ISSUER="$issuer" TOUCHPOINT_OIDC_CLIENT_ID=touchpoint \
  TOUCHPOINT_OIDC_CLIENT_SECRET=touchpoint-secret TOUCHPOINT_OIDC_DISPLAY_NAME="Test ID"
start_test_server "${TOUCHPOINT_BIN:-target/debug/touchpoint}" target/test-logs/e2e-server.log info

export BASE_URL="$base" SETUP_TOKEN="$token" IDP_ISSUER="$issuer"
cd end2end
../node_modules/.bin/playwright test --reporter=line "$@"
