"""Daily reports: a store's day (sales net of refunds, orders, average basket, by
channel and tender, best-selling SKUs, core customers, new members, points,
returns, pickups waiting), each scope seen only by those it belongs to, every
format (JSON, CSV, HTML with charts, XLSX, the terminal), and reports that
arrive by themselves: once a store has closed its report is built, stored and
delivered by e-mail (a local SMTP sink) and webhook (a local receiver, signed),
then the region's roll-up and the chain's."""
import base64
import csv
import datetime
import email
import email.policy
import hashlib
import hmac
import io
import json
import re
import socket
import struct
import subprocess
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import BINARY, Server, ServerTest, make_chain, unique, wait_until

SH = datetime.timezone(datetime.timedelta(hours=8))   # Asia/Shanghai has no daylight saving
SECRET = "report-hook-secret"


class SmtpSink:
    """Just enough SMTP to receive mail, strictly: it offers no SMTPUTF8 nor 8BITMIME,
    so it refuses (554) a message with a byte above 127 or a line over 998 octets, as
    a strict relay would; every accepted message is kept whole, the refused ones too."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.messages = []
        self.refused = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        f = conn.makefile("rb")
        def say(line):
            conn.sendall(line.encode() + b"\r\n")
        say("220 sink ESMTP")
        rcpt, sender = [], None
        while True:
            line = f.readline()
            if not line:
                break
            cmd = line.decode().strip()
            up = cmd.upper()
            if up.startswith("EHLO") or up.startswith("HELO"):
                say("250 sink")
            elif up.startswith("MAIL FROM:"):
                sender = cmd[10:].strip()
                say("250 ok")
            elif up.startswith("RCPT TO:"):
                rcpt.append(cmd[8:].strip().strip("<>"))
                say("250 ok")
            elif up == "DATA":
                say("354 go on")
                data = b""
                while True:
                    l = f.readline()
                    if l in (b".\r\n", b".\n", b""):
                        break
                    data += l[1:] if l.startswith(b"..") else l
                bad = any(b > 127 for b in data) or any(len(x) > 998 for x in data.split(b"\r\n"))
                (self.refused if bad else self.messages).append({"from": sender, "to": rcpt, "raw": data})
                rcpt = []
                say("554 5.6.0 8-bit or overlong message without SMTPUTF8" if bad else "250 queued")
            elif up == "QUIT":
                say("221 bye")
                break
            else:
                say("250 ok")
        conn.close()


class Hooks:
    """A webhook receiver that keeps every request."""

    def __init__(self):
        hooks = self
        self.requests = []

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hooks.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def wait_for(pred, timeout=20):
    return wait_until(pred, timeout, "the delivery")


class ReportsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.smtp = SmtpSink()
        cls.hooks = Hooks()
        # reports are built on demand here (POST /v1/reports/run), and once at start (nothing then)
        cls.server = Server(("--jobs-every", "3600000", "--smtp", "smtp://127.0.0.1:%d" % cls.smtp.port,
                             "--mail-from", "reports@chain.example"), env={"O2O_WEBHOOK_SECRET": SECRET})
        o = cls.owner = cls.server.owner()
        make_chain(o)
        # no store closes today before the test says so
        for loc in ("SH01", "SH02", "BJ01"):
            assert o.patch("/v1/locations/" + loc, {"opens_at": "00:00", "closes_at": "24:00"}).status == 200
        for size in ("S", "M", "L"):
            for loc in ("SH01", "SH02"):
                assert o.post("/v1/stock/movements", {"sku": "TEE-RED-" + size, "location": loc, "kind": "receive",
                                                      "qty": 50}).status == 201
        cls.pos1 = cls.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        cls.pos2 = cls.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH02"}).json["key"])
        cls.web = cls.server.client(o.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.tokens = {}
        for user, role, scope in (("mgr1", "store_manager", "SH01"), ("mgr2", "store_manager", "SH02"),
                                  ("rm_east", "region_manager", "EAST"), ("clerk1", "clerk", "SH01")):
            assert o.post("/v1/staff", {"username": user, "password": "password-" + user, "role": role,
                                        "scope": scope}).status == 201
            r = cls.server.client().post("/v1/auth/login", {"username": user, "password": "password-" + user})
            cls.tokens[user] = r.json["token"]
        cls.day()

    @classmethod
    def day(cls):
        """The day's trade at SH01 and SH02."""
        def member(pos):
            r = pos.post("/v1/members", {"phone": "135" + unique("")[-8:].rjust(8, "1"), "name": unique("Ann ")})
            assert r.status == 201, r
            return r.json
        def sale(pos, m, lines, tender):
            total = sum(12900 * q for _, q in lines)
            body = {"lines": [{"sku": "TEE-RED-" + s, "qty": q} for s, q in lines],
                    "tenders": [{"tender": tender, "amount": total, "reference": unique("T")}]}
            if m:
                body["member_id"] = m["id"]
            r = pos.post("/v1/orders", body)
            assert r.status == 201, r
            return r.json
        cls.a, cls.b, cls.c = member(cls.pos1), member(cls.pos1), member(cls.pos2)
        assert cls.owner.patch("/v1/members/%d" % cls.a["id"], {"name": "=HYPERLINK(1)"}).status == 200
        cls.o1 = sale(cls.pos1, cls.a, [("M", 2)], "cash")
        cls.o2 = sale(cls.pos1, cls.b, [("L", 1)], "bank_card")
        cls.o3 = sale(cls.pos1, None, [("S", 1)], "cash")
        cls.o4 = sale(cls.pos2, cls.c, [("M", 3)], "cash")
        r = cls.owner.post("/v1/orders/%d/returns" % cls.o1["id"], {"location": "SH01", "reason": "too big",
                                                                    "lines": [{"line": 1, "qty": 1}]})
        assert r.status == 201, r
        # an online order waiting for pickup at SH01
        r = cls.web.post("/v1/orders", {"member_id": cls.b["id"], "fulfilment": "pickup", "pickup_store": "SH01",
                                        "lines": [{"sku": "TEE-RED-S", "qty": 1}]})
        assert r.status == 201, r
        o = r.json
        assert cls.owner.post("/v1/orders/%d/payments" % o["id"], {"tenders": [{"tender": "bank_card", "amount": o["due"],
                                                                                 "reference": "T1"}]}).status == 200
        fid = [f for f in o["fulfilments"] if f["kind"] == "pickup"][0]["id"]
        for step in ("pick", "ready"):
            assert cls.owner.post("/v1/fulfilments/%d/%s" % (fid, step), {}).status == 200
        cls.o5 = o
        cls.points = sum(x["points_earned"] for x in (cls.o1, cls.o2))
        cls.date = datetime.datetime.fromisoformat(cls.o1["created_at"].replace("Z", "+00:00")).astimezone(SH) \
            .strftime("%Y-%m-%d")

    def as_(self, user):
        return self.server.client(self.tokens[user])

    def daily(self, client, query, status=200):
        r = client.get("/v1/reports/daily?" + query)
        self.assertEqual(r.status, status, r)
        return r

    def test_a_stores_day_has_every_figure(self):
        r = self.daily(self.as_("mgr1"), "store=SH01&date=" + self.date).json
        self.assertFalse(r["stored"])         # built on demand: the store has not closed yet
        self.assertEqual((r["scope"], r["code"], r["date"], r["timezone"]), ("store", "SH01", self.date,
                                                                             "Asia/Shanghai"))
        # 2 x M (one returned), 1 x L, 1 x S at the till, 1 x S picked up here: net of the refund
        self.assertEqual(r["orders"], 4)
        self.assertEqual(r["sales"], 5 * 12900 - 12900)
        self.assertEqual(r["average_basket"], 12900)
        self.assertEqual(r["returns"], {"count": 1, "amount": 12900})
        self.assertEqual({c["channel"]: (c["orders"], c["sales"]) for c in r["by_channel"]},
                         {"pos": (3, 3 * 12900), "web": (1, 12900)})
        # the tenders the store took (the online card payment was taken online)
        self.assertEqual({t["tender"]: (t["payments"], t["amount"]) for t in r["by_tender"]},
                         {"cash": (2, 3 * 12900), "bank_card": (1, 12900)})
        self.assertEqual([(s["sku"], s["qty"]) for s in r["best_sellers"]],
                         [("TEE-RED-S", 2), ("TEE-RED-L", 1), ("TEE-RED-M", 1)])
        # most spend first: b bought an L here and picked up an S; a kept one M of two
        self.assertEqual([(c["member_id"], c["orders"], c["spend"]) for c in r["core_customers"]],
                         [(self.b["id"], 2, 2 * 12900), (self.a["id"], 1, 12900)])
        self.assertRegex(r["core_customers"][0]["phone"], r"^\+?\d+\*\*\*\*\d{4}$")
        self.assertEqual(r["new_members"], 2)
        self.assertEqual(r["points"]["issued"], self.points)
        self.assertEqual(r["pickups_waiting"], 1)
        self.assertNotIn("stores", r)

    def test_scopes_nobody_sees_a_report_outside_hers(self):
        q = "date=" + self.date
        mgr1, rm, clerk = self.as_("mgr1"), self.as_("rm_east"), self.as_("clerk1")
        self.daily(mgr1, "store=SH02&" + q, 403)
        self.daily(mgr1, "region=EAST&" + q, 403)
        self.daily(mgr1, q, 403)                      # the chain
        self.daily(clerk, "store=SH01&" + q, 403)     # not a manager
        self.daily(rm, "store=BJ01&" + q, 403)
        self.daily(rm, "region=NORTH&" + q, 403)
        self.daily(rm, q, 403)
        self.daily(self.owner, "store=NOPE&" + q, 404)
        self.daily(self.owner, "region=NOPE&" + q, 404)
        self.daily(self.owner, "store=SH01&date=yesterday", 400)
        self.daily(self.owner, "store=SH01", 400)
        self.daily(self.owner, "store=SH01&region=EAST&" + q, 400)
        self.daily(self.owner, "store=SH01&format=pdf&" + q, 400)
        # a region manager: her stores, each, and her region: a line per store and the roll-up
        self.assertEqual(self.daily(rm, "store=SH02&" + q).json["sales"], 3 * 12900)
        east = self.daily(rm, "region=EAST&" + q).json
        self.assertEqual({s["store"]: s["sales"] for s in east["stores"]}, {"SH01": 4 * 12900, "SH02": 3 * 12900})
        self.assertEqual(east["sales"], 7 * 12900)
        self.assertEqual(east["orders"], 5)
        self.assertEqual(east["best_sellers"][0], {"sku": "TEE-RED-M", "name": "Tee", "qty": 4, "amount": 5 * 12900})
        chain = self.daily(self.owner, q).json
        self.assertEqual(chain["sales"], 7 * 12900)
        self.assertEqual(sorted(s["store"] for s in chain["stores"]), ["BJ01", "SH01", "SH02"])
        # months: the same scopes
        month = self.date[:7]
        self.assertError(mgr1.get("/v1/reports/monthly?store=SH02"), 403)
        self.assertError(rm.get("/v1/reports/monthly"), 403)
        self.assertError(self.owner.get("/v1/reports/monthly?from=2026-13"), 400, field="from")
        m = mgr1.get("/v1/reports/monthly?store=SH01&from=%s&to=%s" % (month, month)).json["months"]
        self.assertEqual([(x["month"], x["sales"], x["orders"], x["customers"]) for x in m],
                         [(month, 4 * 12900, 4, 2)])
        m = self.owner.get("/v1/reports/monthly").json["months"]
        self.assertEqual((m[-1]["month"], m[-1]["sales"], m[-1]["customers"]), (month, 7 * 12900, 3))
        self.assertEqual(m[-1]["best_sellers"][0]["sku"], "TEE-RED-M")

    def check_report_mail(self, mail, subject):
        """What mail clients and relays need: 7-bit headers (the subject RFC 2047-encoded),
        a Message-ID, text and HTML alternatives, the charts as PNG images the HTML
        refers to by Content-ID (no SVG, which Gmail and Outlook drop), a CSV with a
        byte-order mark for Excel."""
        raw = mail["raw"]
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        self.assertRegex(head, r"(?m)^Message-ID: <[^<>@\s]+@chain\.example>\r?$")
        self.assertRegex(head, r"(?m)^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r?$")
        self.assertIn("Subject: =?UTF-8?B?", head)
        msg = email.message_from_bytes(raw, policy=email.policy.strict)
        self.assertEqual(msg["Subject"], subject)
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        alt = msg.get_payload()[0]
        self.assertEqual(alt.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in alt.get_payload()], ["text/plain", "multipart/related"])
        related = alt.get_payload()[1]
        html = related.get_payload()[0].get_content()
        self.assertNotIn("<svg", html)
        cids = re.findall(r'src="cid:([^"]+)"', html)
        self.assertIn("chart-channels@o2o", cids)
        images = {p["Content-ID"].strip("<>"): p.get_content() for p in related.get_payload()[1:]}
        self.assertEqual(sorted(images), sorted(cids))
        for png in images.values():
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
            width, height = struct.unpack(">II", png[16:24])
            self.assertEqual(width, 1280)   # 640 shown, drawn at twice that
            self.assertGreater(height, 60)
        csv_part = [p for p in msg.walk() if p.get_content_type() == "text/csv"][0]
        self.assertEqual(csv_part.get_payload(decode=True)[:3], b"\xef\xbb\xbf")
        self.assertEqual(csv_part.get_filename()[-4:], ".csv")

    def test_every_format_of_a_report(self):
        q = "store=SH01&date=" + self.date
        mgr = self.as_("mgr1")
        r = self.daily(mgr, q + "&format=csv")
        self.assertTrue(r.headers["content-type"].startswith("text/csv"))
        # a byte-order mark, so that Excel on Windows reads UTF-8 (bom=false leaves it out)
        self.assertEqual(r.raw[:3], b"\xef\xbb\xbf")
        self.assertEqual(self.daily(mgr, q + "&format=csv&bom=false").raw[:7], b"section")
        self.assertError(self.daily(mgr, q + "&format=csv&bom=maybe", status=400), 400, None, "bom")
        rows = list(csv.DictReader(io.StringIO(r.body.lstrip("\ufeff"))))
        summary = {x["key"]: x for x in rows if x["section"] == "summary"}
        self.assertEqual(summary["Sales"]["amount_yuan"], "516.00")
        self.assertEqual(summary["Orders"]["count"], "4")
        self.assertIn(("best_seller", "TEE-RED-S", "2"), [(x["section"], x["key"], x["qty"]) for x in rows])
        # a name a spreadsheet would run as a formula is quoted
        self.assertIn("'=HYPERLINK(1)", [x["name"] for x in rows if x["section"] == "core_customer"])
        r = self.daily(mgr, q + "&format=html")
        self.assertTrue(r.headers["content-type"].startswith("text/html"))
        self.assertRegex(r.body, r'<svg [^>]*id="chart-channels"')
        self.assertIn("516.00", r.body)
        r = self.daily(mgr, q + "&format=xlsx")
        z = zipfile.ZipFile(io.BytesIO(r.raw))
        sheets = z.read("xl/workbook.xml").decode()
        for name in ("Summary", "Channels", "Tenders", "Best sellers", "Core customers"):
            self.assertIn('name="%s"' % name, sheets)
        self.assertIn("TEE-RED-S", z.read("xl/sharedStrings.xml").decode())
        # the terminal, CSV and JSON from the command line agree
        p = subprocess.run([BINARY, "report", "daily", "--store", "SH01", "--date", self.date, "--db", self.server.db],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Daily report %s, Shanghai 1 (SH01)" % self.date, p.stdout)
        self.assertRegex(p.stdout, r"Sales\s+516\.00")
        self.assertRegex(p.stdout, r"Pickups waiting\s+1")
        p = subprocess.run([BINARY, "report", "daily", "--region", "EAST", "--date", self.date, "--format", "json",
                            "--db", self.server.db], capture_output=True, text=True)
        self.assertEqual(json.loads(p.stdout)["sales"], 7 * 12900)
        p = subprocess.run([BINARY, "report", "daily", "--store", "SH01", "--db", self.server.db], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 2)

    def test_the_html_report_in_a_browser(self):
        import os
        import shutil
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            self.skipTest("chromium is not installed")
        page = os.path.join(self.server.dir, "report.html")
        with open(page, "w") as f:
            f.write(self.daily(self.as_("rm_east"), "region=EAST&format=html&date=" + self.date).body)
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                            "--user-data-dir=" + os.path.join(self.server.dir, "chromium-report"), "file://" + page],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        dom = p.stdout
        self.assertIn("Daily report %s, East (EAST)" % self.date, dom)
        self.assertEqual(dom.count('class="bar"'), 2 + 2 + 3 + 2)   # channels, tenders, SKUs, stores
        self.assertIn("<td>SH02</td>", dom)

    def test_reports_arrive_by_themselves_at_closing_time(self):
        o = self.owner
        r = o.post("/v1/report-subscriptions", {"email": "mgr1@chain.example"}, token=self.tokens["mgr1"])
        self.assertEqual(r.status, 201, r)
        self.assertError(o.post("/v1/report-subscriptions", {"email": "not an address"}, token=self.tokens["mgr1"]),
                         400)
        self.assertError(o.post("/v1/report-subscriptions", {"webhook": "ftp://x"}, token=self.tokens["rm_east"]), 400)
        self.assertError(o.post("/v1/report-subscriptions", {"email": "c@x.example"}, token=self.tokens["clerk1"]),
                         403)
        hook = "http://127.0.0.1:%d/reports" % self.hooks.port
        # a loopback receiver: refused unless the chain allows the network (issue 11, SSRF)
        self.assertError(o.post("/v1/report-subscriptions", {"webhook": hook}, token=self.tokens["rm_east"]), 400,
                         "internal_target", "webhook")
        self.assertEqual(o.patch("/v1/settings", {"webhook_allowed_networks": "127.0.0.0/8"}).status, 200)
        self.assertEqual(o.post("/v1/report-subscriptions", {"webhook": hook}, token=self.tokens["rm_east"]).status, 201)
        self.assertEqual(o.post("/v1/report-subscriptions", {"email": "owner@chain.example"}).status, 201)
        subs = self.as_("mgr1").get("/v1/report-subscriptions").json["subscriptions"]
        self.assertEqual([s["target"] for s in subs], ["mgr1@chain.example"])
        # nothing has closed today yet, and the stores opened today: nothing is due
        self.assertEqual(o.post("/v1/reports/run").json["built"], [])
        # SH01 closes at 23:59: its report is built, stored and mailed to its manager. The
        # run is asked as of 23:59:30 today, Shanghai time, whatever the hour the test runs at
        # (the sales above were made today; no wall clock decides what is due)
        now = datetime.datetime.now(SH)
        day = now.strftime("%Y-%m-%d")
        as_of = {"as_of": now.replace(hour=23, minute=59, second=30, microsecond=0).astimezone(
            datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        closing = now.replace(hour=23, minute=59)
        # a store named in Chinese: its name travels in the subject (RFC 2047) and the charts (PNG)
        self.assertEqual(o.patch("/v1/locations/SH01", {"closes_at": closing.strftime("%H:%M"),
                                                        "name": "上海一店"}).status, 200)
        built = o.post("/v1/reports/run", as_of).json["built"]
        self.assertEqual(built, [{"scope": "store", "code": "SH01", "date": day}])
        self.assertEqual(o.post("/v1/reports/run", as_of).json["built"], [])     # once
        mail = wait_for(lambda: [m for m in self.smtp.messages if m["to"] == ["mgr1@chain.example"]])
        self.assertEqual(len(mail), 1)
        self.assertEqual(self.smtp.refused, [])
        self.check_report_mail(mail[0], "Daily report %s, 上海一店 (SH01)" % day)
        msg = email.message_from_bytes(mail[0]["raw"], policy=email.policy.default)
        parts = {p.get_content_type(): p for p in msg.walk()}
        self.assertIn("516.00", parts["text/html"].get_content())
        self.assertRegex(parts["text/plain"].get_content(), r"Sales\s+516\.00")
        rows = list(csv.DictReader(io.StringIO(parts["text/csv"].get_content().lstrip("\ufeff"))))
        self.assertIn(("summary", "Sales", "516.00"), [(x["section"], x["key"], x["amount_yuan"]) for x in rows])
        xlsx = parts["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"].get_content()
        self.assertIn("xl/workbook.xml", zipfile.ZipFile(io.BytesIO(xlsx)).namelist())
        self.assertEqual(o.patch("/v1/locations/SH01", {"name": "Shanghai 1"}).status, 200)
        # the stored report is what the API gives from now on, even after more sales
        stored = self.daily(self.as_("mgr1"), "store=SH01&date=" + day).json
        self.assertTrue(stored["stored"])
        self.assertEqual(stored["sales"], 4 * 12900)
        # SH02 closes too: its report, then the region's roll-up to the region manager's webhook
        self.assertEqual(o.patch("/v1/locations/SH02", {"closes_at": closing.strftime("%H:%M")}).status, 200)
        built = o.post("/v1/reports/run", as_of).json["built"]
        self.assertEqual(built, [{"scope": "store", "code": "SH02", "date": day},
                                 {"scope": "region", "code": "EAST", "date": day}])
        hooks = wait_for(lambda: self.hooks.requests)
        self.assertEqual(len(hooks), 1)
        h = hooks[0]
        want = "sha256=" + hmac.new(SECRET.encode(), h["body"], hashlib.sha256).hexdigest()
        self.assertEqual(h["headers"]["X-O2O-Signature"], want)
        doc = json.loads(h["body"])
        self.assertEqual(doc["event"], "report.daily")
        self.assertEqual((doc["report"]["scope"], doc["report"]["code"], doc["report"]["sales"]),
                         ("region", "EAST", 7 * 12900))
        self.assertEqual(len(doc["report"]["stores"]), 2)
        # nobody subscribed to SH02: no mail for it; the chain waits for BJ01
        self.assertEqual(len(self.smtp.messages), 1)
        self.assertEqual(o.patch("/v1/locations/BJ01", {"closes_at": closing.strftime("%H:%M")}).status, 200)
        built = o.post("/v1/reports/run", as_of).json["built"]
        self.assertEqual([b["scope"] for b in built], ["store", "region", "region", "chain"])   # BJ01, CN, NORTH
        mail = wait_for(lambda: [m for m in self.smtp.messages if m["to"] == ["owner@chain.example"]])
        self.assertEqual(len(mail), 1)
        msg = email.message_from_bytes(mail[0]["raw"], policy=email.policy.default)
        self.assertEqual(msg["Subject"], "Daily report %s, the whole chain" % day)
        # the delivery marks a message sent once the server at the other end took it: the
        # mail can be in the sink a moment before its outbox row says so
        def statuses():
            items = o.get("/v1/outbox?limit=200").json["items"]
            got = {m["status"] for m in items if m["topic"] in ("email", "webhook")}
            return got if "pending" not in got else None
        self.assertEqual(wait_for(statuses), {"sent"})
        # unsubscribing
        sid = subs[0]["id"]
        self.assertError(self.as_("rm_east").delete("/v1/report-subscriptions/%d" % sid), 404)
        self.assertEqual(self.as_("mgr1").delete("/v1/report-subscriptions/%d" % sid).status, 200)
        self.assertEqual(self.as_("mgr1").get("/v1/report-subscriptions").json["subscriptions"], [])
