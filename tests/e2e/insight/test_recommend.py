"""Recommendations over HTTP: items bought together with hers (and why), her
purchases since the model was built counting at once, life stages bringing
items nobody bought yet, nothing unlaunched, nothing out of stock where she
stands, no second durable item, popular items for newcomers, what her friends
bought; buying a recommended item earns a coupon (once, announced), counted by
the attribution report up to its redemption; clear errors."""
import time

from harness import ServerTest, make_chain, member_token, unique, wait_until


class RecommendTest(ServerTest):
    server_args = ("--jobs-every", "200", "--reco-every", "3600")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        o = cls.owner = cls.server.owner()
        make_chain(o)
        cls.pos = cls.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        for code, name, parent in (("baby", "Baby", None), ("infant_formula", "Formula", "baby"),
                                   ("diapers", "Diapers", "baby"), ("bags", "Bags", None),
                                   ("accessories", "Accessories", None)):
            body = {"code": code, "name": name}
            if parent:
                body["parent"] = parent
            assert o.post("/v1/categories", body).status == 201
        future = "2099-01-01T00:00:00Z"
        for product, cat, price, launch in (("FORMULA", "infant_formula", 19900, None), ("DIAPER", "diapers", 8900, None),
                                            ("WIPES", "baby", 1900, None), ("BOTTLE", "infant_formula", 5900, None),
                                            ("STROLLER2", "baby", 99900, future), ("BAG", "bags", 500000, None),
                                            ("BAG2", "bags", 300000, None), ("SCARF", "accessories", 29900, None)):
            body = {"code": product, "name": product.title(), "category": cat}
            if launch:
                body["launch_at"] = launch
            assert o.post("/v1/products", body).status == 201, product
            assert o.post("/v1/skus", {"code": product + "-1", "product": product, "price": price}).status == 201
            for loc in ("SH01", "SH02"):
                qty = 0 if (product == "BOTTLE" and loc == "SH02") else 100
                if qty:
                    assert o.post("/v1/stock/movements", {"sku": product + "-1", "location": loc, "kind": "receive",
                                                          "qty": qty}).status == 201
        # history: parents buy formula, diapers and wipes together; fashion buyers bags and scarves
        for _ in range(3):
            cls.sale(cls, cls.new_member(cls), "FORMULA", "DIAPER", "WIPES")
        for _ in range(2):
            cls.sale(cls, cls.new_member(cls), "BAG", "SCARF")
        cls.sale(cls, cls.new_member(cls), "FORMULA", "DIAPER")
        cls.formula_only = cls.new_member(cls)
        cls.sale(cls, cls.formula_only, "FORMULA")
        cls.rebuild(cls)

    def new_member(self):
        r = self.owner.post("/v1/members", {"phone": "136" + unique("")[-8:].rjust(8, "3")})
        assert r.status == 201, r
        return r.json["id"]

    def sale(self, member, *products, coupon=None):
        body = {"member_id": member, "lines": [{"sku": p + "-1", "qty": 1} for p in products],
                "tenders": [{"tender": "cash", "amount": 100000000}]}
        if coupon:
            body["coupon"] = coupon
        r = self.pos.post("/v1/orders", body, headers={"Idempotency-Key": unique("s")})
        assert r.status == 201, r
        return r.json

    def settle(self):
        assert self.server.settle_insight(20), "the insight job did not catch up with the order feed"

    def coupons(self, member):
        return self.owner.get("/v1/members/%d/coupons" % member).json["items"]

    def rebuild(self):
        """Rebuild the model and wait until a newer one answers."""
        before = None
        r = self.owner.get("/v1/members/%d/recommendations" % self.formula_only)
        if r.status == 200:
            before = r.json["model_built_at"]
        time.sleep(0.01)
        assert self.owner.post("/v1/recommendations/rebuild", {}).status == 202
        def rebuilt():
            r = self.owner.get("/v1/members/%d/recommendations" % self.formula_only)
            return r.status == 200 and r.json["model_built_at"] != before
        wait_until(rebuilt, 30, "the model's rebuild")

    def recs(self, member, query="", status=200, limit=20, client=None):
        r = (client or self.owner).get("/v1/members/%d/recommendations?limit=%d%s" % (member, limit, query))
        self.assertEqual(r.status, status, r)
        return r.json

    def find(self, recs, product):
        for x in recs["items"]:
            if x["product"] == product:
                return x
        return None

    def test_bought_together_with_her_own_items(self):
        r = self.recs(self.formula_only, "&context=checkout")
        d = self.find(r, "DIAPER")
        self.assertIsNotNone(d, r)
        self.assertEqual(d["reason"]["code"], "bought_together")
        self.assertEqual(d["reason"]["because"], "FORMULA")
        self.assertEqual(d["reason"]["text"], "bought together with Formula")
        self.assertEqual(d["reason"]["label"], "Formula")     # what a page in another language names
        self.assertEqual((d["name"], d["price"]), ("Diaper", 8900))
        # at checkout, not what she already has; at login, she may buy it again
        self.assertIsNone(self.find(r, "FORMULA"))
        self.assertIsNotNone(self.find(self.recs(self.formula_only, "&context=login"), "FORMULA"))
        # diapers outrank the bag: nothing ties her to bags
        items = [x["product"] for x in r["items"]]
        self.assertLess(items.index("DIAPER"), items.index("BAG") if "BAG" in items else 99)
        scores = [x["score"] for x in r["items"]]
        self.assertEqual(scores, sorted(scores, reverse=True))

    def test_a_purchase_counts_before_the_next_rebuild(self):
        m = self.new_member()
        before = self.recs(m, "&context=checkout")
        self.assertTrue(all(x["reason"]["code"] == "popular" for x in before["items"]), before)
        self.sale(m, "BAG")
        after = self.recs(m, "&context=checkout")
        self.assertEqual(after["model_built_at"], before["model_built_at"])
        s = self.find(after, "SCARF")
        self.assertIsNotNone(s, after)
        self.assertEqual((s["reason"]["code"], s["reason"]["because"]), ("bought_together", "BAG"))

    def test_life_stage_brings_what_nobody_bought_and_launch_and_stock_rules_apply(self):
        self.assertEqual(self.owner.put("/v1/life-rules/new_parent", {
            "categories": ["infant_formula", "diapers"], "min_purchases": 2, "window_days": 60}).status, 200)
        m = self.new_member()
        self.sale(m, "FORMULA")
        self.sale(m, "DIAPER")
        def tags():
            return [t["tag"] for t in self.owner.get("/v1/members/%d/tags" % m).json["tags"]]
        wait_until(lambda: "life:new_parent" in tags(), 20, "the life stage new_parent")
        r = self.recs(m, "&context=checkout")
        b = self.find(r, "BOTTLE")
        self.assertIsNotNone(b, r)  # nobody ever bought a bottle
        self.assertEqual(b["reason"]["code"], "life_stage")
        self.assertEqual(b["reason"]["text"], "for new_parent")
        self.assertEqual(b["reason"]["because"], "life:new_parent")
        self.assertEqual(b["reason"]["label"], "new_parent")
        # not launched yet: never offered, however well it fits
        self.assertIsNone(self.find(r, "STROLLER2"))
        # in a store: only what that store has
        self.assertIsNotNone(self.find(self.recs(m, "&context=store&store=SH01"), "BOTTLE"))
        at_sh02 = self.recs(m, "&context=store&store=SH02")
        self.assertIsNone(self.find(at_sh02, "BOTTLE"))
        self.assertEqual(at_sh02["store"], "SH02")
        self.assertEqual(self.owner.delete("/v1/life-rules/new_parent").status, 200)

    def test_no_second_durable_item(self):
        m = self.new_member()
        self.sale(m, "SCARF")
        self.assertIsNotNone(self.find(self.recs(m, "&context=checkout"), "BAG"))
        self.assertEqual(self.owner.patch("/v1/settings", {"durable_categories": "bags"}).status, 200)
        try:
            self.sale(m, "BAG")
            r = self.recs(m, "&context=login")
            self.assertIsNone(self.find(r, "BAG2"), r)
            self.assertIsNone(self.find(r, "BAG"), r)
            self.assertIsNotNone(self.find(r, "SCARF"), r)  # not durable: again is fine
        finally:
            self.owner.patch("/v1/settings", {"durable_categories": ""})

    def test_friends_bought(self):
        friend, her = self.new_member(), self.new_member()
        self.sale(friend, "SCARF")
        r = self.owner.post("/v1/members/%d/relations" % her, {"member_id": friend, "kind": "household"},
                            headers={"Idempotency-Key": unique("rel")})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["status"], "asked")
        self.assertEqual([(x["member_id"], x["status"])
                          for x in self.owner.get("/v1/members/%d/relations" % friend).json["related"]],
                         [(her, "invited")])
        # until the friend accepts, nothing she bought is a reason shown to the one who asked
        s = self.find(self.recs(her, "&context=checkout"), "SCARF")
        self.assertTrue(s is None or s["reason"]["code"] != "friends_bought")
        phone = self.owner.get("/v1/members/%d" % friend).json["phone"]
        me = self.server.client(member_token(self.server, self.owner, phone))
        self.assertEqual(me.post("/v1/members/%d/relations/%d/accept" % (friend, her)).status, 200)
        self.assertEqual([x["status"] for x in self.owner.get("/v1/members/%d/relations" % her).json["related"]],
                         ["accepted"])
        s = self.find(self.recs(her, "&context=checkout"), "SCARF")
        self.assertIsNotNone(s)
        self.assertEqual((s["reason"]["code"], s["reason"]["because"]), ("friends_bought", "1 friend"))
        self.assertEqual(s["reason"]["text"], "your friends bought it (1 friend)")
        self.assertError(self.owner.post("/v1/members/%d/relations" % her, {"member_id": her}), 400, None, "member_id")
        self.assertError(self.owner.post("/v1/members/%d/relations" % her, {"member_id": 987654}), 404)
        self.assertError(self.owner.post("/v1/members/%d/relations" % her, {"member_id": friend, "kind": "enemy"}),
                         400, None, "kind")
        self.assertEqual(self.owner.delete("/v1/members/%d/relations/%d" % (friend, her)).status, 200)
        self.assertEqual(self.owner.get("/v1/members/%d/relations" % her).json["related"], [])
        self.assertError(self.owner.delete("/v1/members/%d/relations/%d" % (friend, her)), 404, "not_related")
        s = self.find(self.recs(her, "&context=checkout"), "SCARF")
        self.assertTrue(s is None or s["reason"]["code"] != "friends_bought")

    def her(self, member):
        """A client signed in as the member herself."""
        phone = self.owner.get("/v1/members/%d" % member).json["phone"]
        return self.server.client(member_token(self.server, self.owner, phone))

    def shown(self, member, n=1):
        """Impressions are written once a second, off the request path: wait for them."""
        def count():
            got = int(self.server.scalar("SELECT COUNT(*) FROM reco_impressions WHERE member_id = %d" % member))
            return got if got >= n else 0
        return wait_until(count, 20, "an impression for member %d" % member)

    def rewards(self, member):
        return [c for c in self.coupons(member) if c["reason"].startswith("bought a recommended item")]

    def test_buying_a_recommended_item_earns_a_coupon_once(self):
        before = self.owner.get("/v1/insight/attribution").json
        m = self.new_member()
        self.sale(m, "FORMULA")
        me = self.her(m)
        r = self.recs(m, "&context=checkout", limit=1, client=me)
        self.assertEqual([x["product"] for x in r["items"]], ["DIAPER"])
        self.shown(m)
        self.sale(m, "DIAPER")
        self.settle()
        mine = [c for c in self.coupons(m) if c["reason"].startswith("bought a recommended item")]
        self.assertEqual(len(mine), 1, self.coupons(m))
        self.assertEqual((mine[0]["kind"], mine[0]["value"]), ("percent", 20))
        sms = [x for x in self.owner.get("/v1/outbox?limit=100").json["items"] if mine[0]["code"] in x["payload"]]
        self.assertEqual(len(sms), 1)
        self.assertIn("20% off your next purchase", sms[0]["payload"])
        # an item never shown to her earns nothing; buying the shown one again neither (one reward a showing)
        self.sale(m, "BAG")
        self.sale(m, "DIAPER")
        self.settle()
        self.assertEqual(len([c for c in self.coupons(m) if c["reason"].startswith("bought a recommended")]), 1)
        # redeemed on the next purchase, anywhere
        o = self.sale(m, "WIPES", coupon=mine[0]["code"])
        self.assertEqual(o["discount"], 1900 * 20 // 100)
        after = self.owner.get("/v1/insight/attribution").json
        self.assertGreaterEqual(after["items_shown"] - before["items_shown"], 1)
        self.assertGreaterEqual(after["members_shown"] - before["members_shown"], 1)
        self.assertEqual(after["bought"] - before["bought"], 1)
        self.assertEqual(after["coupons_issued"] - before["coupons_issued"], 1)
        self.assertEqual(after["coupons_redeemed"] - before["coupons_redeemed"], 1)
        self.assertError(self.owner.get("/v1/insight/attribution?from=2026-02-01&to=2026-01-01"), 400, None, "to")
        self.assertError(self.owner.get("/v1/insight/attribution?from=soon"), 400, None, "from")
        self.assertError(self.pos.get("/v1/insight/attribution"), 403)
        me.close()

    def test_only_what_she_was_shown_herself_counts(self):
        m, other = self.new_member(), self.new_member()
        self.sale(m, "FORMULA")
        self.sale(other, "FORMULA")
        # the owner (or a clerk) looking at her list shows her nothing
        self.assertEqual([x["product"] for x in self.recs(m, "&context=checkout", limit=1)["items"]], ["DIAPER"])
        # an app (a channel key) showing it to the other one does: once hers is written, so would m's have been
        app = self.server.client(self.owner.post("/v1/api-keys", {"channel": "app"}).json["key"])
        self.assertEqual([x["product"] for x in self.recs(other, "&context=checkout", limit=1, client=app)["items"]],
                         ["DIAPER"])
        self.shown(other)
        self.assertEqual(int(self.server.scalar("SELECT COUNT(*) FROM reco_impressions WHERE member_id = %d" % m)), 0)
        self.sale(m, "DIAPER")
        self.sale(other, "DIAPER")
        self.settle()
        self.assertEqual(self.rewards(m), [])
        self.assertEqual(len(self.rewards(other)), 1)
        app.close()

    def test_a_reward_never_rewards_a_reward_and_a_return_voids_an_unused_one(self):
        m = self.new_member()
        self.sale(m, "FORMULA")
        me = self.her(m)
        self.assertEqual([x["product"] for x in self.recs(m, "&context=checkout", limit=1, client=me)["items"]],
                         ["DIAPER"])
        self.shown(m)
        self.sale(m, "DIAPER")
        self.settle()
        first = self.rewards(m)
        self.assertEqual(len(first), 1)
        # shown wipes, bought with the reward coupon: no second reward
        self.assertIn("WIPES", [x["product"] for x in self.recs(m, "&context=login", client=me)["items"]])
        self.shown(m, 2)
        self.sale(m, "WIPES", coupon=first[0]["code"])
        self.settle()
        self.assertEqual([c["code"] for c in self.rewards(m)], [first[0]["code"]])
        # a reward not used yet is void when the recommended item comes back
        n = self.new_member()
        self.sale(n, "FORMULA")
        her = self.her(n)
        self.assertEqual([x["product"] for x in self.recs(n, "&context=checkout", limit=1, client=her)["items"]],
                         ["DIAPER"])
        self.shown(n)
        o = self.sale(n, "DIAPER", "WIPES")
        self.settle()
        reward = self.rewards(n)
        self.assertEqual([c["status"] for c in reward], ["issued"])
        # the wipes coming back change nothing; the diaper does
        r = self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "SH02", "lines": [{"line": 2, "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        self.settle()
        self.assertEqual([c["status"] for c in self.rewards(n)], ["issued"])
        r = self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "SH02", "lines": [{"line": 1, "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        self.settle()
        self.assertEqual([c["status"] for c in self.rewards(n)], ["void"])
        r = self.pos.post("/v1/orders", {"member_id": n, "lines": [{"sku": "WIPES-1", "qty": 1}],
                                         "coupon": reward[0]["code"], "tenders": [{"tender": "cash", "amount": 100000}]})
        self.assertEqual(r.status // 100, 4, r)
        me.close()
        her.close()

    def test_errors(self):
        m = self.formula_only
        self.assertError(self.owner.get("/v1/members/%d/recommendations?context=lunch" % m), 400, "out_of_range",
                         "context")
        self.assertError(self.owner.get("/v1/members/%d/recommendations?context=store" % m), 400, "missing_field",
                         "store")
        self.assertError(self.owner.get("/v1/members/%d/recommendations?store=NOPE" % m), 404, "unknown_location")
        self.assertError(self.owner.get("/v1/members/987654/recommendations"), 404)
        self.assertError(self.owner.get("/v1/members/%d/recommendations?limit=0" % m), 400)
        self.assertError(self.pos.post("/v1/recommendations/rebuild", {}), 403)


class RulesApiTest(ServerTest):
    """GET /v1/insight/rules mines the paid orders (on a worker) with the CLI's semantics."""

    def test_rules_of_the_orders(self):
        import itertools
        o = self.server.owner()
        make_chain(o)
        pos = self.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        for p in ("A", "B", "C", "D"):
            assert o.post("/v1/products", {"code": p, "name": p}).status == 201
            assert o.post("/v1/skus", {"code": p + "-1", "product": p, "price": 1000}).status == 201
            assert o.post("/v1/stock/movements", {"sku": p + "-1", "location": "SH01", "kind": "receive",
                                                  "qty": 100}).status == 201
        baskets = ["AB", "ABC", "ABD", "CD", "AC", "BCD", "ABCD", "A"]
        for b in baskets:
            r = pos.post("/v1/orders", {"lines": [{"sku": x + "-1", "qty": 1} for x in b],
                                        "tenders": [{"tender": "cash", "amount": 100000}]})
            assert r.status == 201, r
        # an unpaid online order is no basket
        m = o.post("/v1/members", {"phone": "13500000099"}).json["id"]
        web = self.server.client(o.post("/v1/api-keys", {"channel": "web"}).json["key"])
        assert web.post("/v1/orders", {"member_id": m, "fulfilment": "pickup", "pickup_store": "SH01",
                                       "lines": [{"sku": "A-1", "qty": 1}, {"sku": "D-1", "qty": 1}]}).status == 201
        r = o.get("/v1/insight/rules?supp=0.25&conf=0.6&minlen=2&limit=1000")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["baskets"], 8)
        self.assertEqual(r.json["min_count"], 2)
        got = {(tuple(sorted(x["lhs"])), x["rhs"]): x["count"] for x in r.json["rules"]}
        sets = [set(b) for b in baskets]
        count = lambda s: sum(1 for b in sets if set(s) <= b)
        want = {}
        for k in (2, 3, 4):
            for s in itertools.combinations("ABCD", k):
                if count(s) < 2:
                    continue
                for rhs in s:
                    lhs = tuple(x for x in s if x != rhs)
                    if count(s) / count(lhs) >= 0.6:
                        want[(lhs, rhs)] = count(s)
        self.assertEqual(got, want)
        self.assertEqual(r.json["rules_found"], len(want))
        lifts = [x["lift"] for x in r.json["rules"]]
        self.assertEqual(lifts, sorted(lifts, reverse=True))
        self.assertEqual(len(o.get("/v1/insight/rules?supp=0.25&conf=0.6&limit=2").json["rules"]), 2)
        self.assertError(o.get("/v1/insight/rules?supp=2"), 400, None, "supp")
        self.assertError(o.get("/v1/insight/rules?minlen=3&maxlen=2"), 400, None, "maxlen")
        self.assertError(o.get("/v1/insight/rules?sort=price"), 400, None, "sort")
        self.assertEqual(o.get("/v1/insight/rules?since=2099-01-01").json["baskets"], 0)
