#!/bin/sh
# Reports on the whole UCI Online Retail history (541,909 rows imported into SQLite):
# a store's day, the months of the store, the chain's months and the demand
# report with its backtest, each as a whole `o2o report` process (median of RUNS).
# Needs ../shared/data (or O2O_DATA_DIR). Results in bench/out/reports.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DATA=${O2O_DATA_DIR:-../shared/data}/online_retail/online_retail.csv.xz
[ -f "$DATA" ] || { echo "bench/reports.sh: $DATA not found, skipped"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p bench/out
make -s all >/dev/null
BIN=build/o2o
DB="sqlite:$work/o2o.db"
"$BIN" import sales "$DATA" --db "$DB" >/dev/null 2>&1 || true
med() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # label, command...
  label=$1; shift
  t=$(for i in $(seq 1 "$RUNS"); do
    a=$(date +%s.%N); "$@" >/dev/null; b=$(date +%s.%N)
    echo "$b $a" | awk '{printf "%.3f\n", $1 - $2}'
  done | med)
  printf "%-58s %8s s\n" "$label" "$t"
}
{
  echo "o2o reports on Online Retail ($(date -u +%Y-%m-%d), $(nproc) cores, SQLite, whole process, medians of $RUNS)"
  timed "daily report of a store (2011-12-05, 132 orders)" "$BIN" report daily --store RETAIL-IMPORT --date 2011-12-05 --db "$DB"
  timed "monthly report of the store (13 months, 540,570 lines)" "$BIN" report monthly --store RETAIL-IMPORT --db "$DB"
  timed "monthly report of the chain, as JSON" "$BIN" report monthly --format json --db "$DB"
  timed "demand with forecasts and backtest, as XLSX" "$BIN" report demand --format xlsx --output "$work/d.xlsx" --db "$DB"
} | tee bench/out/reports.txt
