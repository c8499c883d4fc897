#!/bin/sh
# Tills under an analytics load: durable till sales from a few tills (wrk,
# bench/order.lua) alone, and while eight analysts ask for funnels over N events
# at once (bench/funnel_load.lua). The two runs alternate RUNS times; the
# figures are the medians of the tills' p50 and p99 latency in each. Heavy reads
# run on a pool of their own at a lower CPU priority, so the second figure
# should stay near the first. BASE_BIN=path/to/another/o2o measures that binary
# too, in the same run, interleaved (e.g. a build from before the heavy pool).
# Results in bench/out/tills_analytics.txt.
set -eu
cd "$(dirname "$0")/.."
N=${N:-300000}
RUNS=${RUNS:-3}
DURATION=${DURATION:-8}
TILLS=${TILLS:-4}
ANALYSTS=${ANALYSTS:-8}
BIN=./build/o2o
work=$(mktemp -d)
mkdir -p bench/out
out=bench/out/tills_analytics.txt
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
. bench/lib.sh
p50_ms_of() {
  sed -n 's/^ *50% *\([0-9.]*\)\([mu]*s\).*/\1 \2/p' "$1" | awk '{v=$1; if ($2=="us") v/=1000; else if ($2=="s") v*=1000; print v}'
}
api() { curl -sf -X "$1" -H "Authorization: Bearer $tok" "http://127.0.0.1:$P$2" -d "$3" >/dev/null; }

# a database per binary: a demo chain, 50 SKUs with stock at SH01, N clickstream events
python3 bench/gen_events.py "$N" 7 > "$work/events.csv"
serve() { # binary dir: the shared start(), on that binary and database
  BIN=$1
  DBDIR=$2
  start --threads 2
}
setup() { # binary dir
  mkdir -p "$2"
  O2O_OWNER_PASSWORD=bench-owner-password "$1" demo --db "sqlite:$2/o2o.db" --members 10000 --products 200 >/dev/null
  "$1" import events "$work/events.csv" --db "sqlite:$2/o2o.db" >/dev/null 2>&1
  serve "$1" "$2"
  tok=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d '{"username":"owner","password":"bench-owner-password"}' \
        | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/api-keys" \
      -d '{"channel":"pos","location":"SH01","name":"bench till"}' | sed 's/.*"key":"\([^"]*\)".*/\1/' >"$2/key"
  api POST /v1/products '{"code":"BENCH","name":"Bench item"}'
  for i in $(seq 0 49); do
    c=$(printf "BENCH-%03d" "$i")
    api POST /v1/skus "{\"code\":\"$c\",\"product\":\"BENCH\",\"price\":$((1000 + i))}"
    api POST /v1/stock/movements "{\"sku\":\"$c\",\"location\":\"SH01\",\"kind\":\"receive\",\"qty\":100000000}"
  done
  stop
}

# one measure: tills for DURATION s, with or without the analysts; prints "p50 p99 analytics/s"
measure() { # binary dir with|without
  serve "$1" "$2"
  sleep 3   # what a server does once at start (the recommendation model, the insight backlog) is over
  key=$(cat "$2/key")
  tok=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d '{"username":"owner","password":"bench-owner-password"}' \
        | sed 's/.*"token":"\([^"]*\)".*/\1/')
  O2O_BENCH_TOKEN=$key O2O_BENCH_MEMBERS=10000 O2O_BENCH_SKUS=50 \
    wrk -t1 -c"$TILLS" -d2s -s bench/order.lua "http://127.0.0.1:$P" >/dev/null     # warm-up
  if [ "$3" = with ]; then
    O2O_BENCH_TOKEN=$tok wrk -t1 -c"$ANALYSTS" -d"$((DURATION + 2))s" -s bench/funnel_load.lua \
      "http://127.0.0.1:$P" >"$work/an.txt" &
    apid=$!
  fi
  sleep 1
  O2O_BENCH_TOKEN=$key O2O_BENCH_MEMBERS=10000 O2O_BENCH_SKUS=50 \
    wrk -t1 -c"$TILLS" -d"${DURATION}s" --latency -s bench/order.lua "http://127.0.0.1:$P" >"$work/till.txt"
  [ -n "$(errors_of "$work/till.txt")" ] && { echo "tills answered errors:" >&2; cat "$work/till.txt" >&2; exit 1; }
  a=0
  if [ "$3" = with ]; then wait "$apid"; a=$(rps_of "$work/an.txt"); fi
  stop
  echo "$(p50_ms_of "$work/till.txt") $(p99_ms_of "$work/till.txt") $a"
}

bins="$BIN"
[ -n "${BASE_BIN:-}" ] && bins="$BIN $BASE_BIN"
for b in $bins; do
  setup "$b" "$work/$(echo "$b" | tr '/.' '__')"
done
for r in $(seq 1 "$RUNS"); do
  for b in $bins; do
    tag=$(echo "$b" | tr '/.' '__')
    for mode in without with; do
      m=$(measure "$b" "$work/$tag" "$mode")
      echo "$m" | awk '{print $1}' >>"$work/$tag.$mode.p50"
      echo "$m" | awk '{print $2}' >>"$work/$tag.$mode.p99"
      echo "$m" | awk '{print $3}' >>"$work/$tag.$mode.an"
      echo "  run $r $b $mode analysts: till p50 $(echo "$m" | awk '{print $1}') ms, p99 $(echo "$m" | awk '{print $2}') ms, funnels/s $(echo "$m" | awk '{print $3}')"
    done
  done
done
{
  echo "tills under an analytics load ($(date -u +%Y-%m-%d), $(nproc) cores, SQLite, $TILLS tills, $ANALYSTS analysts"
  echo "asking funnels over $N events; medians of $RUNS runs of ${DURATION}s, alternating)"
  printf "%-24s %-18s %10s %10s %12s\n" "binary" "analysts" "p50 ms" "p99 ms" "funnels/s"
  for b in $bins; do
    tag=$(echo "$b" | tr '/.' '__')
    for mode in without with; do
      printf "%-24s %-18s %10s %10s %12s\n" "$b" "$mode" "$(median <"$work/$tag.$mode.p50")" \
        "$(median <"$work/$tag.$mode.p99")" "$(median <"$work/$tag.$mode.an")"
    done
  done
} | tee "$out"
