#!/usr/bin/env bash
# Configures (once) and builds the Release tree in build/. Idempotent; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/CMakeCache.txt ]]; then
  echo "build: configuring (cmake --preset release)"
  cmake --preset release
fi
echo "build: compiling (cmake --build build)"
cmake --build build -j"$(nproc)"
