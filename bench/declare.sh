#!/bin/sh
# What checking every request against its route's declarations costs:
#   1. the checks alone (bench/declare_bench.c): ns per till-sale body and per lookup query;
#   2. SKU lookups over HTTP (query checked) with this build and with BASE_BIN, a build
#      from before the checks, alternating run by run (RUNS each, DURATION s, CONNS
#      connections); medians. Without BASE_BIN only this build is measured.
# Results in bench/out/declare.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-8}
CONNS=${CONNS:-64}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
mkdir -p bench/out
. bench/lib.sh
make -s all >/dev/null
cc -std=c11 -D_GNU_SOURCE -O2 -Isrc $(pkg-config --cflags jansson) -o "$work/declare_bench" bench/declare_bench.c \
   build/libo2o.a $(pkg-config --libs jansson sqlite3 libsodium libcrypto libqrencode zlib liblzma xlsxwriter \
   libh2o-evloop) -ldl -lpthread -lm
O2O_OWNER_PASSWORD=bench-owner-password ./build/o2o demo --db "sqlite:$work/o2o.db" >/dev/null 2>&1
bins="./build/o2o ${BASE_BIN:-}"
for b in $bins; do : >"$work/$(echo "$b" | tr '/.' '__').rps"; done
for r in $(seq 1 "$RUNS"); do
  for b in $bins; do
    BIN=$b start --threads 2
    tok=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d '{"username":"owner","password":"bench-owner-password"}' |
          sed 's/.*"token":"\([^"]*\)".*/\1/')
    O2O_BENCH_TOKEN=$(curl -s -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/api-keys" \
                      -d '{"channel":"pos","location":"SH01"}' | sed 's/.*"key":"\([^"]*\)".*/\1/')
    export O2O_BENCH_TOKEN
    wrk -t1 -c"$CONNS" -d2s -s bench/lookup.lua "http://127.0.0.1:$P" >/dev/null
    wrk -t1 -c"$CONNS" -d"${DURATION}s" -s bench/lookup.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
    [ -z "$(errors_of "$work/wrk.txt")" ] || { echo "errors from $b:"; cat "$work/wrk.txt"; exit 1; }
    rps_of "$work/wrk.txt" >>"$work/$(echo "$b" | tr '/.' '__').rps"
    echo "  run $r $b: $(rps_of "$work/wrk.txt") lookups/s"
    stop
  done
done
{
  echo "route declarations: what the checks cost ($(date -u +%Y-%m-%d), $(nproc) cores)"
  "$work/declare_bench"
  echo
  printf "%-40s %14s\n" "binary" "lookups/s (median of $RUNS x ${DURATION}s, $CONNS connections)"
  for b in $bins; do
    printf "%-40s %14.0f\n" "$b$( [ "$b" = ./build/o2o ] && echo ' (checks)' || echo ' (before)')" \
      "$(median <"$work/$(echo "$b" | tr '/.' '__').rps")"
  done
} | tee bench/out/declare.txt
