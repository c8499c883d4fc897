#!/bin/sh
# The suites that deal in days and months, run again with the wall clock shifted
# (tests/clock/clockshift.c, preloaded into the tests and the servers alike) to the
# moments where a test that leans on the wall clock breaks: a minute before and
# after a store's local midnight (Asia/Shanghai: 16:00 UTC), and the last minute of
# a month and a year there. Prints the closing line of each run; exits non-zero
# when one fails. Usage: clocks.sh (from scripts/test.sh, on SQLite)
set -u
cd "$(dirname "$0")/.."
lib=$PWD/build-san/libclockshift.so
[ -f "$lib" ] || { echo "build-san/libclockshift.so is missing (make build-san/libclockshift.so)"; exit 1; }
suites=${CLOCK_SUITES:-"test_presence.py test_reports.py test_orders.py test_receipts.py test_events.py"}
rc=0
for at in "2026-12-09 15:59:00" "2026-12-09 16:00:30" "2026-12-31 15:59:00"; do
  shift_s=$(( $(date -u -d "$at UTC" +%s) - $(date -u +%s) ))
  for s in $suites; do
    out=$(LD_PRELOAD="$lib" O2O_CLOCK_SHIFT_S="$shift_s" \
          ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}" "${PYTHON:-python3}" tests/e2e/run.py "$s" 2>&1)
    line=$(printf '%s\n' "$out" | tail -n 1)
    echo "clock $at UTC: $s: $line"
    case "$line" in
      *" 0 failed"*) ;;
      *) printf '%s\n' "$out" | grep -v "^    #" | tail -n 40; rc=1 ;;
    esac
  done
done
exit $rc
