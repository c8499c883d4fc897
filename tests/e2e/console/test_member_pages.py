"""The member's pages (/m/) on a phone-sized headless Chromium: she signs in with
her phone and a one-time code, sees her points and what they are worth, claims a
till receipt by its link (and, in the same tab, the e-receipt page claims the next
one at one tap: one sign-in serves both), her coupons, and her orders with the
pickup code she shows at the counter and the tracking number of a delivery."""
import json
import os
import tempfile

from console.base import ConsoleTest
from harness import sent_code, unique


class MemberPagesTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="o2o-mpages-")
        with open(os.path.join(cls.dir, "carriers.json"), "w") as f:
            json.dump({"sf": {"tracking": False}}, f)
        cls.server_args = ("--carriers", os.path.join(cls.dir, "carriers.json"))
        super().setUpClass()
        cls.d.set_window_size(390, 844)
        cls.receive("TEE-RED-M", "SH01", 40)
        cls.pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])

    def till_sale(self):
        r = self.pos.post("/v1/orders", {"lines": [{"sku": "TEE-RED-M", "qty": 1}],
                                         "tenders": [{"tender": "cash", "amount": 12900}]})
        self.assertEqual(r.status, 201, r)
        return r.json

    def sign_in_member(self, phone, lang="zh-CN"):
        d = self.d
        d.get(self.base + "/m/")
        d.execute_script("sessionStorage.clear(); localStorage.setItem('o2o.lang', arguments[0]);", lang)
        d.get(self.base + "/m/")
        self.type("#phone", phone)
        self.click("#send")
        state = self.wait("#state", "+86")
        e164 = "+86" + state.text.split("+86")[1][:11]
        self.type("#code", sent_code(self.owner, e164), enter=True)
        self.wait("#balance")
        return e164

    def test_she_signs_in_claims_a_receipt_and_sees_her_points(self):
        phone = "135" + unique("")[-8:].rjust(8, "2")
        e164 = self.sign_in_member(phone)
        self.assertEqual(self.by("#balance").text, "0")
        self.assertEqual(self.by("#nav a[data-page=home]").text, "首页")        # Chinese by default
        first, second = self.till_sale(), self.till_sale()
        # the link of the first receipt, opened in the member's pages
        self.d.get(self.base + "/m/#/claim/" + first["receipt"]["token"])
        self.wait("#claim-state", "129")
        member = self.owner.get("/v1/members/lookup?phone=%s" % e164.replace("+", "%2B")).json
        self.assertEqual(self.owner.get("/v1/orders/%d" % first["id"]).json["member_id"], member["id"])
        # the e-receipt page in the same tab: one tap, no second sign-in
        self.d.get(self.base + "/r/" + second["receipt"]["token"])
        self.click("#claim")
        self.wait("#state", "Claimed")
        self.d.get(self.base + "/m/#/points")
        self.wait("#ledger li", "+129")
        self.assertEqual(self.by("#page-points .balance").text, "258")
        self.assertEqual(len(self.by("#ledger li", many=True)), 2)
        self.go("#/home")
        self.wait("#page-home", "¥2.58")        # 258 points at 1 fen each

    def test_her_orders_show_the_pickup_code_and_the_tracking_number(self):
        phone = "135" + unique("")[-8:].rjust(8, "4")
        m = self.owner.post("/v1/members", {"phone": phone, "name": "Gao Yan"}).json
        self.owner.post("/v1/coupons", {"kind": "percent", "value": 15, "member_id": m["id"], "valid_days": 10})
        pickup = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH01",
                                              "lines": [{"sku": "TEE-RED-M", "qty": 1}]}).json
        home = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "delivery", "address": "1 Nanjing Rd",
                                            "lat": 31.23, "lon": 121.47, "lines": [{"sku": "TEE-RED-M", "qty": 1}]}).json
        for o in (pickup, home):
            r = self.owner.post("/v1/orders/%d/payments" % o["id"], {"tenders": [
                {"tender": "bank_card", "amount": o["due"], "reference": "M%d" % o["id"]}]})
            self.assertEqual(r.status, 200, r)
        pf, hf = pickup["fulfilments"][0]["id"], home["fulfilments"][0]["id"]
        for fid, step, body in ((pf, "pick", {}), (pf, "ready", {}), (hf, "pick", {}),
                                (hf, "ship", {"carrier": "sf", "tracking_no": "SF1234567890"})):
            r = self.owner.post("/v1/fulfilments/%d/%s" % (fid, step), body)
            self.assertEqual(r.status, 200, r)
        sms = [x["payload"] for x in self.owner.get("/v1/outbox?limit=50").json["items"]
               if "Order %d is ready" % pickup["id"] in x["payload"]]
        code = sms[0].split("Pickup code ")[1][:6]
        self.sign_in_member(phone, lang="en")
        self.click("#nav a[data-page=orders]")
        self.click("#my-orders [data-order='%d'] a" % pickup["id"])
        self.assertEqual(self.wait("#pickup-code").text, code)
        self.go("#/orders/%d" % home["id"])
        self.wait(".tracking", "SF1234567890")
        self.go("#/coupons")
        self.wait("#coupons", "15% off")
        # staff never see the code: she shows it at the counter
        f = self.owner.get("/v1/orders/%d" % pickup["id"]).json["fulfilments"][0]
        self.assertNotIn("pickup_code", f)
