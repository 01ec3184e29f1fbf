#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, lints, runs every
# tap test and ends with one line "N passed, M failed". The unit tests run
# one process per package (scripts/unit.sh); the real-kernel
# (*.linux.test.ts: containers, compatibility with the docker CLI and
# dockerode) and simulation (*.sim.test.ts) tests one process per file.
#   bash scripts/test.sh [FILE...]   just those files, one process each
# The tests run inside a sandbox of their own (scripts/sandbox/run.sh: own
# namespaces, read-only root, the repo as an overlay, cgroups under one
# parent per run), so they cannot change the machine and two runs at once do
# not collide. SHOAL_TEST_NO_SANDBOX=1 runs them on the machine itself, for
# debugging only (refused when CI is set).
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "shoal tests need root (containers, netns, nftables)"; exit 2; }
scripts/ensure-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
# shellcheck source=tap-counts.sh
source scripts/tap-counts.sh

failed_lint=0
npx eslint . || failed_lint=1

in_sandbox() {
  if [ "${SHOAL_TEST_NO_SANDBOX:-}" = 1 ]; then "$@"; else scripts/sandbox/run.sh "$@"; fi
}
if [ "${SHOAL_TEST_NO_SANDBOX:-}" = 1 ]; then
  if [ -n "${CI:-}" ]; then echo "SHOAL_TEST_NO_SANDBOX is for debugging, never in CI"; echo "0 passed, 1 failed"; exit 1; fi
  echo "WARNING: running the tests on this machine itself, without the sandbox: they change its mounts, links, nftables and cgroups" >&2
fi

unit_pass=0
unit_fail=0
if [ $# -eq 0 ]; then
  unit_out=$(mktemp)
  in_sandbox bash scripts/unit.sh | tee "$unit_out"
  unit_rc=${PIPESTATUS[0]}
  unit_last=$(tail -n 1 "$unit_out")
  rm -f "$unit_out"
  unit_pass=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$unit_last"); unit_pass=${unit_pass:-0}
  unit_fail=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$unit_last"); unit_fail=${unit_fail:-1}
  [ "$unit_rc" -ne 0 ] && [ "$unit_fail" -eq 0 ] && unit_fail=1
  # The rest, as tap's include patterns (package.json) select them, file by file.
  mapfile -t rest < <(find . -path ./node_modules -prune -o -path '*/node_modules' -prune -o -path '*/dist' -prune -o \
    \( -name '*.linux.test.ts' -o -name '*.sim.test.ts' \) \( -path '*/src/*' -o -path '*/test/*' \) -print | sed 's#^\./##' | sort)
  set -- "${rest[@]}"
fi

# Folders given as arguments: their test files (tap itself would look for
# .js files only: TypeScript is loaded by tsx, not by a tap plugin).
files=()
for a in "$@"; do
  if [ -d "$a" ]; then
    mapfile -t -O "${#files[@]}" files < <(find "$a" -path '*/node_modules' -prune -o -name '*.test.ts' -print | sort)
  else
    files+=("$a")
  fi
done
set -- "${files[@]}"

out=$(mktemp)
# tap's own summary line "# { total: N, pass: P, fail: F, ... }" gives the counts.
in_sandbox npx tap --reporter=tap --jobs=1 "$@" | tee "$out"
rc=${PIPESTATUS[0]}
read -r pass fail total < <(tap_counts "$out" "$rc")
rm -f "$out"
pass=$(( pass + unit_pass ))
fail=$(( fail + unit_fail ))
if [ "$failed_lint" -ne 0 ]; then echo "lint failed"; fail=$(( fail + 1 )); fi
[ "$total" -eq 0 ] && fail=$(( fail + 1 ))
echo "$(( pass )) passed, ${fail} failed"
[ "$fail" -eq 0 ]
