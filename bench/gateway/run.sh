#!/usr/bin/env bash
# The gateway with every check on vs nginx as a plain TLS 1.3 reverse proxy, both in front of the
# same mTLS upstream, driven by wrk in one run on one machine (nginx, gateway, nginx, gateway).
# Prints a Markdown table of req/s, p50 and p99, the gateway/nginx ratios and PASS/FAIL against the
# targets: throughput >= 0.70 x nginx's, p99 <= 2.0 x nginx's.
#
# Usage: bench/gateway/run.sh [seconds=20] [threads=2] [connections=32]
# Environment:
#   WARMUP=60          seconds of wrk against each target before measuring (JIT, connection pools;
#                      on one CPU the gateway's JVM needs about a minute to compile its hot paths)
#   ROUNDS=2           measured rounds (each: nginx, then the gateway)
#   SERVER_CPUS=...    CPUs for the proxy under test and the upstream (taskset list); default: the
#                      upper half of the cores ("1" on 2 cores). nginx gets one worker per CPU.
#   WRK_CPUS=...       CPUs for wrk; default: the other cores ("0" on 2 cores). PIN=0: no pinning.
#   JAR=...            another benchmarks jar (otherwise built if missing or older than sources)
#   JAVA_OPTS=...      extra JVM options for GatewayLoad
#   KEEP=1             keep the work directory (wrk outputs, nginx config and logs)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-20}"
threads="${2:-2}"
connections="${3:-32}"
warmup="${WARMUP:-60}"
rounds="${ROUNDS:-2}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"

# ---- tools -------------------------------------------------------------------------------------
if ! command -v nginx > /dev/null || ! command -v wrk > /dev/null; then
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  $sudo apt-get install -y nginx wrk > /dev/null
  # The package may start and enable nginx as a system service; this bench runs its own.
  if command -v systemctl > /dev/null; then $sudo systemctl disable --now nginx > /dev/null 2>&1 || true; fi
  if command -v update-rc.d > /dev/null; then $sudo update-rc.d nginx disable > /dev/null 2>&1 || true; fi
  if [[ -x /etc/init.d/nginx ]]; then $sudo /etc/init.d/nginx stop > /dev/null 2>&1 || true; fi
fi

# ---- build -------------------------------------------------------------------------------------
jar="${JAR:-$root/bench/target/benchmarks.jar}"
if [[ -z "${JAR:-}" ]]; then
  stale=""
  [[ -f "$jar" ]] || stale=yes
  [[ -n "$stale" ]] || stale="$(find "$root"/{bench,gateway,runtime,sdk,policy,audit,ca}/src/main \
    "$root"/{bench,gateway}/pom.xml -newer "$jar" -type f 2> /dev/null | head -1)"
  if [[ -n "$stale" ]]; then
    echo "building $jar ..." >&2
    (cd "$root" && ./mvnw -o -q -pl bench -am package -DskipTests)
  fi
fi

# ---- CPUs --------------------------------------------------------------------------------------
cores="$(nproc)"
server_pin=()
wrk_pin=()
if [[ "${PIN:-1}" != 0 && "$cores" -ge 2 ]]; then
  half=$((cores / 2))
  span() { if [[ "$1" == "$2" ]]; then echo "$1"; else echo "$1-$2"; fi; }
  SERVER_CPUS="${SERVER_CPUS:-$(span $((cores - half)) $((cores - 1)))}"
  WRK_CPUS="${WRK_CPUS:-$(span 0 $((cores - half - 1)))}"
  server_pin=(taskset -c "$SERVER_CPUS")
  wrk_pin=(taskset -c "$WRK_CPUS")
  # One nginx worker per CPU in the list ("1", "2-3", "0,2-3").
  workers=0
  IFS=, read -ra parts <<< "$SERVER_CPUS"
  for part in "${parts[@]}"; do
    if [[ "$part" == *-* ]]; then
      workers=$((workers + ${part#*-} - ${part%-*} + 1))
    else
      workers=$((workers + 1))
    fi
  done
  pinning="proxy under test + upstream JVM on CPU(s) $SERVER_CPUS, wrk on CPU(s) $WRK_CPUS"
else
  workers="$cores"
  pinning="no pinning: proxy, upstream and wrk share all $cores cores"
fi

# ---- start -------------------------------------------------------------------------------------
out="$(mktemp -d -t gateway-bench.XXXXXX)"
server=""
nginx_pid=""
cleanup() {
  [[ -z "$nginx_pid" ]] || { kill "$nginx_pid" 2> /dev/null || true; wait "$nginx_pid" 2> /dev/null || true; }
  [[ -z "$server" ]] || { kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; }
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $out" >&2; else rm -rf "$out"; fi
}
trap cleanup EXIT

# The JVM options bin/bulwark runs the platform with (Netty's and protobuf's memory access, native
# TLS), so the bench measures the gateway as it is deployed.
"${server_pin[@]}" "$java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED \
  -Dio.netty.leakDetection.level=disabled \
  ${JAVA_OPTS:-} -cp "$jar" dev.bulwark.bench.gateway.GatewayLoad "$out" \
  > "$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  [[ -f "$out/ready" ]] && break
  kill -0 "$server" 2> /dev/null || { cat "$out/server.log"; exit 1; }
  sleep 0.5
done
[[ -f "$out/ready" ]] || { echo "GatewayLoad did not get ready" >&2; cat "$out/server.log"; exit 1; }
gateway_url="$(cat "$out/gateway-url")"

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}
nginx_port="$(free_port)"
nginx_url="https://127.0.0.1:$nginx_port"
mkdir -p "$out/nginx/logs"
# Like the gateway: TLS 1.3 only with a P-256 certificate from the same CA, HTTP/1.1 keep-alive to
# the upstream with mutual TLS 1.3 and the upstream's certificate verified, no access log (the
# gateway's access log is at INFO, below the WARN the bench logs at).
cat > "$out/nginx.conf" << EOF
worker_processes $workers;
daemon off;
pid $out/nginx/nginx.pid;
error_log $out/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream api {
    server 127.0.0.1:$(cat "$out/upstream-port");
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_protocols TLSv1.3;
    ssl_certificate $out/nginx-cert.pem;
    ssl_certificate_key $out/nginx-key.pem;
    location / {
      proxy_pass https://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_protocols TLSv1.3;
      proxy_ssl_certificate $out/client-cert.pem;
      proxy_ssl_certificate_key $out/client-key.pem;
      proxy_ssl_trusted_certificate $out/ca.pem;
      proxy_ssl_verify on;
      proxy_ssl_name localhost;
      proxy_ssl_session_reuse on;
    }
  }
}
EOF
"${server_pin[@]}" nginx -p "$out/nginx" -c "$out/nginx.conf" -e "$out/nginx/logs/error.log" &
nginx_pid=$!

token="$(cat "$out/token")"
for target in "$nginx_url" "$gateway_url"; do
  status=""
  for _ in $(seq 1 40); do
    status="$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$target/api/items" || true)"
    [[ "$status" == 200 ]] && break
    sleep 0.25
  done
  if [[ "$status" != 200 ]]; then
    echo "$target/api/items answered $status, not 200" >&2
    cat "$out/nginx/logs/error.log" "$out/server.log" >&2 || true
    exit 1
  fi
