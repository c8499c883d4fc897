#!/bin/sh
# Benchmark of the service desk's intake (SQLite, durable): customers' messages by
# mixed media (chat, e-mail, SMS, WeChat) posted as fast as 64 connections go, 100
# agents on the desk with room for all of them.
#   A. every message from a new sender: recognised, a conversation opened and
#      dispatched to the least loaded agent by conditional updates;
#   B. the baseline: messages from 500 senders again and again, joining their open
#      conversations (no dispatch).
# First, a paced load of about 1,000 new senders' messages a second (12 connections,
# each waiting 10 ms between messages) with 200 probes beside it: the time from a
# message's intake to its conversation showing as her agent's (what her screen
# opens). Then A and B interleaved, RUNS times each (default 5) for DURATION
# seconds; medians of messages/s and p99. Last, the check that no conversation is
# held twice: every agent's count equals what she holds, within her cap, and no
# sender has two open. Results go to stdout and bench/out/desk.txt.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-10}
BIN=./build/o2o
work=$(mktemp -d)
mkdir -p bench/out
out=bench/out/desk.txt
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
. bench/lib.sh
q() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$work/o2o.db" "$1"; }

echo "o2o desk benchmark: $(nproc) cores, $RUNS runs of ${DURATION}s each of A and B, 64 connections"
export O2O_OWNER_PASSWORD=bench-owner-password
start --threads 2
tok=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d '{"username":"owner","password":"bench-owner-password"}' \
      | sed 's/.*"token":"\([^"]*\)".*/\1/')
key=$(curl -s -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/api-keys" -d '{"channel":"web"}' \
      | sed 's/.*"key":"\([^"]*\)".*/\1/')
export O2O_BENCH_TOKEN="$key"
# 100 agents, each with room for 1,000 conversations
agents=""
for i in $(seq 1 100); do
  curl -sf -X POST -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/staff" \
    -d "{\"username\":\"agent$i\",\"password\":\"agent-password-$i\",\"role\":\"service_agent\",\"scope_kind\":\"chain\"}" >/dev/null
  at=$(curl -s -X POST "http://127.0.0.1:$P/v1/auth/login" -d "{\"username\":\"agent$i\",\"password\":\"agent-password-$i\"}" \
       | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -sf -X PUT -H "Authorization: Bearer $at" "http://127.0.0.1:$P/v1/desk/agents/me" -d '{"available":true,"cap":1000}' >/dev/null
  agents="$agents $at"
done
echo "$agents" | tr ' ' '\n' | sed '/^$/d' >"$work/agents"
: >"$work/a.rps"; : >"$work/a.p99"; : >"$work/b.rps"; : >"$work/b.p99"
# the paced load with the probes beside it (fresh capacity: 100,000 places)
DESK_MODE=new DESK_DELAY_MS=10 wrk -t1 -c12 -d"${DURATION}s" --latency -s bench/desk_msg.lua \
  "http://127.0.0.1:$P" >"$work/paced.txt" &
wpid=$!
screen=$(python3 bench/desk_screen.py "$P" "$key" "$work/agents" 200)
wait "$wpid" || true
paced_rate=$(rps_of "$work/paced.txt"); paced_p99=$(p99_ms_of "$work/paced.txt")
echo "  paced load: $paced_rate messages/s, p99 $paced_p99 ms; intake to the agent's screen: $screen"
DESK_MODE=repeat wrk -t1 -c64 -d3s -s bench/desk_msg.lua "http://127.0.0.1:$P" >/dev/null   # warm-up
for r in $(seq 1 "$RUNS"); do
  for m in new repeat; do
    DESK_MODE=$m wrk -t1 -c64 -d"${DURATION}s" --latency -s bench/desk_msg.lua "http://127.0.0.1:$P" >"$work/wrk.txt"
    [ -n "$(errors_of "$work/wrk.txt")" ] && { echo "the desk answered errors:"; cat "$work/wrk.txt"; exit 1; }
    f=a; [ "$m" = repeat ] && f=b
    rps_of "$work/wrk.txt" >>"$work/$f.rps"; p99_ms_of "$work/wrk.txt" >>"$work/$f.p99"
    echo "  run $r $m senders: $(rps_of "$work/wrk.txt") messages/s, p99 $(p99_ms_of "$work/wrk.txt") ms"
  done
done
conv=$(q "SELECT COUNT(*) FROM desk_conversations")
held=$(q "SELECT COUNT(*) FROM desk_conversations WHERE status = 'assigned'")
counted=$(q "SELECT SUM(holding) FROM desk_agents")
over=$(q "SELECT COUNT(*) FROM desk_agents WHERE holding > cap")
twice=$(q "SELECT COUNT(*) FROM (SELECT contact_id FROM desk_conversations WHERE status <> 'resolved' GROUP BY contact_id HAVING COUNT(*) > 1) x")
stop
{
  echo "desk intake, mixed media, 64 connections, SQLite ($(nproc) cores), medians of $RUNS:"
  echo "  A. new senders (dispatch each): $(median <"$work/a.rps") messages/s, p99 $(median <"$work/a.p99") ms"
  echo "  B. baseline, repeat senders (append): $(median <"$work/b.rps") messages/s, p99 $(median <"$work/b.p99") ms"
  echo "  paced new senders: $paced_rate messages/s, p99 $paced_p99 ms; intake to the agent's screen: $screen"
  echo "  conversations $conv, held $held, agents' counts $counted, over a cap $over, senders with two open $twice"
  if [ "$held" = "$counted" ] && [ "$over" = 0 ] && [ "$twice" = 0 ]; then
    echo "  double assignments: 0"
  else
    echo "  DOUBLE ASSIGNMENT FOUND"; exit 1
  fi
} | tee "$out"
