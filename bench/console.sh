#!/bin/sh
# The console's first screen on loopback, in headless Chromium (Debian's, driven by
# WebDriver), cold each time (cache off): the sign-in page until it is drawn, and
# the owner's board from pressing "sign in" until its chart is drawn, on the demo
# chain. Baseline in the same run, interleaved: the server's own landing page (one
# HTML answer, no script). RUNS rounds; medians. Target: under 1,000 ms.
# Results go to stdout and bench/out/console.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-15}
BIN=./build/o2o
work=$(mktemp -d)
mkdir -p bench/out
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
. bench/lib.sh

export O2O_OWNER_PASSWORD=bench-owner-password
"$BIN" demo --db "sqlite:$work/o2o.db" >/dev/null 2>&1
start --threads 2
/usr/bin/python3 bench/console_timing.py "http://127.0.0.1:$P" "$RUNS" | tee bench/out/console.txt
