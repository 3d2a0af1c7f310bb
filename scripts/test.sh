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

mapfile -t files < <(find packages apps -path '*/node_modules' -prune -o -path '*/.next' -prune -o -type f \( -name '*.test.ts' -o -name '*.test.tsx' \) -print | sort)
echo "==> ${#files[@]} test files" >&2
bash bench/run.sh --quick >/dev/null # the bench harness must keep producing numbers (never asserts speed)
node --import tsx --test --test-reporter=spec --test-concurrency=1 "${files[@]}"
# the dashboard's end-to-end suite once more, its data in PostgreSQL instead of SQLite
echo "==> dashboard end-to-end tests on PostgreSQL" >&2
BERTH_E2E_POSTGRES=1 exec node --import tsx --test --test-reporter=spec --test-concurrency=1 apps/web/test/e2e/*.e2e.test.ts
