"""Customer insight kept up to date by the insight job: brand, category and
price-band tags on every paid order, with weights that fade with time; life-stage
rules that are data (a new rule re-evaluates the history, a deleted one takes its
tags away); profiles with channel mix, favourite store and RFM segment; a store's
core customers, in scope."""
import time

from harness import ServerTest, make_chain, unique

DAY_MS = 86400000


class InsightTest(ServerTest):
    server_args = ("--jobs-every", "200")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        o = cls.owner
        cls.pos = cls.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        cls.pos2 = cls.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH02"}).json["key"])
        for code, name, parent in (("baby", "Mother and baby", None), ("infant_formula", "Formula", "baby"),
                                   ("diapers", "Diapers", "baby"), ("bags", "Bags", None),
                                   ("handbags", "Handbags", "bags")):
            body = {"code": code, "name": name}
            if parent:
                body["parent"] = parent
            assert o.post("/v1/categories", body).status == 201
        assert o.post("/v1/brands", {"code": "LUX", "name": "Luxe"}).status == 201
        assert o.post("/v1/brands", {"code": "BABYCO", "name": "Baby Co"}).status == 201
        for product, brand, cat, price in (("BAG", "LUX", "handbags", 500000), ("FORMULA", "BABYCO", "infant_formula", 19900),
                                           ("DIAPER", "BABYCO", "diapers", 8900)):
            assert o.post("/v1/products", {"code": product, "name": product, "brand": brand, "category": cat}).status == 201
            assert o.post("/v1/skus", {"code": product + "-1", "product": product, "price": price}).status == 201
        for sku in ("BAG-1", "FORMULA-1", "DIAPER-1", "TEE-RED-M"):
            for loc in ("SH01", "SH02"):
                r = o.post("/v1/stock/movements", {"sku": sku, "location": loc, "kind": "receive", "qty": 1000})
                assert r.status == 201, r

    # ---- helpers ----
    def member(self):
        phone = "137" + unique("")[-8:].rjust(8, "5")
        r = self.owner.post("/v1/members", {"phone": phone, "name": "M" + phone[-4:]})
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def sale(self, member, *skus, client=None):
        r = (client or self.pos).post("/v1/orders", {"member_id": member, "lines": [{"sku": s, "qty": 1} for s in skus],
                                                     "tenders": [{"tender": "cash", "amount": 10000000}]},
                                      headers={"Idempotency-Key": unique("sale")})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["status"], "completed")
        return r.json

    def settle(self):
        """Wait until the insight job has read every paid order in the order feed."""
        if not self.server.settle_insight(20):
            self.fail("the insight job did not catch up with the order feed")

    def tags(self, member):
        r = self.owner.get("/v1/members/%d/tags" % member)
        self.assertEqual(r.status, 200, r)
        return {t["tag"]: t for t in r.json["tags"]}, [t["tag"] for t in r.json["tags"]]

    def wait_tag(self, member, tag, present=True):
        deadline = time.time() + 20
        while time.time() < deadline:
            if (tag in self.tags(member)[0]) == present:
                return
            time.sleep(0.05)
        self.fail("tag %s %s for member %d" % (tag, "never came" if present else "stayed", member))

    # ---- tags ----
    def test_tags_follow_purchases_and_fade(self):
        m = self.member()
        self.sale(m, "BAG-1")
        self.sale(m, "TEE-RED-M")
        self.sale(m, "TEE-RED-M", "DIAPER-1")
        self.settle()
        tags, order = self.tags(m)
        self.assertEqual(set(tags), {"brand:LUX", "category:handbags", "category:bags", "price:premium",
                                     "brand:ACME", "category:tops", "category:apparel",
                                     "brand:BABYCO", "category:diapers", "category:baby", "price:budget"})
        # two orders with the tee: weight about 2 (a few seconds of fading), among the first
        self.assertAlmostEqual(tags["brand:ACME"]["weight"], 2.0, delta=0.01)
        self.assertAlmostEqual(tags["brand:LUX"]["weight"], 1.0, delta=0.01)
        self.assertEqual(tags["brand:ACME"]["kind"], "brand")
        self.assertIn(order[0], ("brand:ACME", "category:apparel", "category:tops", "price:budget"))
        # price bands follow the settings: 129.00 is "budget" under 200.00, "mid" under 100.00
        self.assertEqual(self.owner.patch("/v1/settings", {"price_band_mid_fen": 10000}).status, 200)
        self.sale(m, "TEE-RED-M")
        self.settle()
        self.assertIn("price:mid", self.tags(m)[0])
        self.assertEqual(self.owner.patch("/v1/settings", {"price_band_mid_fen": 20000}).status, 200)
        # a tag last fed one half-life ago (90 days) weighs half
        self.server.execute("UPDATE member_tags SET updated_at = updated_at - %d WHERE member_id = %d AND tag = 'brand:LUX'"
                            % (90 * DAY_MS, m))
        tags, order = self.tags(m)
        self.assertAlmostEqual(tags["brand:LUX"]["weight"], 0.5, delta=0.01)
        self.assertEqual(order[-1], "brand:LUX")
        # a purchase now adds 1 to what is left
        self.sale(m, "BAG-1")
        self.settle()
        self.assertAlmostEqual(self.tags(m)[0]["brand:LUX"]["weight"], 1.5, delta=0.01)
        # anonymous sales tag nobody and are not in the order feed
        r = self.pos.post("/v1/orders", {"lines": [{"sku": "BAG-1", "qty": 1}],
                                         "tenders": [{"tender": "cash", "amount": 10000000}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(int(self.server.scalar("SELECT COUNT(*) FROM order_feed WHERE order_id = %d"
                                                % r.json["id"])), 0)

    # ---- life stages ----
    def test_life_stage_rules_are_data(self):
        rules = self.owner.get("/v1/life-rules").json["rules"]
        self.assertEqual(rules, [])  # a fresh chain has none (the demo chain has new_parent)
        r = self.owner.put("/v1/life-rules/new_parent", {"categories": ["infant_formula", "diapers"],
                                                          "min_purchases": 2, "window_days": 60})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["tag"], "life:new_parent")
        parent, other = self.member(), self.member()
        self.sale(parent, "FORMULA-1")
        self.sale(other, "FORMULA-1", "DIAPER-1")  # one purchase, two items: not yet
        self.settle()
        self.assertNotIn("life:new_parent", self.tags(parent)[0])
        self.assertNotIn("life:new_parent", self.tags(other)[0])
        self.sale(parent, "DIAPER-1", client=self.pos2)  # the second, in another store
        self.settle()
        self.assertIn("life:new_parent", self.tags(parent)[0])
        self.assertNotIn("life:new_parent", self.tags(other)[0])

        # a new rule needs no rebuild and applies to the history at once
        buyer = self.member()
        self.sale(buyer, "BAG-1")
        self.settle()
        r = self.owner.put("/v1/life-rules/luxury_shopper", {"categories": ["bags"], "min_purchases": 1,
                                                               "window_days": 30})
        self.assertEqual(r.status, 200, r)
        self.wait_tag(buyer, "life:luxury_shopper")
        self.assertNotIn("life:luxury_shopper", self.tags(parent)[0])
        listed = {x["name"]: x for x in self.owner.get("/v1/life-rules").json["rules"]}
        self.assertEqual(listed["luxury_shopper"]["categories"], ["bags"])
        self.assertTrue(listed["luxury_shopper"]["history_evaluated"])
        # stricter: two purchases; the history is evaluated again and the tag goes
        r = self.owner.put("/v1/life-rules/luxury_shopper", {"categories": ["bags"], "min_purchases": 2,
                                                               "window_days": 30})
        self.assertEqual(r.status, 200, r)
        self.wait_tag(buyer, "life:luxury_shopper", present=False)
        # deleting a rule takes its tags away
        self.assertEqual(self.owner.delete("/v1/life-rules/new_parent").status, 200)
        self.assertNotIn("life:new_parent", self.tags(parent)[0])
        self.assertError(self.owner.delete("/v1/life-rules/new_parent"), 404, "unknown_rule")
        # bad rules
        self.assertError(self.owner.put("/v1/life-rules/x", {"categories": ["nope"], "min_purchases": 1,
                                                              "window_days": 1}), 400, "unknown_category", "categories")
        self.assertError(self.owner.put("/v1/life-rules/x", {"categories": "bags", "min_purchases": 1,
                                                              "window_days": 1}), 400, None, "categories")
        self.assertError(self.owner.put("/v1/life-rules/x", {"categories": ["bags"], "min_purchases": 0,
                                                              "window_days": 1}), 400, None, "min_purchases")
        self.assertError(self.pos.put("/v1/life-rules/x", {"categories": ["bags"], "min_purchases": 1,
                                                            "window_days": 1}), 403)

    # ---- returns ----
    def test_what_came_back_leaves_tags_profile_and_store_spend(self):
        m = self.member()
        o = self.sale(m, "BAG-1", "DIAPER-1")
        t = self.sale(m, "TEE-RED-M")
        self.settle()
        p = self.owner.get("/v1/members/%d/profile" % m).json
        self.assertEqual((p["orders"], p["spend"]), (2, 500000 + 8900 + 12900))
        self.assertIn("brand:LUX", self.tags(m)[0])
        # the bag comes back at another store: its brand, band and spend go with it
        r = self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "SH02", "lines": [{"line": 1, "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        self.settle()
        tags = self.tags(m)[0]
        self.assertNotIn("brand:LUX", tags)
        self.assertNotIn("price:premium", tags)
        self.assertIn("brand:BABYCO", tags)
        p = self.owner.get("/v1/members/%d/profile" % m).json
        self.assertEqual((p["orders"], p["spend"], p["lifetime_value"]), (2, 8900 + 12900, 8900 + 12900))
        sh01 = {c["member_id"]: c for c in self.owner.get("/v1/stores/SH01/core-customers?limit=500").json["customers"]}
        self.assertEqual((sh01[m]["orders"], sh01[m]["spend"]), (2, 8900 + 12900))
        # the whole tee order back: it is no purchase any more
        r = self.owner.post("/v1/orders/%d/returns" % t["id"], {"location": "SH01", "lines": [{"line": 1, "qty": 1}]})
        self.assertEqual(r.json["status"], "returned", r)
        self.settle()
        self.assertNotIn("brand:ACME", self.tags(m)[0])
        p = self.owner.get("/v1/members/%d/profile" % m).json
        self.assertEqual((p["orders"], p["spend"]), (1, 8900))

    # ---- profiles and core customers ----
    def test_profile_and_core_customers(self):
        big, small = self.member(), self.member()
        self.sale(big, "BAG-1")
        self.sale(big, "TEE-RED-M")
        self.sale(big, "TEE-RED-M", client=self.pos2)
        self.sale(small, "DIAPER-1")
        self.settle()
        p = self.owner.get("/v1/members/%d/profile" % big).json
        self.assertEqual((p["orders"], p["spend"]), (3, 500000 + 12900 + 12900))
        self.assertEqual(p["channels"]["pos"], 3)
        self.assertEqual(p["channels"]["web"], 0)
        self.assertEqual(p["favourite_store"], "SH01")
        self.assertEqual(p["lifetime_value"], p["spend"])
        for k in ("recency", "frequency", "monetary"):
            self.assertIn(p["rfm"][k], range(1, 6))
        self.assertIn(p["rfm"]["segment"], ("champions", "loyal", "potential_loyalist", "new", "at_risk",
                                            "hibernating", "needs_attention"))
        self.assertGreater(p["annual_value"], p["spend"])  # a quarter's spend, counted over a year
        q = self.owner.get("/v1/members/%d/profile" % small).json
        self.assertLessEqual(q["rfm"]["monetary"], p["rfm"]["monetary"])
        self.assertError(self.owner.get("/v1/members/%d/profile" % self.member()), 404, "no_profile")

        r = self.owner.get("/v1/stores/SH01/core-customers?limit=500")
        self.assertEqual(r.status, 200, r)
        spends = [c["spend"] for c in r.json["customers"]]
        self.assertEqual(spends, sorted(spends, reverse=True))
        mine = [c for c in r.json["customers"] if c["member_id"] == big]
        self.assertEqual((mine[0]["orders"], mine[0]["spend"]), (2, 512900))
        # SH02 saw her once
        sh02 = {c["member_id"]: c for c in self.owner.get("/v1/stores/SH02/core-customers").json["customers"]}
        self.assertEqual(sh02[big]["spend"], 12900)
        # out of scope: a Beijing manager cannot list Shanghai's customers
        self.owner.post("/v1/staff", {"username": "bjinsight", "password": "0123456789", "role": "store_manager",
                                      "scope": "BJ01"})
        bj = self.server.client(self.server.client().post("/v1/auth/login", {
            "username": "bjinsight", "password": "0123456789"}).json["token"])
        self.assertError(bj.get("/v1/stores/SH01/core-customers"), 403)
        self.assertEqual(bj.get("/v1/stores/BJ01/core-customers").status, 200)
        self.assertError(self.owner.get("/v1/stores/NOPE/core-customers"), 404)
        self.assertError(self.owner.get("/v1/stores/SH01/core-customers?limit=0"), 400)
