#!/usr/bin/env bash
# Stops the agent and the dashboard started by up.sh. Running containers keep running.
set -u
BERTH_RUN=${BERTH_RUN:-/run/berth}
for p in web agent; do
  f="$BERTH_RUN/$p.pid"
  if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then kill "$(cat "$f")" && echo "stopped $p"; fi
  rm -f "$f"
done
