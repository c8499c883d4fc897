"""The orders screens in headless Chromium: a pickup found by its code and handed
over from the order page; goods sold in one store taken back in another; a store
manager who sees her store's orders and cannot reach another store's; the live
timeline; and a member whose name is markup, shown as text everywhere."""
from console.base import ConsoleTest
from harness import unique


class OrdersScreenTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receive("TEE-RED-M", "SH01", 30)
        cls.receive("TEE-RED-M", "SH02", 30)
        cls.clerk1 = cls.staff("clerk", "location", "SH01")
        cls.clerk2 = cls.staff("clerk", "location", "SH02")
        cls.manager1 = cls.staff("store_manager", "location", "SH01")
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])

    def member(self, name="Zhou Min"):
        phone = "139" + unique("")[-8:].rjust(8, "7")
        return self.owner.post("/v1/members", {"phone": phone, "name": name, "home_location": "SH01"}).json

    def paid_pickup(self, store="SH01", name="Zhou Min"):
        m = self.member(name)
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": store,
                                         "lines": [{"sku": "TEE-RED-M", "qty": 1}]}).json
        r = self.owner.post("/v1/orders/%d/payments" % o["id"], {"tenders": [
            {"tender": "bank_card", "amount": o["due"], "reference": "T%d" % o["id"]}]})
        self.assertEqual(r.status, 200, r)
        return r.json, m

    def till_sale(self, store):
        key = self.server.client(self.owner.post("/v1/api-keys", {"channel": "pos", "location": store}).json["key"])
        r = key.post("/v1/orders", {"lines": [{"sku": "TEE-RED-M", "qty": 2}],
                                    "tenders": [{"tender": "cash", "amount": 25800}]})
        self.assertEqual(r.status, 201, r)
        return r.json

    def pickup_code(self, order_id):
        for m in self.owner.get("/v1/outbox?limit=50").json["items"]:
            if "Order %d is ready" % order_id in m["payload"]:
                return m["payload"].split("Pickup code ")[1][:6]
        self.fail("no pickup code sent for order %d" % order_id)

    def step(self, fid, action):
        r = self.owner.post("/v1/fulfilments/%d/%s" % (fid, action), {})
        self.assertEqual(r.status, 200, r)

    def test_a_pickup_is_found_by_its_code_and_handed_over(self):
        o, m = self.paid_pickup()
        fid = o["fulfilments"][0]["id"]
        self.sign_in(self.clerk1)
        self.go("#/orders/%d" % o["id"])
        # the clerk takes the steps on the page: picked, then ready (the customer gets her code)
        self.click("[data-fulfilment='%d'] [data-step='pick'] button" % fid)
        self.wait("[data-fulfilment='%d'] [data-step='ready']" % fid)
        self.click("[data-fulfilment='%d'] [data-step='ready'] button" % fid)
        self.wait("[data-fulfilment='%d'] [data-step='handover']" % fid)
        code = self.pickup_code(o["id"])
        # later, at the counter: the order list finds it by the code she shows
        self.go("#/orders")
        self.type("#order-filters input[name=q]", code, enter=True)
        self.wait("#orders tr[data-order='%d']" % o["id"])
        self.assertEqual(len(self.by("#orders tbody tr", many=True)), 1)
        self.click("#orders tr[data-order='%d'] a" % o["id"])
        form = "[data-fulfilment='%d'] [data-step='handover']" % fid
        self.type(form + " input[name=code]", "000000" if code != "000000" else "111111", enter=True)
        self.wait("#msg", "code")                     # a wrong code is refused, and said
        self.type(form + " input[name=code]", code, enter=True)
        self.wait("#order-status", "Completed")
        got = self.owner.get("/v1/orders/%d" % o["id"]).json
        last = got["timeline"][-1]
        self.wait("#timeline li[data-seq='%d'][data-kind='%s']" % (last["seq"], last["kind"]))
        self.assertEqual((got["status"], got["fulfilments"][0]["status"]), ("completed", "picked_up"))

    def test_goods_sold_in_one_store_come_back_in_another(self):
        sale = self.till_sale("SH01")
        self.sign_in(self.clerk2)                      # a clerk of Shanghai 2
        self.go("#/returns")
        self.type("#return-order", str(sale["id"]), enter=True)
        qty = self.wait(".qty-in")
        qty.clear()
        qty.send_keys("1")
        self.type("#return-reason", "too small")
        self.click("#return-go")
        self.wait("#return-done", "¥129.00")
        got = self.owner.get("/v1/orders/%d" % sale["id"]).json
        self.assertEqual((got["refunded"], got["lines"][0]["returned_qty"]), (12900, 1))
        # the goods went back on the shelf where they came back
        movements = self.owner.get("/v1/stock/movements?sku=TEE-RED-M&location=SH02").json["items"]
        self.assertEqual(movements[0]["kind"], "return", movements[0])

    def test_the_list_filters_by_member(self):
        mine, m = self.paid_pickup()
        other, _ = self.paid_pickup()
        self.sign_in(self.manager1)
        self.go("#/orders")
        self.type("#order-filters input[name=member_id]", str(m["id"]), enter=True)
        self.wait("#orders tr[data-order='%d']" % mine["id"])
        shown = [int(e.get_attribute("data-order")) for e in self.by("#orders tbody tr", many=True)]
        self.assertEqual(shown, [mine["id"]])
        self.assertNotIn(other["id"], shown)

    def test_a_store_manager_sees_her_store_only(self):
        mine, _ = self.paid_pickup("SH01")
        theirs, _ = self.paid_pickup("SH02")
        self.sign_in(self.manager1)
        self.go("#/orders")
        self.wait("#orders tr[data-order='%d']" % mine["id"])
        shown = [int(e.get_attribute("data-order")) for e in self.by("#orders tbody tr", many=True)]
        self.assertNotIn(theirs["id"], shown)
        self.assertEqual(self.by("#order-filters select[name=store]", many=True), [])   # no other store to pick
        # typing the other store's order into the address bar: refused, and said
        self.go("#/orders/%d" % theirs["id"])
        self.wait("#msg", "outside your scope")
        self.assertEqual(self.by("#order-head", many=True), [])
        # the API answers the same to her token, whatever the console shows
        me = self.server.client(self.token())
        self.assertEqual(me.get("/v1/orders/%d" % theirs["id"]).status, 403)
        self.assertEqual(me.get("/v1/orders?store=SH02").status, 403)

    def test_a_name_that_is_markup_stays_text(self):
        evil = '<img src=x onerror="window.__pwned=1">'
        o, m = self.paid_pickup(name=evil)
        self.sign_in(self.clerk1)
        self.go("#/till")
        self.type("#member-q", m["phone"], enter=True)
        name = self.wait("#member-name")
        self.assertEqual(name.text, evil)
        self.assertEqual(self.by("#member-card img", many=True), [])
        self.go("#/orders/%d" % o["id"])
        self.wait("#order-head")
        self.assertFalse(self.d.execute_script("return !!window.__pwned"))
        # a note typed by a customer is text too
        self.assertEqual(self.by("img[src=x]", many=True), [])

    def test_the_timeline_moves_while_the_page_is_open(self):
        o, _ = self.paid_pickup()
        self.sign_in(self.manager1)
        self.go("#/orders/%d" % o["id"])
        self.wait("#order-head")
        n = len(self.by("#timeline li", many=True))
        self.step(o["fulfilments"][0]["id"], "pick")      # someone else, elsewhere
        self.wait("#timeline li:nth-child(%d)" % (n + 1))
        self.wait("[data-fulfilment] .status", "Picked")

    def test_a_service_agent_cancels_and_refunds_a_paid_order(self):
        o, _ = self.paid_pickup()
        agent = self.staff("service_agent", "chain")
        self.sign_in(agent)
        self.go("#/orders/%d" % o["id"])
        self.type("#cancel-form input[name=reason]", "customer changed her mind", enter=True)
        self.wait("#order-status", "Cancelled")
        self.wait("#refunds", "¥129.00")
        got = self.owner.get("/v1/orders/%d" % o["id"]).json
        self.assertEqual((got["status"], got["refunded"]), ("cancelled", 12900))
        self.assertEqual(self.by("#cancel-form", many=True), [])

    def test_sign_out_ends_the_session_on_the_server(self):
        self.sign_in(self.clerk1)
        token = self.token()
        self.assertEqual(self.server.client(token).get("/v1/me").status, 200)
        self.click("#signout")
        self.wait("#signin", "Signed out")
        self.assertEqual(self.server.client(token).get("/v1/me").status, 401)
        self.assertIsNone(self.d.execute_script("return sessionStorage.getItem('o2o.staff')"))
        # a wrong password is said on the form
        self.type("#username", self.clerk1)
        self.type("#password", "not-the-password", enter=True)
        self.wait("#signin-error", "Wrong username or password")
