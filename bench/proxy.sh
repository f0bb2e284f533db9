#!/usr/bin/env bash
# One command for the proxy benchmark (Performance issue, part 1). See bench/README.md.
#   bench/proxy.sh
# Builds Release into build-bench/, starts on 127.0.0.1 only: nginx as the canned upstream,
# nginx as a plain proxy_pass relay, claude-code-router 1.0.73, the C++ mock Azure and the
# proxy; runs bounded loads (wrk, a node client), prints a table of ratios against the
# baselines of the same run, and writes bench/results.md. Stops everything it started on exit.
#
# Knobs (environment): BENCH_ROUND_S (5) seconds per wrk round, BENCH_ROUNDS (2),
# BENCH_STREAMS (10000, fewer if the open-files limit cannot hold two sockets per stream),
# BENCH_SEQ_N (300) sequential streams per target and round, BENCH_DRIP_MS (2000) delay between
# chunks of the slow upstream, BENCH_PERF (1; 0 = no profile), BENCH_STRACE (1; 0 = no system
# call counts), BENCH_CURSOR (1; 0 = skip scenario g), BENCH_BUDGET_S (290) hard stop.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LIB=$ROOT/bench/lib
ROUND_S=${BENCH_ROUND_S:-5}
ROUNDS=${BENCH_ROUNDS:-2}
SEQ_N=${BENCH_SEQ_N:-300}
DRIP_MS=${BENCH_DRIP_MS:-2000}
PERF=${BENCH_PERF:-1}
STRACE=${BENCH_STRACE:-1}
BUDGET_S=${BENCH_BUDGET_S:-290}
CHUNKS=200       # content chunks per streamed answer, scenario (b)
CONNS=64
TOKEN=bench      # the proxy's and ccr's client token
AZ_KEY=test      # the upstream's key
CCR_VERSION=1.0.73
T_START=$(date +%s)
NCPU=$(nproc)

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }
# Noise: CPU ticks (1/100 s) used by processes outside this run's session (another engineer's
# compiles, tests...), counting children they reaped; sampled around every round.
MY_SID=$(awk '{ sub(/^[0-9]+ \(.*\) /, ""); print $4 }' /proc/$$/stat)
foreign_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |  # processes may end while being read
    awk -v me="$MY_SID" '{ sub(/^[0-9]+ \(.*\) /, ""); if ($4 != me && $4 != 0) t += $12 + $13 + $14 + $15 }
      END { printf "%d", t }'
}

# --- what the benchmark needs --------------------------------------------------------------
missing=()
for p in nginx wrk; do command -v "$p" >/dev/null || missing+=("$p"); done
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ $PERF == 1 ]] && ! command -v perf >/dev/null && missing+=(linux-perf)
[[ $STRACE == 1 ]] && ! command -v strace >/dev/null && missing+=(strace)
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's nginx package starts a service on port 80 where an init system runs; not ours to keep.
fi
command -v node >/dev/null || die "node is needed (scripts/setup.sh installs it)"
[[ -f build-deps/tiktoken/node_modules/tiktoken/encoders/o200k_base.json ]] || ./scripts/setup.sh
CCR=$ROOT/bench/.deps/node_modules/@musistudio/claude-code-router/dist/cli.js
if ! grep -q "\"version\": \"$CCR_VERSION\"" "$ROOT/bench/.deps/node_modules/@musistudio/claude-code-router/package.json" 2>/dev/null; then
  log "installing @musistudio/claude-code-router@$CCR_VERSION into bench/.deps"
  npm install --prefix "$ROOT/bench/.deps" --no-audit --no-fund --loglevel=error "@musistudio/claude-code-router@$CCR_VERSION" >/dev/null
fi

log "building Release into build-bench/ (azure-gpt-proxy, mock-azure)"
[[ -f build-bench/build.ninja ]] ||
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DAGP_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j2 --target azure-gpt-proxy mock-azure translate_bench | tail -1
PROXY_BIN=$ROOT/build-bench/azure-gpt-proxy
MOCK_BIN=$ROOT/build-bench/mock-azure

