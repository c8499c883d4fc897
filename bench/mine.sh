#!/bin/sh
# Benchmark of o2o mine rules, timed per whole process (start, read, mine,
# write every rule), medians of RUNS (default 21) runs:
#   1. Groceries (9,835 baskets) at support 0.001 and 0.0005, confidence 0.5:
#      the rules written unsorted as CSV (what the reference apriori/fpgrowth
#      programs do) and as the default table sorted by lift;
#   2. a generated file of 1,000,000 baskets (bench/gen_baskets.py, seed 42).
# The reference figures (Borgelt's C programs, whole process, this machine)
# come from the issue: they cannot be built here, so they are quoted, not run.
# Results go to stdout and bench/out/mine.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-21}
BIN=./build/o2o
DATA=${O2O_DATA_DIR:-../shared/data}/groceries.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p bench/out
[ -f "$DATA" ] || { echo "no $DATA: set O2O_DATA_DIR"; exit 1; }

# median wall time of a command in ms (output to a file in $work)
ms() {
  python3 - "$RUNS" "$work/out" "$@" <<'PY'
import subprocess, sys, time
runs, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
ts = []
for _ in range(runs):
    with open(out, "w") as f:
        t = time.perf_counter()
        subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL, check=True)
        ts.append(time.perf_counter() - t)
ts.sort()
print("%.1f" % (ts[len(ts) // 2] * 1000))
PY
}
rules_of() { "$BIN" mine rules "$@" --format csv --sort none 2>/dev/null | tail -n +2 | wc -l; }

g="--input $DATA --conf 0.5"
echo "o2o mine benchmarks: $(nproc) cores, medians of $RUNS whole-process runs"
v=$(ms "$BIN" version)
a1=$(ms "$BIN" mine rules $g --supp 0.001 --format csv --sort none)
a2=$(ms "$BIN" mine rules $g --supp 0.0005 --format csv --sort none)
b1=$(ms "$BIN" mine rules $g --supp 0.001)
b2=$(ms "$BIN" mine rules $g --supp 0.0005)
n1=$(rules_of $g --supp 0.001); n2=$(rules_of $g --supp 0.0005)
n463=$(rules_of --input "$DATA" --supp 0.006 --conf 0.25 --minlen 2)

python3 bench/gen_baskets.py "$work/b1m.csv" 1000000
RUNS=3
c1=$(ms "$BIN" mine rules --input "$work/b1m.csv" --supp 0.001 --conf 0.5 --format csv --sort none)
c2=$(ms "$BIN" mine rules --input "$work/b1m.csv" --supp 0.0002 --conf 0.5 --format csv --sort none)
m1=$(rules_of --input "$work/b1m.csv" --supp 0.001 --conf 0.5); m2=$(rules_of --input "$work/b1m.csv" --supp 0.0002 --conf 0.5)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
{
  echo "o2o mine benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, whole process, medians)"
  printf "%-62s %10s %12s\n" "measure" "median" "reference"
  printf "%-62s %10s %12s\n" "Groceries supp 0.006 conf 0.25 minlen 2: rules" "$n463" "463"
  printf "%-62s %10s %12s\n" "o2o version (process start), ms" "$v" ""
  printf "%-62s %10s %12s\n" "Groceries supp 0.001 conf 0.5, $n1 rules, CSV unsorted, ms" "$a1" "~25"
  printf "%-62s %10s %12s\n" "Groceries supp 0.0005 conf 0.5, $n2 rules, CSV unsorted, ms" "$a2" "~50"
  printf "%-62s %10s %12s\n" "  the same as a table sorted by lift (0.001), ms" "$b1" ""
  printf "%-62s %10s %12s\n" "  the same as a table sorted by lift (0.0005), ms" "$b2" ""
  printf "%-62s %10s %12s\n" "  o2o / reference at 0.001 | 0.0005" "$(ratio "$a1" 25) | $(ratio "$a2" 50)" ""
  printf "%-62s %10s %12s\n" "1,000,000 generated baskets supp 0.001 conf 0.5, $m1 rules, ms" "$c1" ""
  printf "%-62s %10s %12s\n" "1,000,000 generated baskets supp 0.0002 conf 0.5, $m2 rules, ms" "$c2" ""
} | tee bench/out/mine.txt
[ "$n463" = 463 ] || { echo "Groceries rule count is $n463, not 463"; exit 1; }
