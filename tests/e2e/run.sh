#!/usr/bin/env bash
# Run the end-to-end tests with node's built-in test runner.
#   tests/e2e/run.sh                          # all *.test.mjs files
#   tests/e2e/run.sh messages.test.mjs ...    # only these (names relative to tests/e2e or paths)
# Binaries: AGP_PROXY_BIN / AGP_MOCK_BIN (default: <repo>/build/azure-gpt-proxy, <repo>/build/mock-azure).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ! -d "$here/node_modules/@anthropic-ai/sdk" ]]; then
  echo "run.sh: $here/node_modules is missing; run 'npm install' in $here" >&2
  exit 1
fi

files=()
if [[ $# -eq 0 ]]; then
  for f in "$here"/*.test.mjs; do files+=("$f"); done
else
  for a in "$@"; do
    if [[ -f "$a" ]]; then
      files+=("$(cd "$(dirname "$a")" && pwd)/$(basename "$a")")
    elif [[ -f "$here/$a" ]]; then
      files+=("$here/$a")
    elif [[ -f "$here/$a.test.mjs" ]]; then
      files+=("$here/$a.test.mjs")
    else
      echo "run.sh: no such test file: $a" >&2
      exit 1
    fi
  done
fi

cd "$here"
exec node --test --test-reporter=spec "${files[@]}"