# --- processes, clean-up, time budget ------------------------------------------------------
# Loopback only, and no HTTP proxy in the way of curl or node.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*'
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d /tmp/agp-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers (not root) read the canned stream from here
RES=$WORK/results.tsv
: >"$RES"
PIDS=()
WATCHDOG=
cleanup() {
  local rc=$?
  set +e
  if [[ -n $WATCHDOG ]]; then  # the subshell first (so it reports nothing), then its sleep
    local sleeper
    sleeper=$(pgrep -P "$WATCHDOG")
    kill "$WATCHDOG" $sleeper 2>/dev/null
  fi
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 30); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
  ((rc == 0)) || log "stopped (exit $rc); every process it started is gone"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
(sleep "$BUDGET_S" && log "time budget of ${BUDGET_S}s exceeded, stopping" && kill -TERM $$) &
WATCHDOG=$!
disown "$WATCHDOG"

free_ports() {  # N free loopback ports
  python3 -c 'import socket,sys
s=[socket.socket() for _ in range(int(sys.argv[1]))]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))' "$1"
}
wait_http() {  # URL: until it answers anything, at most 10 s
  for _ in $(seq 200); do
    curl -s -o /dev/null --max-time 0.2 "$1" && return 0
    sleep 0.05
  done
  die "$1 did not answer within 10 s"
}
read -r UP_PORT RELAY_PORT PROXY_PORT CCR_PORT HOLD_PORT STARTUP_PORT < <(free_ports 6)
UP=http://127.0.0.1:$UP_PORT
RELAY=http://127.0.0.1:$RELAY_PORT
PROXY=http://127.0.0.1:$PROXY_PORT
CCRURL=http://127.0.0.1:$CCR_PORT
CHAT_PATH="/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
SSE_PATH="/openai/deployments/gpt-4o-sse/chat/completions?api-version=2024-10-21"
RESP_PATH="/openai/v1/responses"

FOREIGN_T0=$(foreign_ticks)
log "writing request bodies into $WORK"
node "$LIB/inputs.mjs" "$WORK"

# --- the mock Azure: source of the canned answers, and the slow upstream of scenario (c) ---
log "starting mock-azure"
"$MOCK_BIN" --listen 127.0.0.1:0 --api-key "$AZ_KEY" >"$WORK/mock.out" 2>"$WORK/mock.err" &
PIDS+=($!)
MOCK_PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/mock.out" && break; sleep 0.05; done
MOCK=$(sed -n 's/^listening on //p' "$WORK/mock.out")
[[ -n $MOCK ]] || die "mock-azure did not start: $(cat "$WORK/mock.err")"
ANSWER="The proxy translated this request and Azure answered it. Here is a plausible reply of moderate length, as a coding assistant would give: read the file first, then make the smallest change that fixes the failing test, run the suite again and report what changed and why. Nothing else needs to be done for this step, and the next step can begin as soon as the tests pass."
STREAM_TEXT=$(printf 'token%03d' $(seq 1 $CHUNKS))  # 200 chunks of 8 bytes
curl -sf -XPOST "$MOCK/_mock/rules" -d '{"rules":[
  {"match":{"contains":"CANNED_STREAM"},"respond":{"text":"'"$STREAM_TEXT"'","chunk_size":8}},
  {"match":{"contains":"CANNED"},"respond":{"text":"'"$ANSWER"'"}}]}' >/dev/null
mock_post() { curl -sf -XPOST "$MOCK$1" -H "api-key: $AZ_KEY" -H 'content-type: application/json' -d "$2"; }
mock_post "$CHAT_PATH" '{"messages":[{"role":"user","content":"CANNED"}]}' >"$WORK/chat.json"
mock_post "$CHAT_PATH" '{"messages":[{"role":"user","content":"CANNED_STREAM"}],"stream":true,"stream_options":{"include_usage":true}}' >"$WORK/stream.sse"
mock_post "$RESP_PATH" '{"model":"gpt-4o","input":"CANNED"}' >"$WORK/responses.json"
frames=$(grep -c '^data: {.*"content":"token' "$WORK/stream.sse" || true)
((frames == CHUNKS)) || die "canned stream has $frames content chunks, not $CHUNKS"
log "canned answers: chat $(wc -c <"$WORK/chat.json") B, stream $(wc -c <"$WORK/stream.sse") B ($frames content chunks), responses $(wc -c <"$WORK/responses.json") B"
# The slow upstream for (c) from now on: every request streams 8-byte chunks every DRIP_MS.
curl -sf -XPOST "$MOCK/_mock/reset" >/dev/null
curl -sf -XPOST "$MOCK/_mock/rules" -d '{"rules":[{"respond":{"text":"'"$(printf 'slowdrip%.0s' $(seq 120))"'","chunk_size":8,"chunk_delay_ms":'"$DRIP_MS"'}}]}' >/dev/null

