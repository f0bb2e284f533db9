#!/usr/bin/env bash
# A/B on one machine, one run: the proxy with the exact count on every request (COUNT_SAMPLE=1)
# against the default sampling (COUNT_SAMPLE=8), upstream = the C++ mock, wrk -t2 -c64, alternating.
# Needs build/ (scripts/build.sh) and wrk; about 45 s; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
$B/mock-azure --listen 127.0.0.1:18700 --api-key k --deployments gpt-4o,gpt-4o-mini > "${TMPDIR:-/tmp}/ab_mock.log" 2>&1 &
MOCK=$!
sleep 0.3
TMP=$(mktemp -d)
node bench/lib/inputs.mjs "$TMP" > /dev/null
start() { AZURE_OPENAI_ENDPOINT=http://127.0.0.1:18700 AZURE_OPENAI_API_KEY=k BIG_MODEL=gpt-4o SMALL_MODEL=gpt-4o-mini ANTHROPIC_AUTH_TOKEN=bench LOG_LEVEL=warn COUNT_SAMPLE=$1 $B/azure-gpt-proxy --listen 127.0.0.1:$2 > "${TMPDIR:-/tmp}/ab_proxy_$2.log" 2>&1 & echo $!; }
A=$(start 1 18701); C=$(start 8 18702)
trap 'kill $MOCK $A $C 2>/dev/null; rm -rf "$TMP"' EXIT
sleep 0.5
for body in anthropic_2k.json claude_code_50k.json; do
  for round in 1 2; do
    for port in 18701 18702; do
      r=$(BENCH_BODY="$TMP/$body" timeout 20 wrk -t2 -c64 -d5s --latency -s bench/lib/post.lua http://127.0.0.1:$port/v1/messages 2>&1)
      rps=$(echo "$r" | awk '/Requests\/sec/ {print $2}'); p99=$(echo "$r" | awk '$1=="99%" {print $2}'); non2xx=$(echo "$r" | awk '/Non-2xx/ {print $4}')
      echo "$body round $round $( [ $port = 18701 ] && echo 'exact-every' || echo 'sampled-1/8' ) req/s=$rps p99=$p99 non2xx=${non2xx:-0}"
    done
  done
done
