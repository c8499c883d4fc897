#!/bin/sh
# Benchmarks for orders, on loopback only and bounded in time (SQLite, durable:
# every answered write is on disk).
#   1. durable till sales over HTTP: 3 lines (stock taken), a member (points
#      earned), a cash tender (payment record), an Idempotency-Key each;
#      orders/s and p99 with group commit, and with one commit per order
#      (--commit-batch 1) in the same run; the ratio is printed
#   2. a flash sale on one SKU: decrements/s, then a sell-out of a small stock
#      by 256 clients, checked for zero oversell in the database
#   3. o2o import sales of the whole Online Retail file (541,909 rows)
# Loads run RUNS times (default 5) for DURATION seconds after a warm-up; medians.
# Results go to stdout and bench/out/orders.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-10}
WCONNS=${WCONNS:-256}
BIN=./build/o2o
DATA=${O2O_DATA_DIR:-../shared/data}/online_retail/online_retail.csv.xz
work=$(mktemp -d)
mkdir -p bench/out
out=bench/out/orders.txt
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

. bench/lib.sh
api() { # method path body
  curl -sf -X "$1" -H "Authorization: Bearer $tok" "http://127.0.0.1:$P$2" -d "$3" >/dev/null
}
q() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$work/o2o.db" "$1"; }

echo "o2o order benchmarks: $(nproc) cores, $RUNS runs of ${DURATION}s, $WCONNS connections"
O2O_OWNER_PASSWORD=bench-owner-password "$BIN" demo --db "sqlite:$work/o2o.db" | tail -n 1
start --threads 2
tok=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d '{"username":"owner","password":"bench-owner-password"}' \
      | sed 's/.*"token":"\([^"]*\)".*/\1/')
