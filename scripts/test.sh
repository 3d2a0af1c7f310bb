#!/usr/bin/env bash
# Installs what Berth needs (idempotently, like up.sh) and runs every test: unit tests, the root
# integration tests on the real runtime, and the dashboard's end-to-end test in Chromium.
# Run as root: root tests fail (never skip) without it.
set -euo pipefail
cd "$(dirname "$0")/.."
# docker.io: Debian's 20.10 docker client for the Docker-API tests (its daemon is never started);
# podman: an independent image store for the save/load interop test;
# postgresql: a throwaway server for the dashboard's PostgreSQL path (tests start and stop their own)
BERTH_EXTRA_APT="docker.io podman postgresql" bash scripts/setup.sh

export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
echo "==> typecheck" >&2
node_modules/.bin/tsc -p packages/shared && node_modules/.bin/tsc -p packages/runtime && node_modules/.bin/tsc -p apps/agent

# Runs node's test runner on the files given; fails when a test fails, and also when any test was
# skipped or left todo (a skipped root test must never read as a pass).
run_tests() {
  local log status=0
  log=$(mktemp)
  node --import tsx --test --test-reporter=spec --test-concurrency=1 "$@" | tee "$log" || status=$?
  if [ "$status" -eq 0 ] && grep -Eq '^ℹ (skipped|todo) [1-9]' "$log"; then
    echo "==> some tests were skipped or left todo: that fails the run" >&2
    status=1
  fi
  rm -f "$log"
  return "$status"
}

mapfile -t files < <(find packages apps -path '*/node_modules' -prune -o -path '*/.next' -prune -o -type f \( -name '*.test.ts' -o -name '*.test.tsx' \) -print | sort)
echo "==> ${#files[@]} test files" >&2
bash bench/run.sh --quick >/dev/null # the bench harness must keep producing numbers (never asserts speed)
run_tests "${files[@]}"
# the dashboard's end-to-end suite once more, its data in PostgreSQL instead of SQLite
echo "==> dashboard end-to-end tests on PostgreSQL" >&2
BERTH_E2E_POSTGRES=1 run_tests apps/web/test/e2e/*.e2e.test.ts
