#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/*_fuzz.cpp) of the clang sanitizer tree build-san/.
#   scripts/fuzz.sh                     # every target, 60 s each
#   scripts/fuzz.sh TARGET [SECONDS]    # one target (e.g. team_yaml), default 60 s; "all" = every target
#   scripts/fuzz.sh --list              # the targets
#   scripts/fuzz.sh --ci TARGET SECONDS # what ctest runs (label fuzz): replay the committed
#                                       # regressions, then SECONDS of fuzzing with -seed=1
# Seeds: tests/fuzz/corpus/<target>/ plus the repo's fixtures and recordings (gathered below).
# The growing corpus is kept in build-san/fuzz/corpus/<target>/ (not committed); a crash is
# saved as build-san/fuzz/crashes/<target>/crash-…: fix it, then copy it to
# tests/fuzz/regressions/<target>/ so the suite replays it from then on.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${AGP_FUZZ_BUILD:-$root/build-san}"

targets() { for f in "$root"/tests/fuzz/*_fuzz.cpp; do basename "$f" _fuzz.cpp; done; }

# The seed files of a target, from the repo's test data (besides tests/fuzz/corpus/<target>/).
seed_files() {
  local d="$root/tests/data" r="$root/tests/data/recordings" f="$root/tests/e2e/fixtures/requests"
  case "$1" in
    anthropic_request) ls "$f"/*.json "$d"/claude_code_*.json "$r"/*/client_request.json ;;
    cursor_request) ls "$r"/*/client_request.json ;;
    sse) ls "$d"/*.sse "$d"/responses/*.sse "$r"/*_stream/upstream_response "$r"/*_stream/client_response ;;
    chat_stream) ls "$d"/chat_stream_tool_calls.sse "$r"/chat_*_stream/upstream_response "$r"/handwritten_cursor_*/upstream_response ;;
    responses_stream) ls "$d"/responses/*.sse "$r"/*responses_*_stream/upstream_response ;;
    whole_answer) ls "$r"/*_whole/upstream_response ;;
    team_yaml) ls "$root"/deploy/config.example.yaml ;;
    tokenizer) ls "$d"/claude_code_haiku_request.json "$d"/chat_stream_tool_calls.expected.json ;;
    *) ;;
  esac
}

# Fills $build/fuzz/seeds/<target>/ afresh from the repo (libFuzzer takes corpus directories).
gather_seeds() {
  local t=$1 dir="$build/fuzz/seeds/$1" i=0
  rm -rf "$dir" && mkdir -p "$dir"
  while read -r file; do
    [[ -n $file ]] && cp "$file" "$dir/seed-$((i++))"
  done < <(seed_files "$t" 2>/dev/null || true)
  [[ -d $root/tests/fuzz/corpus/$t ]] && cp "$root"/tests/fuzz/corpus/"$t"/* "$dir"/ 2>/dev/null || true
  echo "$dir"
}

bin_of() { echo "$build/fuzz/fuzz_$1"; }

# Every committed crash input of a target, run once each: all must pass now.
replay_regressions() {
  local t=$1 dir="$root/tests/fuzz/regressions/$1"
  shopt -s nullglob
  local files=("$dir"/*)
  shopt -u nullglob
  if ((${#files[@]})); then
    echo "fuzz: $t: replaying ${#files[@]} regression input(s) from tests/fuzz/regressions/$t"
    "$(bin_of "$t")" -runs=1 "${files[@]}"
  fi
}

run_one() {
  local t=$1 secs=$2 seed_arg=$3 corpus=$4
  local seeds
  seeds=$(gather_seeds "$t")
  mkdir -p "$corpus" "$build/fuzz/crashes/$t"
  echo "fuzz: $t: fuzzing for $secs s (seeds: $(ls "$seeds" | wc -l) files, corpus $corpus)"
  local start=$SECONDS rc=0 log="$build/fuzz/$t.log"
  "$(bin_of "$t")" $seed_arg -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz/crashes/$t/" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  if ((rc)); then
    tail -n 60 "$log"
  else
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|#[0-9]+ +DONE)' "$log" || true
  fi
  echo "fuzz: $t: done in $((SECONDS - start)) s, exit $rc (log $log)"
  return "$rc"
}

if [[ ${1:-} == --list ]]; then
  targets
  exit 0
fi

if [[ ${1:-} == --ci ]]; then
  t=${2:?target}
  secs=${3:-5}
  [[ -x $(bin_of "$t") ]] || { echo "fuzz: $(bin_of "$t") is not built" >&2; exit 1; }
  replay_regressions "$t"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  run_one "$t" "$secs" -seed=1 "$work"
  exit
fi

target=${1:-all}
secs=${2:-60}
if [[ ! -f $build/CMakeCache.txt ]]; then
  echo "fuzz: configuring the sanitizer tree (cmake --preset sanitize)"
  (cd "$root" && cmake --preset sanitize ${CCACHE_DIR:+-DCMAKE_CXX_COMPILER_LAUNCHER=ccache})
fi
if [[ $target == all ]]; then mapfile -t list < <(targets); else list=("$target"); fi
echo "fuzz: building ${list[*]/#/fuzz_}"
cmake --build "$build" -j"$(nproc)" --target "${list[@]/#/fuzz_}"
failed=()
for t in "${list[@]}"; do
  replay_regressions "$t" || failed+=("$t")
  run_one "$t" "$secs" "" "$build/fuzz/corpus/$t" || failed+=("$t")
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/fuzz/crashes/)" >&2
  exit 1
fi
echo "fuzz: all ${#list[@]} target(s) ran clean"
