"""The till takes a customer's WeChat Pay or Alipay payment code, typed by the
scanner, through the gateway (the local simulator of tests/sim, as in the payments
suite): a code she paid with before online tells the till who she is, and the
sale's points are hers; a declined code is said and the sale stays open for
another tender; cash and a scanned code split one bill."""
import os
import re
import subprocess
import tempfile

from console.base import ConsoleTest
from harness import SIM_DIR, Client, Server, member_token, unique
from harness import free_port, sim_python


class TillScanTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="o2o-tillscan-")
        port = free_port()
        cls.sim_proc = subprocess.Popen([sim_python(), os.path.join(SIM_DIR, "gateway_sim.py"), cls.dir, str(port)],
                                        stdout=subprocess.PIPE, text=True)
        m = re.match(r"listening (\d+)", cls.sim_proc.stdout.readline())
        assert m, "the gateway simulator did not start"
        cls.sim = Client(int(m.group(1)))
        cls.server_args = ("--gateways", os.path.join(cls.dir, "gateways.json"), "--listen", "127.0.0.1:%d" % port)
        try:
            super().setUpClass()
        except BaseException:
            cls.sim_proc.terminate()
            raise
        cls.receive("TEE-RED-M", "SH01", 30)
        cls.receive("TEE-RED-M", "SH02", 30)
        cls.clerk = cls.staff("clerk", "location", "SH01")

    @classmethod
    def tearDownClass(cls):
        cls.sim_proc.terminate()
        cls.sim_proc.wait(10)
        super().tearDownClass()

    def bind_alipay(self, name, payer):
        """She pays online with Alipay while signed in: the payer becomes hers."""
        phone = "134" + unique("")[-8:].rjust(8, "6")
        m = self.owner.post("/v1/members", {"phone": phone, "name": name}).json
        me = self.server.client(member_token(self.server, self.owner, phone))
        o = me.post("/v1/orders", {"fulfilment": "pickup", "pickup_store": "SH02",
                                   "lines": [{"sku": "TEE-RED-M", "qty": 1}]}).json
        gp = me.post("/v1/orders/%d/payments/gateway" % o["id"], {"tender": "alipay"},
                     headers={"Idempotency-Key": unique("gw")}).json["gateway_payment"]
        self.assertEqual(self.sim.post("/sim/pay", {"out_trade_no": gp["out_trade_no"], "payer": payer}).json["status"], 200)
        return m

    def choose(self, row, kind):
        from selenium.webdriver.support.ui import Select
        Select(self.by(".tender-kind", many=True)[row]).select_by_value(kind)

    def test_her_payment_code_pays_and_says_who_she_is(self):
        payer = "2088" + unique("")[-12:].rjust(12, "3")
        m = self.bind_alipay("Qian Yu", payer)
        self.sign_in(self.clerk)
        self.type("#scan", "6900000000024", enter=True)
        self.wait("#cart tr[data-sku='TEE-RED-M']")
        self.click("#checkout")
        self.wait("#total", "¥129.00")
        self.choose(0, "scan")
        self.assertFalse(self.by("#take").is_enabled())          # no code scanned yet
        self.type(".tender-code", "28" + "0000" + payer[4:], enter=True)
        self.click("#take")
        self.wait("#payer", "Qian Yu")
        order_id = int(self.by("#done h3").text.split("#")[1].split()[0])
        o = self.owner.get("/v1/orders/%d" % order_id).json
        self.assertEqual((o["status"], o["member_id"]), ("completed", m["id"]))
        self.assertEqual([(p["tender"], p["amount"]) for p in o["payments"]], [("scan", 12900)])

    def test_a_declined_code_is_said_and_cash_and_a_code_split_the_bill(self):
        self.sign_in(self.clerk)
        self.type("#scan", "6900000000024", enter=True)
        self.wait("#cart tr[data-sku='TEE-RED-M']")
        self.click("#checkout")
        self.wait("#total", "¥129.00")
        self.choose(0, "scan")
        self.type(".tender-code", "280000000000000000")        # the simulator declines it
        self.click("#take")
        self.wait("#msg", "gateway_refused")
        self.assertEqual(self.by("#due").text, "¥129.00")
        # ¥29 in cash, ¥100 by a WeChat code
        self.choose(0, "cash")
        self.type(".tender-amount", "29")
        self.click("#add-tender")
        self.choose(1, "scan")
        amount = self.by(".tender-amount", many=True)[1]
        amount.clear()
        amount.send_keys("100")
        self.type(".tender-code", "134567890123" + "345678")
        self.click("#take")
        done = self.wait("#done")
        order_id = int(done.find_element("css selector", "h3").text.split("#")[1].split()[0])
        paid = sorted((p["tender"], p["amount"], p["status"]) for p in self.owner.get("/v1/orders/%d" % order_id).json["payments"])
        self.assertEqual([x for x in paid if x[2] == "captured"], [("cash", 2900, "captured"), ("scan", 10000, "captured")])
