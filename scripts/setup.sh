#!/usr/bin/env bash
# Installs everything Berth needs on Debian 12, idempotently: apt packages, npm dependencies,
# the native helper, the bundled CLI and the dashboard build. Run as root. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then echo "setup: run as root (Berth's agent needs namespaces, mounts and cgroups)" >&2; exit 1; fi

APT_PACKAGES=(gcc libc6-dev make pkg-config libarchive-dev libseccomp-dev libjansson-dev tar gzip iproute2 iptables procps chromium curl ca-certificates tmux docker-registry skopeo apache2-utils docker-compose)
# test.sh adds the reference clients its compatibility tests drive (never Berth's runtime)
read -r -a extra <<<"${BERTH_EXTRA_APT:-}"
APT_PACKAGES+=("${extra[@]}")
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  for i in 1 2 3 4 5 6 7 8 9 10; do
    # another apt may hold the lock at boot: wait and retry
    if apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then break; fi
    [ "$i" = 10 ] && { echo "setup: apt-get install failed" >&2; exit 1; }
    sleep 6
  done
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp=node_modules/.berth-lock-hash
want=$(sha256sum package-lock.json | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# --userns=remap maps container ids to the `berth` subordinate range (Docker's dockremap): add it
# when there is none, never touching other lines
for f in /etc/subuid /etc/subgid; do
  if ! grep -q '^berth:' "$f" 2>/dev/null; then
    log "$f: berth:100000:65536 (for --userns=remap)"
    echo 'berth:100000:65536' >> "$f"
  fi
done

log "native helper"
make -s -C packages/runtime/native

log "berth CLI bundle"
rm -f apps/agent/dist/berth.mjs
node_modules/.bin/esbuild apps/agent/src/cli/bin.ts --bundle --platform=node --format=cjs --target=node20 \
  --outfile=apps/agent/dist/berth.cjs --log-level=warning \
  --external:bufferutil --external:utf-8-validate
# one run writes V8's code cache beside the bundle (apps/agent/bin/load-bundle.cjs)
node apps/agent/bin/load-bundle.cjs --help >/dev/null

if [ "${BERTH_SKIP_WEB_BUILD:-}" != 1 ]; then
  src_hash=$( (find apps/web packages/shared apps/agent/src/api -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.css' -o -name '*.json' -o -name '*.mjs' \) -not -path '*/node_modules/*' -not -path '*/.next/*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64)
  if [ ! -f apps/web/.next/BUILD_ID ] || [ "$(cat apps/web/.next/.berth-src-hash 2>/dev/null)" != "$src_hash" ]; then
    log "dashboard build (next build)"
    (cd apps/web && npx next build >/tmp/berth-web-build.log 2>&1) || { tail -40 /tmp/berth-web-build.log >&2; exit 1; }
    echo "$src_hash" > apps/web/.next/.berth-src-hash
  fi
fi
log "setup done"
