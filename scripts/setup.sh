#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian bookworm box (run as root): build tools,
# libraries, and the npm test clients. Safe to run again; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_deb=(build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libpcre2-dev libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev curl)
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

if [[ "${SKIP_NPM:-0}" != 1 ]]; then
  if [[ ! -d tests/e2e/node_modules ]] || [[ tests/e2e/package.json -nt tests/e2e/node_modules/.installed ]]; then
    echo "setup: installing npm test clients (tests/e2e)"
    (cd tests/e2e && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  else
    echo "setup: npm test clients already installed"
  fi
fi
echo "setup: done"
