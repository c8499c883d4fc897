"""The stock and members screens in headless Chromium: a clerk looks a SKU up by a
scanned barcode and records a damaged unit with its reason; a store manager sends
stock to another store; a service agent finds a member by part of her name, reads
her profile and ledger, and merges her duplicate record after a confirmation that
says what moves."""
from console.base import ConsoleTest
from harness import unique


class StockMembersTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receive("TEE-RED-M", "SH01", 12)
        cls.receive("TEE-RED-M", "SH02", 5)
        cls.clerk = cls.staff("clerk", "location", "SH01")
        cls.manager = cls.staff("store_manager", "location", "SH01")
        cls.agent = cls.staff("service_agent", "chain")

    def stock(self, loc):
        return self.owner.get("/v1/stock?sku=TEE-RED-M&location=%s" % loc).json

    def test_a_clerk_records_a_damaged_unit(self):
        before = self.stock("SH01")["on_hand"]
        self.sign_in(self.clerk)
        self.go("#/stock")
        self.type("#stock-q", "6900000000024", enter=True)
        self.wait("#on-hand", str(before))
        self.assertIn("SH02", self.wait("#availability").text)           # where else it is, nearest first
        self.assertEqual(self.by("#transfer-form", many=True), [])       # clerks do not transfer
        self.type("#move-form input[name=qty]", "-1")
        self.type("#move-form input[name=reason]", "damaged in the fitting room", enter=True)
        self.wait("#on-hand", str(before - 1))
        self.wait("#journal", "damaged in the fitting room")
        self.assertEqual(self.stock("SH01")["on_hand"], before - 1)

    def test_a_manager_sends_stock_to_another_store(self):
        here, there = self.stock("SH01")["on_hand"], self.stock("SH02")["on_hand"]
        self.sign_in(self.manager)
        self.go("#/stock/TEE-RED-M")
        self.wait("#on-hand", str(here))
        self.type("#transfer-form input[name=to]", "sh02")
        self.type("#transfer-form input[name=qty]", "2", enter=True)
        self.wait("#on-hand", str(here - 2))
        self.assertEqual(self.stock("SH02")["on_hand"], there + 2)

    def test_a_service_agent_finds_a_member_and_merges_her_duplicate(self):
        tail = unique("")[-4:].rjust(4, "0")
        keep = self.owner.post("/v1/members", {"phone": "158" + tail + "0001", "name": "欧阳娜娜"}).json
        dup = self.owner.post("/v1/members", {"phone": "158" + tail + "0002", "name": "欧阳娜娜 (old card)"}).json
        self.owner.post("/v1/members/%d/points/adjust" % dup["id"], {"points": 70, "reason": "old card balance"})
        self.sign_in(self.agent, lang="zh-CN")
        self.go("#/members")
        self.type("#member-search", "阳娜", enter=True)          # part of the name
        self.wait("#members tr[data-member='%d']" % keep["id"])
        self.wait("#members tr[data-member='%d']" % dup["id"])
        self.click("#members tr[data-member='%d'] a" % keep["id"])
        self.wait("#member-title", "欧阳娜娜")
        self.wait("#member-profile")
        self.type("#merge-other", str(dup["id"]), enter=True)
        what = self.wait("#merge-what").text
        self.assertIn("70 积分", what)
        self.assertIn(dup["phone"], what)
        self.click("#merge-go")
        self.wait("#member-title")
        self.wait("#member-ledger", "+70")
        self.assertEqual(self.owner.get("/v1/members/%d" % dup["id"]).json["status"], "merged")
        self.assertEqual(self.owner.get("/v1/members/%d/points" % keep["id"]).json["balance"], 70)
