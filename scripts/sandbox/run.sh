#!/usr/bin/env bash
# Run a command (the test suite) inside a sandbox of its own, so that what
# the tests do to the kernel cannot reach the machine and two runs at once
# cannot collide:
#   - new mount, PID, network, IPC, UTS and cgroup namespaces;
#   - the machine's root filesystem read-only; a fresh /proc, /sys for the
#     sandbox's network namespace (only `lo`), /dev as the machine's;
#   - the repo as an overlay whose writes land in this run's scratch
#     directory ($SANDBOX_BASE/run-<pid>-<starttime>), `.tap/` a real
#     directory of the scratch; /run, /tmp, /var/tmp, /var/lib/shoal fresh;
#   - /sys/fs/cgroup a tmpfs holding the machine's hierarchies, each rooted
#     (cgroup namespace) at one cgroup named for this run, removed at the end.
# However the run ends, nothing of it stays: its processes die with the PID
# namespace (the runner's death kills it too), mounts, links and nftables
# tables with their namespaces; cgroups and scratch are removed here, or by
# the next run when this one was killed with -9.
#
# Usage (as root, from anywhere): scripts/sandbox/run.sh CMD [ARG...]
# The command runs with the repo as its working directory.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
# shellcheck source=lib.sh
source "$here/lib.sh"

[ "$(id -u)" = 0 ] || { sandbox_log "needs root"; exit 2; }
[ $# -gt 0 ] || { sandbox_log "usage: $0 CMD [ARG...]"; exit 2; }
for tool in unshare setpriv tini mount pivot_root ip flock; do
  command -v "$tool" >/dev/null || { sandbox_log "missing $tool (scripts/ensure-deps.sh installs it)"; exit 2; }
done

reap_stale_runs

id=$(run_id_of $$)
scratch=$SANDBOX_BASE/$id
mkdir -p "$SANDBOX_BASE"
# Made as .new-<id> (which a reaper removes only once its lock is free),
# locked (see run_alive in lib.sh), then renamed: a run's directory is
# never seen under its final name without its lock held.
mkdir -m 700 "$SANDBOX_BASE/.new-$id" || exit 2
exec 9>"$SANDBOX_BASE/.new-$id/lock"
flock -n 9 || exit 2
mv "$SANDBOX_BASE/.new-$id" "$scratch" || exit 2
mkdir -p "$scratch"/{root,repo-upper,repo-work,tap,tmp,var-tmp,var-lib-shoal}
chmod 1777 "$scratch/tmp" "$scratch/var-tmp"
# The mount point of the data root: the one thing the sandbox needs on the
# machine's (read-only) root filesystem. shoald's default data root.
[ -d /var/lib/shoal ] || mkdir -p /var/lib/shoal

child=
finish() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    # unshare dies, its --kill-child takes PID 1 of the sandbox, the kernel every other process in it.
    kill -KILL "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  remove_run_cgroups "$scratch/cgroups" || rc=1
  remove_scratch "$scratch" || rc=1
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# What the sandbox's own checks compare against (scripts/sandbox.linux.test.ts).
SHOAL_SANDBOX_HOST_LINKS=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | paste -sd,)
SHOAL_SANDBOX_HOST_NETNS=$(stat -L -c %i /proc/self/ns/net)
export SHOAL_SANDBOX_HOST_LINKS SHOAL_SANDBOX_HOST_NETNS

# In the background so that the traps above run at once; bash ignores SIGINT
# in background jobs, which the tests must not inherit (env resets it).
env --default-signal=INT,QUIT setpriv --pdeathsig KILL \
  unshare --mount --propagation private --pid --fork --kill-child=SIGKILL --net --ipc --uts \
  bash "$here/enter.sh" "$repo" "$scratch" "$@" &
child=$!
wait "$child"
rc=$?
child=
exit "$rc"
