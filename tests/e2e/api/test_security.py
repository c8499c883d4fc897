"""The outside probe's findings (issue 11), each replayed as the attack it was and
answered as it must be now, on both backends: points minted by tills, a store
manager escalating through a service agent, service agents acting chain-wide."""
import threading
import unittest

from harness import OWNER_PASSWORD, Server, ServerTest, make_chain, member_token


class SecurityTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        o = cls.owner = cls.server.owner()
        make_chain(o)
        staff = (("mgr_sh01", "store_manager", {"scope": "SH01"}), ("clerk_sh01", "clerk", {"scope": "SH01"}),
                 ("rm_east", "region_manager", {"scope": "EAST"}),
                 ("agent_east", "service_agent", {"scope_kind": "region", "scope": "EAST"}),
                 ("agent_chain", "service_agent", {"scope_kind": "chain"}))
        for user, role, scope in staff:
            r = o.post("/v1/staff", dict({"username": user, "password": "password-" + user, "role": role}, **scope))
            assert r.status == 201, r
        cls.tok = {}
        c = cls.server.client()
        for user, _, _ in staff:
            r = c.post("/v1/auth/login", {"username": user, "password": "password-" + user})
            assert r.status == 200, r
            cls.tok[user] = r.json["token"]
        cls.pos = o.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"]
        cls.web = o.post("/v1/api-keys", {"channel": "web"}).json["key"]
        cls.sh, cls.bj = (o.post("/v1/members", {"phone": p, "home_location": h}).json["id"]
                          for p, h in (("13900000101", "SH01"), ("13900000102", "BJ01")))

    def as_(self, who):
        return self.server.client(self.tok.get(who, who))

    def balance(self, member):
        return self.owner.get("/v1/members/%d/points" % member).json["balance"]

    # ---- clerks and POS keys minted points ----
    def test_tills_earn_only_by_the_rule_and_never_give_points(self):
        before = self.balance(self.sh)
        for who in ("clerk_sh01", self.pos):
            r = self.as_(who).post("/v1/members/%d/points/earn" % self.sh, {"points": 100000000})
            self.assertError(r, 403, "role_forbidden")
        self.assertEqual(self.balance(self.sh), before)
        # by the amount spent, through the earn rule, a clerk credits what the rule gives
        r = self.as_("clerk_sh01").post("/v1/members/%d/points/earn" % self.sh, {"amount": 12900})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["points"], 129)
        # a manager may give points outside the rule, to the members of her store only
        r = self.as_("mgr_sh01").post("/v1/members/%d/points/earn" % self.sh, {"points": 50, "reason": "goodwill"})
        self.assertEqual(r.status, 201, r)
        r = self.as_("mgr_sh01").post("/v1/members/%d/points/earn" % self.bj, {"points": 50})
        self.assertError(r, 403, "out_of_scope")
        r = self.as_("mgr_sh01").post("/v1/members/%d/points/adjust" % self.bj, {"points": 50, "reason": "x"})
        self.assertError(r, 403, "out_of_scope")
        self.assertEqual(self.balance(self.sh), before + 129 + 50)

    # ---- a store manager escalated through a service agent ----
    def test_who_may_create_whom(self):
        cases = (("mgr_sh01", "service_agent", {"scope": "SH01"}, 403),
                 ("mgr_sh01", "store_manager", {"scope": "SH01"}, 403),
                 ("mgr_sh01", "clerk", {"scope": "SH01"}, 201),
                 ("mgr_sh01", "clerk", {"scope": "SH02"}, 403),
                 ("rm_east", "service_agent", {"scope_kind": "region", "scope": "EAST"}, 403),
                 ("rm_east", "region_manager", {"scope": "EAST"}, 403),
                 ("rm_east", "store_manager", {"scope": "SH02"}, 201),
                 ("rm_east", "clerk", {"scope": "BJ01"}, 403),
                 ("agent_chain", "clerk", {"scope": "SH01"}, 403))
        for n, (who, role, scope, status) in enumerate(cases):
            with self.subTest(who=who, role=role, scope=scope):
                r = self.as_(who).post("/v1/staff", dict({"username": "new%d" % n, "password": "a-long-password",
                                                          "role": role}, **scope))
                self.assertEqual(r.status, status, r)
                if status == 403:
                    self.assertIn(r.error["code"], ("role_forbidden", "out_of_scope"))

    def test_service_agents_merge_and_transfer_within_their_scope(self):
        o = self.owner
        a, b, c = (o.post("/v1/members", {"phone": p, "home_location": h}).json["id"]
                   for p, h in (("13900000201", "SH01"), ("13900000202", "SH02"), ("13900000203", "BJ01")))
        o.post("/v1/members/%d/points/adjust" % c, {"points": 500, "reason": "seed"})
        east = self.as_("agent_east")
        # the region's agent may not reach a Beijing member, however she asks
        self.assertError(east.post("/v1/members/%d/merge" % a, {"merge_id": c}), 403, "out_of_scope")
        self.assertError(east.post("/v1/members/%d/merge" % c, {"merge_id": a}), 403, "out_of_scope")
        self.assertError(east.post("/v1/members/%d/points/transfer" % c, {"to_member_id": a, "points": 500}),
                         403, "out_of_scope")
        self.assertEqual(self.balance(c), 500)
        self.assertEqual(o.get("/v1/members/%d" % c).json["status"], "active")
        # within the region she may
        r = east.post("/v1/members/%d/merge" % a, {"merge_id": b})
        self.assertEqual(r.status, 200, r)
        # the chain's agent may anywhere
        r = self.as_("agent_chain").post("/v1/members/%d/points/transfer" % c, {"to_member_id": a, "points": 500})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.balance(c), 0)
        # clerks and channel keys never merge or move points between members
        self.assertError(self.as_("clerk_sh01").post("/v1/members/%d/merge" % a, {"merge_id": c}), 403)
        self.assertError(self.as_(self.web).post("/v1/members/%d/points/adjust" % a, {"points": 1, "reason": "x"}),
                         403)

    # ---- analytics were chain-wide for a store manager ----
    def test_analytics_are_scoped_like_reports(self):
        web = self.as_(self.web)
        base = 1767225600000   # 2026-01-01T00:00:00Z, pinned
        events = []
        for i, store in enumerate(("SH01", "SH01", "BJ01", "BJ01", "BJ01", None)):
            dev = "scope-dev-%d" % i
            for k, name in enumerate(("view", "add_to_cart", "purchase")):
                e = {"name": name, "device_id": dev, "ts": base + i * 60000 + k * 1000, "item": "TEE"}
                if store:
                    e["store"] = store
                events.append(e)
        r = web.post("/v1/events", {"events": events})
        self.assertEqual(r.status, 200, r)
        body = {"steps": [{"name": "view"}, {"name": "add_to_cart"}, {"name": "purchase"}], "by": "store",
                "from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}
        r = self.as_("mgr_sh01").post("/v1/analytics/funnel", body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([g["key"] for g in r.json["groups"]], ["SH01"])
        self.assertEqual(r.json["steps"][0]["users"], 2)
        r = self.owner.post("/v1/analytics/funnel", body)
        self.assertEqual(sorted(g["key"] for g in r.json["groups"]), ["", "BJ01", "SH01"])
        self.assertEqual(r.json["steps"][0]["users"], 6)
        # naming another store is refused, not answered with its figures
        r = self.as_("mgr_sh01").post("/v1/analytics/funnel", dict(body, steps=[{"name": "view", "where": {"store": "BJ01"}}]))
        self.assertError(r, 403, "out_of_scope", "steps")
        q = "/v1/analytics/paths?event=add_to_cart&from=2026-01-01&to=2026-01-02"
        r = self.as_("mgr_sh01").get(q)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["occurrences"], 2)
        self.assertEqual(self.as_("rm_east").get(q).json["occurrences"], 2)
        self.assertEqual(self.owner.get(q).json["occurrences"], 6)

    # ---- channel keys did too much ----
    def test_a_web_key_never_rings_up_a_till_sale_and_a_till_sells_at_its_own_store(self):
        o = self.owner
        self.assertEqual(o.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": "SH02", "kind": "receive",
                                                        "qty": 5}).status, 201)
        sale = {"lines": [{"sku": "TEE-RED-M", "qty": 1}], "tenders": [{"tender": "cash", "amount": 20000}],
                "fulfilment": "carry_out", "location": "SH02"}
        self.assertError(self.as_(self.web).post("/v1/orders", sale), 403, "not_a_till", "fulfilment")
        self.assertError(self.as_(self.pos).post("/v1/orders", sale), 403, "out_of_scope")
        self.assertEqual(self.stock("TEE-RED-M", "SH02"), 5)

    def stock(self, sku, loc):
        return self.owner.get("/v1/stock?sku=%s&location=%s" % (sku, loc)).json["on_hand"]

    def test_a_till_sees_a_member_and_spends_her_points_only_once_she_identified_there(self):
        o = self.owner
        phone = "13900000301"
        m = o.post("/v1/members", {"phone": phone}).json["id"]
        o.post("/v1/members/%d/points/adjust" % m, {"points": 500, "reason": "seed"})
        o.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH01", "kind": "receive", "qty": 5})
        pos = self.as_(self.pos)
        for path in ("/v1/members/%d", "/v1/members/%d/points", "/v1/members/%d/coupons",
                     "/v1/members/%d/recommendations", "/v1/members/lookup?phone=" + phone):
            with self.subTest(path=path):
                self.assertError(pos.get(path % m if "%d" in path else path), 403, "not_identified")
        self.assertError(pos.post("/v1/members/%d/points/redeem" % m, {"points": 100}), 403, "not_identified")
        sale = {"member_id": m, "lines": [{"sku": "TEE-RED-S", "qty": 1}],
                "tenders": [{"tender": "points", "points": 100}, {"tender": "cash", "amount": 20000}]}
        self.assertError(pos.post("/v1/orders", sale), 403, "not_identified")
        self.assertEqual(self.balance(m), 500)
        # her app shows her member code; the till scans it
        tok = member_token(self.server, o, phone)
        code = self.server.client(tok).get("/v1/me/member-code").json["code"]
        self.assertError(pos.post("/v1/till/identify", {"member_code": code[:-1] + ("0" if code[-1] != "0" else "1")}),
                         404, "unknown_code")
        r = pos.post("/v1/till/identify", {"member_code": code})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["member"]["id"], m)
        self.assertEqual(pos.get("/v1/members/%d/points" % m).json["balance"], 500)
        # another store's till still sees nothing of her
        other = self.as_(self.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH02"}).json["key"])
        self.assertError(other.get("/v1/members/%d" % m), 403, "not_identified")
        # the sale spends her points; after it the till's sight of her ends
        r = pos.post("/v1/orders", sale)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.balance(m), 400 + r.json["points_earned"])
        self.assertError(pos.get("/v1/members/%d" % m), 403, "not_identified")
        # a web key may not identify anyone; a wrong phone code is counted and refused
        self.assertError(self.as_(self.web).post("/v1/till/identify", {"member_code": code}), 403, "not_a_till")
        self.assertEqual(pos.post("/v1/till/identify", {"phone": phone}).status, 202)
        self.assertError(pos.post("/v1/till/identify", {"phone": phone, "code": "000000"}), 401, "wrong_code")

    # ---- a member read another member's purchases ----
    def test_a_relation_needs_the_other_members_acceptance(self):
        o = self.owner
        a_phone, b_phone = "13900000501", "13900000502"
        a = o.post("/v1/members", {"phone": a_phone}).json["id"]
        b = o.post("/v1/members", {"phone": b_phone}).json["id"]
        me = self.server.client(member_token(self.server, o, a_phone))
        r = me.post("/v1/members/%d/relations" % a, {"member_id": b})
        self.assertEqual((r.status, r.json["status"]), (201, "asked"))
        # she cannot accept in the other's name, nor can staff or a till
        self.assertError(me.post("/v1/members/%d/relations/%d/accept" % (b, a)), 403, "out_of_scope")
        self.assertError(o.post("/v1/members/%d/relations/%d/accept" % (b, a)), 403, "role_forbidden")
        self.assertError(self.as_(self.pos).post("/v1/members/%d/relations/%d/accept" % (b, a)), 403)
        self.assertEqual(o.get("/v1/members/%d/relations" % a).json["related"][0]["status"], "asked")
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM member_relations WHERE status = 'accepted' "
                                            "AND (member_id = %d OR member_id = %d)" % (a, b)), "0")
        # she accepts; either side may end it
        other = self.server.client(member_token(self.server, o, b_phone))
        self.assertEqual(other.post("/v1/members/%d/relations/%d/accept" % (b, a)).status, 200)
        self.assertEqual(o.get("/v1/members/%d/relations" % a).json["related"][0]["status"], "accepted")
        self.assertEqual(other.delete("/v1/members/%d/relations/%d" % (b, a)).status, 200)
        self.assertEqual(o.get("/v1/members/%d/relations" % a).json["related"], [])

    # ---- members bound payment identities they do not own ----
    def test_nobody_binds_a_payer_identity_on_her_word(self):
        phone = "13900000401"
        m = self.owner.post("/v1/members", {"phone": phone}).json["id"]
        me = self.server.client(member_token(self.server, self.owner, phone))
        for who in (me, self.as_(self.web), self.owner, self.as_("agent_chain")):
            for kind in ("alipay_user_id", "wechat_openid", "wechat_unionid"):
                r = who.post("/v1/members/%d/identities" % m, {"kind": kind, "value": "someone-elses-" + kind})
                self.assertError(r, 403, "unverified_identity", "kind")
        self.assertEqual(self.owner.get("/v1/members/%d" % m).json["identities"], [])
        # a store card or an e-mail address binds no payments: those stay open
        self.assertEqual(me.post("/v1/members/%d/identities" % m, {"kind": "email", "value": "me@example.com"}).status,
                         201)

    # ---- unauthenticated writes without limits ----
    def test_anonymous_events_and_codes_are_rate_limited_per_address_and_device(self):
        o = self.owner
        self.assertEqual(o.patch("/v1/settings", {"rate_events_per_minute": 3, "rate_events_device_per_minute": 2,
                                                  "rate_otp_per_minute": 4}).status, 200)
        try:
            anon = self.server.client()

            def send(device, client=None, token=None):
                h = {"X-Forwarded-For": client} if client else {}
                return anon.post("/v1/events", {"events": [{"name": "view", "device_id": device}]}, headers=h,
                                 token=token)

            got = [send("rl-dev-%d" % i, "203.0.113.77").status for i in range(4)]
            self.assertEqual(got, [200, 200, 200, 429])
            r = send("rl-dev-9", "203.0.113.77")
            self.assertError(r, 429, "rate_limited")
            self.assertGreater(int(r.headers["retry-after"]), 0)
            self.assertEqual(send("rl-dev-10", "203.0.113.78").status, 200)       # another address
            self.assertEqual(send("rl-dev-11", "203.0.113.77", token=self.web).status, 200)  # a channel key
            for i in range(10):                                                     # a trusted network
                self.assertEqual(send("rl-dev-12").status, 200)
            # one device from many addresses
            got = [send("rl-same", "198.51.100.%d" % i).status for i in range(3)]
            self.assertEqual(got, [200, 200, 429])
            # one-time codes for never-seen phones from one address: SMS pumping stops at the limit
            got = [anon.post("/v1/auth/otp", {"phone": "1380000%04d" % i},
                             headers={"X-Forwarded-For": "203.0.113.90"}).status for i in range(50)]
            self.assertEqual(got.count(202), 4, got)
            self.assertEqual(got.count(429), 46, got)
            queued = o.get("/v1/outbox?limit=200").json["items"]
            self.assertEqual(len([m for m in queued if m["recipient"].startswith("+861380000")]), 4)
        finally:
            o.patch("/v1/settings", {"rate_events_per_minute": 60, "rate_events_device_per_minute": 30,
                                     "rate_otp_per_minute": 5})


