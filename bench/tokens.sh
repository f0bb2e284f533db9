#!/usr/bin/env bash
# One command for the tokenizer benchmark (issue 7): builds build/tokens_bench and
# build/token-count, times them against tiktoken npm on the same inputs, and measures the
# resident memory of the CLI with both vocabularies loaded. Not part of the test suite.
#   bench/tokens.sh [seconds-per-measurement]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d build ]] || cmake --preset release >/dev/null
cmake --build build -j2 --target tokens_bench token-count >/dev/null
node bench/tiktoken_bench.mjs build/tokens_bench "${1:-2}"
for enc in o200k_base cl100k_base; do
  rss=$(echo '"hello world"' | /usr/bin/time -f '%M' build/token-count --encoding "$enc" 2>&1 >/dev/null | tail -1)
  echo "token-count max RSS (both vocabularies loaded, $enc text): ${rss} KB"
done
base=$(/usr/bin/time -f '%M' build/token-count --help 2>&1 >/dev/null | tail -1)
echo "token-count max RSS without loading a vocabulary (--help): ${base} KB"
