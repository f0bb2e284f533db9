#!/usr/bin/env bash
# Sets up (if needed), builds (if needed) and runs the proxy with .env loaded.
# Extra arguments go to the proxy, e.g. scripts/run.sh --listen 0.0.0.0:8082
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_NPM=1 ./scripts/setup.sh
./scripts/build.sh
args=()
[[ -f .env ]] && args+=(--env-file .env)
echo "run: build/azure-gpt-proxy ${args[*]} $*"
exec ./build/azure-gpt-proxy "${args[@]}" "$@"
