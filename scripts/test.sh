#!/usr/bin/env bash
# Sets up, builds and runs every test (unit tests, end-to-end tests with the official SDKs
# and the real Claude Code CLI against the mock Azure). Prints ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
echo "test: running ctest"
cd build
ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@"
