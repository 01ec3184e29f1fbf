#!/usr/bin/env bash
# Brings up the main job on this machine: a lab swarm of shoald hosts
# (`shoal lab up`: 3 managers and 2 workers, each in its own network
# namespace on the lab bridge 10.231.0.0/24) and a demo service (busybox
# httpd, one replica per host) published in host mode on port 8080 of every
# host. Idempotent: a lab that answers is kept. Take it all down with
# `node_modules/.bin/shoal lab down`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "the lab needs root"; exit 2; }
scripts/ensure-deps.sh

shoal=node_modules/.bin/shoal
root=/var/lib/shoal-lab/lab
port=8080

lab_answers() {
  [ -f "$root/lab.json" ] || return 1
  for sock in "$root"/host*/shoal.sock; do
    curl -fsS --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 || return 1
  done
}

if ! lab_answers; then
  $shoal lab down >/dev/null 2>&1 || true
  echo "shoal: starting the lab (logs: $root/host*/shoald.log)"
  $shoal lab up --managers 3 --workers 2
fi
socks=("$root"/host*/shoal.sock)
api() { curl -fsS --unix-socket "${socks[0]}" "$@"; }

# The demo image on every host (services use the image a node has; there is no registry here).
tar=""
for sock in "${socks[@]}"; do
  if ! $shoal -H "unix://$sock" image inspect shoal/httpd:demo >/dev/null 2>&1; then
    [ -n "$tar" ] || { tar=$(mktemp --suffix=.tar); scripts/make-busybox-image.sh "$tar"; }
    $shoal -H "unix://$sock" image import --change 'CMD ["httpd","-f","-p","80","-h","/var/www"]' --change 'EXPOSE 80' "$tar" shoal/httpd:demo >/dev/null
  fi
done
[ -z "$tar" ] || rm -f "$tar"

hosts=${#socks[@]}
if ! api "http://localhost/services/demo" >/dev/null 2>&1; then
  api -X POST -H 'Content-Type: application/json' http://localhost/services/create -d @- >/dev/null <<JSON
{"Name":"demo","TaskTemplate":{"ContainerSpec":{"Image":"shoal/httpd:demo"},"RestartPolicy":{"Condition":"any","Delay":1000000000}},
 "Mode":{"Replicated":{"Replicas":$hosts}},"UpdateConfig":{"Parallelism":1,"Order":"stop-first"},
 "EndpointSpec":{"Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":$port,"PublishMode":"host"}]}}
JSON
fi

echo "shoal: waiting for the demo service on every host"
net=$(sed -n 's/.*"net": "\(.*\)".*/\1/p' "$root/lab.json")
for i in $(seq 1 "$hosts"); do
  for _ in $(seq 1 300); do curl -fsS --max-time 2 "http://$net.$i:$port/" >/dev/null 2>&1 && break; sleep 0.2; done
  printf 'host%s (%s:%s): ' "$i" "$net.$i" "$port"
  curl -fsS --max-time 2 "http://$net.$i:$port/" || { echo "no answer; see $root/host$i/shoald.log"; exit 1; }
done
cat <<MSG

The lab is up: $hosts hosts, one demo replica on each. Point a client at a host:
  export DOCKER_HOST=unix://${socks[0]}
  docker node ls; docker service ps demo
  node_modules/.bin/shoal -H unix://${socks[0]} ps
Take it down (nothing is left behind): node_modules/.bin/shoal lab down
MSG
