#!/usr/bin/env bash
# test.sh -- Ferment's one test command (README, CI): start the real test services, then
# fmt check, clippy (warnings are errors) and the whole workspace's tests against those services.
# Services this run started are stopped at exit; set FERMENT_KEEP_SERVICES=1 to leave them running.
# Services that were already running (e.g. from scripts/test-services.sh) are reused and left alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v cargo >/dev/null || source "$HOME/.cargo/env"

step() { printf '\n==> %s\n' "$*" >&2; }
STARTED_FILE=$(mktemp)
cleanup() {
  local rc=$? started
  started=$(sort -u "$STARTED_FILE" | tr '\n' ' '); rm -f "$STARTED_FILE"
  if [ -n "$started" ] && [ "${FERMENT_KEEP_SERVICES:-0}" != 1 ]; then
    step "stopping the services this run started: $started"
    # shellcheck disable=SC2086
    scripts/stop-test-services.sh $started || true
  fi
  [ $rc = 0 ] && step "all checks passed" || step "FAILED (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "test services (PostgreSQL, chromedriver)"
FERMENT_TS_STARTED_FILE=$STARTED_FILE scripts/test-services.sh
# shellcheck disable=SC1091
source "$(realpath -m "${FERMENT_TS_DIR:-/tmp/ferment-test-services}")/env.sh"
export FERMENT_TEST_PG_URL FERMENT_TEST_WEBDRIVER FERMENT_TEST_CHROMIUM
export FERMENT_REQUIRE_SERVICES=1   # tests fail instead of skipping when a service is missing

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace
