#!/usr/bin/env bash
# Brings up the main job on this machine: shoald (in the background, socket
# /run/shoal/shoal.sock, log /var/log/shoal/shoald.log) and a demo container
# (busybox httpd) published on port ${SHOAL_DEMO_PORT:-8080}. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "shoald needs root"; exit 2; }
scripts/ensure-deps.sh

sock=/run/shoal/shoal.sock
port=${SHOAL_DEMO_PORT:-8080}
shoal=node_modules/.bin/shoal
export SHOAL_HOST=unix://$sock

if ! curl -fsS --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
  mkdir -p /var/log/shoal
  echo "shoal: starting shoald (log: /var/log/shoal/shoald.log)"
  setsid node_modules/.bin/shoald >>/var/log/shoal/shoald.log 2>&1 < /dev/null &
  for _ in $(seq 1 100); do
    curl -fsS --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS --unix-socket "$sock" http://localhost/_ping >/dev/null || { echo "shoald did not start; see /var/log/shoal/shoald.log"; tail -20 /var/log/shoal/shoald.log; exit 1; }
fi

# The demo image runs httpd by its own CMD, as `docker run nginx` does.
if ! $shoal image inspect shoal/httpd:demo >/dev/null 2>&1; then
  tar=$(mktemp --suffix=.tar)
  scripts/make-busybox-image.sh "$tar"
  $shoal image import --change 'CMD ["httpd","-f","-p","80","-h","/var/www"]' --change 'EXPOSE 80' "$tar" shoal/httpd:demo
  rm -f "$tar"
fi

$shoal rm -f shoal-demo >/dev/null 2>&1 || true
$shoal run -d --name shoal-demo --restart unless-stopped -p "$port:80" shoal/httpd:demo >/dev/null
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.1; done
echo "shoal: the demo container answers on http://127.0.0.1:$port/ :"
curl -fsS "http://127.0.0.1:$port/"
cat <<MSG

shoald is running. Point a client at it:
  export DOCKER_HOST=unix://$sock     # the docker CLI
  docker ps
  node_modules/.bin/shoal ps           # the shoal CLI (same socket by default)
Stop the daemon with: kill \$(cat /run/shoal/shoald.pid)   (containers keep running: live-restore)
MSG
