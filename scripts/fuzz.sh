#!/bin/sh
# Runs the libFuzzer targets of tests/fuzz/ for a bounded time each (FUZZ_SECONDS,
# default 60), from the committed seeds, under ASan and UBSan. A crash, a leak or
# an abort fails the run and leaves the input that caused it in build-fuzz/.
# Usage: fuzz.sh [SECONDS]   (make fuzz; make test runs it too)
set -u
cd "$(dirname "$0")/.."
secs=${1:-${FUZZ_SECONDS:-60}}
rc=0
for t in build-fuzz/fuzz_*; do
  case $t in *.log) continue ;; esac   # (the logs of earlier runs lie beside them)
  [ -x "$t" ] || continue
  name=$(basename "$t")
  corpus=build-fuzz/corpus/${name#fuzz_}
  mkdir -p "$corpus"
  echo "== fuzz $name (${secs}s)"
  # the committed seeds and what earlier runs found; new finds stay in build-fuzz/
  if ! "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix=build-fuzz/ "$corpus" "tests/fuzz/corpus/${name#fuzz_}" 2>build-fuzz/$name.log; then
    tail -n 40 build-fuzz/$name.log
    echo "fuzz $name: FAILED"
    rc=1
  else
    grep -E "stat::number_of_executed_runs|cov:" build-fuzz/$name.log | tail -n 2
    echo "fuzz $name: no crash"
  fi
done
exit $rc
