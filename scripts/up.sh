#!/usr/bin/env bash
# Sets Berth up (idempotently) and starts the agent and the dashboard in the background, loads
# the bundled images, puts `berth` on the PATH, and prints the URL and the first login.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bash scripts/setup.sh

export BERTH_ROOT=${BERTH_ROOT:-/var/lib/berth}
export BERTH_RUN=${BERTH_RUN:-/run/berth}
export BERTH_AGENT_ADDR=${BERTH_AGENT_ADDR:-127.0.0.1:7471}
PORT=${PORT:-3000}
IMAGES=${BERTH_IMAGES:-$repo/../shared/images}
LOGS=/var/log/berth
mkdir -p "$LOGS" "$BERTH_RUN"

ln -sf "$repo/apps/agent/bin/berth" /usr/local/bin/berth

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# a server started before the code it runs last changed is restarted (containers keep running)
stale() { [ -n "$(find "${@:2}" -newer "$1" -print -quit 2>/dev/null)" ]; }
restart_if_stale() {
  local pidf=$BERTH_RUN/$1.pid; shift
  if alive "$pidf" && stale "$pidf" "$@"; then
    echo "code changed since the $(basename "$pidf" .pid) started: restarting it"
    kill "$(cat "$pidf")"; for _ in $(seq 1 50); do alive "$pidf" || break; sleep 0.1; done
    rm -f "$pidf"
  fi
}
restart_if_stale agent apps/agent/src packages/runtime/src packages/shared/src packages/runtime/native/build/berth-helper
restart_if_stale web apps/web/.next/BUILD_ID

if alive "$BERTH_RUN/agent.pid"; then
  echo "agent already running (pid $(cat "$BERTH_RUN/agent.pid"))"
else
  setsid node --import "$repo/node_modules/tsx/dist/loader.mjs" "$repo/apps/agent/src/main.ts" >>"$LOGS/agent.log" 2>&1 </dev/null &
  echo $! > "$BERTH_RUN/agent.pid"
fi
for i in $(seq 1 100); do
  if [ -f "$BERTH_ROOT/agent.token" ] && curl -fs -m 5 -o /dev/null -H "Authorization: Bearer $(cat "$BERTH_ROOT/agent.token")" "http://$BERTH_AGENT_ADDR/trpc/system.info"; then break; fi
  if ! alive "$BERTH_RUN/agent.pid"; then echo "the agent failed to start; see $LOGS/agent.log:" >&2; tail -20 "$LOGS/agent.log" >&2; exit 1; fi
  sleep 0.2
done

# the bundled images, once
have=$(berth images)
grep -q 'busybox *1.37.0-musl' <<<"$have" || berth load -i "$IMAGES/busybox-musl"
grep -q 'busybox *1.37.0-glibc' <<<"$have" || berth load -i "$IMAGES/busybox-glibc"
grep -q 'alpine *3.20' <<<"$have" || berth import -c 'CMD ["/bin/sh"]' "$IMAGES/alpine-minirootfs-3.20.3-x86_64.tar.gz" alpine:3.20 >/dev/null

if alive "$BERTH_RUN/web.pid"; then
  echo "dashboard already running (pid $(cat "$BERTH_RUN/web.pid"))"
else
  # exec: the pid file names the server itself; no shell stays behind holding our stdout
  (cd apps/web && PORT=$PORT NODE_ENV=production exec setsid node --import "$repo/node_modules/tsx/dist/loader.mjs" server.ts) >>"$LOGS/web.log" 2>&1 </dev/null &
  echo $! > "$BERTH_RUN/web.pid"
fi
for i in $(seq 1 150); do
  if curl -fs -m 5 -o /dev/null "http://127.0.0.1:$PORT/login"; then break; fi
  if ! alive "$BERTH_RUN/web.pid"; then echo "the dashboard failed to start; see $LOGS/web.log:" >&2; tail -20 "$LOGS/web.log" >&2; exit 1; fi
  sleep 0.2
done

host=$(hostname -I 2>/dev/null | awk '{print $1}')
cat <<MSG

Berth is running.
  Dashboard:   http://${host:-127.0.0.1}:$PORT   (also http://127.0.0.1:$PORT)
  First login: admin / $(cat "$BERTH_ROOT/web-admin-password" 2>/dev/null || echo '(see the password you set in BERTH_ADMIN_PASSWORD)')
  CLI:         berth images; berth run --rm busybox:1.37.0-musl echo hello; berth run -it alpine:3.20 sh
  Logs:        $LOGS/agent.log, $LOGS/web.log
  Stop:        bash scripts/down.sh   (containers keep running; the agent re-adopts them)
MSG
