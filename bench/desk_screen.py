"""Probes for bench/desk.sh: a message from a new sender, then the conversation read
with its agent's token until it shows as hers (what her screen opens); prints the
median and p99 of intake to screen over N probes (milliseconds).
Usage: desk_screen.py PORT KEY AGENTS_FILE N"""
import http.client
import json
import random
import sys
import time

port, key, agents_file, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
tokens = [t.strip() for t in open(agents_file) if t.strip()]
by_id = {}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def call(method, path, token, body=None):
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, json.loads(r.read() or b"null")


for t in tokens:
    by_id[call("GET", "/v1/me", t)[1]["id"]] = t
times = []
for i in range(n):
    t0 = time.monotonic()
    st, m = call("POST", "/v1/desk/messages", key, {"medium": "chat", "from_kind": "device",
                                                    "from": "probe-%d-%d" % (i, random.randrange(10 ** 9)),
                                                    "body": "probe"})
    assert st == 201, (st, m)
    tok = by_id[m["agent_id"]]
    while True:
        st, conv = call("GET", "/v1/desk/conversations/%d" % m["conversation_id"], tok)
        if st == 200 and conv["agent_id"] == m["agent_id"] and conv["status"] == "assigned":
            break
        time.sleep(0.001)
    times.append((time.monotonic() - t0) * 1000)
times.sort()
print("median %.1f ms, p99 %.1f ms (%d probes)" % (times[len(times) // 2], times[int(len(times) * 0.99) - 1], n))
