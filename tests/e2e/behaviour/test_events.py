"""Behaviour events over HTTP and on the command line: batches stored once (a
resent event is not counted twice), bad batches refused whole with the event
named, a member's events and the stitching of her device when she signs in,
funnels (window edge, equal timestamps, order, property filters, by channel,
store and day) and paths through the API and `o2o funnel` / `o2o paths`, the
web snippet and its CORS answers, and the Taobao clickstream sample imported
with the funnel checked against an independent count from the file."""
import csv
import json
import os
import re
import subprocess
import unittest

from harness import BINARY, DATA_DIR, ServerTest, make_chain, run_on_tty, unique

TAOBAO = os.path.join(DATA_DIR, "clickstream", "taobao_userbehavior_head84475.csv")

DAY = 86400000
T0 = 1780000000000  # 2026-05-28, well in the past


def iso(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def window_funnel(events, steps, window):
    """Independent reference: events (user, ts, name) -> users reaching each step, by trying
    every step-1 event as a start and following the earliest next step each time
    (equal timestamps in step order)."""
    import bisect
    by_user = {}
    for u, t, n in events:
        by_user.setdefault(u, {}).setdefault(n, []).append(t)
    reached = [0] * len(steps)
    for times in by_user.values():
        for v in times.values():
            v.sort()
        best = 0
        for t0 in times.get(steps[0], []):
            level, last = 1, t0
            for k in range(1, len(steps)):
                ts = times.get(steps[k], [])
                i = bisect.bisect_left(ts, last)
                if i == len(ts) or ts[i] > t0 + window:
                    break
                last = ts[i]
                level += 1
            best = max(best, level)
        for k in range(best):
            reached[k] += 1
    return reached


class EventsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        r = cls.owner.post("/v1/staff", {"username": "clerk_ev", "password": "password-clerk", "role": "clerk",
                                         "scope": "SH01"})
        assert r.status == 201, r
        r = cls.server.client().post("/v1/auth/login", {"username": "clerk_ev", "password": "password-clerk"})
        cls.clerk = cls.server.client(r.json["token"])
        cls.anon = cls.server.client()

    def send(self, events, client=None, status=200):
        r = (client or self.anon).post("/v1/events", {"events": events})
        self.assertEqual(r.status, status, r)
        return r.json

    def funnel(self, steps, base, **kw):
        body = {"steps": steps, "from": iso(base), "to": iso(base + 10 * DAY)}
        body.update(kw)
        r = self.owner.post("/v1/analytics/funnel", body)
        self.assertEqual(r.status, 200, r)
        return r.json

    @staticmethod
    def users(answer):
        return [s["users"] for s in answer["steps"]]

    def test_a_batch_is_stored_once_and_resent_events_are_not_counted_twice(self):
        dev = unique("dev-")
        evs = [{"id": "e%d" % i, "name": n, "device_id": dev, "ts": T0 + i * 1000}
               for i, n in enumerate(("view", "view", "add_to_cart"))]
        evs.append({"id": "e9", "name": "click", "element": "image", "label": "hero banner", "device_id": dev,
                    "ts": T0 + 9000, "props": {"slot": "top", "rank": 1, "ad": True}})
        self.assertEqual(self.send(evs), {"received": 4, "stored": 4, "duplicates": 0})
        # the page resends everything (it never saw the answer): nothing is counted twice
        self.assertEqual(self.send(evs), {"received": 4, "stored": 0, "duplicates": 4})
        n = int(self.server.scalar("SELECT COUNT(*) FROM events WHERE device_id = '%s'" % dev))
        self.assertEqual(n, 4)
        props = self.server.scalar("SELECT props FROM events WHERE device_id = '%s' AND name = 'click'" % dev)
        self.assertEqual(sorted(props.split("\n")), ["ad=true", "rank=1", "slot=top"])
        # the same event twice in one batch is stored once too
        twice = {"id": "t1", "name": "view", "device_id": dev, "ts": T0 + 50000}
        self.assertEqual(self.send([twice, twice]), {"received": 2, "stored": 1, "duplicates": 1})
        # another device may pick the same event ids: they are its own events
        self.assertEqual(self.send([dict(evs[0], device_id=dev + "x")])["stored"], 1)
        # a whole batch retried with its Idempotency-Key gets the first answer again
        body = {"events": [{"name": "search", "query": "formula", "device_id": dev, "ts": T0}]}
        key = unique("idem-")
        r1 = self.anon.post("/v1/events", body, headers={"Idempotency-Key": key})
        r2 = self.anon.post("/v1/events", body, headers={"Idempotency-Key": key})
        self.assertEqual((r1.status, r2.status), (200, 200))
        self.assertEqual(r2.headers.get("idempotent-replayed"), "true")
        self.assertEqual(int(self.server.scalar(
            "SELECT COUNT(*) FROM events WHERE device_id = '%s' AND name = 'search'" % dev)), 1)

    def test_bad_batches_are_refused_whole_and_name_the_event(self):
        dev = unique("bad-")
        good = {"name": "view", "device_id": dev, "ts": T0}
        before = self.server.snapshot()
        cases = [
            ({"events": []}, 400, "events"),
            ({"events": [good] * 1001}, 400, "events"),
            ({"events": "view"}, 400, "events"),
            ({"events": [good, {"name": "click", "device_id": dev}]}, 400, "events[1].element"),
            ({"events": [good, {"name": "click", "element": "video", "device_id": dev}]}, 400, "events[1].element"),
            ({"events": [{"name": "View", "device_id": dev}]}, 400, "events[0].name"),
            ({"events": [{"name": "view"}]}, 400, "events[0].device_id"),
            ({"events": [{"name": "view", "device_id": dev, "ts": "2999-01-01T00:00:00Z"}]}, 400, "events[0].ts"),
            ({"events": [{"name": "view", "device_id": dev, "ts": "yesterday"}]}, 400, "events[0].ts"),
            ({"events": [{"name": "view", "device_id": dev, "value": "12.50"}]}, 400, "events[0].value"),
            ({"events": [{"name": "view", "device_id": dev, "props": {"a": {"b": 1}}}]}, 400, "events[0].props.a"),
            ({"events": [{"name": "search", "device_id": dev}]}, 400, "events[0].label"),
            ({"events": [good, 7]}, 400, "events[1]"),
            ({"events": [good, dict(good, store="NOPE")]}, 404, "events[1].store"),
        ]
        for body, status, field in cases:
            self.assertError(self.web.post("/v1/events", body), status, field=field)
        # a member's events need her token or a channel's key
        self.assertError(self.anon.post("/v1/events", {"events": [dict(good, member_id=1)]}), 401)
        self.assertError(self.web.post("/v1/events", {"events": [dict(good, member_id=99999999)]}), 404,
                         "unknown_member", "events[0].member_id")
        r = self.anon.post("/v1/events", raw=b'{"events": [', headers={"Content-Type": "application/json"})
        self.assertError(r, 400)
        self.assertEqual(self.server.snapshot(), before)

    def sign_in(self, phone, device):
        c = self.server.client()
        r = c.post("/v1/auth/otp", {"phone": phone})
        assert r.status == 202, r
        e164 = r.json["phone"]
        sms = self.owner.get("/v1/outbox?recipient=%s" % e164.replace("+", "%2B")).json["items"]
        code = re.search(r"\b(\d{6})\b", sms[0]["payload"]).group(1)
        r = c.post("/v1/auth/otp/verify", {"phone": e164, "code": code, "device_id": device})
        self.assertEqual(r.status, 200, r)
        return r.json["member_id"], self.server.client(r.json["token"])

    def test_a_member_sends_her_own_events_and_signing_in_stitches_her_device(self):
        base = T0 + 20 * DAY
        dev = unique("phone-")
        phone = "139" + unique("")[-8:].rjust(8, "7")
        mid = self.owner.post("/v1/members", {"phone": phone}).json["id"]
        self.send([{"name": "view", "device_id": dev, "ts": base, "item": "TEE"}])
        # before she signs in, the device is somebody anonymous
        _, her = None, None
        steps = ["view", "add_to_cart"]
        self.web.post("/v1/events", {"events": [{"name": "add_to_cart", "member_id": mid, "ts": base + 60000}]})
        self.assertEqual(self.users(self.funnel(steps, base)), [1, 0])
        # a member may not send another member's events
        _, her = self.sign_in(phone, dev)
        self.assertError(her.post("/v1/events", {"events": [{"name": "view", "member_id": mid + 1}]}), 403)
        # signing in on the device made its anonymous view hers: the funnel sees one shopper
        self.assertEqual(self.users(self.funnel(steps, base)), [1, 1])
        self.assertEqual(self.server.scalar("SELECT member_id FROM devices WHERE device_id = '%s'" % dev), str(mid))
        # her token's events are hers (no member_id needed), and a later device of hers is stitched by its events
        dev2 = unique("tablet-")
        r = her.post("/v1/events", {"events": [{"name": "checkout", "device_id": dev2, "ts": base + 120000}]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.server.scalar("SELECT member_id FROM events WHERE device_id = '%s'" % dev2), str(mid))
        self.assertEqual(self.users(self.funnel(steps + ["checkout"], base)), [1, 1, 1])

    def test_funnel_window_edge_equal_times_and_order(self):
        base = T0 + 40 * DAY
        w = 7 * DAY
        evs = []
        def user(*pairs):
            d = unique("f-")
            evs.extend({"name": n, "device_id": d, "ts": base + t} for n, t in pairs)
        user(("view", 0), ("add_to_cart", w))             # exactly at the window's edge: counts
        user(("view", 0), ("add_to_cart", w + 1000))      # a second late: does not
        user(("add_to_cart", 0), ("view", 1000))          # wrong order
        user(("add_to_cart", 5000), ("view", 5000))       # same instant: step order
        user(("view", 0), ("view", 3 * DAY), ("add_to_cart", 9 * DAY), ("purchase", 9 * DAY + 1))  # restart reaches
        user(("view", 0), ("purchase", 1000))             # skips a step: only the first
        self.send(evs)
        a = self.funnel(["view", "add_to_cart", "purchase"], base, window="7d")
        self.assertEqual(self.users(a), [6, 3, 1])
        self.assertEqual(a["steps"][1]["conversion"], 0.5)
        self.assertEqual(a["steps"][2]["overall"], round(1 / 6, 4))
        # the same events through the independent reference
        ref = window_funnel([(e["device_id"], e["ts"], e["name"]) for e in evs], ["view", "add_to_cart", "purchase"], w)
        self.assertEqual(ref, [6, 3, 1])
        # a window in seconds means the same
        self.assertEqual(self.users(self.funnel(["view", "add_to_cart"], base, window=7 * 86400)), [6, 3])
        # chains start within [from, to) only
        self.assertEqual(self.users(self.funnel(["view", "add_to_cart"], base, to=iso(base + 1))), [4, 1])

    def test_funnel_filters_and_breakdowns_by_channel_store_and_day(self):
        base = T0 + 60 * DAY
        evs = []
        for i, (ch, store, day, elem, buys) in enumerate((("web", "SH01", 0, "image", True),
                                                          ("web", "SH01", 0, "text", True),
                                                          ("app", "SH02", 1, "image", False),
                                                          ("app", None, 1, "image", True),
                                                          ("miniprogram", "SH02", 2, "image", True))):
            d = unique("b-")
            t = base + day * DAY + 3600000
            click = {"name": "click", "element": elem, "label": "x", "device_id": d, "channel": ch, "ts": t,
                     "props": {"colour": "red" if i % 2 == 0 else "blue"}}
            if store:
                click["store"] = store
            evs.append(click)
            if buys:
                evs.append({"name": "purchase", "device_id": d, "channel": "web", "ts": t + 60000, "value": 12900})
        self.send(evs)
        image_then_buy = [{"name": "click", "where": {"element": "image"}}, "purchase"]
        self.assertEqual(self.users(self.funnel(image_then_buy, base)), [4, 3])
        red = [{"name": "click", "where": {"props.colour": "red"}}, "purchase"]
        self.assertEqual(self.users(self.funnel(red, base)), [3, 2])
        a = self.funnel(image_then_buy, base, by="channel")
        groups = {g["key"]: [s["users"] for s in g["steps"]] for g in a["groups"]}
        # grouped by the channel of the first step (the purchases were all on the web)
        self.assertEqual(groups, {"app": [2, 1], "web": [1, 1], "miniprogram": [1, 1]})
        self.assertEqual(a["groups"][0]["key"], "app")   # most entrants first
        a = self.funnel(["click", "purchase"], base, by="store", timezone="UTC")
        groups = {g["key"]: [s["users"] for s in g["steps"]] for g in a["groups"]}
        self.assertEqual(groups, {"SH01": [2, 2], "SH02": [2, 1], "": [1, 1]})
        a = self.funnel(["click", "purchase"], base, by="day", timezone="UTC")
        days = [g["key"] for g in a["groups"]]
        self.assertEqual(days, sorted(days))
        self.assertEqual([[s["users"] for s in g["steps"]] for g in a["groups"]], [[2, 2], [2, 1], [1, 1]])
        store_filter = [{"name": "click", "where": {"store": "SH02", "channel": "app"}}, "purchase"]
        self.assertEqual(self.users(self.funnel(store_filter, base)), [1, 0])

    def test_funnel_and_paths_refuse_bad_queries_and_other_roles(self):
        f = self.owner.post
        self.assertError(f("/v1/analytics/funnel", {}), 400, field="steps")
        self.assertError(f("/v1/analytics/funnel", {"steps": ["view"] * 17}), 400, field="steps")
        self.assertError(f("/v1/analytics/funnel", {"steps": ["view", 3]}), 400, field="steps[1]")
        self.assertError(f("/v1/analytics/funnel", {"steps": ["view"], "window": "7 days"}), 400, field="window")
        self.assertError(f("/v1/analytics/funnel", {"steps": ["view"], "window": 0}), 400, field="window")
        self.assertError(f("/v1/analytics/funnel", {"steps": ["view"], "by": "colour"}), 400, field="by")
        self.assertError(f("/v1/analytics/funnel", {"steps": ["view"], "from": "2026-02-01", "to": "2026-01-01"}), 400)
        self.assertError(f("/v1/analytics/funnel", {"steps": [{"name": "view", "where": {"shoe": "x"}}]}), 400)
        self.assertError(f("/v1/analytics/funnel", {"steps": [{"name": "view", "where": {"store": "NOPE"}}]}), 404)
        self.assertError(self.clerk.post("/v1/analytics/funnel", {"steps": ["view"]}), 403)
        self.assertError(self.web.get("/v1/analytics/paths?event=view"), 403)
        self.assertError(self.owner.get("/v1/analytics/paths"), 400, field="event")
        self.assertError(self.owner.get("/v1/analytics/paths?event=view&gap=soon"), 400, field="gap")
        self.assertError(self.owner.get("/v1/analytics/paths?event=view&from=someday"), 400, field="from")

    def test_dates_are_the_local_days_of_the_chain(self):
        # issue 12: a date was a UTC midnight while by=day grouped local days: a Shanghai
        # manager's first day lost its first eight hours
        early = "2019-03-04T16:30:00Z"        # 00:30 on 5 March in Shanghai
        late = "2019-03-05T15:30:00Z"         # 23:30 on 5 March in Shanghai
        for i, ts in enumerate((early, late)):
            dev = unique("local-day-")
            self.send([{"name": "tz_view", "device_id": dev, "ts": ts},
                       {"name": "tz_buy", "device_id": dev, "ts": ts[:17] + "59Z"}])
        body = {"steps": ["tz_view", "tz_buy"], "from": "2019-03-05", "to": "2019-03-06", "by": "day"}
        r = self.owner.post("/v1/analytics/funnel", body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.users(r.json), [2, 2])
        self.assertEqual([(g["key"], g["steps"][0]["users"]) for g in r.json["groups"]], [("2019-03-05", 2)])
        r = self.owner.get("/v1/analytics/paths?event=tz_view&from=2019-03-05&to=2019-03-06")
        self.assertEqual(r.json["occurrences"], 2)
        # the day before, in Shanghai, holds neither
        r = self.owner.get("/v1/analytics/paths?event=tz_view&from=2019-03-04&to=2019-03-05")
        self.assertEqual(r.json["occurrences"], 0)

    def test_paths_count_what_came_before_and_after(self):
        base = T0 + 80 * DAY
        evs = []
        def user(*pairs):
            d = unique("p-")
            evs.extend({"name": n, "device_id": d, "ts": base + t} for n, t in pairs)
        m = 60000
        user(("view", 0), ("add_to_cart", m), ("checkout", 2 * m))
        user(("search", 0), ("add_to_cart", m), ("remove_from_cart", 2 * m))
        user(("view", 0), ("add_to_cart", m), ("view", 2 * m))
        user(("add_to_cart", 0), ("checkout", 3 * 3600000))   # nothing within the gap: starts and ends there
        self.send([dict(e, name=e["name"]) if e["name"] != "search" else dict(e, query="tee") for e in evs])
        r = self.owner.get("/v1/analytics/paths?event=add_to_cart&from=%s&to=%s&gap=30m" % (iso(base),
                                                                                          iso(base + DAY)))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["occurrences"], 4)
        self.assertEqual({x["name"]: x["count"] for x in r.json["previous"]}, {"view": 2, "search": 1, "(start)": 1})
        self.assertEqual(r.json["previous"][0], {"name": "view", "count": 2, "share": 0.5})
        self.assertEqual({x["name"]: x["count"] for x in r.json["next"]},
                         {"checkout": 1, "remove_from_cart": 1, "view": 1, "(end)": 1})
        # the same through the command line, as CSV and JSON
        p = subprocess.run([BINARY, "paths", "--event", "add_to_cart", "--from", iso(base), "--to", iso(base + DAY),
                            "--gap", "30m", "--db", self.server.db, "--format", "csv"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.DictReader(p.stdout.splitlines()))
        self.assertEqual({(x["direction"], x["event"]): int(x["count"]) for x in rows},
                         {("previous", "view"): 2, ("previous", "search"): 1, ("previous", "(start)"): 1,
                          ("next", "checkout"): 1, ("next", "remove_from_cart"): 1, ("next", "view"): 1,
                          ("next", "(end)"): 1})
        p = subprocess.run([BINARY, "funnel", "view", "add_to_cart", "checkout", "--from", iso(base), "--to",
                            iso(base + DAY), "--window", "1h", "--db", self.server.db, "--format", "json"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([s["users"] for s in json.loads(p.stdout)["steps"]], [2, 2, 1])
        p = subprocess.run([BINARY, "funnel", "view", "add_to_cart", "--from", iso(base), "--to", iso(base + DAY),
                            "--db", self.server.db], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"add_to_cart\s+2\s+100\.0%")
        p = subprocess.run([BINARY, "funnel", "--db", self.server.db], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: o2o funnel", p.stderr)

    def test_the_web_snippet_is_served_and_pages_of_other_origins_may_send(self):
        r = self.anon.get("/o2o.js")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("application/javascript"))
        self.assertIn(b"/v1/events", r.raw)
        r = self.anon.request("OPTIONS", "/v1/events", headers={"Origin": "https://shop.example.com",
                                                                "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.headers["access-control-allow-origin"], "*")
        self.assertIn("Authorization", r.headers["access-control-allow-headers"])
        r = self.anon.post("/v1/events", {"events": [{"name": "view", "device_id": unique("o-")}]},
                           headers={"Origin": "https://shop.example.com"})
        self.assertEqual(r.headers.get("access-control-allow-origin"), "*")
        # other routes are not for other origins
        r = self.anon.request("OPTIONS", "/v1/members")
        self.assertEqual(r.status, 405)
        self.assertNotIn("access-control-allow-origin", r.headers)

    @unittest.skipUnless(os.path.exists(TAOBAO), "the Taobao clickstream sample is not here (set O2O_DATA_DIR)")
    def test_taobao_clickstream_import_and_its_funnel_match_the_file(self):
        rows = list(csv.reader(open(TAOBAO)))
        names = {"pv": "view", "cart": "add_to_cart", "fav": "favorite", "buy": "purchase"}
        code, out, tty = run_on_tty([BINARY, "import", "events", TAOBAO, "--db", self.server.db, "--prefix", "tb"])
        self.assertEqual(code, 0, out + tty)
        self.assertIn("import events [", tty)
        self.assertIn("100%", tty)
        m = re.search(r"imported (\d+) of (\d+) events", out)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (len(rows), len(rows)))
        counts = {}
        for r in rows:
            counts[names[r[3]]] = counts.get(names[r[3]], 0) + 1
        got = {}
        for n in counts:
            got[n] = int(self.server.scalar("SELECT COUNT(*) FROM events WHERE device_id LIKE 'tb%%' AND name = '%s'"
                                            % n))
        self.assertEqual(got, counts)
        self.assertEqual(counts, {"view": 75872, "add_to_cart": 4497, "favorite": 2356, "purchase": 1750})
        # importing it again adds nothing
        p = subprocess.run([BINARY, "import", "events", TAOBAO, "--db", self.server.db, "--prefix", "tb"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("imported 0 of %d events" % len(rows), p.stdout)
        # the funnel over the whole sample equals an independent count from the file
        steps = ["view", "add_to_cart", "purchase"]
        ref = window_funnel([(r[0], int(r[4]) * 1000, names[r[3]]) for r in rows], steps, DAY)
        lo = min(int(r[4]) for r in rows) * 1000
        hi = max(int(r[4]) for r in rows) * 1000 + 1
        a = self.funnel(steps, lo, to=iso(hi), window="1d")
        self.assertEqual(self.users(a), ref)
        self.assertGreater(ref[2], 0)
        p = subprocess.run([BINARY, "funnel"] + steps + ["--window", "1d", "--from", iso(lo), "--to", iso(hi),
                                                         "--db", self.server.db, "--format", "csv"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([int(x["users"]) for x in csv.DictReader(p.stdout.splitlines())], ref)


if __name__ == "__main__":
    unittest.main()