done

# ---- measure -----------------------------------------------------------------------------------
export TOKEN_FILE="$out/token"
drive() { # url seconds output-file
  "${wrk_pin[@]}" wrk -t"$threads" -c"$connections" -d"$2s" --latency -s "$here/bearer.lua" "$1" > "$3"
}
# req/s, p50 ms, p99 ms, failures (non-200 + socket errors), requests.
parse() {
  awk '
    function ms(v,   n, u) {
      n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000
      if (u == "ms") return n
      if (u == "s") return n * 1000
      if (u == "m") return n * 60000
      if (u == "h") return n * 3600000
      return -1
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^non-200 responses:/ { bad += $3; total = $5 }
    /Socket errors:/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
    END { printf "%s %.3f %.3f %d %d\n", rps, p50, p99, bad, total }' "$1"
}

echo "load before: $(uptime)" >&2
drive "$nginx_url" "$warmup" "$out/warmup-nginx.txt"
drive "$gateway_url" "$warmup" "$out/warmup-gateway.txt"
for round in $(seq 1 "$rounds"); do
  for target in nginx gateway; do
    url="$nginx_url"
    [[ "$target" == gateway ]] && url="$gateway_url"
    echo "round $round: $target ..." >&2
    drive "$url" "$seconds" "$out/wrk-$target-$round.txt"
  done
done
load_after="$(uptime)"

# ---- report ------------------------------------------------------------------------------------
echo
echo "wrk -t$threads -c$connections -d${seconds}s --latency, GET /api/items (Bearer token, ~200-byte JSON answer), warm-up ${warmup}s each; $pinning; nginx $(nginx -v 2>&1 | sed 's#.*/##') with $workers worker(s); load after: ${load_after##*load average: }"
echo
echo "| round | target | req/s | p50 | p99 | failed / requests |"
echo "|---|---|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  for target in nginx gateway; do
    read -r rps p50 p99 bad total <<< "$(parse "$out/wrk-$target-$round.txt")"
    printf '| %d | %s | %s | %s ms | %s ms | %d / %d |\n' "$round" "$target" "$rps" "$p50" "$p99" "$bad" "$total"
    echo "$target $rps $p50 $p99 $bad" >> "$out/figures"
  done
done
awk -v rounds="$rounds" '
  { rps[$1] += $2; p50[$1] += $3; p99[$1] += $4; bad += $5 }
  END {
    for (t in rps) { rps[t] /= rounds; p50[t] /= rounds; p99[t] /= rounds }
    tput = rps["gateway"] / rps["nginx"]; median = p50["gateway"] / p50["nginx"]; tail = p99["gateway"] / p99["nginx"]
    print ""
    print "| mean of " rounds " rounds | req/s | p50 | p99 |"
    print "|---|---:|---:|---:|"
    printf "| nginx | %.0f | %.2f ms | %.2f ms |\n", rps["nginx"], p50["nginx"], p99["nginx"]
    printf "| gateway | %.0f | %.2f ms | %.2f ms |\n", rps["gateway"], p50["gateway"], p99["gateway"]
    printf "| **gateway / nginx** | **%.2f** | **%.2f x** | **%.2f x** |\n", tput, median, tail
    print ""
    verdict = (tput >= 0.70 && tail <= 2.0 && bad == 0) ? "PASS" : "FAIL"
    printf "%s: throughput %.2f of nginx (target >= 0.70), p99 %.2f x nginx (target <= 2.0)%s\n", \
      verdict, tput, tail, (bad == 0 ? "" : sprintf(", %d failed requests", bad))
  }' "$out/figures"
