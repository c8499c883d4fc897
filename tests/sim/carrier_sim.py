"""A local carrier simulator speaking o2o's signed-webhook carrier protocol
(docs/carriers.md): it checks o2o's signed subscription requests and, on command,
pushes signed tracking events to the callback o2o gave it, or forged ones.

    python3 carrier_sim.py DIR NAME
writes DIR/carriers.json (the o2o --carriers file), prints "listening PORT".
Control: POST /sim/push {tracking_no, status, location?, description?, time?},
POST /sim/forge {tracking_no, how: bad_signature|stale|other_secret},
GET /sim/subscriptions.
"""
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature(secret, ts, body):
    return hmac.new(secret.encode(), ("%s\n" % ts).encode() + body, hashlib.sha256).hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    name = secret = api_key = None
    subs = {}

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/sim/subscriptions":
            return self.reply(200, self.subs)
        self.reply(404, {})

    def push(self, tracking_no, events, secret=None, ts=None, bad=False):
        body = json.dumps({"tracking_no": tracking_no, "events": events}).encode()
        ts = str(int(time.time()) if ts is None else ts)
        sig = signature(secret or self.secret, ts, body)
        if bad:
            sig = secrets.token_hex(32)
        req = urllib.request.Request(self.subs[tracking_no], data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Timestamp": ts,
                                              "X-Signature": sig})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if self.path == "/subscriptions":
            ts, sig = self.headers.get("X-Timestamp", ""), self.headers.get("X-Signature", "")
            if self.headers.get("X-Api-Key") != self.api_key or \
                    not hmac.compare_digest(sig, signature(self.secret, ts, raw)):
                return self.reply(401, {"error": "bad signature"})
            req = json.loads(raw)
            self.subs[req["tracking_no"]] = req["callback_url"]
            return self.reply(201, {"subscribed": req["tracking_no"]})
        req = json.loads(raw or b"{}")
        t = req.get("tracking_no")
        if t not in self.subs:
            return self.reply(404, {"error": "not subscribed"})
        ev = {"status": req.get("status", "in_transit"), "location": req.get("location", ""),
              "description": req.get("description", ""),
              "time": req.get("time", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))}
        if self.path == "/sim/push":
            status, body = self.push(t, [ev])
            return self.reply(200, {"status": status, "body": body})
        if self.path == "/sim/forge":
            how = req["how"]
            if how == "bad_signature":
                status, body = self.push(t, [ev], bad=True)
            elif how == "stale":
                status, body = self.push(t, [ev], ts=int(time.time()) - 3600)
            else:
                status, body = self.push(t, [ev], secret=secrets.token_hex(16))
            return self.reply(200, {"status": status, "body": body})
        self.reply(404, {})


def main():
    d, name = sys.argv[1], sys.argv[2]
    Handler.name, Handler.secret, Handler.api_key = name, secrets.token_hex(24), "key-" + secrets.token_hex(8)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    with open(os.path.join(d, "carriers.json"), "w") as f:
        json.dump({name: {"base_url": "http://127.0.0.1:%d" % port, "api_key": Handler.api_key,
                          "secret": Handler.secret}}, f)
    print("listening %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