# --- nginx: canned upstream (1 worker) and proxy_pass relay (auto workers) ------------------
nginx_quote() {  # a JSON file as an nginx single-quoted string
  python3 -c 'import sys
s=open(sys.argv[1]).read().strip()
assert "$" not in s, "canned answer contains $"
print("\x27"+s.replace("\\","\\\\").replace("\x27","\\\x27")+"\x27")' "$1"
}
nginx_common() {  # DIR
  cat <<EOF
daemon off; master_process on; pid $1/nginx.pid; error_log $1/error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 20000; }
EOF
}
nginx_http_common() {  # DIR
  cat <<EOF
  access_log off;
  client_body_temp_path $1/body; proxy_temp_path $1/proxy; fastcgi_temp_path $1/fcgi;
  uwsgi_temp_path $1/uwsgi; scgi_temp_path $1/scgi;
  client_body_buffer_size 1m; client_max_body_size 32m; keepalive_requests 1000000;
EOF
}
mkdir -p "$WORK/ngx-up" "$WORK/ngx-relay"
cp "$WORK/stream.sse" "$WORK/ngx-up/stream.sse"
{
  nginx_common "$WORK/ngx-up"
  echo "worker_processes 1;"
  echo "http {"
  nginx_http_common "$WORK/ngx-up"
  cat <<EOF
  server {
    listen 127.0.0.1:$UP_PORT backlog=4096;
    # Streamed answers (deployment *-sse): a static SSE file; POST to a static file is a 405
    # in nginx, turned into the file itself.
    location ~ ^/openai/deployments/[^/]+-sse/ {
      root $WORK/ngx-up; default_type text/event-stream;
      error_page 405 =200 /stream.sse; try_files /stream.sse =404;
    }
    location = /stream.sse { root $WORK/ngx-up; default_type text/event-stream; }
    location = $RESP_PATH { default_type application/json; return 200 $(nginx_quote "$WORK/responses.json"); }
    location / { default_type application/json; return 200 $(nginx_quote "$WORK/chat.json"); }
  }
}
EOF
} >"$WORK/ngx-up/nginx.conf"
{
  nginx_common "$WORK/ngx-relay"
  echo "worker_processes auto;"
  echo "http {"
  nginx_http_common "$WORK/ngx-relay"
  cat <<EOF
  upstream azure { server 127.0.0.1:$UP_PORT; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$RELAY_PORT backlog=4096;
    location / {
      proxy_pass http://azure; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
} >"$WORK/ngx-relay/nginx.conf"
for n in up relay; do
  log "starting nginx ($n)"
  /usr/sbin/nginx -p "$WORK/ngx-$n" -c "$WORK/ngx-$n/nginx.conf" -e "$WORK/ngx-$n/error.log" &
  PIDS+=($!)
done
wait_http "$UP/"
wait_http "$RELAY/"
RELAY_MASTER=${PIDS[-1]}

# --- the proxy -----------------------------------------------------------------------------
proxy_env() {  # ENDPOINT
  echo AZURE_OPENAI_ENDPOINT="$1" AZURE_OPENAI_API_KEY=$AZ_KEY BIG_MODEL=gpt-4o SMALL_MODEL=gpt-4o-sse \
    ANTHROPIC_AUTH_TOKEN=$TOKEN LOG_LEVEL=warn
}
start_proxy() {  # PORT ENDPOINT LOGNAME [extra env...]
  local port=$1 endpoint=$2 name=$3
  shift 3
  (cd "$WORK" && exec env $(proxy_env "$endpoint") "$@" "$PROXY_BIN" --listen "127.0.0.1:$port" \
    >"$WORK/$name.log" 2>&1) &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/health"
}

# --- claude-code-router --------------------------------------------------------------------
CCR_HOME=$WORK/ccr-home
mkdir -p "$CCR_HOME/.claude-code-router"
cat >"$CCR_HOME/.claude-code-router/config.json" <<EOF
{"LOG": false, "HOST": "127.0.0.1", "PORT": $CCR_PORT, "APIKEY": "$TOKEN", "NON_INTERACTIVE_MODE": true,
 "Providers": [{"name": "azure", "api_base_url": "$UP$CHAT_PATH", "api_key": "$AZ_KEY", "models": ["gpt-4o"]}],
 "Router": {"default": "azure,gpt-4o"}}
EOF

# --- (f) start-up: time to the first answered request, idle RSS ----------------------------
log "(f) start-up: proxy x5, nginx relay x3, ccr x1 (time to first answer on /health, RSS 0.5 s later)"
(cd "$WORK" && env $(proxy_env "$UP") node "$LIB/startup.mjs" 5 500 "http://127.0.0.1:$STARTUP_PORT/health" -- \
  "$PROXY_BIN" --listen "127.0.0.1:$STARTUP_PORT") >"$WORK/f_proxy.json"
sed "s/listen 127.0.0.1:$RELAY_PORT/listen 127.0.0.1:$STARTUP_PORT/; s|pid $WORK/ngx-relay/nginx.pid|pid $WORK/ngx-relay/startup.pid|" \
  "$WORK/ngx-relay/nginx.conf" >"$WORK/ngx-relay/startup.conf"
node "$LIB/startup.mjs" 3 500 "http://127.0.0.1:$STARTUP_PORT/" -- \
  /usr/sbin/nginx -p "$WORK/ngx-relay" -c "$WORK/ngx-relay/startup.conf" -e "$WORK/ngx-relay/startup.log" >"$WORK/f_nginx.json"
sed "s/\"PORT\": $CCR_PORT/\"PORT\": $STARTUP_PORT/" "$CCR_HOME/.claude-code-router/config.json" >"$WORK/ccr-startup.json"
mkdir -p "$WORK/ccr-startup-home/.claude-code-router"
mv "$WORK/ccr-startup.json" "$WORK/ccr-startup-home/.claude-code-router/config.json"
HOME=$WORK/ccr-startup-home node "$LIB/startup.mjs" 1 500 "http://127.0.0.1:$STARTUP_PORT/" -- node "$CCR" start >"$WORK/f_ccr.json"
log "  proxy $(cat "$WORK/f_proxy.json")"
log "  nginx relay $(cat "$WORK/f_nginx.json")"
log "  ccr $(cat "$WORK/f_ccr.json")"

log "starting the proxy (upstream nginx) and claude-code-router"
start_proxy "$PROXY_PORT" "$UP" proxy
PROXY_PID=${PIDS[-1]}
(cd "$CCR_HOME" && HOME=$CCR_HOME exec node "$CCR" start >"$WORK/ccr.log" 2>&1) &
PIDS+=($!)
CCR_PID=$!
wait_http "$CCRURL/"

# --- checks: each target answers the benchmark request correctly ---------------------------
check() {  # NAME URL BODY EXPECT(substring)
  local out
  out=$(curl -s --max-time 10 -w '\n%{http_code}' -XPOST "$2" -H 'content-type: application/json' \
    -H "x-api-key: $TOKEN" -H "authorization: Bearer $TOKEN" -H 'anthropic-version: 2023-06-01' --data-binary "@$3")
  [[ ${out##*$'\n'} == 200 && $out == *"$4"* ]] || die "$1 answered wrongly: ${out:0:400}"
  log "  ok: $1 ($(printf %s "${out%$'\n'*}" | wc -c) B)"
}
log "checking every target's answer"
check "direct chat" "$UP$CHAT_PATH" "$WORK/anthropic_2k.json" '"chat.completion"'
check "relay chat" "$RELAY$CHAT_PATH" "$WORK/anthropic_2k.json" '"chat.completion"'
check "proxy /v1/messages" "$PROXY/v1/messages" "$WORK/anthropic_2k.json" '"type":"message"'
check "ccr /v1/messages" "$CCRURL/v1/messages" "$WORK/anthropic_2k.json" '"type":"message"'
check "proxy /v1/messages 50 KB" "$PROXY/v1/messages" "$WORK/claude_code_50k.json" '"type":"message"'
check "ccr /v1/messages 50 KB" "$CCRURL/v1/messages" "$WORK/claude_code_50k.json" '"type":"message"'
check "proxy count_tokens" "$PROXY/v1/messages/count_tokens" "$WORK/count_tokens_50k.json" '"input_tokens"'
check "proxy stream" "$PROXY/v1/messages" "$WORK/anthropic_2k_stream.json" 'event: message_stop'
check "relay stream" "$RELAY$SSE_PATH" "$WORK/anthropic_2k_stream.json" 'data: [DONE]'
check "proxy cursor" "$PROXY/v1/chat/completions" "$WORK/cursor_2k.json" '"chat.completion"'
check "relay responses" "$RELAY$RESP_PATH" "$WORK/cursor_2k.json" '"object":"response"'

# --- wrk rounds ----------------------------------------------------------------------------
wrk_round() {  # SCENARIO TARGET ROUND URL BODY
  local out=$WORK/wrk-$1-$2-$3.txt rps p99 n non2xx sock cc t0 t1
  t0=$(foreign_ticks)
  BENCH_BODY=$5 BENCH_TOKEN=$TOKEN timeout $((ROUND_S + 20)) \
    wrk -t2 -c$CONNS -d"${ROUND_S}s" --latency -s "$LIB/post.lua" "$4" >"$out" 2>&1 || true
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  n=$(awk '/requests in/ {print $1}' "$out")
  p99=$(awk '$1 == "99%" { v = $2
    if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
    else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
    print v }' "$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out")
  sock=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' "$out")
  [[ -n $rps && -n $p99 ]] || die "wrk failed for $2: $(head -c 400 "$out")"
  t1=$(foreign_ticks)
  cc=$(((t1 - t0) / (ROUND_S * NCPU)))  # % of the machine used by other sessions' processes
  ((cc < 0)) && cc=0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$rps" "$p99" "$n" "$((${non2xx:-0} + ${sock:-0}))" "$cc" >>"$RES"
  log "  ($1) $2 round $3: $rps req/s, p99 ${p99} ms, errors $((${non2xx:-0} + ${sock:-0})), other sessions' CPU ${cc}%"
}
rounds() {  # SCENARIO then TARGET=URL=BODY triples, alternated round by round
  local scen=$1 r t
  shift
  for r in $(seq "$ROUNDS"); do
    for t in "$@"; do
      IFS='|' read -r name url body <<<"$t"
      wrk_round "$scen" "$name" "$r" "$url" "$body"
    done
  done
}

log "(a) 2 KB Anthropic request, not streamed, wrk -t2 -c$CONNS, $ROUNDS x ${ROUND_S}s per target"
rounds a "direct|$UP$CHAT_PATH|$WORK/anthropic_2k.json" "relay|$RELAY$CHAT_PATH|$WORK/anthropic_2k.json" \
  "proxy|$PROXY/v1/messages|$WORK/anthropic_2k.json" "ccr|$CCRURL/v1/messages|$WORK/anthropic_2k.json"
hwm() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
tree_rss() {  # PID: RSS of it and its children, MB
  local kb=0 c
  for c in $1 $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    kb=$((kb + $(awk '/^VmRSS/ {print $2}' "/proc/$c/status" 2>/dev/null || echo 0)))
  done
  awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}'
}
printf 'a_proxy_hwm_mb\t%s\na_proxy_rss_mb\t%s\na_ccr_rss_mb\t%s\na_relay_rss_mb\t%s\n' "$(hwm "$PROXY_PID")" \
  "$(rss "$PROXY_PID")" "$(tree_rss "$CCR_PID")" "$(tree_rss "$RELAY_MASTER")" >"$WORK/mem.tsv"
log "  proxy peak RSS (VmHWM) $(hwm "$PROXY_PID") MB; ccr RSS $(tree_rss "$CCR_PID") MB"

if [[ $PERF == 1 ]]; then
  log "profile: perf record -e cpu-clock -g -p <proxy> for ${ROUND_S}s under the load of (a)"
  (BENCH_BODY=$WORK/anthropic_2k.json BENCH_TOKEN=$TOKEN timeout $((ROUND_S + 20)) \
    wrk -t2 -c$CONNS -d"$((ROUND_S + 1))s" -s "$LIB/post.lua" "$PROXY/v1/messages" >/dev/null 2>&1 || true) &
  wrk_pid=$!
  sleep 0.5
  if timeout $((ROUND_S + 20)) perf record -q -e cpu-clock -F 999 -g -p "$PROXY_PID" -o "$WORK/perf.data" \
    -- sleep "$ROUND_S" >"$WORK/perf.log" 2>&1; then
    # Flat (self) and inclusive (children) views; the padding of long C++ names cut away.
    tidy() { grep -v -e '^#' -e '^$' | sed -E 's/[[:space:]]+(-[[:space:]]+-)?[[:space:]]*$//' | cut -c1-150 | head -"$1"; }
    { timeout 60 perf report -i "$WORK/perf.data" --stdio --no-children -g none --percent-limit 0.4 \
      --sort dso,symbol 2>/dev/null || true; } | tidy 60 >"$WORK/profile.txt" || true
    { timeout 60 perf report -i "$WORK/perf.data" --stdio --no-children -g none --percent-limit 0.5 \
      --sort dso 2>/dev/null || true; } | tidy 20 >"$WORK/profile_dso.txt" || true
    log "  profile: $(grep -c '%' "$WORK/profile.txt" || true) symbols above 0.4%"
  else
    log "  perf record failed here: $(head -c 300 "$WORK/perf.log")"
  fi
  wait "$wrk_pid" || true
fi

if [[ $STRACE == 1 ]]; then
  # System calls per request, proxy vs nginx relay: strace -c on every process (and thread)
  # of the target during a short light load; waiting calls (futex, epoll_wait) counted apart.
  syscalls() {  # NAME URL PID...
    local name=$1 url=$2 args=() p
    shift 2
    for p in "$@"; do args+=(-p "$p"); done
    timeout 20 strace -c -f -o "$WORK/strace-$name.txt" "${args[@]}" 2>/dev/null &
    local sp=$!
    sleep 0.5
    BENCH_BODY=$WORK/anthropic_2k.json BENCH_TOKEN=$TOKEN timeout 15 \
      wrk -t1 -c8 -d3s -s "$LIB/post.lua" "$url" >"$WORK/strace-wrk-$name.txt" 2>&1 || true
    sleep 0.2
    kill -INT "$sp" 2>/dev/null || true
    wait "$sp" 2>/dev/null || true
    printf 'syscalls_%s_requests\t%s\n' "$name" "$(awk '/requests in/ {print $1}' "$WORK/strace-wrk-$name.txt")" >>"$WORK/mem.tsv"
    awk -v n="$name" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
        calls = $4; sc = $NF
        if (sc ~ /^(futex|epoll_wait|epoll_pwait|nanosleep|clock_nanosleep)$/) wait += calls
        else { work += calls
          if (sc ~ /^(read|readv|recvfrom|recvmsg)$/) rd += calls
          if (sc ~ /^(write|writev|sendto|sendmsg|sendfile)$/) wr += calls } }
      END { printf "syscalls_%s_work\t%d\nsyscalls_%s_reads\t%d\nsyscalls_%s_writes\t%d\nsyscalls_%s_wait\t%d\n", n, work, n, rd, n, wr, n, wait }' \
      "$WORK/strace-$name.txt" >>"$WORK/mem.tsv"
    log "  $name: $(grep "^syscalls_$name" "$WORK/mem.tsv" | tr '\n\t' ' =')"
  }
  log "system calls per request under light load (strace -c -f, wrk -t1 -c8 for 3 s)"
  syscalls proxy "$PROXY/v1/messages" "$PROXY_PID"
  syscalls relay "$RELAY$CHAT_PATH" $(cat /proc/"$RELAY_MASTER"/task/*/children)
fi

log "(b) streamed answers of $CHUNKS chunks: $ROUNDS x $SEQ_N sequential requests per target, one keep-alive connection"
for r in $(seq "$ROUNDS"); do
  for t in "direct|$UP$SSE_PATH" "relay|$RELAY$SSE_PATH" "proxy|$PROXY/v1/messages"; do
    IFS='|' read -r name url <<<"$t"
    timeout 70 node "$LIB/stream_client.mjs" seq "$url" "$WORK/anthropic_2k_stream.json" "$SEQ_N" >"$WORK/b-$name-$r.json"
    log "  (b) $name round $r: $(cat "$WORK/b-$name-$r.json")"
  done
done

if [[ ${BENCH_CURSOR:-1} == 1 ]]; then
  log "(g) 2 KB Cursor request (POST /v1/chat/completions -> Responses API), not streamed"
  rounds g "direct|$UP$RESP_PATH|$WORK/cursor_2k.json" "relay|$RELAY$RESP_PATH|$WORK/cursor_2k.json" \
    "proxy|$PROXY/v1/chat/completions|$WORK/cursor_2k.json"
fi

log "(d) 50 KB Claude Code request, not streamed; (e) count_tokens of it"
rounds d "direct|$UP$CHAT_PATH|$WORK/claude_code_50k.json" "relay|$RELAY$CHAT_PATH|$WORK/claude_code_50k.json" \
  "proxy|$PROXY/v1/messages|$WORK/claude_code_50k.json" "ccr|$CCRURL/v1/messages|$WORK/claude_code_50k.json" \
  "proxy_count_tokens|$PROXY/v1/messages/count_tokens|$WORK/count_tokens_50k.json"

log "(d) translation alone: build-bench/translate_bench (Google Benchmark) on one core, the same 50 KB body"
timeout 120 taskset -c "$(($(nproc) - 1))" "$ROOT/build-bench/translate_bench" "$WORK/claude_code_50k.json" \
  --benchmark_format=json --benchmark_min_time=0.5 >"$WORK/translate.json" 2>"$WORK/translate.err" ||
  log "  translate_bench failed: $(tail -1 "$WORK/translate.err")"

# --- (c) many open streams against a slow upstream (last: it leaves many sockets in TIME_WAIT)
limit=$(ulimit -n)
max_streams=$(((limit - 256) / 2))  # the proxy holds two sockets per stream
STREAMS=${BENCH_STREAMS:-10000}
if ((STREAMS > max_streams)); then
  log "(c) open-files limit $limit holds at most $max_streams streams in one process (2 sockets each): using $max_streams, not $STREAMS"
  STREAMS=$max_streams
fi
log "(c) $STREAMS concurrent streams, upstream = mock-azure sending a chunk every ${DRIP_MS} ms; hold 5 s"
# The stream body names the haiku model; SMALL_MODEL here is a plain deployment of the mock.
# The admission caps (MAX_STREAMS 128 by default) are lifted: this measures what a stream costs.
start_proxy "$HOLD_PORT" "$MOCK" proxy-hold SMALL_MODEL=gpt-4o MAX_STREAMS=$((STREAMS + 100)) \
  MAX_IN_FLIGHT=$((STREAMS + 100)) MAX_CONNECTIONS=$((STREAMS + 200))
HOLD_PID=${PIDS[-1]}
timeout 90 node "$LIB/stream_client.mjs" hold "http://127.0.0.1:$HOLD_PORT/v1/messages" "$WORK/anthropic_2k_stream.json" \
  "$STREAMS" 5 45 "$HOLD_PID" >"$WORK/c.json"
log "  (c) $(cat "$WORK/c.json")"
printf 'c_idle_rss_mb_after\t%s\n' "$(sleep 1; rss "$HOLD_PID")" >>"$WORK/mem.tsv"

# --- report --------------------------------------------------------------------------------
T_END=$(date +%s)
{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'cpu\t%s\n' "$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'kernel\t%s\n' "$(uname -r)"
  printf 'commit\t%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo '?'), src/ as of $(git log -1 --format=%h -- src 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo ' plus uncommitted changes')"
  printf 'nginx\t%s\n' "$(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///')"
  printf 'wrk\t%s\n' "$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  printf 'node\t%s\n' "$(node --version)"
  printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'duration_s\t%s\n' "$((T_END - T_START))"
  printf 'foreign_cpu_pct\t%s\n' "$((($(foreign_ticks) - FOREIGN_T0) / ((T_END - T_START + 1) * NCPU)))"
  printf 'round_s\t%s\nrounds\t%s\nconns\t%s\nchunks\t%s\nseq_n\t%s\ndrip_ms\t%s\nstreams\t%s\n' \
    "$ROUND_S" "$ROUNDS" "$CONNS" "$CHUNKS" "$SEQ_N" "$DRIP_MS" "$STREAMS"
} >"$WORK/meta.tsv"
node "$LIB/report.mjs" "$WORK" "$ROOT/bench/results.md"
log "wrote bench/results.md; $((T_END - T_START)) s in all"
