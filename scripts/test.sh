#!/bin/sh
# Runs every suite under AddressSanitizer and UndefinedBehaviorSanitizer:
# the source checks, the fuzzers (FUZZ_SECONDS each, default 60; beside the unit
# tests), the cmocka unit tests on SQLite and on a throwaway PostgreSQL cluster on
# 127.0.0.1, the end-to-end tests (the real binary over HTTP, headless Chromium for
# the pages) on both backends side by side (two processes: most of their time is
# spent waiting), then the date-bound suites again on SQLite with the wall clock at
# a store's midnight and a year's end (scripts/clocks.sh).
# Prints one closing line "N passed, N failed". Run through 'make test'.
set -u
cd "$(dirname "$0")/.."
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export O2O_BIN="$PWD/build-san/o2o"
# Debian's interpreter: it has the Debian test packages (python3-cryptography, python3-selenium)
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHON
passed=0
failed=0
log=$(mktemp)

count_cmocka() { # file
  p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n 1)
  f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -n 1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

count_e2e() { # file
  p=$(sed -n 's/^e2e ([a-z]*): \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$1" | tail -n 1)
  f=$(sed -n 's/^e2e ([a-z]*): \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$1" | tail -n 1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  [ -z "$p" ] && failed=$((failed + 1))
}

run_unit() { # backend label
  for t in build-san/tests/*/test_*; do
    echo "== unit ${t#build-san/tests/} ($1)"
    "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    count_cmocka "$log"
    if [ $rc -ne 0 ] && ! grep -q "FAILED" "$log"; then failed=$((failed + 1)); fi
  done
}

echo "== checks"
if sh scripts/checksrc.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

# the fuzzers, for a bounded time each, over what parses a client's bytes, beside
# the unit tests
fuzzlog=$(mktemp)
fuzzpid=""
if ls build-fuzz/fuzz_* >/dev/null 2>&1; then
  sh scripts/fuzz.sh "${FUZZ_SECONDS:-60}" >"$fuzzlog" 2>&1 &
  fuzzpid=$!
elif [ "${CI:-}" = true ]; then
  echo "the fuzzers were not built: CI must run them"
  failed=$((failed + 1))
fi

unset O2O_TEST_DB
run_unit sqlite

pgdir=""
url=""
if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  pgdir=$(mktemp -d)
  if url=$(sh scripts/pg.sh start "$pgdir/pg"); then
    trap 'sh scripts/pg.sh stop "$pgdir/pg"' EXIT INT TERM
    export O2O_TEST_DB="$url"
    run_unit postgres
    unset O2O_TEST_DB
  else
    echo "PostgreSQL did not start"
    url=""
    failed=$((failed + 1))
  fi
elif [ "${CI:-}" = true ]; then
  echo "PostgreSQL is not installed: CI must test both backends"
  failed=$((failed + 1))
else
  echo "NOTE: PostgreSQL server not installed; the PostgreSQL run was skipped (make deps installs it as root)"
fi

if [ -n "$fuzzpid" ]; then
  echo "== fuzzers"
  if wait "$fuzzpid"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  cat "$fuzzlog"
fi
rm -f "$fuzzlog"

# the end-to-end suites of both backends at once; then the suites that deal in days
# and months again (on SQLite), at a store's midnight and a year's end, shared
# between the two so that both finish about together
slog=$(mktemp)
plog=$(mktemp)
clog=$(mktemp)
clog2=$(mktemp)
clocks() { # log suites...
  f=$1; shift
  if CLOCK_SUITES="$*" sh scripts/clocks.sh >"$f" 2>&1; then echo ok >>"$f"; else echo FAILED >>"$f"; fi
}
(unset O2O_TEST_DB; "$PYTHON" tests/e2e/run.py >"$slog" 2>&1; clocks "$clog" test_orders.py test_receipts.py test_events.py) &
spid=$!
ppid=""
if [ -n "$url" ]; then
  (O2O_TEST_DB="$url" "$PYTHON" tests/e2e/run.py >"$plog" 2>&1; unset O2O_TEST_DB
   clocks "$clog2" test_presence.py test_reports.py) &
  ppid=$!
else
  clocks "$clog2" test_presence.py test_reports.py
fi
wait "$spid"
echo "== end-to-end (sqlite)"
cat "$slog"
count_e2e "$slog"
if [ -n "$ppid" ]; then
  wait "$ppid"
  echo "== end-to-end (postgres)"
  cat "$plog"
  count_e2e "$plog"
fi
echo "== clock runs (sqlite)"
for f in "$clog" "$clog2"; do
  sed '$d' "$f"
  if [ "$(tail -n 1 "$f")" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
rm -f "$slog" "$plog" "$clog" "$clog2"

rm -f "$log"
echo
echo "all suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
