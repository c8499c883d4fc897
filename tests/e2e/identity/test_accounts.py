"""Staff accounts and API keys as managers see them: lists within their scope, an
account deactivated (its sessions end at once, its login fails), a key revoked (it
stops working at once), what a manager may not touch; and the audit trail that
records each of these, and returns, stock corrections and settings."""
from harness import ServerTest, make_chain, unique

PW = "accounts-password-1"


class AccountsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)

    def account(self, role, kind=None, scope=None):
        u = unique(role[:5])
        body = {"username": u, "password": PW, "role": role}
        if kind:
            body["scope_kind"] = kind
        if scope:
            body["scope"] = scope
        r = self.owner.post("/v1/staff", body)
        self.assertEqual(r.status, 201, r)
        tok = self.server.client().post("/v1/auth/login", {"username": u, "password": PW}).json["token"]
        return r.json["id"], u, self.server.client(tok)

    def names(self, client, path="/v1/staff?limit=500"):
        r = client.get(path)
        self.assertEqual(r.status, 200, r)
        return {x.get("username") or x.get("name") for x in r.json["items"]}

    def test_lists_within_scope(self):
        _, sh01, mgr = self.account("store_manager", "location", "SH01")
        _, c1, _ = self.account("clerk", "location", "SH01")
        _, c2, _ = self.account("clerk", "location", "SH02")
        _, b1, _ = self.account("clerk", "location", "BJ01")
        _, east, rmgr = self.account("region_manager", "region", "EAST")
        self.assertTrue({sh01, c1} <= self.names(mgr))
        self.assertFalse({c2, b1, east} & self.names(mgr))
        self.assertTrue({sh01, c1, c2, east} <= self.names(rmgr))
        self.assertNotIn(b1, self.names(rmgr))
        self.assertTrue({sh01, c1, c2, b1, east, "owner"} <= self.names(self.owner))
        got = [x for x in self.owner.get("/v1/staff?limit=500").json["items"] if x["username"] == c1][0]
        self.assertEqual((got["role"], got["scope_kind"], got["scope"], got["active"]), ("clerk", "location", "SH01", True))
        self.assertNotIn("password_hash", got)
        _, _, clerk = self.account("clerk", "location", "SH01")
        self.assertEqual(clerk.get("/v1/staff").status, 403)

    def test_a_deactivated_account_is_signed_out_at_once(self):
        _, _, mgr = self.account("store_manager", "location", "SH01")
        cid, cname, clerk = self.account("clerk", "location", "SH01")
        other, _, _ = self.account("clerk", "location", "SH02")
        peer, _, _ = self.account("store_manager", "location", "SH01")
        self.assertEqual(clerk.get("/v1/me").status, 200)
        r = mgr.patch("/v1/staff/%d" % cid, {"active": False})
        self.assertEqual((r.status, r.json["active"]), (200, False), r)
        self.assertEqual(clerk.get("/v1/me").status, 401)
        self.assertEqual(self.server.client().post("/v1/auth/login", {"username": cname, "password": PW}).status, 401)
        self.assertError(mgr.patch("/v1/staff/%d" % other, {"active": False}), 403)      # another store's
        self.assertError(mgr.patch("/v1/staff/%d" % peer, {"active": False}), 403)       # a role she cannot grant
        me = mgr.get("/v1/me").json["id"]
        self.assertError(mgr.patch("/v1/staff/%d" % me, {"active": False}), 403, "own_account")
        self.assertEqual(mgr.patch("/v1/staff/%d" % cid, {"active": True}).status, 200)
        self.assertEqual(self.server.client().post("/v1/auth/login", {"username": cname, "password": PW}).status, 200)
        self.assertError(mgr.patch("/v1/staff/999999", {"active": False}), 404)

    def test_keys_listed_in_scope_and_revoked_at_once(self):
        pos = self.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01", "name": "till 1"}).json
        pos2 = self.owner.post("/v1/api-keys", {"channel": "pos", "location": "BJ01", "name": "till B"}).json
        web = self.owner.post("/v1/api-keys", {"channel": "web", "name": "shop"}).json
        _, _, mgr = self.account("store_manager", "location", "SH01")
        mine = {k["id"] for k in mgr.get("/v1/api-keys?limit=500").json["items"]}
        self.assertIn(pos["id"], mine)
        self.assertFalse({pos2["id"], web["id"]} & mine)
        listed = [k for k in self.owner.get("/v1/api-keys?limit=500").json["items"] if k["id"] == pos["id"]][0]
        self.assertEqual((listed["name"], listed["location"], listed["active"]), ("till 1", "SH01", True))
        self.assertTrue(pos["key"].startswith(listed["prefix"]))
        self.assertNotIn("key", listed)                                   # shown once, at creation
        till = self.server.client(pos["key"])
        self.assertEqual(till.get("/v1/me").status, 200)
        self.assertError(mgr.delete("/v1/api-keys/%d" % pos["id"]), 403)
        r = self.owner.delete("/v1/api-keys/%d" % pos["id"])
        self.assertEqual((r.status, r.json["active"]), (200, False))
        self.assertEqual(till.get("/v1/me").status, 401)

    def test_the_audit_trail(self):
        cid, _, _ = self.account("clerk", "location", "SH02")
        self.owner.patch("/v1/staff/%d" % cid, {"active": False})
        key = self.owner.post("/v1/api-keys", {"channel": "web", "name": "audited"}).json
        self.owner.delete("/v1/api-keys/%d" % key["id"])
        self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": "SH02", "kind": "receive", "qty": 5})
        self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": "SH02", "kind": "adjust", "qty": -1,
                                                "reason": "stolen"})
        self.owner.patch("/v1/settings", {"return_window_days": 30})
        till = self.server.client(self.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH02"}).json["key"])
        sale = till.post("/v1/orders", {"lines": [{"sku": "TEE-RED-M", "qty": 1}],
                                        "tenders": [{"tender": "cash", "amount": 12900}]}).json
        r = till.post("/v1/orders/%d/returns" % sale["id"], {"lines": [{"line": 1, "qty": 1}], "reason": "too big"})
        self.assertEqual(r.status, 201, r)
        items = self.owner.get("/v1/audit?limit=500").json["items"]
        actions = [x["action"] for x in items]
        for a in ("staff.create", "staff.deactivate", "key.create", "key.revoke", "stock.adjust", "settings.change",
                  "order.return"):
            self.assertIn(a, actions)
        self.assertEqual(items, sorted(items, key=lambda x: -x["id"]))          # newest first
        adj = [x for x in items if x["action"] == "stock.adjust"][0]
        self.assertEqual((adj["subject"], adj["detail"], adj["actor"]), ("stock:TEE-RED-M@SH02", "-1: stolen", "staff:1"))
        ret = [x for x in items if x["action"] == "order.return"][0]
        self.assertEqual(ret["subject"], "order:%d" % sale["id"])
        self.assertIn("12900 fen refunded", ret["detail"])
        keys = {x["action"] for x in self.owner.get("/v1/audit?action=key").json["items"]}
        self.assertEqual(keys, {"key.create", "key.revoke"})
        self.assertEqual({x["action"] for x in self.owner.get("/v1/audit?action=key.revoke").json["items"]},
                         {"key.revoke"})
        page = self.owner.get("/v1/audit?limit=2").json
        nxt = self.owner.get("/v1/audit?limit=2&cursor=%d" % page["next_cursor"]).json
        self.assertEqual([x["id"] for x in page["items"] + nxt["items"]], [x["id"] for x in items[:4]])
        _, _, mgr = self.account("store_manager", "location", "SH01")
        self.assertEqual(mgr.get("/v1/audit").status, 403)
