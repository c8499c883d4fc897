"""Orders in every channel: till sales with split tenders, online pickup and
delivery routed to any stock point, the fulfilment state machines (illegal steps
are 409s), pickup codes, transfers, re-routing after a store rejects, cancellation
and refunds to the original tenders, returns in any store, expiry jobs, coupons,
scope, long-polling the timeline, and 200 clients buying 100 units of a hot SKU."""
import datetime
import json
import os
import re
import tempfile
import threading
import time

from harness import ServerTest, make_chain, till_identify, unique


class OrdersTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        # sf: a courier the chain ships with, not integrated (docs/carriers.md)
        cls.dir = tempfile.mkdtemp(prefix="o2o-orders-")
        with open(os.path.join(cls.dir, "carriers.json"), "w") as f:
            json.dump({"sf": {"tracking": False}}, f)
        cls.server_args = ("--carriers", os.path.join(cls.dir, "carriers.json"))
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.owner.post("/v1/products", {"code": "CAP", "name": "Cap", "brand": "ACME", "category": "apparel"})
        for code in ("CAP-1", "CAP-2", "CAP-3", "CAP-4", "CAP-5", "CAP-6"):
            assert cls.owner.post("/v1/skus", {"code": code, "product": "CAP", "price": 5000}).status == 201

    # ---- helpers ----
    def receive(self, sku, loc, qty):
        r = self.owner.post("/v1/stock/movements", {"sku": sku, "location": loc, "kind": "receive", "qty": qty})
        self.assertEqual(r.status, 201, r)

    def stock(self, sku, loc):
        return self.owner.get("/v1/stock?sku=%s&location=%s" % (sku, loc)).json

    def journal_matches(self, sku, loc):
        on_hand = self.server.scalar(
            "SELECT s.on_hand FROM stock s JOIN skus k ON k.id = s.sku_id JOIN locations l ON l.id = s.location_id "
            "WHERE k.code = '%s' AND l.code = '%s'" % (sku, loc))
        total = self.server.scalar(
            "SELECT COALESCE(SUM(m.qty), 0) FROM stock_movements m JOIN skus k ON k.id = m.sku_id "
            "JOIN locations l ON l.id = m.location_id WHERE k.code = '%s' AND l.code = '%s'" % (sku, loc))
        self.assertEqual(on_hand, total)
        return int(on_hand)

    def member(self, points=0):
        phone = "139%08d" % (int(time.time() * 1000) % 100000000)
        phone = phone[:3] + unique("")[-8:].rjust(8, "7")
        r = self.owner.post("/v1/members", {"phone": phone})
        self.assertEqual(r.status, 201, r)
        if points:
            self.owner.post("/v1/members/%d/points/adjust" % r.json["id"], {"points": points, "reason": "test"})
        return r.json

    def kinds(self, order):
        return [e["kind"] for e in order["timeline"]]

    def ful(self, order, kind=None, location=None):
        for f in order["fulfilments"]:
            if (kind is None or f["kind"] == kind) and (location is None or f["location"] == location) \
                    and f["status"] not in ("rejected", "cancelled"):
                return f
        self.fail("no %s fulfilment at %s in %s" % (kind, location, order["fulfilments"]))

    def step(self, fid, action, body=None, client=None, status=200):
        r = (client or self.owner).post("/v1/fulfilments/%d/%s" % (fid, action), body or {})
        self.assertEqual(r.status, status, r)
        return r.json

    def pickup_code(self, order_id):
        items = self.owner.get("/v1/outbox?limit=50").json["items"]
        for m in items:
            if "Order %d is ready" % order_id in m["payload"]:
                return m["payload"].split("Pickup code ")[1][:6]
        self.fail("no pickup code sent for order %d" % order_id)

    def pay_online(self, order, client=None):
        """A service-desk card payment (gateways have their own tests)."""
        r = (client or self.owner).post("/v1/orders/%d/payments" % order["id"],
                                        {"tenders": [{"tender": "bank_card", "amount": order["due"],
                                                      "reference": "T" + str(order["id"])}]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "paid", r)
        return r.json

    # ---- till sales ----
    def test_till_sale_with_cash_change_earns_points_and_takes_stock(self):
        self.receive("CAP-1", "SH01", 10)
        before = self.stock("CAP-1", "SH01")["on_hand"]
        m = self.member()
        r = self.pos.post("/v1/orders", {"member_id": m["id"], "lines": [{"sku": "CAP-1", "qty": 2}],
                                         "tenders": [{"tender": "cash", "amount": 10500}]},
                          headers={"Idempotency-Key": unique("till")})
        self.assertEqual(r.status, 201, r)
        o = r.json
        self.assertEqual((o["channel"], o["fulfilment"], o["location"]), ("pos", "carry_out", "SH01"))
        self.assertEqual((o["total"], o["paid"], o["status"]), (10000, 10000, "completed"))
        self.assertEqual(o["payments"][0]["amount"], 10000)
        self.assertIn("change 5.00", [e["detail"] for e in o["timeline"] if e["kind"] == "payment"][0])
        self.assertEqual(self.kinds(o), ["placed", "allocated", "payment", "paid", "points_earned", "handed_over",
                                         "completed"])
        self.assertEqual(o["points_earned"], 100)
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 100)
        st = self.stock("CAP-1", "SH01")
        self.assertEqual((st["on_hand"], st["reserved"]), (before - 2, 0))
        self.assertEqual(self.journal_matches("CAP-1", "SH01"), before - 2)

    def test_pos_retrying_three_times_creates_one_order(self):
        self.receive("CAP-2", "SH01", 5)
        key = unique("retry")
        body = {"lines": [{"sku": "CAP-2", "qty": 1}], "tenders": [{"tender": "cash", "amount": 5000}]}
        answers = [self.pos.post("/v1/orders", body, headers={"Idempotency-Key": key}) for _ in range(3)]
        self.assertEqual([a.status for a in answers], [201, 201, 201])
        self.assertEqual(len({a.json["id"] for a in answers}), 1)
        self.assertEqual(answers[2].headers.get("idempotent-replayed"), "true")
        self.assertEqual(self.stock("CAP-2", "SH01")["on_hand"], 4)

    def test_split_tender_points_card_cash(self):
        self.receive("CAP-3", "SH01", 5)
        m = self.member(points=3000)
        till_identify(self.owner, self.pos, m["phone"])      # her points are spent at a till she identified at
        r = self.pos.post("/v1/orders", {"member_id": m["id"], "lines": [{"sku": "CAP-3", "qty": 2}],
                                         "tenders": [{"tender": "points", "points": 2000},
                                                     {"tender": "bank_card", "amount": 5000, "reference": "POS-77"},
                                                     {"tender": "cash", "amount": 3000}]})
        self.assertEqual(r.status, 201, r)
        o = r.json
        self.assertEqual([(p["tender"], p["amount"]) for p in o["payments"]],
                         [("points", 2000), ("bank_card", 5000), ("cash", 3000)])
        self.assertEqual(o["status"], "completed")
        # points pay nothing towards earning: 80 yuan of money earns 80 points
        self.assertEqual(o["points_earned"], 80)
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 3000 - 2000 + 80)

    def test_partial_payment_then_the_rest(self):
        self.receive("CAP-3", "SH01", 2)
        r = self.pos.post("/v1/orders", {"lines": [{"sku": "CAP-3", "qty": 1}],
                                         "tenders": [{"tender": "cash", "amount": 2000}]})
        o = r.json
        self.assertEqual((o["status"], o["due"]), ("placed", 3000))
        self.assertEqual(self.stock("CAP-3", "SH01")["reserved"], 1)
        self.assertError(self.pos.post("/v1/orders/%d/payments" % o["id"],
                                       {"tenders": [{"tender": "bank_card", "amount": 3001, "reference": "x"}]}),
                         400, "exceeds_due", "tenders[0]")
        self.assertError(self.pos.post("/v1/orders/%d/payments" % o["id"],
                                       {"tenders": [{"tender": "bank_card", "amount": 3000}]}),
                         400, "missing_field", "tenders[0]")
        r = self.pos.post("/v1/orders/%d/payments" % o["id"],
                          {"tenders": [{"tender": "bank_card", "amount": 3000, "reference": "T1"}]})
        self.assertEqual((r.json["status"], r.json["due"]), ("completed", 0))
        self.assertError(self.pos.post("/v1/orders/%d/payments" % o["id"],
                                       {"tenders": [{"tender": "cash", "amount": 1}]}), 409, "illegal_transition")

    def test_anonymous_till_sale_and_out_of_stock(self):
        r = self.pos.post("/v1/orders", {"lines": [{"sku": "CAP-6", "qty": 1}]})
        self.assertError(r, 409, "out_of_stock", "lines[0]")
        self.assertError(self.pos.post("/v1/orders", {"lines": [{"sku": "NOPE", "qty": 1}]}), 404, "unknown_sku",
                         "lines[0].sku")
        self.assertError(self.pos.post("/v1/orders", {"lines": [{"sku": "CAP-6", "qty": 0}]}), 400, "out_of_range",
                         "lines[0].qty")
        self.assertError(self.web.post("/v1/orders", {"lines": [{"sku": "CAP-6", "qty": 1}]}), 400, "missing_field",
                         "member_id")

    def test_points_tender_beyond_balance_changes_nothing(self):
        self.receive("CAP-4", "SH01", 3)
        m = self.member(points=100)
        till_identify(self.owner, self.pos, m["phone"])
        before = self.server.snapshot()
        r = self.pos.post("/v1/orders", {"member_id": m["id"], "lines": [{"sku": "CAP-4", "qty": 1}],
                                         "tenders": [{"tender": "points", "points": 500}]})
        self.assertError(r, 409, "insufficient_points", "tenders[0]")
        self.assertEqual(before, self.server.snapshot())

    # ---- pickup ----
    def test_pickup_at_a_store_that_has_everything(self):
        self.receive("TEE-RED-S", "SH02", 5)
        m = self.member()
        r = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "TEE-RED-S", "qty": 2}]})
        self.assertEqual(r.status, 201, r)
        o = r.json
        self.assertEqual(o["routing"][0]["rule"], "pickup_store_complete")
        self.assertEqual(o["routing"][0]["candidates"][0]["verdict"], "chosen")
        f = self.ful(o, "pickup", "SH02")
        self.assertEqual(f["lines"], [1])
        self.assertEqual(self.stock("TEE-RED-S", "SH02")["reserved"], 2)
        # nothing moves before payment
        self.assertError(self.owner.post("/v1/fulfilments/%d/pick" % f["id"], {}), 409, "illegal_transition")
        self.pay_online(o)
        self.assertError(self.owner.post("/v1/fulfilments/%d/handover" % f["id"], {"code": "000000"}), 409,
                         "illegal_transition")
        self.step(f["id"], "pick")
        ready = self.step(f["id"], "ready")
        code = self.pickup_code(o["id"])
        # the customer reads the store's local time (issue 12: it was UTC)
        until = datetime.datetime.strptime(self.ful(ready, "pickup")["pickup_until"], "%Y-%m-%dT%H:%M:%S.%fZ")
        local = (until + datetime.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
        sms = [m["payload"] for m in self.owner.get("/v1/outbox?limit=50").json["items"]
               if "Order %d is ready" % o["id"] in m["payload"]][0]
        self.assertTrue(sms.endswith("valid until %s." % local), sms)
        wrong = "%06d" % ((int(code) + 1) % 1000000)
        self.assertError(self.owner.post("/v1/fulfilments/%d/handover" % f["id"], {"code": wrong}), 409,
                         "wrong_pickup_code", "code")
        o = self.step(f["id"], "handover", {"code": code})
        self.assertEqual(o["status"], "completed")
        self.assertEqual(self.ful(o, "pickup")["status"], "picked_up")
        self.assertIn("picked_up", self.kinds(o))
        st = self.stock("TEE-RED-S", "SH02")
        self.assertEqual((st["on_hand"], st["reserved"]), (3, 0))
        self.assertEqual(self.journal_matches("TEE-RED-S", "SH02"), 3)
        self.assertError(self.owner.post("/v1/fulfilments/%d/handover" % f["id"], {"code": code}), 409,
                         "illegal_transition")

    def test_pickup_store_out_of_a_size_gets_a_transfer(self):
        self.receive("TEE-RED-M", "SH01", 3)
        self.receive("TEE-RED-L", "SH02", 3)   # SH01 has no L
        m = self.member()
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH01",
                                         "lines": [{"sku": "TEE-RED-M", "qty": 1}, {"sku": "TEE-RED-L", "qty": 1}]}).json
        self.assertEqual(o["routing"][0]["rule"], "transfer_to_pickup_store", o["routing"])
        t = self.ful(o, "transfer")
        self.assertEqual((t["location"], t["to_location"], t["lines"]), ("SH02", "SH01", [2]))
        p = self.ful(o, "pickup", "SH01")
        self.assertEqual(p["lines"], [1])
        self.pay_online(o)
        self.step(p["id"], "pick")
        self.assertError(self.owner.post("/v1/fulfilments/%d/ready" % p["id"], {}), 409, "awaiting_transfer")
        self.step(t["id"], "pick")
        self.step(t["id"], "ship")
        self.assertEqual(self.stock("TEE-RED-L", "SH02")["on_hand"], 2)
        self.assertEqual(self.stock("TEE-RED-L", "SH01")["reserved"], 1)
        o = self.step(t["id"], "receive")
        self.assertEqual(self.ful(o, "pickup", "SH01")["lines"], [1, 2])
        self.step(p["id"], "ready")
        o = self.step(p["id"], "handover", {"code": self.pickup_code(o["id"])})
        self.assertEqual(o["status"], "completed")
        self.assertEqual(self.stock("TEE-RED-L", "SH01")["on_hand"], 0)
        self.journal_matches("TEE-RED-L", "SH01")
        self.journal_matches("TEE-RED-L", "SH02")

    def test_pickup_shortfall_shipped_to_the_customer_when_the_rules_say_so(self):
        self.owner.patch("/v1/settings", {"routing_pickup_shortfall": "ship"})
        try:
            self.owner.post("/v1/skus", {"code": "SHIP-1", "product": "CAP", "price": 100})
            self.receive("SHIP-1", "WH1", 2)
            m = self.member()
            o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "BJ01",
                                             "address": "1 Nanjing Rd", "lat": 31.23, "lon": 121.47,
                                             "lines": [{"sku": "SHIP-1", "qty": 1}]}).json
            self.assertEqual(o["routing"][0]["rule"], "ship_shortfall_to_customer")
            self.assertEqual(self.ful(o, "delivery")["location"], "WH1")
            # without an address to ship to, the shortfall is brought to her store instead
            o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "BJ01",
                                             "lines": [{"sku": "SHIP-1", "qty": 1}]}).json
            self.assertEqual(o["routing"][0]["rule"], "transfer_to_pickup_store")
            self.assertEqual([f["kind"] for f in o["fulfilments"]], ["pickup", "transfer"])
            self.assertNotIn("address", o)
        finally:
            self.owner.patch("/v1/settings", {"routing_pickup_shortfall": "transfer"})

    # ---- delivery routing ----
    def test_delivery_from_the_nearest_location_with_everything(self):
        sku = "CAP-5"
        self.receive(sku, "SH02", 1)
        self.receive(sku, "BJ01", 1)
        m = self.member()
        # near Beijing: BJ01 is nearest
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "delivery", "address": "Beijing",
                                         "lat": 39.91, "lon": 116.40, "lines": [{"sku": sku, "qty": 1}]}).json
        self.assertEqual(o["routing"][0]["rule"], "single_location_nearest")
        self.assertEqual(self.ful(o, "delivery")["location"], "BJ01")
        verdicts = {c["location"]: c["verdict"] for c in o["routing"][0]["candidates"]}
        self.assertEqual(verdicts["BJ01"], "chosen")
        self.assertEqual(verdicts["SH02"], "farther")
        self.owner.post("/v1/orders/%d/cancel" % o["id"], {"reason": "test"})

    def test_split_with_the_fewest_shipments(self):
        self.owner.post("/v1/skus", {"code": "SPLIT-A", "product": "CAP", "price": 100})
        self.owner.post("/v1/skus", {"code": "SPLIT-B", "product": "CAP", "price": 100})
        self.owner.post("/v1/skus", {"code": "SPLIT-C", "product": "CAP", "price": 100})
        self.receive("SPLIT-A", "SH01", 1)
        self.receive("SPLIT-B", "SH01", 1)
        self.receive("SPLIT-C", "BJ01", 1)
        self.receive("SPLIT-A", "SH02", 1)
        m = self.member()
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "delivery", "address": "Shanghai",
                                         "lat": 31.25, "lon": 121.50,
                                         "lines": [{"sku": "SPLIT-A", "qty": 1}, {"sku": "SPLIT-B", "qty": 1},
                                                   {"sku": "SPLIT-C", "qty": 1}]}).json
        self.assertEqual(o["routing"][0]["rule"], "split_fewest_shipments")
        legs = sorted((f["location"], tuple(f["lines"])) for f in o["fulfilments"])
        self.assertEqual(legs, [("BJ01", (3,)), ("SH01", (1, 2))])
        self.owner.post("/v1/orders/%d/cancel" % o["id"], {"reason": "test"})
        self.assertEqual(self.stock("SPLIT-A", "SH01")["reserved"], 0)

    def test_routing_skips_closed_far_full_and_disallowed_locations(self):
        self.owner.post("/v1/skus", {"code": "RULE-1", "product": "CAP", "price": 100})
        for loc in ("SH01", "SH02", "WH1", "BJ01"):
            self.receive("RULE-1", loc, 5)
        m = self.member()
        body = {"member_id": m["id"], "fulfilment": "delivery", "address": "Shanghai", "lat": 31.2304,
                "lon": 121.4737, "lines": [{"sku": "RULE-1", "qty": 1}]}

        def route():
            r = self.web.post("/v1/orders", body)
            self.assertEqual(r.status, 201, r)
            self.owner.post("/v1/orders/%d/cancel" % r.json["id"], {"reason": "test"})
            return r.json["routing"][0], self.ful(r.json, "delivery")["location"]

        self.assertEqual(route()[1], "SH01")
        self.owner.patch("/v1/locations/SH01", {"status": "closed"})
        try:
            d, loc = route()
            self.assertEqual(loc, "SH02")
            self.assertEqual({c["location"]: c["verdict"] for c in d["candidates"]}["SH01"], "closed")
            self.assertEqual(self.owner.put("/v1/routing/capacity/SH02", {"daily_capacity": 1}).status, 200)
            used = self.owner.get("/v1/routing/capacity/SH02").json["used_today"]
            self.assertGreaterEqual(used, 1)
            d, loc = route()
            self.assertEqual(loc, "WH1")
            self.assertEqual({c["location"]: c["verdict"] for c in d["candidates"]}["SH02"], "over_capacity")
            self.owner.patch("/v1/settings", {"routing_from_warehouses": 0})
            d, loc = route()
            self.assertEqual(loc, "BJ01")
            self.assertEqual({c["location"]: c["verdict"] for c in d["candidates"]}["WH1"], "kind_not_allowed")
            self.owner.patch("/v1/settings", {"routing_max_distance_km": 100})
            self.assertError(self.web.post("/v1/orders", body), 409, "out_of_stock", "lines[0]")
        finally:
            self.owner.patch("/v1/locations/SH01", {"status": "open"})
            self.owner.put("/v1/routing/capacity/SH02", {"daily_capacity": 0})
            self.owner.patch("/v1/settings", {"routing_from_warehouses": 1, "routing_max_distance_km": 0})

    def test_a_store_rejects_and_the_order_is_rerouted(self):
        self.owner.post("/v1/skus", {"code": "REJ-1", "product": "CAP", "price": 2000})
        self.receive("REJ-1", "SH01", 1)
        self.receive("REJ-1", "SH02", 1)
        m = self.member()
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "delivery", "address": "Shanghai",
                                         "lat": 31.2304, "lon": 121.4737, "lines": [{"sku": "REJ-1", "qty": 1}]}).json
        o = self.pay_online(o)
        f = self.ful(o, "delivery")
        self.assertEqual(f["location"], "SH01")
        self.assertError(self.owner.post("/v1/fulfilments/%d/reject" % f["id"], {}), 400, "missing_field", "reason")
        o = self.step(f["id"], "reject", {"reason": "damaged"})
        self.assertEqual(self.ful(o, "delivery")["location"], "SH02")
        self.assertEqual(len(o["routing"]), 2)
        self.assertEqual({c["location"]: c["verdict"] for c in o["routing"][1]["candidates"]}.get("SH01"),
                         "rejected_before")
        self.assertEqual(self.stock("REJ-1", "SH01")["reserved"], 0)
        self.assertEqual(self.stock("REJ-1", "SH02")["reserved"], 1)
        # SH02 rejects too: nobody else has it, the line is refunded and the order cancelled
        o = self.step(self.ful(o, "delivery")["id"], "reject", {"reason": "not found"})
        self.assertEqual(o["status"], "cancelled")
        self.assertIn("unfulfillable", self.kinds(o))
        self.assertEqual(o["refunded"], 2000)
        self.assertEqual(self.stock("REJ-1", "SH02")["reserved"], 0)

    def test_delivery_shipped_with_tracking_then_delivered(self):
        self.owner.post("/v1/skus", {"code": "DLV-1", "product": "CAP", "price": 3000})
        self.receive("DLV-1", "WH1", 4)
        m = self.member()
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "delivery", "address": "Pudong",
                                         "lat": 31.0, "lon": 121.2, "lines": [{"sku": "DLV-1", "qty": 2}]}).json
        o = self.pay_online(o)
        f = self.ful(o, "delivery")
        self.step(f["id"], "pick")
        self.assertError(self.owner.post("/v1/fulfilments/%d/ship" % f["id"], {"carrier": "sf"}), 400,
                         "missing_field", "tracking_no")
        # a carrier the chain does not ship with is a typo, not a shipment without tracking
        self.assertError(self.owner.post("/v1/fulfilments/%d/ship" % f["id"], {"carrier": "sf-express",
                                                                               "tracking_no": "X1"}),
                         400, "unknown_carrier", "carrier")
        self.assertEqual(self.owner.get("/v1/orders/%d" % o["id"]).json["fulfilments"][0]["status"], "picked")
        o = self.step(f["id"], "ship", {"carrier": "sf", "tracking_no": unique("SF")})
        self.assertIn("(not tracked: the carrier is not integrated)",
                      [e for e in o["timeline"] if e["kind"] == "shipped"][0]["detail"])
        self.assertEqual(self.stock("DLV-1", "WH1")["on_hand"], 2)
        self.assertError(self.owner.post("/v1/orders/%d/cancel" % o["id"], {}), 409, "illegal_transition")
        self.assertError(self.owner.post("/v1/fulfilments/%d/pick" % f["id"], {}), 409, "illegal_transition")
        o = self.step(f["id"], "deliver")
        self.assertEqual(o["status"], "completed")

    # ---- cancellation, refunds, returns ----
    def test_cancel_a_paid_order_refunds_every_tender_and_reverses_points(self):
        self.owner.post("/v1/skus", {"code": "CXL-1", "product": "CAP", "price": 10000})
        self.receive("CXL-1", "SH02", 2)
        m = self.member(points=5000)
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "CXL-1", "qty": 1}]}).json
        member = self.server.client(None)
        r = self.owner.post("/v1/orders/%d/payments" % o["id"],
                            {"tenders": [{"tender": "points", "points": 4000},
                                         {"tender": "bank_card", "amount": 6000, "reference": "C1"}]})
        self.assertEqual(r.json["status"], "paid", r)
        self.assertEqual(r.json["points_earned"], 60)
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 1060)
        r = self.owner.post("/v1/orders/%d/cancel" % o["id"], {"reason": "changed my mind"})
        self.assertEqual(r.status, 200, r)
        o = r.json
        self.assertEqual((o["status"], o["refunded"]), ("cancelled", 10000))
        self.assertEqual(sorted((x["tender"], x["amount"], x["status"]) for x in o["refunds"]),
                         [("bank_card", 6000, "succeeded"), ("points", 4000, "succeeded")])
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 5000)
        self.assertEqual(self.stock("CXL-1", "SH02")["reserved"], 0)
        self.assertError(self.owner.post("/v1/orders/%d/cancel" % o["id"], {}), 409, "illegal_transition")
        member.close()

    def test_return_anywhere_partial_then_the_rest(self):
        self.owner.post("/v1/skus", {"code": "RET-1", "product": "CAP", "price": 4000})
        self.receive("RET-1", "SH01", 5)
        m = self.member()
        o = self.pos.post("/v1/orders", {"member_id": m["id"], "lines": [{"sku": "RET-1", "qty": 3}],
                                         "tenders": [{"tender": "cash", "amount": 12000}]}).json
        self.assertEqual((o["status"], o["points_earned"]), ("completed", 120))
        # one unit back at another store, in another city
        r = self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "BJ01", "reason": "too small",
                                                                 "lines": [{"line": 1, "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        o = r.json
        self.assertEqual((o["refunded"], o["lines"][0]["returned_qty"], o["status"]), (4000, 1, "completed"))
        self.assertEqual(self.stock("RET-1", "BJ01")["on_hand"], 1)
        self.assertEqual(self.journal_matches("RET-1", "BJ01"), 1)
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 80)
        self.assertError(self.owner.post("/v1/orders/%d/returns" % o["id"],
                                         {"location": "SH02", "lines": [{"line": 1, "qty": 3}]}), 409, "over_return",
                         "lines[0]")
        self.assertError(self.owner.post("/v1/orders/%d/returns" % o["id"],
                                         {"location": "WH1", "lines": [{"line": 1, "qty": 1}]}), 400, None, "location")
        o = self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "SH02",
                                                                 "lines": [{"line": 1, "qty": 2}]}).json
        self.assertEqual((o["status"], o["refunded"]), ("returned", 12000))
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 0)

    def test_a_return_whose_points_were_spent_keeps_their_value_from_the_refund(self):
        self.owner.post("/v1/skus", {"code": "SPT-1", "product": "CAP", "price": 4000})
        self.receive("SPT-1", "SH01", 5)
        self.receive("SPT-1", "SH02", 5)
        m = self.member()
        o = self.pos.post("/v1/orders", {"member_id": m["id"], "lines": [{"sku": "SPT-1", "qty": 3}],
                                         "tenders": [{"tender": "cash", "amount": 12000}]}).json
        self.assertEqual(o["points_earned"], 120)
        # she spends 100 of the 120 points on a pickup order
        w = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "SPT-1", "qty": 1}]}).json
        r = self.owner.post("/v1/orders/%d/payments" % w["id"],
                            {"tenders": [{"tender": "points", "points": 100},
                                         {"tender": "bank_card", "amount": 3900, "reference": "C7"}]})
        self.assertEqual(r.json["status"], "paid", r)
        balance = self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"]
        self.assertEqual(balance, 120 - 100 + 39)
        # two units back: 80 points were earned on them, 59 are left; 21 points (0.21) are kept from the refund
        r = self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "SH01",
                                                                 "lines": [{"line": 1, "qty": 2}]})
        self.assertEqual(r.status, 201, r)
        x = r.json["return"]
        self.assertEqual((x["id"], x["amount"], x["points_reversed"], x["withheld"], x["refunded"]),
                         (r.json["return_id"], 8000, 59, 21, 7979))
        self.assertEqual(sum(x["amount"] for x in r.json["refunds"]), 7979)
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 0)
        said = [e for e in r.json["timeline"] if e["kind"] == "points_shortfall"]
        self.assertEqual(len(said), 1, r.json["timeline"])
        self.assertIn("21 points", said[0]["detail"])
        self.assertIn("0.21", said[0]["detail"])
        # with points enough, nothing is kept
        m2 = self.member(points=500)
        o = self.pos.post("/v1/orders", {"member_id": m2["id"], "lines": [{"sku": "SPT-1", "qty": 1}],
                                         "tenders": [{"tender": "cash", "amount": 4000}]}).json
        r = self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "SH01", "lines": [{"line": 1, "qty": 1}]})
        x = r.json["return"]
        self.assertEqual((x["points_reversed"], x["withheld"], x["refunded"]), (40, 0, 4000))
        self.assertEqual(r.json["status"], "returned")

    def test_a_store_takes_back_an_online_order_it_never_touched(self):
        self.owner.post("/v1/skus", {"code": "ANY-1", "product": "CAP", "price": 6000})
        self.receive("ANY-1", "SH02", 3)
        m = self.member()
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "ANY-1", "qty": 2}]}).json
        self.pay_online(o)
        f = self.ful(o, "pickup", "SH02")
        self.step(f["id"], "pick")
        self.step(f["id"], "ready")
        self.step(f["id"], "handover", {"code": self.pickup_code(o["id"])})
        self.owner.post("/v1/staff", {"username": "bjret", "password": "0123456789", "role": "clerk", "scope": "BJ01"})
        bj = self.server.client(self.server.client().post("/v1/auth/login", {"username": "bjret",
                                                                               "password": "0123456789"}).json["token"])
        till = self.server.client(self.owner.post("/v1/api-keys", {"channel": "pos", "location": "BJ01"}).json["key"])
        # the order itself stays out of scope; what can come back is readable
        self.assertError(bj.get("/v1/orders/%d" % o["id"]), 403, "out_of_scope")
        r = bj.get("/v1/orders/%d/returnable" % o["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(x["line"], x["sku"], x["qty"], x["returnable"]) for x in r.json["lines"]],
                         [(1, "ANY-1", 2, 2)])
        self.assertIsNotNone(r.json["return_until"])
        for hidden in ("member_id", "payments", "timeline", "address", "contact_phone", "refunds"):
            self.assertNotIn(hidden, r.json)
        # the clerk takes one unit back at her store (the store is hers: no location needed)
        r = bj.post("/v1/orders/%d/returns" % o["id"], {"lines": [{"line": 1, "qty": 1}], "reason": "too big"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["return"]["refunded"], r.json["lines"][0]["returned_qty"]), (6000, 1))
        self.assertEqual([(x["tender"], x["amount"]) for x in r.json["return"]["refunds"]], [("bank_card", 6000)])
        for hidden in ("member_id", "payments", "timeline", "refunds"):
            self.assertNotIn(hidden, r.json)
        self.assertEqual(self.stock("ANY-1", "BJ01")["on_hand"], 1)
        # a replay answers the same, limited
        key = unique("ret")
        r1 = till.post("/v1/orders/%d/returns" % o["id"], {"lines": [{"line": 1, "qty": 1}]},
                       headers={"Idempotency-Key": key})
        self.assertEqual(r1.status, 201, r1)
        self.assertEqual(r1.json["status"], "returned")
        r2 = till.post("/v1/orders/%d/returns" % o["id"], {"lines": [{"line": 1, "qty": 1}]},
                       headers={"Idempotency-Key": key})
        self.assertEqual((r2.status, r2.json["return"]), (201, r1.json["return"]))
        self.assertNotIn("payments", r2.json)
        self.assertEqual(self.owner.get("/v1/orders/%d" % o["id"]).json["refunded"], 12000)
        # another store is not hers
        self.assertError(bj.post("/v1/orders/%d/returns" % o["id"], {"location": "SH01",
                                                                     "lines": [{"line": 1, "qty": 1}]}), 403)
        self.assertError(till.post("/v1/orders/%d/returns" % o["id"], {"location": "SH01",
                                                                       "lines": [{"line": 1, "qty": 1}]}), 403)
        self.assertError(bj.get("/v1/orders/987654/returnable"), 404)
        # the owner still sees the whole order, a web key only its channel's
        self.assertIn("payments", self.owner.get("/v1/orders/%d" % o["id"]).json)
        self.receive("CAP-6", "SH01", 1)
        pos_order = self.pos.post("/v1/orders", {"lines": [{"sku": "CAP-6", "qty": 1}]}).json
        self.assertError(self.web.get("/v1/orders/%d/returnable" % pos_order["id"]), 403, "out_of_scope")
        bj.close()
        till.close()

    def test_return_window(self):
        self.receive("CAP-6", "SH01", 2)
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "CAP-6", "qty": 1}],
                                         "tenders": [{"tender": "cash", "amount": 5000}]}).json
        self.owner.patch("/v1/settings", {"return_window_days": 1})
        try:
            self.server.execute("UPDATE order_events SET created_at = created_at - 2 * 86400000 WHERE order_id = %d"
                                % o["id"])
            self.assertError(self.owner.post("/v1/orders/%d/returns" % o["id"],
                                             {"location": "SH01", "lines": [{"line": 1, "qty": 1}]}), 409,
                             "return_window_closed")
        finally:
            self.owner.patch("/v1/settings", {"return_window_days": 30})

    # ---- jobs ----
    def test_unpaid_orders_and_uncollected_pickups_expire(self):
        self.owner.post("/v1/skus", {"code": "EXP-1", "product": "CAP", "price": 1000})
        self.receive("EXP-1", "SH02", 3)
        m = self.member()
        unpaid = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                              "lines": [{"sku": "EXP-1", "qty": 1}]}).json
        waiting = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                               "lines": [{"sku": "EXP-1", "qty": 1}]}).json
        waiting = self.pay_online(waiting)
        self.step(self.ful(waiting, "pickup")["id"], "ready")
        self.assertEqual(self.stock("EXP-1", "SH02")["reserved"], 2)
        r = self.owner.post("/v1/orders/expire", {"as_of": int(time.time() * 1000) + 16 * 60 * 1000})
        self.assertGreaterEqual(r.json["cancelled_unpaid"], 1, r)
        self.assertEqual(r.json["expired_pickups"], 0, r)
        self.assertEqual(self.owner.get("/v1/orders/%d" % unpaid["id"]).json["status"], "cancelled")
        r = self.owner.post("/v1/orders/expire", {"as_of": int(time.time() * 1000) + 4 * 86400 * 1000})
        self.assertGreaterEqual(r.json["expired_pickups"], 1, r)
        o = self.owner.get("/v1/orders/%d" % waiting["id"]).json
        self.assertEqual((o["status"], o["refunded"]), ("cancelled", 1000))
        self.assertIn("pickup_expired", self.kinds(o))
        self.assertEqual(self.stock("EXP-1", "SH02")["reserved"], 0)

    # ---- coupons ----
    def test_coupon_discount_used_once_and_given_back_on_cancel(self):
        self.owner.post("/v1/skus", {"code": "CPN-1", "product": "CAP", "price": 10000})
        self.receive("CPN-1", "SH01", 5)
        self.receive("CAP-1", "SH01", 1)
        m = self.member()
        other = self.member()
        c = self.owner.post("/v1/coupons", {"member_id": m["id"], "kind": "percent", "value": 20, "valid_days": 30})
        self.assertEqual(c.status, 201, c)
        code = c.json["code"]
        self.assertError(self.pos.post("/v1/orders", {"member_id": other["id"], "coupon": code,
                                                      "lines": [{"sku": "CPN-1", "qty": 1}]}), 403, "coupon_not_yours")
        o = self.pos.post("/v1/orders", {"member_id": m["id"], "coupon": code,
                                         "lines": [{"sku": "CPN-1", "qty": 1}, {"sku": "CAP-1", "qty": 1}]}).json
        self.assertEqual((o["subtotal"], o["discount"], o["total"]), (15000, 3000, 12000))
        self.assertEqual(sum(l["discount"] for l in o["lines"]), 3000)
        self.assertError(self.pos.post("/v1/orders", {"member_id": m["id"], "coupon": code,
                                                      "lines": [{"sku": "CPN-1", "qty": 1}]}), 409, "coupon_used")
        self.pos.post("/v1/orders/%d/cancel" % o["id"], {})
        coupons = self.owner.get("/v1/members/%d/coupons" % m["id"]).json["items"]
        self.assertEqual(coupons[0]["status"], "issued")

    # ---- scope ----
    def test_scope(self):
        self.receive("CAP-4", "SH02", 2)
        m = self.member()
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "CAP-4", "qty": 1}]}).json
        self.owner.post("/v1/staff", {"username": "bjclerk", "password": "0123456789", "role": "clerk",
                                      "scope": "BJ01"})
        bj = self.server.client(self.server.client().post("/v1/auth/login", {"username": "bjclerk",
                                                                               "password": "0123456789"}).json["token"])
        self.assertError(bj.get("/v1/orders/%d" % o["id"]), 403, "out_of_scope")
        self.assertError(bj.post("/v1/fulfilments/%d/pick" % self.ful(o)["id"], {}), 403, "out_of_scope")
        self.assertEqual(self.pos.get("/v1/orders/%d" % o["id"]).status, 403)  # SH01 till, SH02 order
        self.owner.post("/v1/orders/%d/cancel" % o["id"], {})

    def test_members_see_and_follow_their_own_orders(self):
        self.receive("CAP-4", "SH01", 2)
        m = self.member()
        c = self.server.client()
        c.post("/v1/auth/otp", {"phone": m["phone"]})
        sms = self.owner.get("/v1/outbox?recipient=%s" % m["phone"].replace("+", "%2B")).json["items"]
        digits = re.search(r"\b(\d{6})\b", sms[0]["payload"]).group(1)
        tok = c.post("/v1/auth/otp/verify", {"phone": m["phone"], "code": digits}).json["token"]
        me = self.server.client(tok)
        r = me.post("/v1/orders", {"fulfilment": "pickup", "pickup_store": "SH01",
                                   "lines": [{"sku": "CAP-4", "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        o = r.json
        self.assertEqual((o["channel"], o["member_id"]), ("app", m["id"]))
        other = self.pos.post("/v1/orders", {"lines": [{"sku": "CAP-4", "qty": 1}]}).json
        self.assertError(me.get("/v1/orders/%d" % other["id"]), 403, "out_of_scope")
        # long-poll: the answer comes when the order moves, not after the timeout
        got = {}

        def wait():
            t0 = time.monotonic()
            got["r"] = self.server.client(tok).get("/v1/orders/%d/events?after=%d&wait=20" % (o["id"], o["seq"]))
            got["t"] = time.monotonic() - t0

        th = threading.Thread(target=wait)
        th.start()
        time.sleep(0.5)
        self.assertEqual(me.post("/v1/orders/%d/cancel" % o["id"], {"reason": "oops"}).status, 200)
        th.join(30)
        self.assertEqual(got["r"].status, 200, got["r"])
        self.assertLess(got["t"], 10)
        self.assertIn("cancelled", [e["kind"] for e in got["r"].json["events"]])
        self.pos.post("/v1/orders/%d/cancel" % other["id"], {})

    # ---- concurrency ----
    def test_200_clients_buy_a_hot_sku_with_100_units(self):
        self.owner.post("/v1/skus", {"code": "HOT-1", "product": "CAP", "price": 999})
        self.receive("HOT-1", "SH02", 100)
        members = [self.member()["id"] for _ in range(20)]
        results = []
        lock = threading.Lock()
        start = threading.Event()

        def buy(i):
            c = self.server.client(self.web.token)
            start.wait()
            r = c.post("/v1/orders", {"member_id": members[i % 20], "fulfilment": "pickup", "pickup_store": "SH02",
                                      "lines": [{"sku": "HOT-1", "qty": 1}]},
                       headers={"Idempotency-Key": "hot-%d" % i})
            with lock:
                results.append(r)
            c.close()

        threads = [threading.Thread(target=buy, args=(i,)) for i in range(200)]
        for t in threads:
            t.start()
        start.set()
        for t in threads:
            t.join(120)
        ok = [r for r in results if r.status == 201]
        self.assertEqual(len(results), 200)
        self.assertEqual(len(ok), 100, sorted({(r.status, (r.error or {}).get("code")) for r in results}))
        for r in results:
            if r.status != 201:
                self.assertEqual((r.status, r.error["code"]), (409, "out_of_stock"), r)
        st = self.stock("HOT-1", "SH02")
        self.assertEqual((st["available"], st["reserved"], st["on_hand"]), (0, 100, 100))
        self.assertEqual(self.journal_matches("HOT-1", "SH02"), 100)