key=$(curl -s -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/api-keys" \
      -d '{"channel":"pos","location":"SH01","name":"bench till"}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
export O2O_BENCH_TOKEN="$key"
api POST /v1/products '{"code":"BENCH","name":"Bench item"}'
for i in $(seq 0 199); do
  c=$(printf "BENCH-%03d" "$i")
  api POST /v1/skus "{\"code\":\"$c\",\"product\":\"BENCH\",\"price\":$((1000 + i))}"
  api POST /v1/stock/movements "{\"sku\":\"$c\",\"location\":\"SH01\",\"kind\":\"receive\",\"qty\":100000000}"
done
api POST /v1/skus '{"code":"FLASH-1","product":"BENCH","price":9900}'
api POST /v1/skus '{"code":"FLASH-2","product":"BENCH","price":9900}'
api POST /v1/stock/movements '{"sku":"FLASH-1","location":"SH01","kind":"receive","qty":100000000}'
api POST /v1/stock/movements '{"sku":"FLASH-2","location":"SH01","kind":"receive","qty":5000}'

wrk -t1 -c"$WCONNS" -d3s -s bench/order.lua "http://127.0.0.1:$P" >/dev/null  # warm-up
: >"$work/o.rps"; : >"$work/o.p99"
for r in $(seq 1 "$RUNS"); do
  wrk -t1 -c"$WCONNS" -d"${DURATION}s" --latency -s bench/order.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
  [ -n "$(errors_of "$work/wrk.txt")" ] && { echo "orders answered errors:"; cat "$work/wrk.txt"; exit 1; }
  rps_of "$work/wrk.txt" >>"$work/o.rps"; p99_ms_of "$work/wrk.txt" >>"$work/o.p99"
  echo "  orders (group commit) run $r: $(rps_of "$work/wrk.txt") orders/s, p99 $(p99_ms_of "$work/wrk.txt") ms"
done
batch=$(curl -s "http://127.0.0.1:$P/metrics" | awk '/^o2o_db_commit_batch_size_sum/ {s=$2} /^o2o_db_commit_batch_size_count/ {c=$2} END {if (c) printf "%.1f", s/c}')

: >"$work/f.rps"
for r in $(seq 1 "$RUNS"); do
  wrk -t1 -c"$WCONNS" -d"${DURATION}s" -s bench/flash.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
  rps_of "$work/wrk.txt" >>"$work/f.rps"
  echo "  flash sale run $r: $(rps_of "$work/wrk.txt") decrements/s"
done
# sell-out: 5,000 units, 256 clients, until nothing is left
O2O_BENCH_FLASH_SKU=FLASH-2 wrk -t1 -c"$WCONNS" -d5s -s bench/flash.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
sold_http=$(( $(requests_of "$work/wrk.txt") - $(errors_of "$work/wrk.txt") ))
stop
sold_db=$(q "SELECT COALESCE(SUM(ol.qty), 0) FROM order_lines ol JOIN skus k ON k.id = ol.sku_id WHERE k.code = 'FLASH-2'")
left=$(q "SELECT on_hand FROM stock s JOIN skus k ON k.id = s.sku_id JOIN locations l ON l.id = s.location_id WHERE k.code = 'FLASH-2' AND l.code = 'SH01'")
journal=$(q "SELECT SUM(m.qty) FROM stock_movements m JOIN skus k ON k.id = m.sku_id WHERE k.code = 'FLASH-2'")

start --threads 2 --commit-batch 1
: >"$work/o1.rps"
for r in $(seq 1 "$RUNS"); do
  wrk -t1 -c"$WCONNS" -d"${DURATION}s" --latency -s bench/order.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
  rps_of "$work/wrk.txt" >>"$work/o1.rps"
  echo "  orders (one commit per order) run $r: $(rps_of "$work/wrk.txt") orders/s"
done
stop

: >"$work/imp.s"
if [ -f "$DATA" ]; then
  for r in 1 2 3; do
    rm -f "$work/imp.db"*
    "$BIN" migrate --db "sqlite:$work/imp.db" >/dev/null 2>&1
    "$BIN" import sales "$DATA" --db "sqlite:$work/imp.db" 2>/dev/null | tee "$work/imp.txt" || true
    sed -n 's/.* in \([0-9.]*\) s .*/\1/p' "$work/imp.txt" >>"$work/imp.s"
  done
fi

o=$(median <"$work/o.rps"); o99=$(median <"$work/o.p99"); o1=$(median <"$work/o1.rps"); f=$(median <"$work/f.rps")
ratio=$(awk -v a="$o" -v b="$o1" 'BEGIN {printf "%.1f", a / b}')
imp=$( [ -s "$work/imp.s" ] && median <"$work/imp.s" || echo "n/a")
{
  echo "o2o order benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, SQLite, medians of $RUNS x ${DURATION}s over $WCONNS connections)"
  printf "%-52s %12s %10s\n" "measure" "median" "target"
  printf "%-52s %12.0f %10s\n" "durable till sales (3 lines), group commit, orders/s" "$o" ">= 20000"
  printf "%-52s %12.2f %10s\n" "  p99 ms" "$o99" ""
  printf "%-52s %12s %10s\n" "  mean writes per commit" "$batch" ""
  printf "%-52s %12.0f %10s\n" "same, one commit per order, orders/s" "$o1" ""
  printf "%-52s %11sx %10s\n" "group commit / one commit per order" "$ratio" ""
  printf "%-52s %12.0f %10s\n" "flash sale on one SKU, decrements/s" "$f" ""
  printf "%-52s %12s %10s\n" "sell-out of 5,000 units: sold (answers / database)" "$sold_http / $sold_db" "5000"
  printf "%-52s %12s %10s\n" "  left on hand / journal sum" "$left / $journal" "0 / 0"
  printf "%-52s %12s %10s\n" "import sales, 541,909 rows, seconds" "$imp" "< 60"
} | tee "$out"
[ "$sold_db" = 5000 ] && [ "$left" = 0 ] && [ "$journal" = 0 ] && [ "$sold_http" = 5000 ] || { echo "OVERSOLD or lost units"; exit 1; }
