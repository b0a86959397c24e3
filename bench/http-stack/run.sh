#!/usr/bin/env bash
# Builds the project and runs the whole measurement. All traffic goes to 127.0.0.1 only; every load run is time-bounded.
# Usage: ./run.sh            (REPS=3 WARM=5 DUR=10 by default; override via env)
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
REPS=${REPS:-3}; WARM=${WARM:-5}; DUR=${DUR:-10}; CONN=${CONN:-64}
# helidon = defaults, helidonnd = with TCP_NODELAY (as Bulwark runs it), netty = the reference
STACKS=${STACKS:-helidon helidonnd netty}
OUT=results/run-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT/raw" "$OUT/logs"
MVN=${MVN:-$(cd ../.. && pwd)/mvnw}; [ -x "$MVN" ] || MVN=mvn

echo "== build"; "$MVN" -q -f "$PWD/pom.xml" -DskipTests package 2>&1 | grep -v -E "^WARNING: (A terminally|sun.misc|Please consider)" || true
JAVA="$JAVA_HOME/bin/java -Xmx1g --enable-native-access=ALL-UNNAMED -cp target/classes:target/lib/*"
$JAVA bench.GenCert

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
declare -A PID PORT
start() { # name port class args...
  local name=$1 port=$2; shift 2
  $JAVA "$@" > "$OUT/logs/$name.log" 2>&1 & local p=$!
  PIDS+=("$p"); PID[$name]=$p; PORT[$name]=$port
}
# common upstream for both proxies: Netty hello, cleartext HTTP/1.1
start upstream      18080 bench.NettyHello 18080 plain
start helidon-hello-tls   18441 bench.HelidonHello 18441 tls
start helidon-hello-plain 18081 bench.HelidonHello 18081 plain
start netty-hello-tls     18442 bench.NettyHello   18442 tls
start netty-hello-plain   18082 bench.NettyHello   18082 plain
start helidon-proxy-tls   18443 bench.HelidonProxy 18443 18080 tls
start helidon-proxy-plain 18083 bench.HelidonProxy 18083 18080 plain
start netty-proxy-tls     18444 bench.NettyProxy   18444 18080 tls
start netty-proxy-plain   18084 bench.NettyProxy   18084 18080 plain
# Helidon with TCP_NODELAY (and larger HTTP/2 windows for hello), as Bulwark configures it
start helidonnd-hello-tls    18445 bench.HelidonHelloTuned 18445 tls
start helidonnd-hello-plain  18085 bench.HelidonHelloTuned 18085 plain
start helidonnd-proxy-tls    18446 bench.HelidonProxy 18446 18080 tls nodelay
start helidonnd-proxy-plain  18086 bench.HelidonProxy 18086 18080 plain nodelay
for n in "${!PORT[@]}"; do
  s=http; [[ $n == *tls ]] && s=https
  for i in $(seq 1 60); do curl -sk -o /dev/null "$s://127.0.0.1:${PORT[$n]}/hello" && break; sleep 1; done
  curl -sk -f -o /dev/null "$s://127.0.0.1:${PORT[$n]}/hello" || { echo "server $n not up"; exit 1; }
done
grep -h "transport=" "$OUT/logs/"*.log | head -1 > "$OUT/netty-transport.txt" || true
cat "$OUT/netty-transport.txt"

# initial JIT warm-up of every server (discarded); per-run warm-ups follow below
PREWARM=${PREWARM:-8}
for n in helidon-hello-tls helidonnd-hello-tls netty-hello-tls helidon-hello-plain helidonnd-hello-plain netty-hello-plain helidon-proxy-tls helidonnd-proxy-tls netty-proxy-tls helidon-proxy-plain helidonnd-proxy-plain netty-proxy-plain; do
  s=http; [[ $n == *tls ]] && s=https
  echo "prewarm $n"; wrk -t2 -c$CONN -d${PREWARM}s "$s://127.0.0.1:${PORT[$n]}/hello" > /dev/null || true
  if [[ $n == *tls ]]; then timeout $((PREWARM+30)) h2load -t2 -c$CONN -m10 -D $PREWARM "https://127.0.0.1:${PORT[$n]}/hello" > /dev/null || true; fi
done

echo "stack,kind,mode,proto,rep,load1,load5,load15,rps,p50_ms,p99_ms,errors,rss_kb" > "$OUT/summary.csv"
loadavg() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' ','; }

