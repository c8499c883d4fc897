"""The till in the console, driven in headless Chromium as a clerk of SH01: a USB
scanner types barcodes into the scan box, the member is found by phone, her coupon
applies at a tap, points and cash split the bill with change, and the e-receipt's QR
code is on screen; a size that is not here becomes an order for pickup here from the
store that has it. What the screen said is checked against the order the API holds."""
from console.base import ConsoleTest
from harness import unique


class TillTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receive("TEE-RED-M", "SH01", 20)
        cls.receive("TEE-RED-L", "SH02", 5)
        cls.clerk = cls.staff("clerk", "location", "SH01")

    def member(self, name):
        phone = "138" + unique("")[-8:].rjust(8, "5")
        m = self.owner.post("/v1/members", {"phone": phone, "name": name, "home_location": "SH01"}).json
        return m, phone

    def test_a_sale_with_a_scanned_barcode_a_member_a_coupon_and_split_tenders(self):
        m, phone = self.member("Li Na")
        r = self.owner.post("/v1/members/%d/points/adjust" % m["id"], {"points": 500, "reason": "welcome"})
        self.assertEqual(r.status, 201, r)
        coupon = self.owner.post("/v1/coupons", {"kind": "amount", "value": 1000, "member_id": m["id"],
                                                 "valid_days": 30}).json["code"]
        self.sign_in(self.clerk)
        self.wait("#screen-till")
        # the scanner types the digits and Enter, twice
        self.type("#scan", "6900000000024", enter=True)
        self.wait("#cart tr[data-sku='TEE-RED-M']")
        self.type("#scan", "6900000000024", enter=True)
        self.wait("#cart .qty", "2")
        self.assertEqual(self.by("#subtotal").text, "¥258.00")
        # the member, by phone; her coupon
        self.type("#member-q", phone, enter=True)
        self.wait("#member-name", "Li Na")
        self.assertIn("500 points", self.by("#member-card").text)
        self.click("[data-coupon='%s']" % coupon)
        self.click("#checkout")
        self.wait("#total", "¥248.00")
        self.assertEqual(self.by("#discount").text, "-¥10.00")
        # 300 points (¥3.00) and ¥250.00 in cash: ¥5.00 change
        kind = self.by(".tender-kind")
        from selenium.webdriver.support.ui import Select
        Select(kind).select_by_value("points")
        self.type(".tender-points", "300")
        self.wait("#remaining", "¥245.00")
        self.click("#add-tender")
        Select(self.by(".tender-kind", many=True)[1]).select_by_value("cash")
        cash = self.by(".tender-amount", many=True)[-1]
        cash.clear()
        cash.send_keys("250")
        self.wait("#change", "¥5.00")
        self.click("#take")
        done = self.wait("#done")
        self.assertIn("¥5.00", self.by("#done #change").text)
        img = self.wait("#receipt img")
        self.assertTrue(self.d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img),
                        "the receipt's QR code did not load")
        order_id = int(done.find_element("css selector", "h3").text.split("#")[1].split()[0])
        o = self.owner.get("/v1/orders/%d" % order_id).json
        self.assertEqual((o["status"], o["member_id"], o["coupon"], o["total"], o["location"]),
                         ("completed", m["id"], coupon, 24800, "SH01"))
        paid = sorted((p["tender"], p["amount"], p.get("points", 0)) for p in o["payments"])
        self.assertEqual(paid, [("cash", 24500, 0), ("points", 300, 300)])
        self.assertIn(o["receipt"]["token"], img.get_attribute("src"))
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"],
                         500 - 300 + o["points_earned"])
        # the next customer starts empty
        self.click("#next-sale")
        self.wait("#cart", "Nothing yet")

    def test_a_size_not_here_is_ordered_for_pickup_from_the_store_that_has_it(self):
        self.sign_in(self.clerk)
        self.type("#scan", "6900000000031", enter=True)
        self.wait("#aisle #nearby", "SH02")   # Shanghai 2 has five
        self.assertIn("5 in stock", self.by("#nearby").text)
        self.click("#mode-pickup")
        self.wait("#needs-member")            # an order for pickup belongs to a member
        self.assertFalse(self.by("#checkout").is_enabled())
        m, phone = self.member("Wang Fang")
        self.type("#member-q", phone, enter=True)
        self.wait("#member-name", "Wang Fang")
        self.click("#checkout", "pickup")
        self.wait("#total", "¥129.00")
        from selenium.webdriver.support.ui import Select
        Select(self.by(".tender-kind")).select_by_value("bank_card")
        self.type(".tender-ref", "SLIP-42")
        self.click("#take")
        link = self.wait("#done a")
        order_id = int(link.get_attribute("href").rsplit("/", 1)[1])
        o = self.owner.get("/v1/orders/%d" % order_id).json
        self.assertEqual((o["fulfilment"], o["pickup_store"], o["status"], o["member_id"]),
                         ("pickup", "SH01", "paid", m["id"]))
        kinds = sorted((f["kind"], f["location"], f["to_location"]) for f in o["fulfilments"])
        self.assertIn(("transfer", "SH02", "SH01"), kinds)
        self.assertEqual(o["payments"][0]["reference"], "SLIP-42")

    def test_an_unknown_barcode_is_said_and_kept_in_the_box(self):
        self.sign_in(self.clerk, lang="zh-CN")
        self.type("#scan", "4000000000000", enter=True)
        self.wait("#msg", "4000000000000")
        self.assertIn("没有对应的商品", self.message())
        self.assertEqual(self.by("#scan").get_attribute("value"), "4000000000000")

    def test_a_failed_request_loses_nothing_and_the_retry_places_one_order(self):
        """The network drops as she pays: the screen says so and keeps the tenders;
        the retry carries the same idempotency key, so one payment is taken."""
        self.sign_in(self.clerk)
        self.type("#scan", "6900000000024", enter=True)
        self.wait("#cart tr[data-sku='TEE-RED-M']")
        self.click("#checkout")
        self.wait("#total", "¥129.00")
        self.type(".tender-amount", "200")
        self.d.set_network_conditions(offline=True, latency=0, download_throughput=1, upload_throughput=1)
        try:
            self.click("#take")
            self.wait("#msg", "No connection")
            self.assertEqual(self.by(".tender-amount").get_attribute("value"), "200")
        finally:
            self.d.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
        self.click("#take")
        done = self.wait("#done")
        self.assertIn("¥71.00", self.by("#done #change").text)
        order_id = int(done.find_element("css selector", "h3").text.split("#")[1].split()[0])
        o = self.owner.get("/v1/orders/%d" % order_id).json
        self.assertEqual([(p["tender"], p["amount"]) for p in o["payments"]], [("cash", 12900)])
