"""The reports screen in headless Chromium: a store's day with its figures and a
CSV and an XLSX file fetched with the token (the file the browser saves is the
API's, byte for byte); a funnel built step by step and drawn, its numbers the
API's; months drawn. Times are pinned: the sale's own day, events at fixed
instants."""
import datetime
import os
import tempfile

from console.base import ConsoleTest
from harness import OWNER_PASSWORD, unique, wait_until

T0 = 1780000000000  # 2026-05-28 20:26 UTC, in the past
DAY = 86400000


def local_day(iso_time):
    t = datetime.datetime.strptime(iso_time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()


class ReportsScreenTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receive("TEE-RED-M", "SH01", 20)
        pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        r = pos.post("/v1/orders", {"lines": [{"sku": "TEE-RED-M", "qty": 3}],
                                    "tenders": [{"tender": "cash", "amount": 38700}]})
        assert r.status == 201, r
        cls.sale = r.json
        events = []
        for i, steps in enumerate((("view", "add_to_cart", "purchase"), ("view", "add_to_cart"), ("view",), ("view",))):
            d = unique("rs-")
            events += [{"name": n, "device_id": d, "ts": T0 + i * 60000 + k * 1000, "channel": "web"}
                       for k, n in enumerate(steps)]
        assert cls.server.client().post("/v1/events", {"events": events}).status == 200

    def set_value(self, css, value):
        self.d.execute_script("arguments[0].value = arguments[1]", self.wait(css), value)

    def test_a_day_is_shown_and_downloaded_as_the_api_gives_it(self):
        day = local_day(self.sale["created_at"])
        self.sign_in("owner", password=OWNER_PASSWORD)
        self.go("#/reports/daily")
        from selenium.webdriver.support.ui import Select
        Select(self.wait("#report-scope")).select_by_value("store:SH01")
        self.set_value("#report-date", day)
        self.click("#report-body form button[type=submit]")
        self.wait("#daily-kpis", "¥387.00")
        self.wait("#best-sellers", "Tee")
        bar = self.wait("#daily-best .bar")                     # drawn, by the style object (no style attribute)
        self.assertGreater(bar.size["width"], 10)
        folder = tempfile.mkdtemp(prefix="o2o-downloads-")
        self.d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})
        for fmt in ("csv", "xlsx"):
            self.click("#report-body button[data-format=%s]" % fmt)
            link = self.wait("a.download[data-format=%s]" % fmt)
            name = "daily-store-SH01-%s.%s" % (day, fmt)
            self.assertEqual(link.get_attribute("download"), name)
            path = os.path.join(folder, name)
            wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 0, what="the saved " + name)
            with open(path, "rb") as f:
                got = f.read()
            want = self.owner.get("/v1/reports/daily?store=SH01&date=%s&format=%s" % (day, fmt)).raw
            if fmt == "csv":
                self.assertEqual(got, want)
                self.assertIn("387.00", want.decode("utf-8-sig"))
            else:
                self.assertEqual(got[:2], b"PK")              # a workbook (its build time differs per request)
                self.assertGreater(len(got), 1000)

    def test_a_funnel_is_built_and_drawn(self):
        self.sign_in("owner", password=OWNER_PASSWORD)
        self.go("#/reports/funnel")
        self.set_value("#funnel-from", "2026-05-28")
        self.set_value("#funnel-to", "2026-05-30")
        self.click("#funnel-form button[type=submit]")
        self.wait("#funnel-chart canvas")
        rows = [r.text.split() for r in self.by("#funnel-table tr", many=True)]
        api = self.owner.post("/v1/analytics/funnel", {"steps": ["view", "add_to_cart", "purchase"], "from": "2026-05-28",
                                                       "to": "2026-05-30", "window": "7d",
                                                       "timezone": "Asia/Shanghai"}).json
        self.assertEqual([int(r[1]) for r in rows], [s["users"] for s in api["steps"]])
        self.assertEqual([int(r[1]) for r in rows], [4, 2, 1])
        self.assertEqual(rows[1][2], "50.0%")

    def test_months_are_drawn(self):
        self.sign_in("owner", password=OWNER_PASSWORD)
        self.go("#/reports/monthly")
        self.wait("#monthly-chart canvas")
        self.assertIn(local_day(self.sale["created_at"])[:7], self.wait("#months").text)
