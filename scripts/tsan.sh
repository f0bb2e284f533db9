#!/usr/bin/env bash
# ThreadSanitizer run of the end-to-end suite (issue 14): builds the clang tree build-tsan/
# (preset tsan: -fsanitize=thread, no mimalloc), then runs every e2e file against its proxy and
# mock (ctest sets AGP_PROXY_BIN / AGP_MOCK_BIN to that tree's binaries). Reports go to
# build-tsan/tsan-reports/; any report fails the run. Not part of scripts/test.sh: the tree is a
# third full build. Extra arguments go to ctest (e.g. -R e2e_messages).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
start=$SECONDS
if [[ ! -f build-tsan/CMakeCache.txt ]]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake --preset tsan "${launcher[@]}"
fi
cmake --build build-tsan -j"$jobs" --target azure-gpt-proxy mock-azure token-count
echo "tsan: build took $((SECONDS - start)) s"
reports=$root/build-tsan/tsan-reports
rm -rf "$reports" && mkdir -p "$reports"
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:history_size=4:log_path=$reports/tsan:suppressions=$root/tests/sanitizers/tsan.supp"
status=0
(cd build-tsan && ctest --output-on-failure --timeout 600 -j"$jobs" -L e2e -E '^e2e_deploy_manifests$' "$@") || status=1
shopt -s nullglob
files=("$reports"/*)
if ((${#files[@]})); then
  echo "tsan: ${#files[@]} report file(s):"
  for f in "${files[@]}"; do echo "--- $f"; cat "$f"; done
  status=1
else
  echo "tsan: reports: none"
fi
echo "tsan: total $((SECONDS - start)) s"
exit $status
