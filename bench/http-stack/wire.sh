#!/usr/bin/env bash
# Proxy hop over TLS 1.3 / HTTP/1.1 (wrk): Helidon + WebClient vs Helidon + Bulwark's upstream client
# (dev.bulwark.gateway.upstream.wire) vs Netty, interleaved. All traffic on 127.0.0.1; every run time-bounded.
# Rows: helidonnd (WebClient, cleartext upstream, as in run.sh), netty (cleartext upstream, as in run.sh),
#       webclient-tlsup and wire-tlsup (the same Helidon front, TLS 1.3 upstream as the gateway has).
# Usage: ./wire.sh   (ROUNDS=2 WARM=5 DUR=10 CONN=64 PREWARM=8)
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
ROUNDS=${ROUNDS:-2}; WARM=${WARM:-5}; DUR=${DUR:-10}; CONN=${CONN:-64}; PREWARM=${PREWARM:-8}
OUT=results/wire-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT/raw" "$OUT/logs"
MVN=${MVN:-$(cd ../.. && pwd)/mvnw}
"$MVN" -q -f "$PWD/pom.xml" -DskipTests package 2>&1 | grep -v -E "^WARNING" || true
JAVA="$JAVA_HOME/bin/java -Xmx1g --enable-native-access=ALL-UNNAMED -cp target/classes:target/lib/*"
$JAVA bench.GenCert
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
declare -A PORT
start() { local name=$1 port=$2; shift 2; $JAVA "$@" > "$OUT/logs/$name.log" 2>&1 & PIDS+=("$!"); PORT[$name]=$port; }
start upstream-plain 18460 bench.NettyHello 18460 plain
start upstream-tls   18461 bench.NettyHello 18461 tls
start helidonnd      18462 bench.HelidonProxy 18462 18460 tls nodelay
start netty          18463 bench.NettyProxy 18463 18460 tls
start webclient-tlsup 18464 bench.HelidonTlsUpstreamProxy 18464 18461 webclient
start wire-tlsup     18465 bench.HelidonTlsUpstreamProxy 18465 18461 wire
STACKS="helidonnd webclient-tlsup wire-tlsup netty"
for n in $STACKS; do
  for i in $(seq 1 60); do curl -sk -o /dev/null "https://127.0.0.1:${PORT[$n]}/hello" && break; sleep 1; done
  curl -sk -f "https://127.0.0.1:${PORT[$n]}/hello" > "$OUT/logs/$n.check" || { echo "proxy $n not up"; cat "$OUT/logs/$n.log"; exit 1; }
done
for n in $STACKS; do echo "prewarm $n"; wrk -t2 -c$CONN -d${PREWARM}s "https://127.0.0.1:${PORT[$n]}/hello" > /dev/null || true; done
echo "stack,round,load1,rps,p50_ms,p99_ms,errors" > "$OUT/summary.csv"
for round in $(seq 1 "$ROUNDS"); do
  for n in $STACKS; do
    url="https://127.0.0.1:${PORT[$n]}/hello"; f="$OUT/raw/$n-$round.txt"
    wrk -t2 -c$CONN -d${WARM}s "$url" > /dev/null || true
    la=$(cut -d' ' -f1 /proc/loadavg)
    timeout $((DUR+20)) wrk -t2 -c$CONN -d${DUR}s --latency "$url" > "$f" || true
    python3 - "$f" "$n,$round,$la" >> "$OUT/summary.csv" <<'PY'
import re,sys
t=open(sys.argv[1]).read()
def ms(v):
    m=re.match(r'([\d.]+)(us|ms|s)',v); x=float(m.group(1)); return x/1000 if m.group(2)=='us' else x*1000 if m.group(2)=='s' else x
rps=re.search(r'Requests/sec:\s+([\d.]+)',t).group(1)
p50=ms(re.search(r'\n\s+50%\s+(\S+)',t).group(1)); p99=ms(re.search(r'\n\s+99%\s+(\S+)',t).group(1))
err=sum(int(x) for x in re.findall(r'(?:connect|read|write|timeout) (\d+)',t))+sum(int(x) for x in re.findall(r'Non-2xx or 3xx responses: (\d+)',t))
print(f"{sys.argv[2]},{rps},{p50:.3f},{p99:.3f},{err}")
PY
    tail -1 "$OUT/summary.csv"
  done
done
python3 - "$OUT/summary.csv" > "$OUT/table.md" <<'PY'
import csv,sys,statistics as st
rows=list(csv.DictReader(open(sys.argv[1])))
names=[]
for r in rows:
    if r['stack'] not in names: names.append(r['stack'])
net=st.mean(float(r['rps']) for r in rows if r['stack']=='netty')
print("| stack | upstream hop | req/s (mean) | / netty | p50 ms | p99 ms | req/s per round | load1 | errors |")
print("|---|---|---:|---:|---:|---:|---|---|---:|")
for n in names:
    rs=[r for r in rows if r['stack']==n]
    m=lambda f: st.mean(float(r[f]) for r in rs)
    hop='TLS 1.3' if n.endswith('tlsup') else 'cleartext'
    print(f"| {n} | {hop} | {m('rps'):,.0f} | {m('rps')/net:.2f} | {m('p50_ms'):.2f} | {m('p99_ms'):.2f} | {' / '.join(format(float(r['rps']),',.0f') for r in rs)} | {' / '.join(r['load1'] for r in rs)} | {sum(int(r['errors']) for r in rs)} |")
PY
cat "$OUT/table.md"; echo "results in $OUT"
