"""GET /v1/board, the today board: today's sales and orders by hour against the
same weekday last week (days in the store's zone, pinned by as_of, never the wall
clock), orders by channel, returns, pickups to prepare, waiting and overdue,
transfers to ship and to receive, late deliveries, shelves running low; and who may
see which board."""
import datetime

from harness import ServerTest, make_chain, unique

SH = datetime.timezone(datetime.timedelta(hours=8))   # Asia/Shanghai, no daylight saving
DAY = 86400000


def ms(iso):
    return int(datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1000)


def iso(t):
    return datetime.datetime.fromtimestamp(t / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def local_day(t):
    return datetime.datetime.fromtimestamp(t / 1000, SH).date().isoformat()


class BoardTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        for sku, loc, qty in (("TEE-RED-M", "SH01", 50), ("TEE-RED-L", "SH02", 10), ("TEE-RED-M", "BJ01", 50),
                              ("TEE-RED-S", "BJ01", 3)):
            assert cls.owner.post("/v1/stock/movements", {"sku": sku, "location": loc, "kind": "receive",
                                                          "qty": qty}).status == 201
        # the till sales are Beijing 1's: nothing else in these tests sells there
        cls.pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "BJ01"}).json["key"])
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.sales = []
        for sku, qty in (("TEE-RED-M", 1), ("TEE-RED-M", 2), ("TEE-RED-S", 2)):
            r = cls.pos.post("/v1/orders", {"lines": [{"sku": sku, "qty": qty}],
                                            "tenders": [{"tender": "cash", "amount": 12900 * qty}]})
            assert r.status == 201, r
            cls.sales.append(r.json)
        cls.staff = {}
        for role, kind, scope in (("store_manager", "location", "SH01"), ("region_manager", "region", "EAST"),
                                  ("clerk", "location", "SH01")):
            u = unique("brd")
            assert cls.owner.post("/v1/staff", {"username": u, "password": "board-password-1", "role": role,
                                                "scope_kind": kind, "scope": scope}).status == 201
            tok = cls.server.client().post("/v1/auth/login", {"username": u, "password": "board-password-1"}).json
            cls.staff[role] = cls.server.client(tok["token"])

    def board(self, query="", client=None, status=200):
        r = (client or self.owner).get("/v1/board" + query)
        self.assertEqual(r.status, status, r)
        return r.json

    def test_today_against_the_same_weekday_last_week(self):
        at = max(ms(o["created_at"]) for o in self.sales) + 1000
        today = [o for o in self.sales if local_day(ms(o["created_at"])) == local_day(at)]
        b = self.board("?store=BJ01&as_of=" + iso(at))
        self.assertEqual((b["scope"]["kind"], b["scope"]["code"], b["time_zone"]), ("store", "BJ01", "Asia/Shanghai"))
        self.assertEqual(b["today"]["day"], local_day(at))
        self.assertEqual(b["today"]["orders"], len(today))
        self.assertEqual(b["today"]["sales"], sum(o["total"] for o in today))
        self.assertEqual(sum(b["today"]["hourly_sales"]), b["today"]["sales"])
        hour = datetime.datetime.fromtimestamp(ms(today[0]["created_at"]) / 1000, SH).hour
        self.assertGreater(b["today"]["hourly_orders"][hour], 0)
        self.assertEqual(len(b["today"]["hourly_sales"]), 24)
        self.assertEqual([c["channel"] for c in b["channels"]], ["pos"])
        # seven days on, these sales are last week's: the same figures, whole day and so far
        later = self.board("?store=BJ01&as_of=" + iso(at + 7 * DAY))
        self.assertEqual(later["last_week"]["day"], local_day(at))
        self.assertEqual((later["last_week"]["orders"], later["last_week"]["sales"]),
                         (b["today"]["orders"], b["today"]["sales"]))
        self.assertEqual(later["last_week"]["whole_day_sales"], sum(
            o["total"] for o in self.sales if local_day(ms(o["created_at"])) == local_day(at)))
        self.assertEqual(later["today"]["orders"], 0)
        # an hour before the first sale, last week "so far" had none of them
        first = min(ms(o["created_at"]) for o in today)
        if local_day(first - 3600000) == local_day(first):
            early = self.board("?store=BJ01&as_of=" + iso(first - 3600000 + 7 * DAY))
            self.assertEqual(early["last_week"]["orders"], 0)
            self.assertEqual(early["last_week"]["whole_day_orders"], len(today))
        # another store sold nothing
        self.assertEqual(self.board("?store=SH02&as_of=" + iso(at))["today"]["orders"], 0)

    def test_the_work_waiting(self):
        m = self.owner.post("/v1/members", {"phone": "137" + unique("")[-8:].rjust(8, "9")}).json
        def order(body):
            o = self.web.post("/v1/orders", dict(body, member_id=m["id"])).json
            r = self.owner.post("/v1/orders/%d/payments" % o["id"], {"tenders": [
                {"tender": "bank_card", "amount": o["due"], "reference": "B%d" % o["id"]}]})
            self.assertEqual(r.status, 200, r)
            return r.json
        before = self.board("?store=SH01")["work"]
        ready = order({"fulfilment": "pickup", "pickup_store": "SH01", "lines": [{"sku": "TEE-RED-M", "qty": 1}]})
        for step in ("pick", "ready"):
            self.owner.post("/v1/fulfilments/%d/%s" % (ready["fulfilments"][0]["id"], step), {})
        fresh = order({"fulfilment": "pickup", "pickup_store": "SH01", "lines": [{"sku": "TEE-RED-M", "qty": 1}]})
        moved = order({"fulfilment": "pickup", "pickup_store": "SH01", "lines": [{"sku": "TEE-RED-L", "qty": 1}]})
        home = order({"fulfilment": "delivery", "address": "9 Huaihai Rd", "lat": 31.22, "lon": 121.46,
                      "lines": [{"sku": "TEE-RED-M", "qty": 1}]})
        self.assertIn("transfer", [f["kind"] for f in moved["fulfilments"]])
        now = max(ms(o["created_at"]) for o in (ready, fresh, moved, home)) + 1000
        w = self.board("?store=SH01&as_of=" + iso(now))["work"]
        self.assertEqual(w["pickups_waiting"] - before["pickups_waiting"], 1)
        self.assertGreaterEqual(w["pickups_to_prepare"] - before["pickups_to_prepare"], 1)
        self.assertEqual(self.board("?store=SH02&as_of=" + iso(now))["work"]["transfers_to_ship"], 1)
        transfer = [f for f in moved["fulfilments"] if f["kind"] == "transfer"][0]
        for step in ("pick", "ship"):
            self.assertEqual(self.owner.post("/v1/fulfilments/%d/%s" % (transfer["id"], step), {}).status, 200)
        self.assertEqual(self.board("?store=SH01&as_of=" + iso(now))["work"]["transfers_to_receive"], 1)
        # four days on: the ready pickup's hold (3 days) is over; the delivery is late (24 h)
        w4 = self.board("?store=SH01&as_of=" + iso(now + 4 * DAY))["work"]
        self.assertEqual(w4["pickups_overdue"] - before["pickups_overdue"], 1)
        self.assertEqual(w4["pickups_waiting"], 0)
        self.assertEqual(w4["deliveries_late"], 1)
        self.assertEqual(self.board("?store=SH01&as_of=" + iso(now))["work"]["deliveries_late"], 0)

    def test_shelves_running_low(self):
        at = max(ms(o["created_at"]) for o in self.sales) + 1000
        low = self.board("?store=BJ01&as_of=" + iso(at))["low_stock"]
        self.assertIn({"sku": "TEE-RED-S", "name": "Tee", "location": "BJ01", "available": 1}, low)
        self.assertNotIn("TEE-RED-M", [x["sku"] for x in low])         # 47 left
        self.assertEqual(self.owner.patch("/v1/settings", {"board_low_stock_units": 0}).status, 200)
        try:
            self.assertEqual(self.board("?store=BJ01&as_of=" + iso(at))["low_stock"], [])
        finally:
            self.owner.patch("/v1/settings", {"board_low_stock_units": 2})

    def test_who_sees_which_board(self):
        mine = self.board(client=self.staff["store_manager"])
        self.assertEqual((mine["scope"]["kind"], mine["scope"]["code"]), ("store", "SH01"))
        self.board("?store=SH02", client=self.staff["store_manager"], status=403)
        region = self.board(client=self.staff["region_manager"])
        self.assertEqual((region["scope"]["kind"], region["scope"]["code"]), ("region", "EAST"))
        self.assertGreaterEqual(region["today"]["orders"], self.board("?store=SH01")["today"]["orders"])
        self.assertGreater(self.board("?region=NORTH")["today"]["orders"], 0)      # Beijing's till sales
        self.board("?region=NORTH", client=self.staff["region_manager"], status=403)
        self.board("?store=BJ01", client=self.staff["region_manager"], status=403)
        self.board(client=self.staff["clerk"], status=403)
        self.assertEqual(self.board()["scope"]["kind"], "chain")
        self.board("?store=SH01&region=EAST", status=400)
        self.board("?store=NOPE", status=404)
