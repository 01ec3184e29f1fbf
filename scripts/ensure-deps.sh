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

echo "shoal: building"
npm run build --silent
