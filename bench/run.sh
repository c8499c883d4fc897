#!/bin/sh
# Benchmarks for the core platform, on loopback only and bounded in time.
#   1. SKU lookup (scan in store) requests/s and p99, with a POS key
#   2. durable points-earn writes/s with group commit, and with one commit per
#      write (--commit-batch 1) in the same run; the ratio is printed
#   3. the server's idle resident memory
# Each load runs RUNS times (default 5) for DURATION seconds after a short warm-up;
# medians are quoted (the machine is shared and noisy).
# Results go to stdout and bench/out/results.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}           # lookups
WCONNS=${WCONNS:-256}        # durable writes: each connection waits for its fsync, so
                             # throughput follows the number of terminals writing at once
THREADS=${THREADS:-1}
BIN=./build/o2o
work=$(mktemp -d)
mkdir -p bench/out
out=bench/out/results.txt
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

. bench/lib.sh

echo "o2o benchmarks: $(nproc) cores, $RUNS runs of ${DURATION}s, $CONNS connections (writes: $WCONNS), wrk $THREADS thread(s)"
echo "loading the demo chain..."
O2O_OWNER_PASSWORD=bench-owner-password "$BIN" demo --db "sqlite:$work/o2o.db" | tail -n 1

start --threads 2
sleep 1
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
tok=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d '{"username":"owner","password":"bench-owner-password"}' \
      | sed 's/.*"token":"\([^"]*\)".*/\1/')
key=$(curl -s -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/api-keys" \
      -d '{"channel":"pos","location":"SH01","name":"bench till"}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
export O2O_BENCH_TOKEN="$key"
curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$P/v1/skus/lookup?barcode=6900000000007&store=SH01" >/dev/null \
  || { echo "lookup smoke request failed"; exit 1; }

wrk -t"$THREADS" -c"$CONNS" -d3s -s bench/lookup.lua "http://127.0.0.1:$P" >/dev/null  # warm-up
: >"$work/lookup.rps"; : >"$work/lookup.p99"
for r in $(seq 1 "$RUNS"); do
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s bench/lookup.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
  rps_of "$work/wrk.txt" >>"$work/lookup.rps"; p99_ms_of "$work/wrk.txt" >>"$work/lookup.p99"
  echo "  lookup run $r: $(rps_of "$work/wrk.txt") req/s, p99 $(p99_ms_of "$work/wrk.txt") ms"
done
grep -q "Non-2xx" "$work/wrk.txt" && { echo "lookup answered errors:"; cat "$work/wrk.txt"; exit 1; }

wrk -t"$THREADS" -c"$WCONNS" -d3s -s bench/earn.lua "http://127.0.0.1:$P" >/dev/null  # warm-up
: >"$work/earn.rps"; : >"$work/earn.p99"
for r in $(seq 1 "$RUNS"); do
  wrk -t"$THREADS" -c"$WCONNS" -d"${DURATION}s" --latency -s bench/earn.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
  rps_of "$work/wrk.txt" >>"$work/earn.rps"; p99_ms_of "$work/wrk.txt" >>"$work/earn.p99"
  echo "  earn (group commit) run $r: $(rps_of "$work/wrk.txt") writes/s, p99 $(p99_ms_of "$work/wrk.txt") ms"
done
grep -q "Non-2xx" "$work/wrk.txt" && { echo "earn answered errors:"; cat "$work/wrk.txt"; exit 1; }
batch=$(curl -s "http://127.0.0.1:$P/metrics" | awk '/^o2o_db_commit_batch_size_sum/ {s=$2} /^o2o_db_commit_batch_size_count/ {c=$2} END {if (c) printf "%.1f", s/c}')
rss_loaded=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
stop

start --threads 2 --commit-batch 1
: >"$work/earn1.rps"
for r in $(seq 1 "$RUNS"); do
  wrk -t"$THREADS" -c"$WCONNS" -d"${DURATION}s" --latency -s bench/earn.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
  rps_of "$work/wrk.txt" >>"$work/earn1.rps"
  echo "  earn (one commit per write) run $r: $(rps_of "$work/wrk.txt") writes/s"
done
stop

lk=$(median <"$work/lookup.rps"); lk99=$(median <"$work/lookup.p99")
eg=$(median <"$work/earn.rps"); eg99=$(median <"$work/earn.p99"); e1=$(median <"$work/earn1.rps")
ratio=$(awk -v a="$eg" -v b="$e1" 'BEGIN {printf "%.1f", a / b}')
{
  echo "o2o core benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, medians of $RUNS x ${DURATION}s; lookups over $CONNS connections, writes over $WCONNS)"
  printf "%-46s %12s %10s\n" "measure" "median" "target"
  printf "%-46s %12.0f %10s\n" "SKU lookup, req/s" "$lk" ">= 30000"
  printf "%-46s %12.2f %10s\n" "SKU lookup, p99 ms" "$lk99" ""
  printf "%-46s %12.0f %10s\n" "durable points earn, group commit, writes/s" "$eg" ">= 15000"
  printf "%-46s %12.2f %10s\n" "durable points earn, group commit, p99 ms" "$eg99" ""
  printf "%-46s %12s %10s\n" "  mean writes per commit" "$batch" ""
  printf "%-46s %12.0f %10s\n" "durable points earn, one commit each, writes/s" "$e1" ""
  printf "%-46s %11sx %10s\n" "group commit / one commit per write" "$ratio" ""
  printf "%-46s %12.1f %10s\n" "idle RSS, MB" "$(awk -v k="$rss_idle" 'BEGIN {print k/1024}')" "< 30"
  printf "%-46s %12.1f %10s\n" "RSS after the loads, MB" "$(awk -v k="$rss_loaded" 'BEGIN {print k/1024}')" ""
} | tee "$out"
