#!/bin/sh
# The funnel benchmark of the issue (see bench/funnel_bench.c): 10,000,000 generated
# events, view -> add_to_cart -> checkout -> purchase within 7 days, on o2o's
# event columns (2 threads, median of RUNS runs) and as SQL on SQLite (once; the
# counts must agree). SQL=0 skips SQLite. Results in bench/out/funnel.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p bench/out
make -s all >/dev/null
cc -std=c11 -D_GNU_SOURCE -O2 -Isrc -o "$work/funnel_bench" bench/funnel_bench.c build/libo2o.a -lsqlite3 -lpthread -lm
db="$work/events.db"
if [ "${SQL:-1}" = 0 ]; then db="-"; fi
{
  echo "o2o funnel benchmark ($(date -u +%Y-%m-%d), $(nproc) cores; target under 0.3 s; DuckDB 1.5.6 ~0.9 s per the issue)"
  "$work/funnel_bench" "$db" "$RUNS"
} | tee bench/out/funnel.txt
