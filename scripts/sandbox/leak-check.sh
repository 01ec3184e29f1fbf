#!/usr/bin/env bash
# What a test run could leave on (or take from) the machine, as text, so that
# .ci/run can compare before and after the suite: mounts, named network
# namespaces, links, nftables tables, shoal processes, cgroups (every
# directory of every hierarchy, and which hierarchy each controller is on),
# the sandbox's scratch directories and the repo's `git status`. Another
# sandbox run alive on the machine at the same time (two suites at once) is
# not this run's doing: its processes, cgroups and scratch directory are left
# out, and while one lives the hierarchy ids of the controllers (a run mounts
# the hugetlb hierarchy for its containers) are not compared.
#   leak-check.sh snapshot            print the state
#   leak-check.sh compare BEFORE      fail (and show the difference) unless the
#                                     state equals the snapshot in file BEFORE
# Run it outside the sandbox, on the machine itself.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
# shellcheck source=lib.sh
source "$here/lib.sh"

# The ids of the sandbox runs alive now (their lock is held).
live_runs() {
  local d
  for d in "$SANDBOX_BASE"/run-*; do
    [ -d "$d" ] && run_alive "$(basename "$d")" && basename "$d"
  done
}

# Drop the lines that mention a live run (a path or a cgroup named for it).
without_live() {
  if [ ${#live[@]} -eq 0 ]; then cat; else grep -v -F "${live[@]/#/-e}"; fi
}

snapshot() {
  local live
  mapfile -t live < <(live_runs)
  echo "## mounts"
  findmnt -rn -o TARGET,SOURCE,FSTYPE | sort
  echo "## netns"
  ip netns list 2>/dev/null | awk '{print $1}' | sort
  echo "## links"
  ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
  echo "## nftables"
  nft list tables 2>/dev/null | sort
  echo "## processes"
  # Our daemons, shims, runtimes and sandboxes; not this script or its callers.
  # (The brackets keep the pattern from matching awk's own command line.)
  ps -eo pid=,comm=,args= | awk '$2 ~ /^(shoal-shim|crun|tini)$/ || $0 ~ /daemon\/main[.]ts|shoal[d]|sandbox\/(enter|inside)[.]sh/ { $1 = ""; print }' | without_live | sort
  echo "## cgroups"
  local fstype ctrls mp root
  while read -r fstype ctrls mp root; do
    (cd "$mp" && find . -type d | sed "s|^\.|$fstype:$ctrls:|") 
  done < <(cgroup_mounts) | without_live | sort
  echo "## controllers (name hierarchy enabled)"
  if [ ${#live[@]} -eq 0 ]; then awk '!/^#/ {print $1, $2, $4}' /proc/cgroups; else awk '!/^#/ {print $1, "-", $4}' /proc/cgroups; fi
  echo "## scratch"
  ls -1 "$SANDBOX_BASE" 2>/dev/null | without_live
  echo "## git status"
  git -C "$repo" status --porcelain
}

# The controllers' hierarchy ids replaced by "-" (see the file comment).
mask_hierarchies() {
  awk '/^## / { sect = $0 } sect ~ /^## controllers/ && !/^## / { $2 = "-" } { print }'
}

# Both states, masked alike when either was taken while another run lived.
compare_once() {
  local before=$1 now masked=0
  now=$(snapshot)
  grep -q '^hugetlb - ' "$before" && masked=1
  grep -q '^hugetlb - ' <<<"$now" && masked=1
  if [ "$masked" = 1 ]; then
    diff -u <(mask_hierarchies <"$before") <(mask_hierarchies <<<"$now")
  else
    diff -u "$before" - <<<"$now"
  fi
}

case ${1:-} in
  snapshot) snapshot ;;
  compare)
    before=${2:?usage: leak-check.sh compare BEFORE}
    # A cgroup hierarchy is torn down by the kernel after its last user goes,
    # asynchronously: give the machine a bounded moment to settle.
    for _ in $(seq 1 30); do
      compare_once "$before" >/dev/null && { echo "leak check: the machine is as before the run"; exit 0; }
      sleep 0.5
    done
    echo "leak check: the run changed the machine (- before, + after):"
    compare_once "$before" | tail -n +3
    exit 1
    ;;
  *) echo "usage: $0 snapshot | compare BEFORE" >&2; exit 2 ;;
esac
