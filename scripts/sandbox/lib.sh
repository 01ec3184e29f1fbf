# Shell functions shared by the test sandbox's scripts (sourced, not run).
# Plain bash and util-linux/iproute2 tools only: the sandbox must work on a
# fresh Debian machine before anything of ours is built.

# Where every run keeps its scratch directory: run-<pid>-<starttime> of the
# runner, so that whether its owner still lives is read from the name alone.
SANDBOX_BASE=${SHOAL_SANDBOX_BASE:-/var/tmp/shoal-test}
# Prefix of the one cgroup per hierarchy that holds everything a run makes.
SANDBOX_CGROUP_PREFIX=shoal-test-

sandbox_log() { echo "sandbox: $*" >&2; }

# Start time of a process in clock ticks since boot (field 22 of stat; the
# command name may hold spaces, so count from its closing parenthesis).
proc_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  echo "${20}"
}

# The run id of process $1: run-<pid>-<starttime>.
run_id_of() {
  local st
  st=$(proc_starttime "$1") || return 1
  echo "run-$1-$st"
}

# True while the run named by a run id lives. Each run holds an flock on
# its scratch directory's `lock` for as long as any of its processes lives
# (they inherit the descriptor; a kill -9 of the runner kills them all). The
# lock is what counts: a PID says nothing to a run in another PID namespace
# that shares this machine's cgroups (a fresh-machine check, a container).
run_alive() {
  lock_held "$SANDBOX_BASE/$1/lock"
}

# True while some process holds the flock on file $1 (false when it is missing).
lock_held() {
  [ -e "$1" ] && ! flock -n "$1" true 2>/dev/null
}

# Controller names the kernel knows (first column of /proc/cgroups).
kernel_controllers() { awk '!/^#/ {print $1}' /proc/cgroups; }

# One line per cgroup hierarchy mounted in this mount namespace:
#   <fstype> <controllers or -> <mount point> <root of the mount>
# controllers is the comma list that names a v1 hierarchy (as in
# /proc/self/cgroup, e.g. cpu,cpuacct or name=systemd); "-" for cgroup2.
cgroup_mounts() {
  local known
  known=" $(kernel_controllers | tr '\n' ' ') "
  # mountinfo: id parent major:minor root mountpoint opts [optional...] - fstype source superopts
  while read -r line; do
    local pre=${line%% - *} post=${line#* - }
    set -- $pre; local root=$4 mp=$5
    set -- $post; local fstype=$1 super=$3
    case $fstype in
      cgroup2) echo "cgroup2 - $mp $root" ;;
      cgroup)
        local ctrls=() o
        IFS=, read -ra opts <<<"$super"
        for o in "${opts[@]}"; do
          if [[ $o == name=* ]] || [[ $known == *" $o "* ]]; then ctrls+=("$o"); fi
        done
        [ ${#ctrls[@]} -gt 0 ] && echo "cgroup $(IFS=,; echo "${ctrls[*]}") $mp $root"
        ;;
    esac
  done </proc/self/mountinfo
}

# This process's cgroup path in the hierarchy named by controllers ("-" = v2).
self_cgroup_path() {
  local want=$1 line id ctrls path
  while IFS= read -r line; do
    id=${line%%:*}; line=${line#*:}; ctrls=${line%%:*}; path=${line#*:}
    if [ "$want" = - ] && [ -z "$ctrls" ] && [ "$id" = 0 ]; then echo "$path"; return 0; fi
    # The same set, in any order.
    if [ "$want" != - ] && [ "$(tr , '\n' <<<"$ctrls" | sort | paste -sd,)" = "$(tr , '\n' <<<"$want" | sort | paste -sd,)" ]; then
      echo "$path"; return 0
    fi
  done </proc/self/cgroup
  return 1
}

# Mount options that attach the hierarchy of a controller list again.
cgroup_mount_opts() {
  case $1 in
    -) echo "" ;;
    name=*) echo "none,$1" ;;
    *) echo "$1" ;;
  esac
}

# Controllers the unified hierarchy of a hybrid host lists but that have no
# v1 hierarchy: crun 1.8 refuses such a host, and shoald mounts them as v1
# (hugetlb on these machines). The sandbox mounts them itself, before its
# cgroup namespace exists, so that their cgroups too live under the run's.
hybrid_missing_v1() {
  local unified=$1 mounted=$2 c
  [ -r "$unified/cgroup.controllers" ] || return 0
  for c in $(cat "$unified/cgroup.controllers"); do
    [[ ",$mounted," == *",$c,"* ]] || echo "$c"
  done
}

