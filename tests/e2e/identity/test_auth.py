"""Identity, roles and scopes: staff login and throttling, channel keys, member sign-in
by one-time code, and the scope rules (store, region, member-self), each proven."""
import re

from harness import OWNER_PASSWORD, ServerTest, make_chain


class AuthTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        for user, role, scope in (("mgr_sh01", "store_manager", "SH01"), ("clerk_sh01", "clerk", "SH01"),
                                  ("rm_east", "region_manager", "EAST"), ("agent", "service_agent", None)):
            body = {"username": user, "password": "password-" + user, "role": role}
            if scope:
                body["scope"] = scope
            else:
                body["scope_kind"] = "chain"
            r = cls.owner.post("/v1/staff", body)
            assert r.status == 201, r
        cls.tokens = {}
        c = cls.server.client()
        for user in ("mgr_sh01", "clerk_sh01", "rm_east", "agent"):
            r = c.post("/v1/auth/login", {"username": user, "password": "password-" + user})
            assert r.status == 200, r
            cls.tokens[user] = r.json["token"]

    def as_(self, user):
        return self.server.client(self.tokens[user])

    def test_login_returns_a_bearer_token_with_role_and_scope(self):
        r = self.server.client().post("/v1/auth/login", {"username": "owner", "password": OWNER_PASSWORD})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json["token"].startswith("o2o_s_"))
        me = self.server.client(r.json["token"]).get("/v1/me")
        self.assertEqual(me.json["role"], "owner")
        self.assertEqual(me.json["scope"], "chain")

    def test_tokens_are_stored_only_as_hashes(self):
        token = self.tokens["agent"]
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'" % token), "0")
        self.assertNotIn(token, self.server.scalar("SELECT MAX(token_hash) FROM sessions"))

    def test_wrong_password_is_401_and_repeated_failures_are_throttled(self):
        c = self.server.client()
        r = self.owner.post("/v1/staff", {"username": "victim", "password": "right-password", "role": "clerk",
                                          "scope": "SH02"})
        self.assertEqual(r.status, 201, r)
        for i in range(5):
            r = c.post("/v1/auth/login", {"username": "victim", "password": "wrong-%d" % i})
            self.assertError(r, 401, "bad_credentials")
        r = c.post("/v1/auth/login", {"username": "victim", "password": "right-password"})
        self.assertError(r, 429, "too_many_attempts")
        # unknown users are throttled the same way (no username enumeration)
        for i in range(5):
            c.post("/v1/auth/login", {"username": "nobody", "password": "x%d" % i})
        self.assertError(c.post("/v1/auth/login", {"username": "nobody", "password": "y"}), 429)

    def test_missing_bad_and_logged_out_tokens_are_401(self):
        c = self.server.client()
        self.assertError(c.get("/v1/me"), 401, "missing_token", "Authorization")
        self.assertError(c.get("/v1/me", token="o2o_s_" + "0" * 64), 401, "bad_token")
        self.assertError(c.get("/v1/me", token="garbage"), 401, "bad_token")
        r = c.post("/v1/auth/login", {"username": "agent", "password": "password-agent"})
        tok = r.json["token"]
        self.assertEqual(c.get("/v1/me", token=tok).status, 200)
        self.assertEqual(c.post("/v1/auth/logout", token=tok).status, 200)
        self.assertError(c.get("/v1/me", token=tok), 401)

    def test_roles_are_checked_by_the_route_table(self):
        clerk = self.as_("clerk_sh01")
        self.assertError(clerk.post("/v1/brands", {"code": "X", "name": "X"}), 403, "role_forbidden")
        self.assertError(clerk.post("/v1/api-keys", {"channel": "web"}), 403, "role_forbidden")
        self.assertError(self.as_("agent").post("/v1/stock/movements",
                                                {"sku": "TEE-RED-S", "location": "SH01", "kind": "receive", "qty": 1}),
                         403, "role_forbidden")

    def test_store_manager_cannot_touch_another_store(self):
        mgr = self.as_("mgr_sh01")
        r = mgr.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": "SH01", "kind": "receive", "qty": 5})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(mgr.get("/v1/stock?sku=TEE-RED-M&location=SH01").status, 200)
        before = self.server.snapshot()
        self.assertError(mgr.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": "SH02", "kind": "receive",
                                                          "qty": 5}), 403, "out_of_scope")
        self.assertError(mgr.get("/v1/stock?sku=TEE-RED-M&location=SH02"), 403, "out_of_scope")
        self.assertError(mgr.get("/v1/locations/SH02"), 403, "out_of_scope")
        self.assertError(mgr.patch("/v1/locations/SH02", {"name": "mine now"}), 403, "out_of_scope")
        self.assertError(mgr.post("/v1/staff", {"username": "sneaky", "password": "0123456789", "role": "clerk",
                                                "scope": "SH02"}), 403, "out_of_scope")
        self.assertEqual(before, self.server.snapshot())
        codes = [l["code"] for l in mgr.get("/v1/locations").json["items"]]
        self.assertEqual(codes, ["SH01"])

    def test_store_manager_cannot_create_a_manager(self):
        r = self.as_("mgr_sh01").post("/v1/staff", {"username": "peer", "password": "0123456789",
                                                    "role": "store_manager", "scope": "SH01"})
        self.assertError(r, 403, "role_forbidden", "role")
        r = self.as_("mgr_sh01").post("/v1/staff", {"username": "newclerk", "password": "0123456789",
                                                    "role": "clerk", "scope": "SH01"})
        self.assertEqual(r.status, 201, r)

    def test_region_manager_sees_her_region_only(self):
        rm = self.as_("rm_east")
        codes = sorted(l["code"] for l in rm.get("/v1/locations").json["items"])
        self.assertEqual(codes, ["SH01", "SH02", "WH1"])
        self.assertEqual(rm.get("/v1/locations/SH02").status, 200)
        self.assertError(rm.get("/v1/locations/BJ01"), 403, "out_of_scope")
        self.assertError(rm.post("/v1/locations", {"code": "BJ09", "name": "x", "kind": "store",
                                                   "region": "NORTH"}), 403, "out_of_scope")
        r = rm.post("/v1/locations", {"code": "SH09", "name": "Shanghai 9", "kind": "store", "region": "EAST"})
        self.assertEqual(r.status, 201, r)

    def test_pos_key_is_bound_to_its_store(self):
        r = self.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01", "name": "till 1"})
        self.assertEqual(r.status, 201, r)
        pos = self.server.client(r.json["key"])
        self.assertEqual(pos.get("/v1/me").json["channel"], "pos")
        self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-L", "location": "SH02", "kind": "receive", "qty": 3})
        self.assertError(pos.post("/v1/reservations", {"sku": "TEE-RED-L", "location": "SH02", "qty": 1}),
                         403, "out_of_scope")
        self.assertError(self.owner.post("/v1/api-keys", {"channel": "pos"}), 400, None, "location")
        self.assertError(self.owner.post("/v1/api-keys", {"channel": "fax"}), 400, None, "channel")

    def test_member_signs_in_with_a_one_time_code_and_sees_only_herself(self):
        c = self.server.client()
        r = c.post("/v1/auth/otp", {"phone": "138 0013 8000"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json["phone"], "+8613800138000")
        sms = self.owner.get("/v1/outbox?recipient=%2B8613800138000").json["items"]
        self.assertEqual(len(sms), 1)
        code = re.search(r"\b(\d{6})\b", sms[0]["payload"]).group(1)
        wrong = "000000" if code != "000000" else "111111"
        self.assertError(c.post("/v1/auth/otp/verify", {"phone": "+8613800138000", "code": wrong}), 401, "wrong_code")
        r = c.post("/v1/auth/otp/verify", {"phone": "+8613800138000", "code": code})
        self.assertEqual(r.status, 200, r)
        me = self.server.client(r.json["token"])
        mid = r.json["member_id"]
        self.assertEqual(me.get("/v1/members/%d" % mid).json["phone"], "+8613800138000")
        other = self.owner.post("/v1/members", {"phone": "13900139000"}).json["id"]
        self.assertError(me.get("/v1/members/%d" % other), 403, "out_of_scope")
        self.assertError(me.get("/v1/members/%d/points" % other), 403, "out_of_scope")
        self.assertError(me.post("/v1/members/%d/points/redeem" % other, {"points": 1}), 403, "out_of_scope")
        self.assertError(me.get("/v1/stock?sku=TEE-RED-S&location=SH01"), 403, "role_forbidden")
        # the code was used: a replay fails
        self.assertError(c.post("/v1/auth/otp/verify", {"phone": "+8613800138000", "code": code}), 401)

    def test_one_time_code_attempts_are_limited(self):
        c = self.server.client()
        self.assertEqual(c.post("/v1/auth/otp", {"phone": "13700137000"}).status, 202)
        sms = self.owner.get("/v1/outbox?recipient=%2B8613700137000").json["items"]
        code = re.search(r"\b(\d{6})\b", sms[0]["payload"]).group(1)
        for i in range(5):
            wrong = "%06d" % ((int(code) + 1 + i) % 1000000)
            self.assertError(c.post("/v1/auth/otp/verify", {"phone": "13700137000", "code": wrong}), 401)
        self.assertError(c.post("/v1/auth/otp/verify", {"phone": "13700137000", "code": code}), 429)