class LoginThrottleTest(unittest.TestCase):
    """Two processes on one database, clients told apart by X-Forwarded-For from the
    loopback proxy (trusted by default), the owner's password right or wrong."""

    @classmethod
    def setUpClass(cls):
        cls.a = Server()
        cls.b = Server(reuse=cls.a)
        make_chain(cls.a.owner())
        r = cls.a.owner().post("/v1/staff", {"username": "target", "password": "the-right-password",
                                             "role": "clerk", "scope": "SH01"})
        assert r.status == 201, r

    @classmethod
    def tearDownClass(cls):
        for s in (cls.b, cls.a):
            rc, log = s.stop()
            if rc != 0 or "ERROR: AddressSanitizer" in log or "runtime error:" in log:
                raise AssertionError("server exited with %d:\n%s" % (rc, log[-3000:]))

    def login(self, server, user, password, client=None):
        h = {"X-Forwarded-For": client} if client else {}
        c = server.client()
        r = c.post("/v1/auth/login", {"username": user, "password": password}, headers=h)
        c.close()
        return r

    def test_parallel_guesses_through_two_processes_do_not_pass_the_limit(self):
        results = []
        lock = threading.Lock()

        def guess(server, i):
            r = self.login(server, "target", "wrong-%d" % i, client="203.0.113.50")
            with lock:
                results.append(r.status)

        threads = [threading.Thread(target=guess, args=(self.a if i % 2 else self.b, i)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [401] * 5 + [429] * 3, results)
        r = self.login(self.a, "target", "the-right-password", client="203.0.113.50")
        self.assertEqual(r.status, 429, r)
        self.assertGreater(int(r.headers["retry-after"]), 0)
        self.assertEqual(r.error["retry_after"], int(r.headers["retry-after"]))

    def test_nobody_locks_the_owner_out(self):
        # five wrong passwords from one address lock that address only
        for i in range(5):
            self.assertEqual(self.login(self.a, "owner", "guess-%d" % i, client="198.51.100.66").status, 401)
        self.assertEqual(self.login(self.a, "owner", OWNER_PASSWORD, client="198.51.100.66").status, 429)
        self.assertEqual(self.login(self.b, "owner", OWNER_PASSWORD, client="192.0.2.10").status, 200)
        # a guesser with many addresses locks the username for the internet, not for the office
        for i in range(50):
            self.login(self.b if i % 2 else self.a, "owner", "guess", client="203.0.113.%d" % (100 + i))
        self.assertEqual(self.login(self.a, "owner", OWNER_PASSWORD, client="192.0.2.11").status, 429)
        self.assertEqual(self.login(self.a, "owner", OWNER_PASSWORD).status, 200)   # loopback: trusted network

    def test_codes_per_phone_hold_across_processes(self):
        results = []
        lock = threading.Lock()

        def ask(server):
            c = server.client()
            r = c.post("/v1/auth/otp", {"phone": "13700000999"})
            c.close()
            with lock:
                results.append(r.status)

        threads = [threading.Thread(target=ask, args=(self.a if i % 2 else self.b,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [202] * 5 + [429] * 3, results)
        sms = self.a.owner().get("/v1/outbox?recipient=%2B8613700000999").json["items"]
        self.assertEqual(len(sms), 5)
