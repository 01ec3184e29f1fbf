#!/usr/bin/env bash
# The unit tests of one or more packages, fast: every *.test.ts of a package
# except the real-kernel (*.linux.test.ts) and simulation (*.sim.test.ts)
# ones, all in one Node process per package (the tsx loader, from the
# sources; no build, no sandbox, no root). A test that leaves a handle open
# shows here as a package that does not end.
#   bash scripts/unit.sh                 every package
#   bash scripts/unit.sh worker common   those packages (folders)
# Prints each package's tap output when it fails, one line per package,
# and ends with "N passed, M failed". scripts/test.sh runs the unit tests
# this way too.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tap-counts.sh
source scripts/tap-counts.sh
[ -d node_modules ] || { echo "node_modules missing: run scripts/ensure-deps.sh first"; echo "0 passed, 1 failed"; exit 1; }

ALL=(common cli testkit native manager/raft manager overlay-net worker deploy cluster-tests scripts)
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=("${ALL[@]}")

unit_files() {
  local dir=$1
  if [ "$dir" = scripts ]; then
    find scripts -maxdepth 1 -name '*.test.ts' | sort
  elif [ "$dir" = manager ]; then
    # manager/raft is a package of its own.
    find manager -path manager/raft -prune -o -path '*/node_modules' -prune -o -path '*/dist' -prune \
      -o -name '*.test.ts' ! -name '*.linux.test.ts' ! -name '*.sim.test.ts' -print | sort
  else
    find "$dir" -path '*/node_modules' -prune -o -path '*/dist' -prune \
      -o -name '*.test.ts' ! -name '*.linux.test.ts' ! -name '*.sim.test.ts' -print | sort
  fi
}

total_pass=0
total_fail=0
for p in "${pkgs[@]}"; do
  p=${p%/}
  [ -d "$p" ] || { echo "$p: no such package folder"; total_fail=$(( total_fail + 1 )); continue; }
  files=$(unit_files "$p")
  [ -z "$files" ] && { echo "$p: no unit tests"; continue; }
  out=$(mktemp)
  start=$(date +%s%N)
  # The file list goes in the environment, not argv: tap names test fixture
  # directories after the command line. TAP_TIMEOUT=0: the runner's
  # per-file timeout does not fit a whole package; the outer timeout does.
  SHOAL_UNIT_FILES="$files" TAP_TIMEOUT=0 timeout "${SHOAL_UNIT_TIMEOUT:-600}" \
    node --import tsx --conditions=shoal-source scripts/unit-entry.mts >"$out" 2>&1
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  read -r pass fail _ < <(tap_counts "$out" "$rc")
  if [ "$fail" -ne 0 ] || [ "${SHOAL_UNIT_VERBOSE:-}" = 1 ]; then cat "$out"; fi
  [ "$rc" -eq 124 ] && echo "$p: did not end within ${SHOAL_UNIT_TIMEOUT:-600} s (a handle left open?)"
  echo "$p: $(grep -c . <<<"$files") files, $pass passed, $fail failed in ${ms} ms"
  rm -f "$out"
  total_pass=$(( total_pass + pass ))
  total_fail=$(( total_fail + fail ))
done
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
