"""Members (one identity across channels, merge, consents, tiers) and the points
ledger (earn anywhere, spend anywhere, never negative, expiry oldest-first,
transfers, adjustments), including 64 concurrent redemptions."""
import threading

from harness import ServerTest, make_chain, wait_until


class MembersPointsTest(ServerTest):
    server_args = ("--jobs-every", "300")   # the tier passes run soon after a change
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        r = cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"})
        cls.pos = cls.server.client(r.json["key"])
        r = cls.owner.post("/v1/api-keys", {"channel": "web"})
        cls.web = cls.server.client(r.json["key"])
        r = cls.owner.post("/v1/api-keys", {"channel": "app"})
        cls.app = cls.server.client(r.json["key"])   # the chain's app: binds WeChat/Alipay after their sign-in

    def member(self, phone, **extra):
        body = {"phone": phone}
        body.update(extra)
        r = self.owner.post("/v1/members", body)
        self.assertEqual(r.status, 201, r)
        return r.json

    def test_phone_is_normalised_and_unique(self):
        m = self.member("+86 135-0000-0001", name="Li Na")
        self.assertEqual(m["phone"], "+8613500000001")
        for same in ("13500000001", "0086 135 0000 0001", "(135) 0000-0001"):
            self.assertError(self.owner.post("/v1/members", {"phone": same}), 409, "phone_taken", "phone")
        for bad in ("12345", "2350000000x", "+86 235 0000 0001", ""):
            self.assertError(self.owner.post("/v1/members", {"phone": bad}), 400, None, "phone")
        r = self.owner.get("/v1/members/lookup?phone=135%200000%200001")
        self.assertEqual(r.json["id"], m["id"])

    def test_pos_registration_sets_the_home_store(self):
        r = self.pos.post("/v1/members", {"phone": "13500000002"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["home_location"], "SH01")

    def test_identities_link_to_one_member_and_lookup_finds_her(self):
        m = self.member("13500000003")
        r = self.app.post("/v1/members/%d/identities" % m["id"], {"kind": "wechat_openid", "value": "oX1"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.app.post("/v1/members/%d/identities" % m["id"],
                                       {"kind": "wechat_openid", "value": "oX1"}).status, 201)  # idempotent link
        other = self.member("13500000004")
        self.assertError(self.app.post("/v1/members/%d/identities" % other["id"],
                                       {"kind": "wechat_openid", "value": "oX1"}), 409, "identity_taken", "value")
        self.assertEqual(self.web.post("/v1/members/%d/identities" % other["id"],
                                       {"kind": "email", "value": "b@chain.example"}).status, 201)
        self.assertError(self.web.post("/v1/members/%d/identities" % other["id"],
                                       {"kind": "myspace", "value": "z"}), 400, None, "kind")
        r = self.owner.get("/v1/members/lookup?kind=wechat_openid&value=oX1")
        self.assertEqual(r.json["id"], m["id"])
        self.assertEqual(r.json["identities"], [{"kind": "wechat_openid", "value": "oX1",
                                                 "linked_at": r.json["identities"][0]["linked_at"]}])
        self.assertError(self.pos.get("/v1/members/lookup?kind=email&value=none@x"), 404, "unknown_member")

    def test_consents_change_and_stay(self):
        m = self.member("13500000005")
        self.assertFalse(m["consent"]["marketing"])
        r = self.web.patch("/v1/members/%d" % m["id"], {"consent_marketing": True, "name": "Wang Fang"})
        self.assertEqual(r.status, 200, r)
        r = self.web.get("/v1/members/%d" % m["id"])
        self.assertTrue(r.json["consent"]["marketing"])
        self.assertFalse(r.json["consent"]["sms"])
        self.assertEqual(r.json["name"], "Wang Fang")

    def test_points_earned_at_the_till_are_spent_online(self):
        m = self.member("13500000006")
        r = self.pos.post("/v1/members/%d/points/earn" % m["id"], {"amount": 25990, "ref": "R1"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["points"], 259)  # 1 point per whole CNY
        self.assertEqual(r.json["channel"], "pos")
        r = self.web.post("/v1/members/%d/points/redeem" % m["id"], {"points": 200})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["balance"], 59)
        self.assertEqual(r.json["channel"], "web")
        self.assertError(self.web.post("/v1/members/%d/points/redeem" % m["id"], {"points": 60}), 409,
                         "insufficient_points", "points")
        self.assertError(self.owner.post("/v1/members/%d/points/earn" % m["id"], {"points": 1, "channel": "fax"}),
                         400, None, "channel")
        p = self.web.get("/v1/members/%d/points" % m["id"]).json
        self.assertEqual(p["balance"], 59)
        self.assertEqual([e["kind"] for e in p["items"]], ["redeem", "earn"])
        self.assertEqual(self.server.scalar("SELECT SUM(points) FROM point_entries WHERE member_id = %d" % m["id"]), "59")

    def test_earn_rule_and_tier_multiplier_are_configurable(self):
        m = self.member("13500000007")
        self.assertEqual(self.owner.patch("/v1/settings", {"points_per_yuan": 2}).status, 200)
        try:
            r = self.pos.post("/v1/members/%d/points/earn" % m["id"], {"amount": 10000})
            self.assertEqual(r.json["points"], 200)
            # 5,000 CNY within 12 months reaches silver (x1.25 from the next purchase)
            self.pos.post("/v1/members/%d/points/earn" % m["id"], {"amount": 490000})
            self.assertEqual(self.web.get("/v1/members/%d" % m["id"]).json["tier"], "silver")
            r = self.pos.post("/v1/members/%d/points/earn" % m["id"], {"amount": 10000})
            self.assertEqual(r.json["points"], 250)
        finally:
            self.owner.patch("/v1/settings", {"points_per_yuan": 1})
        self.assertError(self.owner.patch("/v1/settings", {"points_per_yuan": -1}), 400, "out_of_range",
                         "points_per_yuan")
        self.assertError(self.owner.patch("/v1/settings", {"nonsense": 1}), 400, "unknown_setting", "nonsense")
        r = self.owner.request("PUT", "/v1/tiers/vip", {"min_spend_12m": 100000000, "earn_pct": 300})
        self.assertEqual(r.status, 200, r)
        self.assertIn("vip", [t["code"] for t in self.web.get("/v1/tiers").json["items"]])

    def wait_tier(self, member_id, tier, timeout=30):
        """Her tier once the tier pass has given it (the jobs run in the background)."""
        return wait_until(lambda: self.owner.get("/v1/members/%d" % member_id).json["tier"] == tier and tier,
                          timeout, "member %d in tier %s" % (member_id, tier))

    def test_tiers_follow_a_threshold_change_and_the_year_that_passes(self):
        # issue 12: tiers were recomputed only at a member's next purchase
        m = self.member("13500000017")
        self.pos.post("/v1/members/%d/points/earn" % m["id"], {"amount": 600000})
        self.assertEqual(self.owner.get("/v1/members/%d" % m["id"]).json["tier"], "silver")
        try:
            r = self.owner.request("PUT", "/v1/tiers/silver", {"min_spend_12m": 700000, "earn_pct": 125})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(self.wait_tier(m["id"], "standard"), "standard")    # without a purchase
        finally:
            self.owner.request("PUT", "/v1/tiers/silver", {"min_spend_12m": 500000, "earn_pct": 125})
        self.assertEqual(self.wait_tier(m["id"], "silver"), "silver")
        # a year later her spend has left the 12-month window: the daily pass takes the tier back
        self.server.execute("UPDATE point_entries SET created_at = created_at - %d WHERE member_id = %d"
                            % (400 * 86400000, m["id"]))
        self.server.execute("UPDATE tier_sweep SET pass_started = pass_started - %d" % (2 * 86400000))
        self.assertEqual(self.wait_tier(m["id"], "standard"), "standard")

    def test_retried_earn_with_the_same_key_counts_once(self):
        m = self.member("13500000008")
        for _ in range(3):
            r = self.pos.post("/v1/members/%d/points/earn" % m["id"], {"amount": 5000},
                              headers={"Idempotency-Key": "till-7-sale-1"})
            self.assertEqual(r.status, 201, r)
        self.assertEqual(self.web.get("/v1/members/%d/points" % m["id"]).json["balance"], 50)
        self.assertEqual(len(self.web.get("/v1/members/%d/points" % m["id"]).json["items"]), 1)
        self.assertError(self.pos.post("/v1/members/%d/points/earn" % m["id"], {"amount": 9999},
                                       headers={"Idempotency-Key": "till-7-sale-1"}), 422, "idempotency_key_reused")

    def test_adjustments_need_a_reason_and_are_audited(self):
        m = self.member("13500000009")
        self.assertError(self.owner.post("/v1/members/%d/points/adjust" % m["id"], {"points": 10}), 400,
                         "missing_field", "reason")
        r = self.owner.post("/v1/members/%d/points/adjust" % m["id"], {"points": 100, "reason": "goodwill"})
        self.assertEqual(r.status, 201, r)
        r = self.owner.post("/v1/members/%d/points/adjust" % m["id"], {"points": -30, "reason": "correction"})
        self.assertEqual(r.json["balance"], 70)
        self.assertError(self.owner.post("/v1/members/%d/points/adjust" % m["id"],
                                         {"points": -71, "reason": "too much"}), 409, "insufficient_points")
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'points.adjust' "
                                            "AND subject = 'member:%d'" % m["id"]), "2")

    def test_transfer_moves_points_between_members(self):
        a = self.member("13500000010")
        b = self.member("13500000011")
        self.owner.post("/v1/members/%d/points/earn" % a["id"], {"points": 80})
        r = self.owner.post("/v1/members/%d/points/transfer" % a["id"], {"points": 30, "to_phone": "13500000011"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.web.get("/v1/members/%d/points" % a["id"]).json["balance"], 50)
        self.assertEqual(self.web.get("/v1/members/%d/points" % b["id"]).json["balance"], 30)
        self.assertError(self.owner.post("/v1/members/%d/points/transfer" % a["id"],
                                         {"points": 51, "to_member_id": b["id"]}), 409, "insufficient_points")
        self.assertError(self.owner.post("/v1/members/%d/points/transfer" % a["id"],
                                         {"points": 1, "to_phone": "13599999999"}), 404, "unknown_member", "to_phone")

    def test_points_expire_oldest_first(self):
        m = self.member("13500000012")
        self.owner.patch("/v1/settings", {"points_expiry_months": 24})
        self.owner.post("/v1/members/%d/points/earn" % m["id"], {"points": 100})   # lot A: 24 months
        self.owner.patch("/v1/settings", {"points_expiry_months": 6})
        self.owner.post("/v1/members/%d/points/earn" % m["id"], {"points": 50})    # lot B: 6 months, expires first
        self.owner.patch("/v1/settings", {"points_expiry_months": 24})
        self.web.post("/v1/members/%d/points/redeem" % m["id"], {"points": 30})  # taken from lot B
        r = self.owner.post("/v1/points/expire", {"as_of": "2099-01-01T00:00:00Z"})
        self.assertEqual(r.status, 200, r)
        r = self.owner.post("/v1/points/expire", {})
        p = self.web.get("/v1/members/%d/points" % m["id"]).json
        self.assertEqual(p["balance"], 0)
        expired = sorted(-e["points"] for e in p["items"] if e["kind"] == "expire")
        self.assertEqual(expired, [20, 100])

    def test_points_expire_only_when_due(self):
        m = self.member("13500000013")
        self.owner.post("/v1/members/%d/points/earn" % m["id"], {"points": 40})
        self.owner.post("/v1/points/expire", {})
        self.assertEqual(self.web.get("/v1/members/%d/points" % m["id"]).json["balance"], 40)

    def test_merge_moves_identities_points_and_history(self):
        a = self.member("13500000014")
        b = self.member("13500000015")
        self.app.post("/v1/members/%d/identities" % b["id"], {"kind": "alipay_user_id", "value": "2088x"})
        self.owner.post("/v1/members/%d/points/earn" % a["id"], {"points": 10})
        self.owner.post("/v1/members/%d/points/earn" % b["id"], {"points": 25}, headers={"Idempotency-Key": "k-b"})
        r = self.owner.post("/v1/members/%d/merge" % a["id"], {"merge_id": b["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["points"], 35)
        gone = self.web.get("/v1/members/%d" % b["id"]).json
        self.assertEqual(gone["status"], "merged")
        self.assertEqual(gone["merged_into"], a["id"])
        self.assertEqual(self.owner.get("/v1/members/lookup?phone=13500000015").json["id"], a["id"])
        self.assertEqual(self.owner.get("/v1/members/lookup?kind=alipay_user_id&value=2088x").json["id"], a["id"])
        self.assertEqual(self.server.scalar("SELECT SUM(points) FROM point_entries WHERE member_id = %d" % a["id"]), "35")
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'member.merge'"), "1")
        self.assertError(self.owner.post("/v1/members/%d/merge" % a["id"], {"merge_id": b["id"]}), 409, "member_merged")
        self.assertError(self.owner.post("/v1/members/%d/merge" % a["id"], {"merge_id": a["id"]}), 400, None, "merge_id")
        self.assertError(self.web.post("/v1/members/%d/points/earn" % b["id"], {"amount": 100}), 409, "member_merged")

    def test_merge_moves_orders_profile_tags_and_relations(self):
        # issue 12: the merged member's orders, profile, tags and relations stayed behind
        o = self.owner
        a, b, c = (self.member(p) for p in ("13500000021", "13500000022", "13500000023"))
        o.post("/v1/stock/movements", {"sku": "TEE-RED-L", "location": "SH01", "kind": "receive", "qty": 10})
        sale = o.post("/v1/orders", {"member_id": b["id"], "location": "SH01", "lines": [{"sku": "TEE-RED-L",
                      "qty": 1}], "tenders": [{"tender": "cash", "amount": 20000}]})
        self.assertEqual(sale.status, 201, sale)
        for asker, other in ((a, b), (b, c)):     # a and b were friends, b and c too
            self.assertEqual(o.post("/v1/members/%d/relations" % asker["id"], {"member_id": other["id"]}).status, 201)
            self.assertEqual(self.app.post("/v1/members/%d/relations/%d/accept" % (other["id"], asker["id"])).status,
                             200)
        self.server.settle_insight()
        self.assertEqual(o.get("/v1/members/%d/profile" % b["id"]).json["orders"], 1)
        r = o.post("/v1/members/%d/merge" % a["id"], {"merge_id": b["id"]})
        self.assertEqual(r.status, 200, r)
        self.server.settle_insight()
        self.assertEqual(o.get("/v1/orders/%d" % sale.json["id"]).json["member_id"], a["id"])
        self.assertEqual(o.get("/v1/members/%d/profile" % a["id"]).json["orders"], 1)
        self.assertIn("category:tops", [t["tag"] for t in o.get("/v1/members/%d/tags" % a["id"]).json["tags"]])
        rel = o.get("/v1/members/%d/relations" % a["id"]).json["related"]
        self.assertEqual([(x["member_id"], x["status"]) for x in rel], [(c["id"], "accepted")])  # not herself
        self.assertEqual([x["member_id"] for x in o.get("/v1/members/%d/relations" % c["id"]).json["related"]],
                         [a["id"]])
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM member_relations WHERE member_id = %d OR "
                                            "other_id = %d" % (b["id"], b["id"])), "0")

    def test_64_concurrent_redemptions_never_overdraw(self):
        m = self.member("13500000016")
        self.owner.post("/v1/members/%d/points/earn" % m["id"], {"points": 100})
        results = []
        lock = threading.Lock()
        token = self.web.token

        def worker(i):
            c = self.server.client(token)
            r = c.post("/v1/members/%d/points/redeem" % m["id"], {"points": 10},
                       headers={"Idempotency-Key": "redeem-%d" % i})
            c.close()
            with lock:
                results.append(r.status)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results.count(201), 10, results)
        self.assertEqual(results.count(409), 54, results)
        p = self.web.get("/v1/members/%d/points" % m["id"]).json
        self.assertEqual(p["balance"], 0)
        self.assertEqual(self.server.scalar("SELECT SUM(points) FROM point_entries WHERE member_id = %d" % m["id"]), "0")
