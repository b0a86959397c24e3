#!/usr/bin/env bash
# What a gateway could reach with no checks at all: bare TLS-terminating proxies in front of the
# gateway bench's upstream (GatewayLoad: mutual TLS 1.3, a ~200-byte JSON answer), against nginx
# and the gateway with every check, all on one CPU (the proxies in their own JVMs), wrk on the
# other. Prints req/s and p99 per target and round. See docs/adr/0001-http-stack.md.
#
#   nginx      nginx as in bench/gateway/run.sh
#   netty      NettyProxy: Netty listener and asynchronous Netty client on one event loop, BoringSSL
#   (results/2026-11-24-ceiling.md also has rows for the blocking upstream.wire client, which the
#   gateway dropped for an asynchronous hop on the listener's event loop; its proxies went with it)
#   gateway    the gateway with every check (GatewayLoad)
#
# Usage: bench/http-stack/ceiling.sh [seconds=12] [rounds=2]; needs bench/target/benchmarks.jar
# (./mvnw -pl bench -am package -DskipTests) and this directory built (../../mvnw -q package).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
secs="${1:-12}"
rounds="${2:-2}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
cp="$here/target/classes:$here/target/lib/*"
[[ -d "$here/target/lib" ]] || (cd "$here" && "$root/mvnw" -q package -DskipTests)
command -v wrk > /dev/null && command -v nginx > /dev/null || { echo "needs wrk and nginx (bench/gateway/run.sh installs them)" >&2; exit 1; }

d="$(mktemp -d -t ceiling.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$d"; }
trap cleanup EXIT

taskset -c 1 "$java" -cp "$root/bench/target/benchmarks.jar" dev.bulwark.bench.gateway.GatewayLoad "$d" > "$d/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do [[ -f "$d/ready" ]] && break; sleep 0.5; done
up="$(cat "$d/upstream-port")"
port() { echo $((20000 + RANDOM % 40000)); }
p_netty=$(port); p_nginx=$(port)
taskset -c 1 "$java" -Dgl.dir="$d" -Dbench.threads=1 -cp "$cp" bench.NettyProxy "$p_netty" "$up" tls > "$d/netty.log" 2>&1 &
pids+=($!)
mkdir -p "$d/nginx/logs"
cat > "$d/nginx.conf" << NG
worker_processes 1; daemon off; pid $d/nginx/nginx.pid; error_log $d/nginx/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; upstream api { server 127.0.0.1:$up; keepalive 64; }
 server { listen 127.0.0.1:$p_nginx ssl; ssl_protocols TLSv1.3; ssl_certificate $d/nginx-cert.pem; ssl_certificate_key $d/nginx-key.pem;
  location / { proxy_pass https://api; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_ssl_protocols TLSv1.3;
   proxy_ssl_certificate $d/client-cert.pem; proxy_ssl_certificate_key $d/client-key.pem; proxy_ssl_trusted_certificate $d/ca.pem;
   proxy_ssl_verify on; proxy_ssl_name localhost; proxy_ssl_session_reuse on; } } }
NG
taskset -c 1 nginx -p "$d/nginx" -c "$d/nginx.conf" -e "$d/nginx/logs/error.log" &
pids+=($!)
sleep 4
export TOKEN_FILE="$d/token"
declare -A url=([nginx]="https://127.0.0.1:$p_nginx" [netty]="https://127.0.0.1:$p_netty"
  [gateway]="$(cat "$d/gateway-url")")
order=(nginx netty gateway)
for t in "${order[@]}"; do  # warm-up: JIT, pools
  taskset -c 0 wrk -t2 -c32 -d20s -s "$root/bench/gateway/bearer.lua" "${url[$t]}/api/items" > /dev/null
done
echo "| round | target | req/s | p99 |"
echo "|---|---|---:|---:|"
for r in $(seq "$rounds"); do
  for t in "${order[@]}"; do
    out="$(taskset -c 0 wrk -t2 -c32 -d"${secs}s" --latency -s "$root/bench/gateway/bearer.lua" "${url[$t]}/api/items")"
    echo "| $r | $t | $(awk '/^Requests\/sec:/ {print $2}' <<< "$out") | $(awk '$1 == "99%" {print $2}' <<< "$out") |"
  done
done
