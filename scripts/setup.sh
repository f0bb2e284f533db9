#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian bookworm box (run as root): build tools,
# libraries, and the npm test clients. Safe to run again; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_deb=(build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libpcre2-dev libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libmimalloc-dev libsimdjson-dev curl
  libsqlitecpp-dev libsqlite3-dev libpq-dev)
# For the tests only (not with SKIP_NPM=1, as scripts/run.sh and the Dockerfile call it): the status
# page in headless Chromium, and /metrics read by the official Prometheus client's parser.
# PostgreSQL 15 (initdb, postgres, psql): the team access tests start a throw-away server.
[[ "${SKIP_NPM:-0}" == 1 ]] || want_deb+=(chromium python3-prometheus-client postgresql)
# Also for the tests only: the sanitizer and fuzzing tree (scripts/test.sh, scripts/fuzz.sh) needs
# clang, the ASan/UBSan runtimes and libFuzzer (libclang_rt.fuzzer-x86_64.a, in libclang-rt-14-dev),
# and llvm-symbolizer (package llvm) so that reports name functions and lines.
[[ "${SKIP_NPM:-0}" == 1 ]] || want_deb+=(clang libclang-rt-14-dev llvm)
# Node.js + npm: any install that provides both will do (Debian's, or a vendor build).
command -v node >/dev/null && command -v npm >/dev/null || want_deb+=(nodejs npm)

missing=()
for p in "${want_deb[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages already installed"
fi

# Token vocabularies (issue 7): the npm package tiktoken, exactly 1.0.22, unpacked into
# build-deps/tiktoken/ (gitignored). Done even with SKIP_NPM=1: the proxy build embeds the
# vocabularies from here. The tarball and both encoder files are checked against pinned
# SHA-256s; the build checks the encoders again (src/tokens/CMakeLists.txt).
TIKTOKEN_VERSION=1.0.22
TIKTOKEN_TGZ_SHA256=55c339e756fdb17604f7c7e3eb35d2bcbffe4d960e8096e50285d1cefa51dd90
TIKTOKEN_O200K_SHA256=df53e1a5f146e33a1b144d12ad9d685ee1b54dbc8b0950791ed45c933b119dc1
TIKTOKEN_CL100K_SHA256=49a4e05dea02c8fafbd50cc4725c4aab8f39386c0afedef118e0dfebc2fe523a
tk_dir=build-deps/tiktoken/node_modules/tiktoken
vocab_ok() {
  [[ -f $tk_dir/encoders/o200k_base.json && -f $tk_dir/encoders/cl100k_base.json ]] &&
    echo "$TIKTOKEN_O200K_SHA256  $tk_dir/encoders/o200k_base.json
$TIKTOKEN_CL100K_SHA256  $tk_dir/encoders/cl100k_base.json" | sha256sum --check --status
}
if vocab_ok; then
  echo "setup: token vocabularies (tiktoken@$TIKTOKEN_VERSION) already installed"
else
  echo "setup: installing token vocabularies (npm tiktoken@$TIKTOKEN_VERSION) into build-deps/tiktoken"
  rm -rf build-deps/tiktoken && mkdir -p build-deps/tiktoken/node_modules
  tgz_dir=$(mktemp -d)
  (cd "$tgz_dir" && npm pack "tiktoken@$TIKTOKEN_VERSION" --silent --loglevel=error >/dev/null)
  if ! echo "$TIKTOKEN_TGZ_SHA256  $tgz_dir/tiktoken-$TIKTOKEN_VERSION.tgz" | sha256sum --check --status; then
    rm -rf "$tgz_dir" build-deps/tiktoken
    echo "setup: ERROR: npm tiktoken-$TIKTOKEN_VERSION.tgz does not match its pinned SHA-256" >&2
    exit 1
  fi
  mkdir -p "$tk_dir" && tar -xzf "$tgz_dir/tiktoken-$TIKTOKEN_VERSION.tgz" -C "$tk_dir" --strip-components=1
  rm -rf "$tgz_dir"
  if ! vocab_ok; then
    rm -rf build-deps/tiktoken
    echo "setup: ERROR: tiktoken encoder files do not match their pinned SHA-256" >&2
    exit 1
  fi
fi

if [[ "${SKIP_NPM:-0}" != 1 ]]; then
  if [[ ! -d tests/e2e/node_modules ]] || [[ tests/e2e/package.json -nt tests/e2e/node_modules/.installed ]]; then
    echo "setup: installing npm test clients (tests/e2e)"
    (cd tests/e2e && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  else
    echo "setup: npm test clients already installed"
  fi
fi
echo "setup: done"
