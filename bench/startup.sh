#!/usr/bin/env bash
# Measures how long `bulwark up` takes from launch to serving: the time until up.json appears
# (it is written only after every listener is bound), and the JVM-start-to-ready figure the
# process itself reports. Run after `./mvnw -DskipTests package`.
# Usage: bench/startup.sh [RUNS]   (default 5; the first run also creates keys and the CA)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
data=$(mktemp -d)
trap 'pkill -f "bulwark.jar up --data $data" 2>/dev/null || true; rm -rf "$data"' EXIT
echo "run,first_start,launch_to_up_json_ms,jvm_start_to_ready_ms,load1"
for i in $(seq 1 "$runs"); do
  first=$([ "$i" = 1 ] && echo yes || echo no)
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s%N)
  "$root/bin/bulwark" up --data "$data" --port-base 0 > /dev/null 2>&1 &
  for _ in $(seq 1 600); do [ -f "$data/up.json" ] && break; sleep 0.02; done
  end=$(date +%s%N)
  [ -f "$data/up.json" ] || { echo "bulwark up did not start" >&2; exit 1; }
  reported=$(sed -n 's/.*"startup_ms" : \([0-9]*\).*/\1/p' "$data/up.json")
  echo "$i,$first,$(( (end - start) / 1000000 )),$reported,$load"
  pid=$(sed -n 's/.*"pid" : \([0-9]*\).*/\1/p' "$data/up.json")
  kill "$pid"
  # Wait for the process itself: after the first run it may still be writing its AOT cache.
  for _ in $(seq 1 3000); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
  sleep 0.5
done
