#!/usr/bin/env bash
# Sandbox stage 1 (run by run.sh as PID 1 of the new PID namespace, in new
# mount, network, IPC and UTS namespaces; /proc and the cgroup view are
# still the machine's): give the run one cgroup of its own in every
# hierarchy, move into it, and enter a cgroup namespace rooted there, so that
# every cgroup the tests make lands under it. Then inside.sh builds the root.
# Usage: enter.sh REPO SCRATCH CMD...
set -euo pipefail
repo=$1 scratch=$2
shift 2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
id=${scratch##*/}
name=$SANDBOX_CGROUP_PREFIX$id

mounts=$(cgroup_mounts)
# A hybrid host whose cgroup2 still lists controllers (hugetlb): mount those
# as v1 here, in the sandbox's mount namespace, as shoald would, so that
# their cgroups too are under the run's and the hierarchy dies with it.
unified=$(awk '$1 == "cgroup2" && $4 == "/" {print $3; exit}' <<<"$mounts")
v1=$(awk '$1 == "cgroup" {print $2}' <<<"$mounts" | paste -sd,)
if [ -n "$unified" ] && [ -n "$v1" ]; then
  for c in $(hybrid_missing_v1 "$unified" "$v1"); do
    mkdir -p "$scratch/cgroup-extra/$c"
    mount -t cgroup -o "$c" cgroup "$scratch/cgroup-extra/$c"
    mounts+=$'\n'"cgroup $c $scratch/cgroup-extra/$c /"
  done
fi

# Lines "<fstype> <controllers> <mount point inside>" for inside.sh.
: >"$scratch/cgroup-mounts"
while read -r fstype ctrls mp root; do
  [ -n "$mp" ] || continue
  cur=$(self_cgroup_path "$ctrls")
  path=${cur%/}/$name
  # Recorded before it exists: a runner killed now still has it removed.
  echo "$fstype $ctrls $path" >>"$scratch/cgroups"
  # Where that cgroup is in this mount of the hierarchy (rooted at $root).
  rel=${path#"${root%/}"}
  dir=$mp$rel
  mkdir "$dir"
  if [[ ",$ctrls," == *",cpuset,"* ]]; then
    # A new v1 cpuset has no CPUs or memory nodes until given its parent's.
    cat "${dir%/*}/cpuset.cpus" >"$dir/cpuset.cpus"
    cat "${dir%/*}/cpuset.mems" >"$dir/cpuset.mems"
  fi
  echo 0 >"$dir/cgroup.procs"
  case $mp in
    "$scratch"/cgroup-extra/*) target=/sys/fs/cgroup/${mp##*/} ;;
    *) target=$mp ;;
  esac
  echo "$fstype $ctrls $target" >>"$scratch/cgroup-mounts"
done <<<"$mounts"

# tini as PID 1 reaps the orphans of the tests (daemons, shims) and passes
# signals on; when its child ends, it ends, and the kernel ends the rest.
exec unshare --cgroup -- tini -s -- bash "$(dirname "$0")/inside.sh" "$repo" "$scratch" "$@"
