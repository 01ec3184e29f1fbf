#!/usr/bin/env bash
# Installs what shoal needs on a Debian machine, only what is missing:
# Debian packages (crun, nftables, iproute2, busybox-static, util-linux,
# tini), node_modules (npm ci) and the build (TypeScript and native/).
# Idempotent; run as root. Usage: scripts/ensure-deps.sh [--with-docker]
set -euo pipefail
cd "$(dirname "$0")/.."

want=(crun nftables iproute2 busybox-static util-linux tini curl conntrack)
[ "${1:-}" = "--with-docker" ] && want+=(docker.io)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "shoal: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# node_modules: npm ci when missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "shoal: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# tap loads TypeScript with tsx rather than its ts-node plugin (package.json
# "tap": plugin list, --import=tsx: about twice as fast per file). The plugin
# set is compiled into @tapjs/test, which npm ci resets to tap's default.
if grep -q '@tapjs/typescript' node_modules/@tapjs/test/test-built/src/index.ts 2>/dev/null; then
  echo "shoal: tap build (plugins)"
  npx tap build >/dev/null
fi

echo "shoal: building"
npm run build --silent