h1run() { # stack kind mode rep
  local name=$1-$2-$3 s=http; [ "$3" = tls ] && s=https
  local url="$s://127.0.0.1:${PORT[$name]}/hello" f="$OUT/raw/h1-$name-rep$4.txt"
  wrk -t2 -c$CONN -d${WARM}s "$url" > /dev/null || true   # warm-up, discarded
  local la; la=$(loadavg); uptime > "$f"
  echo "\$ wrk -t2 -c$CONN -d${DUR}s --latency $url" >> "$f"
  timeout $((DUR+20)) wrk -t2 -c$CONN -d${DUR}s --latency "$url" >> "$f" || true
  local rss; rss=$(ps -o rss= -p "${PID[$name]}" | tr -d ' ')
  python3 - "$f" "$1,$2,$3,h1,$4,$la" "$rss" >> "$OUT/summary.csv" <<'PY'
import re,sys
t=open(sys.argv[1]).read()
def ms(v):
    m=re.match(r'([\d.]+)(us|ms|s)',v); x=float(m.group(1)); return x/1000 if m.group(2)=='us' else x*1000 if m.group(2)=='s' else x
rps=re.search(r'Requests/sec:\s+([\d.]+)',t).group(1)
p50=ms(re.search(r'\n\s+50%\s+(\S+)',t).group(1)); p99=ms(re.search(r'\n\s+99%\s+(\S+)',t).group(1))
err=sum(int(x) for x in re.findall(r'(?:connect|read|write|timeout) (\d+)',t))+sum(int(x) for x in re.findall(r'Non-2xx or 3xx responses: (\d+)',t))
print(f"{sys.argv[2]},{rps},{p50:.3f},{p99:.3f},{err},{sys.argv[3]}")
PY
  tail -1 "$OUT/summary.csv"
}

h2run() { # stack kind rep   (TLS + ALPN h2 only)
  local name=$1-$2-tls
  local url="https://127.0.0.1:${PORT[$name]}/hello" f="$OUT/raw/h2-$name-rep$3.txt" log="$OUT/raw/h2-$name-rep$3.reqlog"
  timeout $((WARM+30)) h2load -t2 -c$CONN -m10 -D $WARM "$url" > /dev/null || true   # warm-up, discarded
  local la; la=$(loadavg); uptime > "$f"
  echo "\$ h2load -t2 -c$CONN -m10 -D $DUR --log-file=<reqlog> $url" >> "$f"
  timeout $((DUR+30)) h2load -t2 -c$CONN -m10 -D $DUR --log-file="$log" "$url" >> "$f" || true
  local rss; rss=$(ps -o rss= -p "${PID[$name]}" | tr -d ' ')
  python3 - "$f" "$log" "$1,$2,tls,h2,$3,$la" "$rss" >> "$OUT/summary.csv" <<'PY'
import re,sys
t=open(sys.argv[1]).read()
rps=re.search(r'finished in [\d.]+\w*, ([\d.]+) req/s',t).group(1)
m=re.search(r'requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored',t)
err=int(m.group(2))+int(m.group(3))
lat=[]; 
for line in open(sys.argv[2]):
    p=line.split()
    if len(p)>=3: lat.append(int(p[2]))   # start-time(us) status latency(us)
lat.sort(); q=lambda x: lat[min(len(lat)-1,int(x*len(lat)))]/1000
print(f"{sys.argv[3]},{rps},{q(0.5):.3f},{q(0.99):.3f},{err},{sys.argv[4]}")
PY
  rm -f "$log"
  tail -1 "$OUT/summary.csv"
}

# interleaved: for each configuration, rep 1..REPS, Helidon then Netty
for kind in hello proxy; do
  for mode in tls plain; do
    for rep in $(seq 1 $REPS); do for stack in $STACKS; do h1run $stack $kind $mode $rep; done; done
  done
  for rep in $(seq 1 $REPS); do for stack in $STACKS; do h2run $stack $kind $rep; done; done
done
uptime > "$OUT/uptime-end.txt"

python3 - "$OUT/summary.csv" > "$OUT/table.md" <<'PY'
import csv,sys,statistics as st
rows=list(csv.DictReader(open(sys.argv[1])))
keys=[]
for r in rows:
    k=(r['kind'],r['mode'],r['proto'],r['stack'])
    if k not in keys: keys.append(k)
print("| scenario | transport | stack | req/s (median) | p50 ms | p99 ms | req/s per rep | load1 before each rep | RSS after (MB, max) | errors |")
print("|---|---|---|---:|---:|---:|---|---|---:|---:|")
for k in keys:
    rs=[r for r in rows if (r['kind'],r['mode'],r['proto'],r['stack'])==k]
    med=lambda f: st.median(float(r[f]) for r in rs)
    tr={'tls':'TLS 1.3','plain':'cleartext'}[k[1]]+(' HTTP/2 (h2load)' if k[2]=='h2' else ' HTTP/1.1 (wrk)')
    reps=' / '.join('{:,.0f}'.format(float(r['rps'])) for r in rs)
    loads=' / '.join(r['load1'] for r in rs)
    rss=max(int(r['rss_kb']) for r in rs)/1024
    errs=sum(int(r['errors']) for r in rs)
    print(f"| {k[0]} | {tr} | {k[3]} | {med('rps'):,.0f} | {med('p50_ms'):.2f} | {med('p99_ms'):.2f} | {reps} | {loads} | {rss:.0f} | {errs} |")
PY
cat "$OUT/table.md"
echo "results in $OUT"
