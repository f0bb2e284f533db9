#!/usr/bin/env bash
# Sets up, builds and runs every test: the Release tree build/ (unit tests, end-to-end tests
# with the official SDKs and the real Claude Code CLI against the mock Azure), then the libFuzzer
# targets of the clang ASan+UBSan tree build-san/ (preset sanitize) for a few seconds each, their
# committed crash inputs replayed first. Prints ctest's summary line for each run and a timing
# line for each phase; exits non-zero if any run failed. Extra arguments go to the Release ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
start=$SECONDS
phase_start=$SECONDS
timing() {
  echo "test: timing: $1 took $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}
failed=()

./scripts/setup.sh
timing "setup"
./scripts/build.sh
timing "Release build"
echo "test: running ctest (Release)"
(cd build && ctest --output-on-failure --timeout 600 -j"$jobs" "$@") || failed+=("Release ctest")
timing "Release ctest"

# One clang tree (ASan+UBSan, -O1) for the fuzz targets; only they are built there for now.
if [[ ! -f build-san/CMakeCache.txt ]]; then
  echo "test: configuring build-san (cmake --preset sanitize)"
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake --preset sanitize "${launcher[@]}"
fi
mapfile -t fuzz_targets < <(./scripts/fuzz.sh --list)
echo "test: compiling the ${#fuzz_targets[@]} fuzz targets in build-san (ASan+UBSan, libFuzzer)"
cmake --build build-san -j"$jobs" --target "${fuzz_targets[@]/#/fuzz_}"
timing "fuzz build"
echo "test: running ctest (libFuzzer targets, a few seconds each)"
(cd build-san && ASAN_OPTIONS="halt_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  ctest --output-on-failure --timeout 600 -j"$jobs" -L fuzz) || failed+=("fuzz ctest")
timing "fuzz ctest"

echo "test: timing: total $((SECONDS - start)) s"
if ((${#failed[@]})); then
  echo "test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test: all runs passed"
