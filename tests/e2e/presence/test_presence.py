"""In-store positioning over HTTP: zones tagged with a brand or category,
sightings stored once and bad batches refused whole, visits, dwell, routes and
hourly footfall per zone and brand (weak signals ignored), the online-to-offline
funnel (online, then in the store, then a purchase there; a stitched phone counts
as its member), and place-and-time messages held back by the per-rule and daily
caps, quiet hours, missing consent, the wrong hour or tag, and old sightings."""
import datetime
import time

from harness import ServerTest, make_chain, unique

HOUR = 3600000
MIN = 60000
SH = datetime.timezone(datetime.timedelta(hours=8))   # the stores' time zone (Asia/Shanghai)
PAST = int(datetime.datetime(2026, 6, 1, 0, 0, tzinfo=SH).timestamp() * 1000)


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class PresenceTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        o = cls.owner = cls.server.owner()
        make_chain(o)
        for code, body in (("ENT", {"name": "Entrance"}), ("TOPS", {"name": "Tops wall", "category": "tops"}),
                           ("ACME", {"name": "Acme corner", "brand": "ACME"}),
                           ("ACME2", {"name": "Acme shoes", "brand": "ACME"})):
            r = o.put("/v1/stores/SH01/zones/" + code, body)
            assert r.status == 200, r
        assert o.put("/v1/stores/SH02/zones/ENT", {}).status == 200
        cls.wifi = cls.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        cls.web = cls.server.client(o.post("/v1/api-keys", {"channel": "web"}).json["key"])
        r = o.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": "SH01", "kind": "receive", "qty": 100})
        assert r.status == 201, r

    def sight(self, sightings, status=200):
        r = self.wifi.post("/v1/presence", {"sightings": sightings})
        self.assertEqual(r.status, status, r)
        return r.json

    def member(self, consent=True):
        phone = "137" + unique("")[-8:].rjust(8, "5")
        r = self.owner.post("/v1/members", {"phone": phone, "consent_marketing": consent})
        assert r.status == 201, r
        return r.json["id"], r.json["phone"]

    def test_zones_are_listed_with_their_brand_and_category_and_checked(self):
        zones = {z["code"]: z for z in self.owner.get("/v1/stores/SH01/zones").json["zones"]}
        self.assertEqual(zones["TOPS"]["category"], "tops")
        self.assertEqual(zones["ACME"]["brand"], "ACME")
        self.assertIsNone(zones["ENT"]["brand"])
        self.assertError(self.owner.put("/v1/stores/SH01/zones/X1", {"brand": "NOPE"}), 404, "unknown_brand")
        self.assertError(self.owner.put("/v1/stores/SH01/zones/X1", {"category": 7}), 400, field="category")
        self.assertError(self.owner.put("/v1/stores/NOPE/zones/X1", {}), 404)
        self.assertError(self.wifi.put("/v1/stores/SH01/zones/X1", {}), 403)
        # a zone renamed keeps its code
        self.assertEqual(self.owner.put("/v1/stores/SH01/zones/ENT", {"name": "Main entrance"}).json["name"],
                         "Main entrance")

    def test_bad_sightings_are_refused_whole_and_resent_ones_stored_once(self):
        dev = unique("probe-")
        good = {"device_id": dev, "store": "SH01", "zone": "ENT", "rssi": -60, "ts": iso(PAST)}
        before = self.server.snapshot()
        for body, status, field in (
                ({"sightings": []}, 400, "sightings"),
                ({"sightings": [good] * 1001}, 400, "sightings"),
                ({"sightings": [good, dict(good, zone="NOPE")]}, 404, "sightings[1].zone"),
                ({"sightings": [good, dict(good, store="NOPE")]}, 404, "sightings[1].store"),
                ({"sightings": [dict(good, rssi="strong")]}, 400, "sightings[0].rssi"),
                ({"sightings": [dict(good, rssi=-500)]}, 400, "sightings[0].rssi"),
                ({"sightings": [dict(good, member_id=1)]}, 400, "sightings[0].device_id"),
                ({"sightings": [{k: v for k, v in good.items() if k != "device_id"}]}, 400, "sightings[0].device_id"),
                ({"sightings": [dict(good, source="gps")]}, 400, "sightings[0].source"),
                ({"sightings": [dict(good, ts="2999-01-01")]}, 400, "sightings[0].ts"),
                ({"sightings": [{k: v for k, v in good.items() if k != "device_id"} | {"member_id": 99999999}]},
                 404, "sightings[0].member_id")):
            self.assertError(self.wifi.post("/v1/presence", body), status, field=field)
        self.assertError(self.server.client().post("/v1/presence", {"sightings": [good]}), 401)
        self.assertEqual(self.server.snapshot(), before)
        self.assertEqual(self.sight([good, dict(good, zone="TOPS")])["stored"], 2)
        self.assertEqual(self.sight([good]), {"received": 1, "stored": 0, "duplicates": 1, "messages_sent": 0,
                                              "messages_held": 0})

    def test_visits_dwell_routes_and_footfall_per_zone_and_brand(self):
        base = PAST + 30 * 24 * HOUR + 10 * HOUR    # 10:00 in Shanghai
        a, b, c, weak = (unique("v-") for _ in range(4))
        s = []
        def seen(dev, zone, minute, rssi=-60):
            s.append({"device_id": dev, "store": "SH01", "zone": zone, "rssi": rssi, "ts": iso(base + minute * MIN),
                      "source": "beacon"})
        # a: entrance, tops for 4 minutes, the Acme corner; b: entrance, Acme corner (twice, 3 apart), Acme shoes
        for m in (0, 1):
            seen(a, "ENT", m)
        for m in (2, 4, 6):
            seen(a, "TOPS", m)
        seen(a, "ACME", 8)
        seen(b, "ENT", 0)
        seen(b, "ACME", 2)
        seen(b, "ACME", 5)
        seen(b, "ACME2", 7)
        # c comes in at 10:00 and again at 13:00 (a second visit), entrance only
        seen(c, "ENT", 0)
        seen(c, "ENT", 180)
        # a phone walking past outside: too weak to count
        seen(weak, "ENT", 30, rssi=-95)
        seen(weak, "TOPS", 31, rssi=-95)
        self.sight(s)
        r = self.owner.get("/v1/stores/SH01/presence?from=%s&to=%s" % (iso(base - HOUR), iso(base + 5 * HOUR)))
        self.assertEqual(r.status, 200, r)
        j = r.json
        zones = {z["zone"]: z for z in j["zones"]}
        self.assertEqual(j["sightings"], 12)   # the weak ones left out
        self.assertEqual((zones["ENT"]["visits"], zones["ENT"]["visitors"]), (4, 3))
        self.assertEqual((zones["TOPS"]["visits"], zones["TOPS"]["avg_dwell_min"]), (1, 4.0))
        self.assertEqual((zones["ACME"]["visits"], zones["ACME"]["visitors"], zones["ACME"]["avg_dwell_min"]),
                         (2, 2, 1.5))
        brands = {x["brand"]: x for x in j["brands"]}
        self.assertEqual(brands["ACME"]["visits"], 3)
        self.assertEqual(j["store_visits"]["visits"], 4)
        self.assertEqual(j["store_visits"]["visitors"], 3)
        routes = {x["route"]: x["count"] for x in j["routes"]}
        self.assertEqual(routes, {"ENT>TOPS>ACME": 1, "ENT>ACME>ACME2": 1, "ENT": 2})
        self.assertEqual(j["routes"][0], {"route": "ENT", "count": 2})
        hourly = {h["zone"]: h["visits_by_hour"] for h in j["hourly"]}
        self.assertEqual(hourly["ENT"][10], 3)
        self.assertEqual(hourly["ENT"][13], 1)
        self.assertEqual(sum(hourly["ENT"]), 4)
        # the store manager of another store may not look
        self.owner.post("/v1/staff", {"username": "mgr_sh02", "password": "password-mgr2", "role": "store_manager",
                                      "scope": "SH02"})
        tok = self.server.client().post("/v1/auth/login", {"username": "mgr_sh02",
                                                           "password": "password-mgr2"}).json["token"]
        self.assertError(self.server.client(tok).get("/v1/stores/SH01/presence"), 403)
        self.assertEqual(self.server.client(tok).get("/v1/stores/SH02/presence").status, 200)
        self.assertError(self.owner.get("/v1/stores/SH01/presence?from=2026-02-01&to=2026-01-01"), 400)
        self.assertError(self.owner.get("/v1/stores/SH01/presence?window=forever"), 400, field="window")

    def sale(self, member):
        r = self.wifi.post("/v1/orders", {"member_id": member, "lines": [{"sku": "TEE-RED-M", "qty": 1}],
                                          "tenders": [{"tender": "cash", "amount": 100000}]})
        self.assertEqual(r.status, 201, r)

    def test_online_to_offline_funnel_joins_online_activity_visits_and_purchases(self):
        # The sale happens at the server's clock; the sightings are placed on the same
        # store-local day before it, whatever the hour the test runs at (half-way between
        # the local midnight and now, at most two hours back).
        now = int(time.time() * 1000)
        midnight = int(datetime.datetime.fromtimestamp(now / 1000, SH).replace(
            hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)
        t_seen = now - min(2 * HOUR, (now - midnight) // 2)
        m1, m2, m3 = (self.member()[0] for _ in range(3))
        phone2 = unique("phone-")
        # all three browse online; m2's phone was stitched to her by a signed-in event
        self.web.post("/v1/events", {"events": [{"name": "view", "member_id": m, "ts": t_seen - HOUR, "item": "TEE"}
                                                for m in (m1, m2, m3)]})
        self.web.post("/v1/events", {"events": [{"name": "view", "member_id": m2, "device_id": phone2,
                                                 "ts": t_seen - HOUR}]})
        # m1 (her app) and m2 (her phone's Wi-Fi probe) come to SH01; m1 buys there
        self.sight([{"member_id": m1, "store": "SH01", "zone": "ENT", "rssi": -50, "source": "app",
                     "ts": t_seen},
                    {"device_id": phone2, "store": "SH01", "zone": "TOPS", "rssi": -70, "ts": t_seen}])
        self.sale(m1)
        r = self.owner.get("/v1/stores/SH01/presence?from=%s&to=%s" % (iso(t_seen - 2 * HOUR), iso(now + MIN)))
        self.assertEqual(r.status, 200, r)
        o2o = r.json["online_to_offline"]
        self.assertEqual((o2o["online_members"], o2o["then_visited"], o2o["then_bought"]), (3, 2, 1))
        self.assertEqual((o2o["identified_visitors"], o2o["visitors_who_bought_same_day"]), (2, 1))

    def test_place_and_time_messages_respect_caps_quiet_hours_consent_hours_and_tags(self):
        try:
            self.place_and_time()
        finally:
            self.owner.patch("/v1/settings", {"presence_visit_gap_minutes": 10, "quiet_hours": "22-8",
                                              "presence_min_rssi": -85})

    def place_and_time(self):
        o = self.owner
        self.assertEqual(o.patch("/v1/settings", {"presence_visit_gap_minutes": 1, "quiet_hours": "",
                                                  "message_daily_cap": 2}).status, 200)
        self.assertEqual(o.put("/v1/stores/SH01/zones/PROMO", {"category": "tops"}).status, 200)
        fan, fan_phone = self.member()
        shy, shy_phone = self.member(consent=False)
        stranger, stranger_phone = self.member()
        for m in (fan, shy):          # buying a tee tags them category:tops
            self.sale(m)
        self.server.settle_insight()
        rule = {"tag": "category:tops", "store": "SH01", "zone": "PROMO", "from_hour": 0, "to_hour": 24,
                "message": "New tees on the wall to your left: 20% off today"}
        self.assertEqual(o.put("/v1/presence-rules/tees-once", dict(rule, per_day=1)).status, 200)
        self.assertEqual(o.put("/v1/presence-rules/tees-often", dict(rule, per_day=5,
                                                                      message="Tees: second one half price")).status,
                         200)
        now = int(time.time() * 1000)
        def enter(member, minutes_ago):
            return self.sight([{"member_id": member, "store": "SH01", "zone": "PROMO", "rssi": -55, "source": "app",
                                "ts": int(now - minutes_ago * MIN)}])
        # four entries two minutes apart (the gap is one minute): only the first two messages go out
        results = [enter(fan, m) for m in (10, 8, 6, 4)]
        self.assertEqual([x["messages_sent"] for x in results], [2, 0, 0, 0])
        self.assertEqual([x["messages_held"] for x in results], [0, 2, 2, 2])
        # seen again within the gap: she did not enter, nothing is decided
        self.assertEqual(enter(fan, 3.5)["messages_held"], 0)
        sms = o.get("/v1/outbox?recipient=%s" % fan_phone.replace("+", "%2B")).json["items"]
        texts = sorted(m["payload"] for m in sms if "ees" in m["payload"])
        self.assertEqual(texts, ["New tees on the wall to your left: 20% off today", "Tees: second one half price"])
        rules = {r["name"]: r for r in o.get("/v1/presence-rules").json["rules"]}
        self.assertEqual((rules["tees-once"]["sent"], rules["tees-once"]["held"]), (1, 3))    # per-rule cap
        self.assertEqual((rules["tees-often"]["sent"], rules["tees-often"]["held"]), (1, 3))  # daily cap
        outcomes = self.server.scalar("SELECT COUNT(*) FROM presence_sends WHERE member_id = %d AND outcome = "
                                      "'daily_cap'" % fan)
        self.assertEqual(outcomes, "3")
        # no consent: held; no tag: no match at all; an old sighting: nothing
        self.assertEqual(enter(shy, 1)["messages_held"], 2)
        self.assertEqual(enter(stranger, 1), {"received": 1, "stored": 1, "duplicates": 0, "messages_sent": 0,
                                              "messages_held": 0})
        self.assertEqual(enter(fan, 24 * 60)["messages_held"] + enter(fan, 24 * 60)["messages_sent"], 0)
        self.assertEqual(o.get("/v1/outbox?recipient=%s" % shy_phone.replace("+", "%2B")).json["items"], [])
        # quiet hours now (in the store's time): held
        h = datetime.datetime.now(SH).hour
        self.assertEqual(o.patch("/v1/settings", {"quiet_hours": "%d-%d" % (h, (h + 1) % 24)}).status, 200)
        other, _ = self.member()
        self.sale(other)
        self.server.settle_insight()
        self.assertEqual(enter(other, 1), {"received": 1, "stored": 1, "duplicates": 0, "messages_sent": 0,
                                           "messages_held": 2})
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM presence_sends WHERE member_id = %d AND outcome = "
                                            "'quiet_hours'" % other), "2")
        # a rule for other hours does not match now
        o.patch("/v1/settings", {"quiet_hours": ""})
        self.assertEqual(o.delete("/v1/presence-rules/tees-once").status, 200)
        self.assertEqual(o.delete("/v1/presence-rules/tees-often").status, 200)
        self.assertError(o.delete("/v1/presence-rules/tees-often"), 404)
        self.assertEqual(o.put("/v1/presence-rules/later", dict(rule, from_hour=(h + 2) % 24,
                                                                 to_hour=(h + 3) % 24 or 24)).status, 200)
        late, _ = self.member()
        self.sale(late)
        self.server.settle_insight()
        self.assertEqual(enter(late, 1)["messages_held"] + enter(late, 0.5)["messages_sent"], 0)
        o.delete("/v1/presence-rules/later")
        # bad rules
        self.assertError(o.put("/v1/presence-rules/x", dict(rule, zone="NOPE")), 404, "unknown_zone")
        self.assertError(o.put("/v1/presence-rules/x", dict(rule, from_hour=5, to_hour=5)), 400)
        self.assertError(o.put("/v1/presence-rules/x", dict(rule, per_day=0)), 400, field="per_day")
        self.assertError(o.put("/v1/presence-rules/x", {k: v for k, v in rule.items() if k != "message"}), 400,
                         field="message")
        self.assertError(self.wifi.put("/v1/presence-rules/x", rule), 403)
        self.assertError(o.patch("/v1/settings", {"quiet_hours": "late"}), 400, field="quiet_hours")
        self.assertEqual(o.patch("/v1/settings", {"presence_min_rssi": -80}).status, 200)
        self.assertError(o.patch("/v1/settings", {"presence_min_rssi": 5}), 400)
        o.patch("/v1/settings", {"presence_min_rssi": -85})

    def test_the_daily_cap_holds_when_sightings_arrive_at_once(self):
        """Eight readers report her entering eight promoted zones in the same instant,
        each in its own request: the daily cap of two lets exactly two messages out."""
        import threading
        o = self.owner
        rule = {"tag": "category:tops", "store": "SH01", "from_hour": 0, "to_hour": 24, "per_day": 5}
        try:
            o.patch("/v1/settings", {"quiet_hours": "", "message_daily_cap": 2})
            for i in range(8):
                self.assertEqual(o.put("/v1/stores/SH01/zones/RUSH%d" % i, {}).status, 200)
                self.assertEqual(o.put("/v1/presence-rules/rush%d" % i, dict(rule, zone="RUSH%d" % i,
                                                                             message="rush %d" % i)).status, 200)
            her, phone = self.member()
            self.sale(her)
            self.server.settle_insight()
            now = int(time.time() * 1000)
            results, barrier = [], threading.Barrier(8)
            def reader(i):
                c = self.server.client(self.wifi.token)
                barrier.wait()
                results.append(c.post("/v1/presence", {"sightings": [{"member_id": her, "store": "SH01",
                                                                       "zone": "RUSH%d" % i, "rssi": -50,
                                                                       "source": "app", "ts": now}]}))
                c.close()
            threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual([r.status for r in results], [200] * 8)
            self.assertEqual(sum(r.json["messages_sent"] for r in results), 2)
            self.assertEqual(sum(r.json["messages_held"] for r in results), 6)
            sms = o.get("/v1/outbox?recipient=%s" % phone.replace("+", "%2B")).json["items"]
            self.assertEqual(len([m for m in sms if m["payload"].startswith("rush")]), 2)
        finally:
            for i in range(8):
                o.delete("/v1/presence-rules/rush%d" % i)
            o.patch("/v1/settings", {"quiet_hours": "22-8"})
