#!/usr/bin/env bash
# npm run bench [-- --quick]: installs the peers it compares against (Debian packages) if missing,
# then runs bench/src/main.ts. --quick: a few runs each, Berth and the daemonless bare runtimes only;
# exits non-zero only when it produced no numbers (it never asserts speed).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
for a in "$@"; do [ "$a" = --quick ] && quick=1; done

# Waits for (and retries on) the dpkg lock another apt may hold.
apt_install() {
  local tries=0
  until DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y --no-install-recommends "$@"; do
    tries=$((tries + 1))
    [ $tries -ge 3 ] && return 1
    apt-get update -qq || true
    sleep 5
  done
}

if [ $quick = 1 ]; then need=(crun runc); else need=(crun runc podman conmon docker.io containerd docker-registry skopeo uidmap iptables curl); fi
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> bench: installing ${missing[*]}" >&2
  # --quick (run by scripts/test.sh) must not fail for a mirror hiccup: a missing peer becomes a
  # reason in the table instead.
  if ! apt_install "${missing[@]}"; then
    [ $quick = 1 ] || { echo "bench: apt-get install ${missing[*]} failed" >&2; exit 1; }
    echo "bench: could not install ${missing[*]}; those peers will be listed as not installed" >&2
  fi
fi
[ -x packages/runtime/native/build/berth-helper ] || make -s -C packages/runtime/native
exec node --import tsx bench/src/main.ts "$@"