# rmdir a cgroup directory and everything below it, deepest first. A
# process that was just killed may still be leaving: EBUSY is retried for a
# bounded while. Returns non-zero when something stays.
remove_cgroup_tree() {
  local dir=$1 d i ok=0
  [ -d "$dir" ] || return 0
  while IFS= read -r d; do
    for i in $(seq 1 100); do
      rmdir "$d" 2>/dev/null && break
      [ -d "$d" ] || break
      sleep 0.05
    done
    [ -d "$d" ] && { sandbox_log "cannot remove cgroup $d (processes: $(tr '\n' ' ' <"$d/cgroup.procs" 2>/dev/null))"; ok=1; }
  done < <(find "$dir" -depth -type d 2>/dev/null)
  return $ok
}

# Wait (bounded) until the v1 hierarchy of controller list $1 has only its
# root cgroup. The kernel frees a removed cgroup asynchronously, and destroys
# a hierarchy at its last unmount only when no child is left: unmounting
# right after the rmdir would leave the hierarchy alive with nothing mounted,
# holding its controller (hugetlb) away from cgroup2. Another run that still
# uses the hierarchy keeps it, which is right; the last run releases it.
await_no_children() {
  local c=${1%%,*} n i
  [[ $c == name=* || $c == - ]] && return 0
  for i in $(seq 1 100); do
    n=$(awk -v c="$c" '$1 == c {print $3}' /proc/cgroups)
    [ "${n:-1}" -le 1 ] && return 0
    sleep 0.05
  done
  return 0
}

# Remove the cgroups a run recorded in its scratch directory (file
# "cgroups": lines "<fstype> <controllers> <path of the run's cgroup>"). A
# hierarchy the machine has not mounted (hugetlb the sandbox mounted) is
# mounted in a private mount namespace of its own just for this.
remove_run_cgroups() {
  local list=$1 fstype ctrls path mp rc=0
  [ -f "$list" ] || return 0
  while read -r fstype ctrls path; do
    [ -n "$path" ] || continue
    case $path in */"$SANDBOX_CGROUP_PREFIX"run-*) ;; *) sandbox_log "refusing to remove cgroup $path"; rc=1; continue ;; esac
    mp=$(cgroup_mounts | awk -v f="$fstype" -v c="$ctrls" '$1 == f && $2 == c && $4 == "/" {print $3; exit}')
    if [ -n "$mp" ]; then
      remove_cgroup_tree "$mp$path" || rc=1
    else
      # shellcheck disable=SC2016
      unshare --mount --propagation private bash -c '
        source "$1"; tmp=$(mktemp -d); opts=$(cgroup_mount_opts "$3")
        if [ "$2" = cgroup2 ]; then mount -t cgroup2 cgroup2 "$tmp"; else mount -t cgroup -o "$opts" cgroup "$tmp"; fi || {
          sandbox_log "cannot mount the $3 hierarchy to remove $4"; exit 1; }
        remove_cgroup_tree "$tmp$4"; rc=$?
        await_no_children "$3"
        umount "$tmp"; rmdir "$tmp"; exit $rc
      ' _ "${BASH_SOURCE[0]}" "$fstype" "$ctrls" "$path" || rc=1
    fi
  done <"$list"
  return $rc
}

# Remove a scratch directory without ever crossing into a mount (there
# should be none on the machine's side; if there is one, stop and say so).
remove_scratch() {
  local dir=$1
  [ -d "$dir" ] || return 0
  case $dir in "$SANDBOX_BASE"/run-* | "$SANDBOX_BASE"/.new-run-*) ;; *) sandbox_log "refusing to remove $dir"; return 1 ;; esac
  if awk -v d="$dir/" '{ if (index($5 "/", d) == 1) found = 1 } END { exit !found }' /proc/self/mountinfo; then
    sandbox_log "$dir still has mounts on the machine; leaving it"; return 1
  fi
  rm -rf --one-file-system -- "$dir"
}

# Remove what runs whose runner is gone left behind (kill -9 of the runner):
# their cgroups first, then their scratch directories.
reap_stale_runs() {
  local d id
  [ -d "$SANDBOX_BASE" ] || return 0
  for d in "$SANDBOX_BASE"/.new-run-*; do
    # A runner killed while it made its directory: nothing else of it exists yet.
    [ -d "$d" ] || continue
    lock_held "$d/lock" && continue
    remove_scratch "$d"
  done
  for d in "$SANDBOX_BASE"/run-*; do
    [ -d "$d" ] || continue
    id=${d##*/}
    run_alive "$id" && continue
    sandbox_log "removing what the dead run $id left"
    remove_run_cgroups "$d/cgroups" && remove_scratch "$d"
  done
}

