#!/bin/sh
# Behaviour events through the database: N generated clickstream events (Taobao
# layout, deterministic) imported with `o2o import events`, then the funnel
# view -> add_to_cart -> purchase within a day and the paths around add_to_cart
# read back from SQLite by `o2o funnel` / `o2o paths` (whole process, median of
# RUNS). Prints events/s for the import and the time the reading takes next to the
# in-memory count it feeds (bench/funnel.sh). Results in bench/out/events.txt.
set -eu
cd "$(dirname "$0")/.."
N=${N:-1000000}
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p bench/out
make -s all >/dev/null
BIN=build/o2o
python3 bench/gen_events.py "$N" > "$work/events.csv"
t0=$(date +%s.%N)
"$BIN" import events "$work/events.csv" --db "sqlite:$work/o2o.db" >"$work/import.txt" 2>/dev/null
t1=$(date +%s.%N)
import_s=$(echo "$t1 $t0" | awk '{printf "%.2f", $1 - $2}')
for i in $(seq 1 "$RUNS"); do
  a=$(date +%s.%N)
  "$BIN" funnel view add_to_cart purchase --window 1d --from 2023-01-01 --db "sqlite:$work/o2o.db" >"$work/funnel.txt"
  b=$(date +%s.%N)
  echo "$b $a" | awk '{printf "%.3f\n", $1 - $2}'
done | sort -n > "$work/f.txt"
for i in $(seq 1 "$RUNS"); do
  a=$(date +%s.%N)
  "$BIN" paths --event add_to_cart --from 2023-01-01 --db "sqlite:$work/o2o.db" >"$work/paths.txt"
  b=$(date +%s.%N)
  echo "$b $a" | awk '{printf "%.3f\n", $1 - $2}'
done | sort -n > "$work/p.txt"
med() { awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}' "$1"; }
{
  echo "o2o events through SQLite ($(date -u +%Y-%m-%d), $(nproc) cores, $N events of $((N / 10)) users, medians of $RUNS)"
  echo "import (o2o import events): $import_s s, $(echo "$N $import_s" | awk '{printf "%d", $1 / $2}') events/s"
  echo "funnel view > add_to_cart > purchase, 1 day, read from SQLite: $(med "$work/f.txt") s"
  echo "paths around add_to_cart, read from SQLite: $(med "$work/p.txt") s"
  sed -n '3,5p' "$work/funnel.txt"
} | tee bench/out/events.txt
