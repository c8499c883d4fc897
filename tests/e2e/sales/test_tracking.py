"""Delivery tracking through a carrier: a shipment with a configured carrier is
subscribed at the carrier (tests/sim/carrier_sim.py); the carrier's signed pushes
land on the order's timeline once each, "delivered" completes the shipment and the
order, and forged or stale pushes are refused."""
import os
import re
import subprocess
import sys
import tempfile

from harness import Client, SIM_DIR, Server, ServerTest, make_chain, unique



class TrackingTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="o2o-carrier-")
        cls.sim_proc = subprocess.Popen([sys.executable, os.path.join(SIM_DIR, "carrier_sim.py"), cls.dir,
                                         "sf"], stdout=subprocess.PIPE, text=True)
        m = re.match(r"listening (\d+)", cls.sim_proc.stdout.readline())
        assert m, "carrier simulator did not start"
        cls.sim = Client(int(m.group(1)))
        cls.server = Server(("--carriers", os.path.join(cls.dir, "carriers.json")))
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.owner.post("/v1/stock/movements", {"sku": "TEE-RED-L", "location": "WH1", "kind": "receive", "qty": 50})

    @classmethod
    def tearDownClass(cls):
        cls.sim_proc.terminate()
        cls.sim_proc.wait(10)
        super().tearDownClass()

    def shipped(self):
        m = self.owner.post("/v1/members", {"phone": "135" + unique("")[-8:].rjust(8, "1")}).json
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "delivery", "address": "Pudong",
                                         "lat": 31.0, "lon": 121.2, "lines": [{"sku": "TEE-RED-L", "qty": 1}]}).json
        self.owner.post("/v1/orders/%d/payments" % o["id"], {"tenders": [{"tender": "bank_card", "amount": o["due"],
                                                                          "reference": "T"}]})
        f = o["fulfilments"][0]
        self.owner.post("/v1/fulfilments/%d/pick" % f["id"], {})
        tracking = unique("SF")
        r = self.owner.post("/v1/fulfilments/%d/ship" % f["id"], {"carrier": "sf", "tracking_no": tracking})
        self.assertEqual(r.status, 200, r)
        # the subscription is made in the background
        for _ in range(100):
            if tracking in self.sim.get("/sim/subscriptions").json:
                break
            import time
            time.sleep(0.05)
        self.assertIn(tracking, self.sim.get("/sim/subscriptions").json)
        return o, tracking

    def timeline(self, oid):
        return self.owner.get("/v1/orders/%d" % oid).json

    def test_pushed_events_reach_the_timeline_and_delivered_completes(self):
        o, t = self.shipped()
        r = self.sim.post("/sim/push", {"tracking_no": t, "status": "in_transit", "location": "Shanghai hub",
                                        "time": "2026-11-23T08:00:00Z"}).json
        self.assertEqual((r["status"], r["body"]["new_events"]), (200, 1), r)
        again = self.sim.post("/sim/push", {"tracking_no": t, "status": "in_transit", "location": "Shanghai hub",
                                            "time": "2026-11-23T08:00:00Z"}).json
        self.assertEqual(again["body"]["new_events"], 0)
        o2 = self.timeline(o["id"])
        tracking = [e["detail"] for e in o2["timeline"] if e["kind"] == "tracking"]
        self.assertEqual(tracking, ["%s in_transit at Shanghai hub" % t])
        self.assertIn("tracking_subscribed", [e["kind"] for e in o2["timeline"]])
        self.assertEqual(o2["status"], "paid")
        self.sim.post("/sim/push", {"tracking_no": t, "status": "delivered", "location": "Pudong",
                                    "time": "2026-11-23T15:00:00Z"})
        o3 = self.timeline(o["id"])
        self.assertEqual((o3["status"], o3["fulfilments"][0]["status"]), ("completed", "delivered"))

    def test_forged_and_stale_pushes_are_refused(self):
        o, t = self.shipped()
        for how in ("bad_signature", "stale", "other_secret"):
            r = self.sim.post("/sim/forge", {"tracking_no": t, "how": how, "status": "delivered"}).json
            self.assertEqual(r["status"], 401, (how, r))
        o2 = self.timeline(o["id"])
        self.assertEqual(o2["fulfilments"][0]["status"], "shipped")
        self.assertNotIn("tracking", [e["kind"] for e in o2["timeline"]])
        c = self.server.client()
        self.assertError(c.request("POST", "/v1/carriers/nobody/events", raw="{}"), 404, "unknown_carrier")
