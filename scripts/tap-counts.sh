# Shell function shared by scripts/test.sh and scripts/unit.sh (sourced).
# tap_counts FILE RC: "PASS FAIL TOTAL" from tap's last summary line
# "# { total: N, pass: P, ... }" in FILE; skipped and todo count as neither;
# a non-zero exit status RC with no failed assertion still counts one failure.
tap_counts() {
  local summary total pass skip todo fail
  summary=$(grep -E '^# \{ total: ' "$1" | tail -n 1)
  total=$(sed -nE 's/.*total: ([0-9]+).*/\1/p' <<<"$summary"); total=${total:-0}
  pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary"); pass=${pass:-0}
  skip=$(sed -nE 's/.*skip: ([0-9]+).*/\1/p' <<<"$summary"); skip=${skip:-0}
  todo=$(sed -nE 's/.*todo: ([0-9]+).*/\1/p' <<<"$summary"); todo=${todo:-0}
  fail=$(( total - pass - skip - todo ))
  [ "$fail" -lt 0 ] && fail=0
  if [ "$2" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  echo "$pass $fail $total"
}
