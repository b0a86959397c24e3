#!/usr/bin/env bash
# Client-credentials and refresh grants per second against an in-process identity provider on
# loopback HTTPS (H2, TLS 1.3), driven by wrk. Builds nothing: build first with
#   ./mvnw -o -q -pl bench -am package -DskipTests
# Usage: bench/identity/run.sh [seconds=20] [algorithms="ES256 EdDSA RS256"] [refresh-threads=8]
# JAR=... picks another benchmarks jar (for before/after comparisons).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-20}"
algorithms="${2:-ES256 EdDSA RS256}"
chains="${3:-8}"
jar="${JAR:-$root/bench/target/benchmarks.jar}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
out="$(mktemp -d -t identity-wrk.XXXXXX)"

"$java" ${JAVA_OPTS:-} -cp "$jar" dev.bulwark.bench.identity.IdentityLoad serve "$out" "$chains" \
  > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 120); do
  [[ -f "$out/ready" ]] && break
  kill -0 "$server" 2>/dev/null || { cat "$out/server.log"; exit 1; }
  sleep 0.5
done
[[ -f "$out/ready" ]] || { echo "server did not get ready"; cat "$out/server.log"; exit 1; }
url="$(cat "$out/url")"
echo "load: $(uptime)"
for alg in $algorithms; do
  # Warm-up (JIT), then the measurement.
  BASIC_FILE="$out/basic-$alg" wrk -t2 -c32 -d5s -s "$here/cc.lua" "$url" > /dev/null
  echo "== client credentials $alg: wrk -t2 -c32 -d${seconds}s"
  BASIC_FILE="$out/basic-$alg" wrk -t2 -c32 -d"${seconds}s" --latency -s "$here/cc.lua" "$url" \
    | grep -E 'Requests/sec|Latency|50%|90%|99%|non-200'
done
echo "== refresh: wrk -t$chains -c$chains -d${seconds}s (one chain per thread)"
TOKENS_FILE="$out/refresh-tokens" CLIENT_ID="$(cat "$out/refresh-client")" \
  wrk -t"$chains" -c"$chains" -d"${seconds}s" --timeout 30s --latency -s "$here/refresh.lua" "$url" \
  | grep -E 'Requests/sec|Latency|50%|90%|99%|non-200'
echo "load: $(uptime)"
