#!/usr/bin/env bash
# Sandbox stage 2 (child of tini, PID 1; in the run's cgroup namespace): build
# the sandbox's root filesystem, pivot into it and run the command from the
# repo's overlay. Usage: inside.sh REPO SCRATCH CMD...
set -euo pipefail
repo=$1 scratch=$2
shift 2
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
root=$scratch/root

# The machine's root filesystem, read-only (one mount, not its submounts).
mount --bind / "$root"
mount -o remount,bind,ro "$root"

mount -t proc proc "$root/proc"
# sysfs mounted from inside the new network namespace shows its devices only.
mount -t sysfs sysfs "$root/sys"
if grep -q '^cgroup2 - /sys/fs/cgroup$' "$scratch/cgroup-mounts"; then
  : # a pure cgroup2 machine: the hierarchy itself goes at /sys/fs/cgroup
else
  mount -t tmpfs -o mode=755,size=64k tmpfs "$root/sys/fs/cgroup"
fi
while read -r fstype ctrls target; do
  mkdir -p "$root$target"
  if [ "$fstype" = cgroup2 ]; then
    mount -t cgroup2 cgroup2 "$root$target"
  else
    mount -t cgroup -o "$(cgroup_mount_opts "$ctrls")" cgroup "$root$target"
  fi
  # cgroup2 with controllers (a pure v2 machine): processes may not stay in
  # a cgroup whose children get controllers, so ours move to a leaf.
  if [ "$fstype" = cgroup2 ] && [ -s "$root$target/cgroup.controllers" ]; then
    mkdir "$root$target/sandbox"
    echo 0 >"$root$target/sandbox/cgroup.procs"
    for c in $(cat "$root$target/cgroup.controllers"); do echo "+$c" >"$root$target/cgroup.subtree_control"; done
  fi
done <"$scratch/cgroup-mounts"

# /dev is the machine's (TUN, ptys, ...) but /dev/shm and /dev/mqueue are the sandbox's.
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
[ -d "$root/dev/mqueue" ] && mount -t mqueue mqueue "$root/dev/mqueue"

mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount --bind "$scratch/tmp" "$root/tmp"
mount --bind "$scratch/var-tmp" "$root/var/tmp"
mount --bind "$scratch/var-lib-shoal" "$root/var/lib/shoal"

# The repo: an overlay whose writes go to the scratch; .tap/ (tap's fixtures
# hold whiteout devices that overlayfs refuses) a real directory of it. The
# repo itself stays visible read-only for the sandbox's own test.
# A repo under /tmp or /var/tmp (a CI clone) needs its mount point made in the fresh directory.
[ -d "$root$repo" ] || mkdir -p "$root$repo"
mount -t overlay overlay -o "lowerdir=$repo,upperdir=$scratch/repo-upper,workdir=$scratch/repo-work" "$root$repo"
mkdir -p "$root$repo/.tap"
mount --bind "$scratch/tap" "$root$repo/.tap"
mkdir -p "$root/run/shoal-sandbox/repo"
mount --bind "$repo" "$root/run/shoal-sandbox/repo"
mount -o remount,bind,ro "$root/run/shoal-sandbox/repo"

# Leave the machine's root: pivot onto the new one and drop the old.
cd "$root"
pivot_root . .
umount -l .
cd "$repo"

ip link set lo up
mkdir -p /tmp/home
export HOME=/tmp/home
export SHOAL_TEST_SANDBOX=1 SHOAL_SANDBOX_REPO_LOWER=/run/shoal-sandbox/repo
unset TMPDIR
"$@"
