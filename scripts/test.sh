#!/usr/bin/env bash
# Sets up, builds and runs every test: the Release tree build/ (unit tests, end-to-end tests
# with the official SDKs and the real Claude Code CLI against the mock Azure), then the clang
# ASan+UBSan tree build-san/ (preset sanitize): the unit tests, the end-to-end tests against the
# sanitized proxy and mock, and a few seconds of each libFuzzer target. Any sanitizer report
# fails the run. Prints ctest's summary line for each run and a timing line for each phase;
# exits non-zero if any run failed. Extra arguments go to the Release ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
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

# One clang tree for the sanitizer runs and the fuzz targets; only what the tests need is
# built there (the proxy, the mock, token-count, the unit tests, the fuzz targets).
if [[ ! -f build-san/CMakeCache.txt ]]; then
  echo "test: configuring build-san (cmake --preset sanitize)"
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake --preset sanitize "${launcher[@]}"
fi
echo "test: compiling build-san (ASan+UBSan, libFuzzer)"
cmake --build build-san -j"$jobs"
timing "sanitizer build"

# Reports go to files as well as failing the process (halt_on_error): a report from a child the
# test did not watch (a mock, a proxy that was killed) still fails the run.
reports=$root/build-san/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
echo "test: running ctest (ASan+UBSan: unit tests)"
(cd build-san && ctest --output-on-failure --timeout 600 -j"$jobs" -L unit) || failed+=("sanitizer unit ctest")
timing "sanitizer unit ctest"
# The end-to-end files against the sanitized proxy and mock (ctest sets AGP_PROXY_BIN and
# AGP_MOCK_BIN to this tree's binaries; the deploy manifests test checks the Release binary).
echo "test: running ctest (ASan+UBSan: end-to-end tests)"
(cd build-san && ctest --output-on-failure --timeout 600 -j"$jobs" -L e2e -E '^e2e_deploy_manifests$') ||
  failed+=("sanitizer e2e ctest")
timing "sanitizer e2e ctest"
echo "test: running ctest (libFuzzer targets, a few seconds each)"
(cd build-san && ASAN_OPTIONS="halt_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  ctest --output-on-failure --timeout 600 -j"$jobs" -L fuzz) || failed+=("fuzz ctest")
timing "fuzz ctest"

shopt -s nullglob
report_files=("$reports"/*)
shopt -u nullglob
if ((${#report_files[@]})); then
  echo "test: ${#report_files[@]} sanitizer report(s):"
  for f in "${report_files[@]}"; do
    echo "--- $f"
    cat "$f"
  done
  failed+=("sanitizer reports")
else
  echo "test: sanitizer reports: none"
fi

echo "test: timing: total $((SECONDS - start)) s"
if ((${#failed[@]})); then
  echo "test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test: all runs passed"
