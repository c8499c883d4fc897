"""GET /v1/orders, the list staff work through: filters, a search by order number,
phone or pickup code, cursor paging that neither skips nor repeats, days that are
the store's local days, and scope (a store's staff see the orders that touch their
store, a region's its stores', a member her own, a web key its channel's)."""
import datetime

from harness import ServerTest, make_chain, member_token, unique


class OrderListTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        for loc in ("SH01", "SH02", "BJ01"):
            r = cls.owner.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": loc, "kind": "receive",
                                                       "qty": 50})
            assert r.status == 201, r
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.phone = "136" + unique("")[-8:].rjust(8, "1")
        cls.member = cls.owner.post("/v1/members", {"phone": cls.phone, "name": "Sun Li"}).json
        cls.sales = {}
        for store in ("SH01", "SH02", "BJ01"):
            pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": store}).json["key"])
            r = pos.post("/v1/orders", {"lines": [{"sku": "TEE-RED-M", "qty": 1}],
                                        "tenders": [{"tender": "cash", "amount": 12900}]})
            assert r.status == 201, r
            cls.sales[store] = r.json
        r = cls.web.post("/v1/orders", {"member_id": cls.member["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                        "lines": [{"sku": "TEE-RED-M", "qty": 2}]})
        assert r.status == 201, r
        cls.pickup = r.json
        cls.mgr = {}
        for role, kind, scope in (("store_manager", "location", "SH01"), ("region_manager", "region", "EAST")):
            u = unique("lst")
            assert cls.owner.post("/v1/staff", {"username": u, "password": "list-password-1", "role": role,
                                                "scope_kind": kind, "scope": scope}).status == 201
            tok = cls.server.client().post("/v1/auth/login", {"username": u, "password": "list-password-1"}).json["token"]
            cls.mgr[scope] = cls.server.client(tok)

    def ids(self, client, query=""):
        r = client.get("/v1/orders" + query)
        self.assertEqual(r.status, 200, r)
        return [o["id"] for o in r.json["items"]]

    def test_filters(self):
        sh01, sh02, bj01, pk = (self.sales["SH01"]["id"], self.sales["SH02"]["id"], self.sales["BJ01"]["id"],
                                self.pickup["id"])
        self.assertEqual(self.ids(self.owner, "?store=SH02"), [pk, sh02])       # newest first; the pickup is there
        self.assertEqual(self.ids(self.owner, "?store=SH02&fulfilment=pickup"), [pk])
        self.assertEqual(self.ids(self.owner, "?status=placed&channel=web"), [pk])
        self.assertNotIn(pk, self.ids(self.owner, "?status=completed"))
        self.assertEqual(self.ids(self.owner, "?region=NORTH"), [bj01])
        self.assertEqual(self.ids(self.owner, "?member_id=%d" % self.member["id"]), [pk])
        got = self.owner.get("/v1/orders?store=SH01").json["items"]
        self.assertEqual([o["id"] for o in got], [sh01])
        self.assertEqual((got[0]["total"], got[0]["items"], got[0]["location"], got[0]["channel"]),
                         (12900, 1, "SH01", "pos"))

    def test_search_by_number_phone_and_pickup_code(self):
        pk = self.pickup["id"]
        self.assertEqual(self.ids(self.owner, "?q=%d" % pk), [pk])
        self.assertEqual(self.ids(self.owner, "?q=%s" % self.phone), [pk])        # as she says it, without +86
        self.assertEqual(self.ids(self.owner, "?q=99999999"), [])
        # ready for pickup: the code she shows finds it
        o = self.owner.post("/v1/orders/%d/payments" % pk, {"tenders": [
            {"tender": "bank_card", "amount": self.pickup["due"], "reference": "L1"}]}).json
        fid = o["fulfilments"][0]["id"]
        for step in ("pick", "ready"):
            self.assertEqual(self.owner.post("/v1/fulfilments/%d/%s" % (fid, step), {}).status, 200)
        code = None
        for m in self.owner.get("/v1/outbox?limit=50").json["items"]:
            if "Order %d is ready" % pk in m["payload"]:
                code = m["payload"].split("Pickup code ")[1][:6]
        self.assertIsNotNone(code)
        self.assertEqual(self.ids(self.owner, "?q=" + code), [pk])
        self.assertEqual(self.ids(self.mgr["EAST"], "?q=" + code), [pk])
        # SH01's manager: the pickup waits in SH02, not in her store
        self.assertNotIn(pk, self.ids(self.mgr["SH01"], "?q=" + code))

    def test_the_cursor_neither_skips_nor_repeats(self):
        everything = self.ids(self.owner, "?limit=200")
        seen, cursor = [], None
        while True:
            r = self.owner.get("/v1/orders?limit=2" + ("&cursor=%d" % cursor if cursor else "")).json
            seen += [o["id"] for o in r["items"]]
            cursor = r["next_cursor"]
            if cursor is None:
                break
            self.assertLessEqual(len(seen), len(everything))
        self.assertEqual(seen, everything)
        self.assertEqual(everything, sorted(everything, reverse=True))

    def test_a_day_is_the_stores_local_day(self):
        sale = self.sales["SH01"]
        at = datetime.datetime.strptime(sale["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc)
        local = at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()   # Asia/Shanghai
        r = self.owner.get("/v1/orders?store=SH01&day=%s" % local.isoformat())
        self.assertEqual(([o["id"] for o in r.json["items"]], r.json["time_zone"]), ([sale["id"]], "Asia/Shanghai"))
        for other in (local - datetime.timedelta(days=1), local + datetime.timedelta(days=1)):
            self.assertEqual(self.ids(self.owner, "?store=SH01&day=%s" % other.isoformat()), [])
        self.assertError(self.owner.get("/v1/orders?day=2026-13-01"), 400, field="day")

    def test_scope(self):
        sh01, sh02, bj01, pk = (self.sales["SH01"]["id"], self.sales["SH02"]["id"], self.sales["BJ01"]["id"],
                                self.pickup["id"])
        self.assertEqual(self.ids(self.mgr["SH01"]), [sh01])
        self.assertEqual(self.ids(self.mgr["EAST"]), [pk, sh02, sh01])
        self.assertError(self.mgr["SH01"].get("/v1/orders?store=SH02"), 403)
        self.assertError(self.mgr["EAST"].get("/v1/orders?region=NORTH"), 403)
        self.assertError(self.mgr["EAST"].get("/v1/orders?store=BJ01"), 403)
        self.assertEqual(self.ids(self.web), [pk])                                 # its channel only
        me = self.server.client(member_token(self.server, self.owner, self.phone))
        self.assertEqual(self.ids(me), [pk])
        self.assertEqual(self.ids(me, "?store=SH01"), [])
        self.assertNotIn(bj01, self.ids(self.mgr["EAST"], "?limit=200"))

    def test_bad_filters_are_400s_naming_the_field(self):
        self.assertError(self.owner.get("/v1/orders?status=lost"), 400, field="status")
        self.assertError(self.owner.get("/v1/orders?limit=0"), 400, field="limit")
        self.assertError(self.owner.get("/v1/orders?store=NOPE"), 404, field="store")
