# bench/lib.sh -- what the benchmark scripts share: a free port, a server on the
# scratch database in $work, medians, and the figures wrk prints.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() { # extra serve args; the binary is $BIN, the database in ${DBDIR:-$work}
  P=$(port)
  "$BIN" serve --db "sqlite:${DBDIR:-$work}/o2o.db" --listen "127.0.0.1:$P" "$@" >"${DBDIR:-$work}/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$P/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start"; cat "${DBDIR:-$work}/serve.log"; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# wrk prints "Requests/sec: N" and with --latency "99% X.XXms|us|s"
rps_of() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }
p99_ms_of() {
  sed -n 's/^ *99% *\([0-9.]*\)\([mu]*s\).*/\1 \2/p' "$1" | awk '{v=$1; if ($2=="us") v/=1000; else if ($2=="s") v*=1000; print v}'
}
errors_of() { sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$1"; }
requests_of() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$1"; }
