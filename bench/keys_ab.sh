#!/usr/bin/env bash
# A/B on one machine, one run: what team keys cost. The same load (2 KB Anthropic request, not
# streamed, wrk -t2 -c64, upstream = the C++ mock) against two proxies started alike:
#   shared  - ANTHROPIC_AUTH_TOKEN only, no database (as before issue 17)
#   key     - DATABASE_URL=sqlite:///…: a per-developer agp- key checked against the key cache,
#             one usage row written (batched, off the I/O threads) for every request
# Rounds alternate; prints req/s and p99 for each, the key/shared req/s ratio per round, and
# checks that the usage table holds one row per request wrk completed on the key proxy.
# Needs build/ (scripts/build.sh), wrk and sqlite3; about 30 s; loopback only.
#   bench/keys_ab.sh            BENCH_ROUND_S=5 BENCH_ROUNDS=2 (the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BENCH_BUILD:-build}
ROUND_S=${BENCH_ROUND_S:-5}
ROUNDS=${BENCH_ROUNDS:-2}
log() { printf '[keys_ab %s] %s\n' "$(date +%T)" "$*"; }
for p in wrk sqlite3 node; do command -v $p >/dev/null || { log "needs $p"; exit 1; }; done
[[ -x $B/azure-gpt-proxy && -x $B/mock-azure ]] || { log "needs $B/azure-gpt-proxy and $B/mock-azure (scripts/build.sh)"; exit 1; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
read -r P_MOCK P_SHARED P_KEY < <(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
node bench/lib/inputs.mjs "$TMP" >/dev/null
DB="sqlite://$TMP/team.db"
log "creating a key in $DB"
KEY=$($B/azure-gpt-proxy keys create --name bench-dev --database "$DB" | tail -n1)
log "starting the mock on :$P_MOCK, the shared-token proxy on :$P_SHARED, the key proxy on :$P_KEY"
$B/mock-azure --listen 127.0.0.1:$P_MOCK --api-key k --deployments gpt-4o,gpt-4o-mini >"$TMP/mock.log" 2>&1 &
PIDS+=($!)
sleep 0.3
start() {  # PORT [DATABASE_URL]
  env AZURE_OPENAI_ENDPOINT=http://127.0.0.1:$P_MOCK AZURE_OPENAI_API_KEY=k BIG_MODEL=gpt-4o SMALL_MODEL=gpt-4o-mini \
    ANTHROPIC_AUTH_TOKEN=bench LOG_LEVEL=warn ${2:+DATABASE_URL=$2} \
    $B/azure-gpt-proxy --listen 127.0.0.1:$1 >"$TMP/proxy_$1.log" 2>&1 &
  PIDS+=($!)
}
start "$P_SHARED"
start "$P_KEY" "$DB"
for port in $P_SHARED $P_KEY; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.05; done
done
declare -A total=()
printf '%-8s %-7s %10s %9s %8s\n' round arm req/s p99 non2xx
for round in $(seq "$ROUNDS"); do
  declare -A rps=()
  for arm in shared key; do
    if [[ $arm == shared ]]; then port=$P_SHARED tok=bench; else port=$P_KEY tok=$KEY; fi
    r=$(BENCH_TOKEN=$tok BENCH_BODY="$TMP/anthropic_2k.json" timeout $((ROUND_S + 15)) \
      wrk -t2 -c64 -d"${ROUND_S}s" --latency -s bench/lib/post.lua "http://127.0.0.1:$port/v1/messages" 2>&1)
    rps[$arm]=$(awk '/Requests\/sec/ {print $2}' <<<"$r")
    p99=$(awk '$1=="99%" {print $2}' <<<"$r")
    non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$r")
    n=$(awk '/requests in/ {print $1}' <<<"$r")
    total[$arm]=$(( ${total[$arm]:-0} + n ))
    printf '%-8s %-7s %10s %9s %8s\n' "$round" "$arm" "${rps[$arm]}" "$p99" "${non2xx:-0}"
  done
  awk -v a="${rps[key]}" -v b="${rps[shared]}" -v r="$round" 'BEGIN { printf "round %s: key/shared req/s = %.3f\n", r, a / b }'
done
sleep 2  # the last batch (USAGE_FLUSH_MS 1 s)
rows=$(sqlite3 "$TMP/team.db" "SELECT COUNT(*) FROM usage WHERE key_name = 'bench-dev'")
log "usage rows for bench-dev: $rows; requests wrk completed on the key proxy: ${total[key]} (wrk stops with some in flight, so rows >= completed)"
(( rows >= total[key] )) || { log "FAIL: fewer usage rows than completed requests"; exit 1; }
