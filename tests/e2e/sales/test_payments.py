"""Payments through WeChat Pay (API v3) and Alipay (RSA2) against the local gateway
simulator (tests/sim/gateway_sim.py): QR payments confirmed by signed notifications,
resent notifications applied once, forged ones refused, scanned payment codes,
payers linked to members, refunds to the gateway, lost notifications recovered by
query, amount mismatches and late payments, and the daily settlement."""
import datetime
import json
import os
import re
import subprocess
import tempfile
import time

from harness import BINARY, Client, SIM_DIR, Server, ServerTest, free_port, make_chain, member_token, sim_python, unique




class PaymentsTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="o2o-sim-")
        port = free_port()
        cls.sim_proc = subprocess.Popen([sim_python(), os.path.join(SIM_DIR, "gateway_sim.py"), cls.dir,
                                         str(port)], stdout=subprocess.PIPE, text=True)
        line = cls.sim_proc.stdout.readline()
        m = re.match(r"listening (\d+)", line)
        assert m, "simulator did not start: %r" % line
        cls.sim = Client(int(m.group(1)))
        cls.server_args = ("--gateways", os.path.join(cls.dir, "gateways.json"), "--listen", "127.0.0.1:%d" % port,
                           "--jobs-every", "200")
        cls.server = Server(cls.server_args)
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.owner.post("/v1/products", {"code": "PAY", "name": "Pay test", "brand": "ACME", "category": "apparel"})
        cls.owner.post("/v1/skus", {"code": "PAY-1", "product": "PAY", "price": 8888})
        for loc in ("SH01", "SH02"):
            cls.owner.post("/v1/stock/movements", {"sku": "PAY-1", "location": loc, "kind": "receive", "qty": 500})

    @classmethod
    def tearDownClass(cls):
        cls.sim_proc.terminate()
        cls.sim_proc.wait(10)
        super().tearDownClass()

    # ---- helpers ----
    def member(self):
        r = self.owner.post("/v1/members", {"phone": "136" + unique("")[-8:].rjust(8, "5")})
        self.assertEqual(r.status, 201, r)
        return r.json

    def online_order(self, member=None):
        m = member or self.member()
        r = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "PAY-1", "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        return r.json

    def bind_by_paying(self, m, tender, payer, open_id=False):
        """She signs in, orders online and pays through the gateway as payer: a verified
        payment of her own binds the payer's identity to her."""
        me = self.server.client(member_token(self.server, self.owner, m["phone"]))
        r = me.post("/v1/orders", {"fulfilment": "pickup", "pickup_store": "SH02", "lines": [{"sku": "PAY-1", "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        gp = self.start(r.json, tender, client=me).json["gateway_payment"]
        self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"],
                                                    "open_id" if open_id else "payer": payer}).json["status"],
                         204 if tender == "wechat_pay" else 200)
        self.assertIn("payer_bound", [e["kind"] for e in self.order(r.json["id"])["timeline"]])

    def start(self, order, tender, client=None, **extra):
        body = {"tender": tender}
        body.update(extra)
        r = (client or self.web).post("/v1/orders/%d/payments/gateway" % order["id"], body,
                                      headers={"Idempotency-Key": unique("gw")})
        return r

    def order(self, oid):
        return self.owner.get("/v1/orders/%d" % oid).json

    def refund_status(self, oid):
        """Sweep (the background sweeper may get there first) until the refund settles."""
        for _ in range(50):
            self.owner.post("/v1/gateways/sweep", {})
            st = self.order(oid)["refunds"][0]["status"]
            if st != "pending":
                return st
            time.sleep(0.1)
        return st

    def balance(self, mid):
        return self.owner.get("/v1/members/%d/points" % mid).json["balance"]

    # ---- WeChat Pay ----
    def test_wechat_qr_payment_confirmed_once_however_often_notified(self):
        m = self.member()
        o = self.online_order(m)
        r = self.start(o, "wechat_pay")
        self.assertEqual(r.status, 201, r)
        gp = r.json["gateway_payment"]
        self.assertTrue(gp["qr_code"].startswith("weixin://wxpay/bizpayurl?pr="), gp)
        self.assertEqual((gp["amount"], r.json["status"]), (8888, "placed"))
        pay = self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"], "payer": "o-wx-1"}).json
        self.assertEqual(pay["status"], 204, pay)
        o2 = self.order(o["id"])
        self.assertEqual((o2["status"], o2["paid"]), ("paid", 8888))
        self.assertEqual(o2["payments"][0]["reference"][:5], "42000")
        points = self.balance(m["id"])
        self.assertEqual(points, 88)
        for _ in range(3):
            self.assertEqual(self.sim.post("/sim/resend", {"out_trade_no": gp["out_trade_no"]}).json["status"], 204)
        o3 = self.order(o["id"])
        self.assertEqual((o3["paid"], len(o3["payments"])), (8888, 1))
        self.assertEqual(self.balance(m["id"]), points)

    def test_forged_wechat_notifications_are_refused_and_change_nothing(self):
        o = self.online_order()
        gp = self.start(o, "wechat_pay").json["gateway_payment"]
        for how in ("bad_signature", "wrong_key", "stale", "tampered"):
            with self.subTest(how=how):
                r = self.sim.post("/sim/forge", {"out_trade_no": gp["out_trade_no"], "how": how}).json
                self.assertEqual(r["status"], 401, r)
                o2 = self.order(o["id"])
                self.assertEqual((o2["status"], o2["paid"], o2["payments"][0]["status"]), ("placed", 0, "pending"))
        s = self.owner.get("/v1/settlements").json
        self.assertGreaterEqual(s["notifications"]["rejected"], 4)
        self.assertIn("forged_notification", [x["kind"] for x in s["mismatches"]])
        r = self.server.client().request("POST", "/v1/gateways/wechat_pay/notify", raw="not json at all")
        self.assertEqual((r.status, r.json["code"]), (401, "FAIL"), r)

    def test_wechat_app_payment_gets_a_prepay_id(self):
        o = self.online_order()
        r = self.start(o, "wechat_pay", openid="o-app-7")
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json["gateway_payment"]["prepay"].startswith("prepay_id=wx"), r)

    def test_a_retried_request_returns_the_same_payment(self):
        o = self.online_order()
        key = unique("same")
        a = self.web.post("/v1/orders/%d/payments/gateway" % o["id"], {"tender": "wechat_pay"},
                          headers={"Idempotency-Key": key})
        b = self.web.post("/v1/orders/%d/payments/gateway" % o["id"], {"tender": "wechat_pay"},
                          headers={"Idempotency-Key": key})
        self.assertEqual((a.status, b.status), (201, 201))
        self.assertEqual(a.json["gateway_payment"]["out_trade_no"], b.json["gateway_payment"]["out_trade_no"])
        self.assertEqual(a.json["gateway_payment"]["qr_code"], b.json["gateway_payment"]["qr_code"])
        self.assertEqual(len(self.order(o["id"])["payments"]), 1)

    def test_answers_not_signed_by_the_platform_are_refused(self):
        o = self.online_order()
        self.sim.post("/sim/config", {"bad_answers": True})
        try:
            r = self.start(o, "wechat_pay")
            self.assertError(r, 503, "gateway_bad_signature")
            # (the first payment stays pending until a query settles it: another order for Alipay)
            self.assertError(self.start(self.online_order(), "alipay"), 503, "gateway_bad_signature")
            till = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 1}]}).json
            self.assertError(self.start(till, "scan", client=self.pos, auth_code="134567890123456789"), 503,
                             "gateway_bad_signature")
            self.assertEqual(self.order(till["id"])["status"], "placed")
        finally:
            self.sim.post("/sim/config", {"bad_answers": False})

    # ---- Alipay ----
    def test_alipay_qr_payment_and_resent_notifications(self):
        m = self.member()
        o = self.online_order(m)
        r = self.start(o, "alipay")
        self.assertEqual(r.status, 201, r)
        gp = r.json["gateway_payment"]
        self.assertTrue(gp["qr_code"].startswith("https://qr.alipay.com/"), gp)
        pay = self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"], "payer": "2088000000000001"}).json
        self.assertEqual((pay["status"], pay["body"]), (200, "success"))
        self.assertEqual(self.order(o["id"])["status"], "paid")
        for _ in range(2):
            self.assertEqual(self.sim.post("/sim/resend", {"out_trade_no": gp["out_trade_no"]}).json["body"],
                             "success")
        self.assertEqual(self.balance(m["id"]), 88)
        for how in ("bad_signature", "wrong_key", "tampered"):
            r = self.sim.post("/sim/forge", {"out_trade_no": gp["out_trade_no"], "how": how}).json
            self.assertEqual(r["body"], "failure", (how, r))

    def test_a_signed_alipay_notification_with_many_fields_is_applied(self):
        # issue 12: notifications were read up to 40 parameters; a signed one with more was refused
        o = self.online_order()
        gp = self.start(o, "alipay").json["gateway_payment"]
        extra = {"voucher_detail_%02d" % i: "v%d" % i for i in range(40)}
        extra["fund_bill_list"] = '[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]'
        pay = self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"], "extra": extra}).json
        self.assertEqual((pay["status"], pay["body"]), (200, "success"))
        self.assertEqual(self.order(o["id"])["status"], "paid")

    def test_scanned_alipay_code_pays_a_till_sale_and_links_the_payer(self):
        m = self.member()
        buyer = "2088" + "123456789012"
        # nobody binds a payer on her word; her own verified payment does
        self.assertError(self.owner.post("/v1/members/%d/identities" % m["id"], {"kind": "alipay_user_id",
                                                                                 "value": buyer}),
                         403, "unverified_identity")
        self.bind_by_paying(m, "alipay", buyer)
        before = self.balance(m["id"])
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 1}]}).json
        self.assertIsNone(o["member_id"])
        r = self.start(o, "scan", client=self.pos, auth_code="28" + "0000" + "123456789012")
        self.assertEqual(r.status, 201, r)
        o2 = r.json
        self.assertEqual((o2["status"], o2["member_id"]), ("completed", m["id"]))
        self.assertIn("member_linked", [e["kind"] for e in o2["timeline"]])
        self.assertEqual(self.balance(m["id"]), before + 88)

    def test_declined_and_unsupported_codes(self):
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 1}]}).json
        r = self.start(o, "scan", client=self.pos, auth_code="280000000000000000")
        self.assertError(r, 409, "gateway_refused")
        o2 = self.order(o["id"])
        self.assertEqual((o2["status"], o2["payments"][0]["status"]), ("placed", "failed"))
        self.assertError(self.start(o, "scan", client=self.pos, auth_code="99"), 400, "unknown_code", "auth_code")
        self.assertError(self.start(o, "scan", client=self.pos), 400, "missing_field", "auth_code")
        self.assertError(self.start(o, "bitcoin", client=self.pos), 400, None, "tender")
        self.pos.post("/v1/orders/%d/payments" % o["id"], {"tenders": [{"tender": "cash", "amount": 8888}]})

    def test_scanned_wechat_codes_through_micropay(self):
        m = self.member()
        openid = "o-scan-" + "345678"
        self.bind_by_paying(m, "wechat_pay", openid)
        before = self.balance(m["id"])
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 1}]}).json
        r = self.start(o, "scan", client=self.pos, auth_code="134567890123" + "345678")
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["status"], r.json["member_id"]), ("completed", m["id"]))
        self.assertEqual(r.json["gateway_payment"]["state"], "paid")
        self.assertEqual(self.balance(m["id"]), before + 88)
        # an expired code is refused; a code the customer must still confirm stays pending until she does
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 1}]}).json
        self.assertError(self.start(o, "scan", client=self.pos, auth_code="130000000000000000"), 409, "gateway_refused")
        r = self.start(o, "scan", client=self.pos, auth_code="130000000000001111")
        self.assertEqual((r.status, r.json["gateway_payment"]["state"], r.json["status"]), (201, "pending", "placed"))
        self.sim.post("/sim/pay", {"out_trade_no": r.json["gateway_payment"]["out_trade_no"], "notify": False})
        r = self.pos.post("/v1/payments/%d/sync" % r.json["gateway_payment"]["id"], {})
        self.assertEqual((r.status, r.json["status"]), (200, "completed"), r)

    def test_alipay_openid_payers_are_linked(self):
        # issue 12: in OpenID mode Alipay names the buyer by buyer_open_id only
        m = self.member()
        open_id = "074a" + "567890123456"
        self.bind_by_paying(m, "alipay", open_id, open_id=True)
        ids = self.owner.get("/v1/members/%d" % m["id"]).json["identities"]
        self.assertIn(("alipay_open_id", open_id), [(x["kind"], x["value"]) for x in ids])
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 1}]}).json
        r = self.start(o, "scan", client=self.pos, auth_code="26" + "0000" + "567890123456")
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["status"], r.json["member_id"]), ("completed", m["id"]))

    # ---- what keeps an order payable ----
    def test_an_unsigned_alipay_error_keeps_its_code_and_the_order_payable(self):
        o = self.online_order()
        self.sim.post("/sim/config", {"unsigned_errors": True,
                                      "fail_next": {"code": "40004", "sub_code": "ACQ.TRADE_HAS_CLOSE",
                                                    "sub_msg": "the trade is closed"}})
        try:
            r = self.start(o, "alipay")
            self.assertError(r, 409, "gateway_refused")
            self.assertIn("ACQ.TRADE_HAS_CLOSE", r.error["message"])
            o2 = self.order(o["id"])
            self.assertEqual(o2["payments"][0]["status"], "failed")
            failed = [e["detail"] for e in o2["timeline"] if e["kind"] == "payment_failed"]
            self.assertIn("ACQ.TRADE_HAS_CLOSE", failed[0])
            self.assertIn("(unsigned)", failed[0])
            # the order is not stuck: the next attempt gets its QR code
            r = self.start(o, "alipay")
            self.assertEqual(r.status, 201, r)
        finally:
            self.sim.post("/sim/config", {})
        # an answer that says success must be signed, even when errors may not be
        self.sim.post("/sim/config", {"unsigned_all": True})
        try:
            self.assertError(self.start(self.online_order(), "alipay"), 503, "gateway_bad_signature")
        finally:
            self.sim.post("/sim/config", {})

    def test_a_new_payment_replaces_an_unanswered_one_which_is_closed_at_the_gateway(self):
        o = self.online_order()
        wx = self.start(o, "wechat_pay").json["gateway_payment"]
        # she switches to Alipay: the WeChat trade is abandoned, never a 409
        r = self.start(o, "alipay")
        self.assertEqual(r.status, 201, r)
        ali = r.json["gateway_payment"]
        self.assertIn("payment_abandoned", [e["kind"] for e in r.json["timeline"]])
        self.owner.post("/v1/gateways/sweep", {})
        self.assertEqual(self.sim.get("/sim/trades/" + wx["out_trade_no"]).json["state"], "closed")
        self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": wx["out_trade_no"]}).status, 409)
        self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": ali["out_trade_no"]}).json["body"], "success")
        o2 = self.order(o["id"])
        self.assertEqual(o2["status"], "paid")
        self.assertEqual(sorted((p["gateway"], p["status"]) for p in o2["payments"]),
                         [("alipay", "captured"), ("wechat_pay", "cancelled")])
        self.assertIn("payment_closed", [e["kind"] for e in o2["timeline"]])

    def test_an_abandoned_payment_paid_after_all_is_taken_while_due_else_refunded(self):
        self.sim.post("/sim/config", {"close_fails": True})  # the gateway cannot close it in time
        try:
            o = self.online_order()
            wx = self.start(o, "wechat_pay").json["gateway_payment"]
            ali = self.start(o, "alipay").json["gateway_payment"]
            # she had scanned the WeChat code after all: the order still wants the money
            self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": wx["out_trade_no"]}).json["status"], 204)
            o2 = self.order(o["id"])
            self.assertEqual((o2["status"], o2["paid"]), ("paid", 8888))
            # and then the Alipay one too: that one goes back
            self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": ali["out_trade_no"]}).json["body"], "success")
            o3 = self.order(o["id"])
            self.assertEqual((o3["status"], o3["refunded"]), ("paid", 8888))
            self.assertEqual([x["reason"] for x in o3["refunds"]], ["paid after another payment was made"])
        finally:
            self.sim.post("/sim/config", {})

    def test_payments_expire_at_the_gateway_with_the_order(self):
        o = self.online_order()
        pay_by = datetime.datetime.strptime(o["pay_by"], "%Y-%m-%dT%H:%M:%S.%fZ")
        beijing = (pay_by + datetime.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
        ali = self.start(o, "alipay").json["gateway_payment"]
        self.assertEqual(ali["expires_at"], o["pay_by"])
        t = self.sim.get("/sim/trades/" + ali["out_trade_no"]).json
        self.assertEqual(t["time_expire"], beijing)
        self.assertRegex(t["timeout_express"], r"^\d+m$")
        wx = self.start(o, "wechat_pay").json["gateway_payment"]
        t = self.sim.get("/sim/trades/" + wx["out_trade_no"]).json
        self.assertEqual(t["time_expire"], beijing.replace(" ", "T") + "+08:00")
        # its time has come (pinned, not waited for): the sweeper closes it, the order stays payable
        self.server.execute("UPDATE payments SET expires_at = 1000 WHERE out_trade_no = '%s'" % wx["out_trade_no"])
        self.owner.post("/v1/gateways/sweep", {})
        self.assertEqual(self.sim.get("/sim/trades/" + wx["out_trade_no"]).json["state"], "closed")
        o2 = self.order(o["id"])
        self.assertEqual([p["status"] for p in o2["payments"] if p["gateway"] == "wechat_pay"], ["failed"])
        self.assertIn("payment_expired", [e["kind"] for e in o2["timeline"]])
        self.assertEqual(self.start(o, "wechat_pay").status, 201)
        # cancelling an unpaid order closes its QR code at the gateway
        o = self.online_order()
        ali = self.start(o, "alipay").json["gateway_payment"]
        self.owner.post("/v1/orders/%d/cancel" % o["id"], {"reason": "changed my mind"})
        self.owner.post("/v1/gateways/sweep", {})
        self.assertEqual(self.sim.get("/sim/trades/" + ali["out_trade_no"]).json["state"], "closed")
        self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": ali["out_trade_no"]}).status, 409)

    def test_trade_numbers_carry_the_instance(self):
        o = self.online_order()
        gp = self.start(o, "wechat_pay").json["gateway_payment"]
        self.assertTrue(gp["out_trade_no"].startswith("simO%d" % o["id"]), gp)
        self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"]})
        o2 = self.owner.post("/v1/orders/%d/cancel" % o["id"], {}).json
        self.assertEqual(o2["refunds"][0]["out_refund_no"], gp["out_trade_no"] + "R1")
        # a gateways file without an instance name is refused at start
        with open(os.path.join(self.dir, "gateways.json")) as f:
            conf = json.load(f)
        del conf["instance"]
        bad = os.path.join(self.dir, "no-instance.json")
        with open(bad, "w") as f:
            json.dump(conf, f)
        r = subprocess.run([BINARY, "serve", "--db", os.path.join(self.dir, "x.db"), "--gateways", bad,
                            "--listen", "127.0.0.1:%d" % free_port()], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("instance", r.stderr)

    def test_wechat_platform_key_rotation_and_foreign_merchants(self):
        o = self.online_order()
        gp = self.start(o, "wechat_pay").json["gateway_payment"]
        for how in ("unknown_serial", "wrong_merchant"):
            with self.subTest(how=how):
                r = self.sim.post("/sim/forge", {"out_trade_no": gp["out_trade_no"], "how": how}).json
                self.assertEqual(r["status"], 401, r)
                self.assertEqual(self.order(o["id"])["status"], "placed")
        # WeChat Pay rotates its key: answers and notifications signed by the new one are believed too
        self.sim.post("/sim/config", {"platform": 2})
        try:
            o = self.online_order()
            gp = self.start(o, "wechat_pay").json["gateway_payment"]
            self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"]}).json["status"], 204)
            self.assertEqual(self.order(o["id"])["status"], "paid")
        finally:
            self.sim.post("/sim/config", {})

    # ---- refunds, lost and late notifications ----
    def test_cancel_refunds_through_the_gateway(self):
        for tender in ("wechat_pay", "alipay"):
            with self.subTest(tender=tender):
                o = self.online_order()
                gp = self.start(o, tender).json["gateway_payment"]
                self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"]})
                o2 = self.owner.post("/v1/orders/%d/cancel" % o["id"], {"reason": "changed mind"}).json
                self.assertEqual(o2["status"], "cancelled")
                # the sweeper may already have sent it by the time the answer is rendered
                self.assertIn(o2["refunds"][0]["status"], ("pending", "succeeded"))
                self.assertEqual(self.refund_status(o["id"]), "succeeded")
                o3 = self.order(o["id"])
                self.assertEqual((o3["refunds"][0]["status"], o3["refunded"]), ("succeeded", 8888))
                self.assertIn("refund_confirmed", [e["kind"] for e in o3["timeline"]])
                t = self.sim.get("/sim/trades/" + gp["out_trade_no"]).json
                self.assertEqual(sum(r["amount"] for r in t["refunds"].values()), 8888)

    def test_a_lost_notification_is_recovered_by_query(self):
        o = self.online_order()
        gp = self.start(o, "wechat_pay").json["gateway_payment"]
        self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"], "notify": False})
        self.assertEqual(self.order(o["id"])["status"], "placed")
        r = self.web.post("/v1/payments/%d/sync" % gp["id"], {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "paid")

    def test_amount_mismatch_is_not_paid_and_is_listed(self):
        o = self.online_order()
        gp = self.start(o, "alipay").json["gateway_payment"]
        pay = self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"], "amount": 1}).json
        self.assertEqual(pay["body"], "success")  # recorded; resending would not change it
        self.assertEqual(self.order(o["id"])["status"], "placed")
        issues = self.owner.get("/v1/settlements").json["mismatches"]
        self.assertIn(("amount_mismatch", gp["out_trade_no"]), [(x["kind"], x["out_trade_no"]) for x in issues])

    def test_payment_after_cancellation_is_refunded(self):
        o = self.online_order()
        gp = self.start(o, "wechat_pay").json["gateway_payment"]
        self.owner.post("/v1/orders/%d/cancel" % o["id"], {"reason": "timeout"})
        self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"]}).json["status"], 204)
        o2 = self.order(o["id"])
        self.assertEqual(o2["status"], "cancelled")
        self.assertEqual([r["amount"] for r in o2["refunds"]], [8888])
        self.assertEqual(o2["refunds"][0]["reason"], "paid after the order was cancelled")
        self.assertEqual(self.refund_status(o["id"]), "succeeded")

    # ---- settlement ----
    def test_daily_settlement_of_a_store_by_tender(self):
        before = {t["tender"]: t for t in self.owner.get("/v1/settlements?location=SH01").json["tenders"]}
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 1}],
                                         "tenders": [{"tender": "cash", "amount": 10000}]}).json
        self.assertEqual(o["status"], "completed")
        o = self.pos.post("/v1/orders", {"lines": [{"sku": "PAY-1", "qty": 2}]}).json
        r = self.start(o, "scan", client=self.pos, auth_code="28" + "1111" + "123456789012")
        self.assertEqual(r.json["status"], "completed", r)
        self.owner.post("/v1/orders/%d/returns" % o["id"], {"location": "SH01", "lines": [{"line": 1, "qty": 1}]})
        self.owner.post("/v1/gateways/sweep", {})
        s = self.owner.get("/v1/settlements?location=SH01").json
        after = {t["tender"]: t for t in s["tenders"]}

        def delta(tender, key):
            return after[tender][key] - before.get(tender, {}).get(key, 0)

        self.assertEqual((delta("cash", "payments"), delta("cash", "paid")), (1, 8888))
        self.assertEqual((delta("scan", "paid"), delta("scan", "refunded")), (17776, 8888))
        self.assertEqual(after["scan"]["net"], after["scan"]["paid"] - after["scan"]["refunded"])
        self.owner.post("/v1/staff", {"username": "bjmgr", "password": "0123456789", "role": "store_manager",
                                      "scope": "BJ01"})
        bj = self.server.client(self.server.client().post("/v1/auth/login", {"username": "bjmgr",
                                                                              "password": "0123456789"}).json["token"])
        self.assertError(bj.get("/v1/settlements?location=SH01"), 403, "out_of_scope")
        self.assertEqual(bj.get("/v1/settlements?location=BJ01").status, 200)
        self.assertError(self.pos.get("/v1/settlements?location=SH01"), 403)
