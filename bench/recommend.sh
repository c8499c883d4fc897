#!/bin/sh
# Recommendation latency with the Online Retail history loaded: o2o import sales
# of the whole file, then GET /v1/members/{id}/recommendations for random
# customers at a fixed rate of about 1,000 requests/s (20 connections, each
# waiting 19 ms between requests) for DURATION seconds, RUNS times; medians of p99 and p50.
# Results go to stdout and bench/out/recommend.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-10}
BIN=./build/o2o
DATA=${O2O_DATA_DIR:-../shared/data}/online_retail/online_retail.csv.xz
[ -f "$DATA" ] || { echo "no $DATA: set O2O_DATA_DIR"; exit 1; }
work=$(mktemp -d)
mkdir -p bench/out
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
. bench/lib.sh

"$BIN" migrate --db "sqlite:$work/o2o.db" >/dev/null 2>&1
"$BIN" import sales "$DATA" --db "sqlite:$work/o2o.db" 2>/dev/null || true  # exit 3: some rows were rejected
export O2O_OWNER_PASSWORD=bench-owner-password
start --threads 2 --jobs-every 1000
tok=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d '{"username":"owner","password":"bench-owner-password"}' \
      | sed 's/.*"token":"\([^"]*\)".*/\1/')
key=$(curl -s -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/api-keys" -d '{"channel":"app","name":"bench"}' \
      | sed 's/.*"key":"\([^"]*\)".*/\1/')
export O2O_BENCH_TOKEN="$key" O2O_BENCH_DELAY_MS=19
export O2O_BENCH_MEMBERS=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT MAX(id) FROM members").fetchone()[0])' "$work/o2o.db")
# the model is built in the background: wait for it
for _ in $(seq 1 600); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "http://127.0.0.1:$P/v1/members/1/recommendations")
  [ "$code" = 200 ] && break
  sleep 0.1
done
built=$(sed -n 's/.*recommendation model built from \([0-9]*\) orders in \([0-9]*\) ms.*/\1 orders in \2 ms/p' "$work/serve.log" | head -n 1)
wrk -t1 -c20 -d3s -s bench/reco.lua "http://127.0.0.1:$P" >/dev/null
: >"$work/rps"; : >"$work/p99"; : >"$work/p50"
for r in $(seq 1 "$RUNS"); do
  wrk -t1 -c20 -d"${DURATION}s" --latency -s bench/reco.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
  [ -n "$(errors_of "$work/wrk.txt")" ] && { echo "errors:"; cat "$work/wrk.txt"; exit 1; }
  rps_of "$work/wrk.txt" >>"$work/rps"; p99_ms_of "$work/wrk.txt" >>"$work/p99"
  sed -n 's/^ *50% *\([0-9.]*\)\([mu]*s\).*/\1 \2/p' "$work/wrk.txt" | awk '{v=$1; if ($2=="us") v/=1000; print v}' >>"$work/p50"
  echo "  run $r: $(rps_of "$work/wrk.txt") req/s, p99 $(p99_ms_of "$work/wrk.txt") ms"
done
{
  echo "o2o recommendation latency ($(date -u +%Y-%m-%d), $(nproc) cores, SQLite, Online Retail history, medians of $RUNS x ${DURATION}s)"
  printf "%-52s %12s %10s\n" "measure" "median" "target"
  printf "%-52s %12s %10s\n" "model" "$built" ""
  printf "%-52s %12.0f %10s\n" "requests/s (20 connections, 19 ms apart)" "$(median <"$work/rps")" "1000"
  printf "%-52s %12.2f %10s\n" "p99 ms" "$(median <"$work/p99")" "< 5"
  printf "%-52s %12.2f %10s\n" "p50 ms" "$(median <"$work/p50")" ""
} | tee bench/out/recommend.txt
