"""The today board in headless Chromium: the owner lands on it after signing in and
sees the chain's figures, the chart drawn, and can narrow it to a region or a
store; a store manager sees her store's board with no picker; a clerk has no
board. What the screen shows is checked against the API's board of the same day."""
from console.base import ConsoleTest
from harness import OWNER_PASSWORD


class BoardScreenTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receive("TEE-RED-M", "SH01", 20)
        pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        for qty in (1, 2):
            r = pos.post("/v1/orders", {"lines": [{"sku": "TEE-RED-M", "qty": qty}],
                                        "tenders": [{"tender": "cash", "amount": 12900 * qty}]})
            assert r.status == 201, r
        cls.manager = cls.staff("store_manager", "location", "SH01")
        cls.clerk = cls.staff("clerk", "location", "SH01")

    def same_day_figure(self, css, query=""):
        """The screen's figure and the API's, when both speak of the same local day."""
        shown = self.wait(css).find_element("css selector", ".big").text
        day = self.by("#board-when").text
        b = self.server.client(self.token()).get("/v1/board" + query).json
        return shown, b, b["today"]["day"] in day

    def test_the_owner_lands_on_the_chains_board_and_narrows_it(self):
        self.sign_in("owner", password=OWNER_PASSWORD)
        self.wait("#screen-board")
        self.wait("#board-when", "Whole chain")
        shown, b, same = self.same_day_figure("#kpi-sales")
        if same:
            self.assertEqual(shown, "¥%d.%02d" % (b["today"]["sales"] // 100, b["today"]["sales"] % 100))
            self.assertEqual(self.by("#kpi-orders .big").text, str(b["today"]["orders"]))
        self.wait("#board-chart canvas")                        # uPlot drew the chart
        self.assertIn("Today", self.by("#board-chart").text)
        from selenium.webdriver.support.ui import Select
        Select(self.by("#board-scope")).select_by_value("store:SH02")
        self.wait("#board-when", "Shanghai 2")
        self.assertEqual(self.by("#kpi-orders .big").text, "0")
        Select(self.by("#board-scope")).select_by_value("region:EAST")
        self.wait("#board-when", "East")

    def test_a_store_manager_sees_her_store_and_a_clerk_no_board(self):
        self.sign_in(self.manager, lang="zh-CN")
        self.wait("#board-when", "Shanghai 1")
        self.assertEqual(self.by("#board-scope", many=True), [])
        self.assertEqual(self.by("#nav a[data-screen=board]").text, "今日看板")
        shown, b, same = self.same_day_figure("#kpi-orders")
        if same:
            self.assertEqual(shown, str(b["today"]["orders"]))
        self.sign_in(self.clerk)
        self.wait("#screen-till")
        self.assertEqual(self.by("#nav a[data-screen=board]", many=True), [])
        self.go("#/board")
        self.wait("#msg", "outside what your role may do")
