"""Demand for manufacturers: units per month by category x size x price band
(months without sales count as zero), each series' trend, next month's forecasts
(seasonal naive, exponential smoothing) and their one-month-ahead backtest error,
checked against an independent computation here; CSV and XLSX exports; owner only."""
import csv
import datetime
import io
import subprocess
import zipfile

from harness import BINARY, ServerTest, make_chain, unique

# 14 months of history (so that seasonal naive has a year to look back on)
MONTHS = ["2025-%02d" % m for m in range(1, 13)] + ["2026-01", "2026-02"]
SERIES = {
    ("tops", "S", "budget"): [10, 12, 14, 13, 15, 30, 32, 18, 16, 14, 20, 40, 12, 15],
    ("tops", "M", "budget"): [20, 0, 22, 25, 24, 50, 48, 30, 28, 26, 35, 70, 24, 27],
    ("shoes", "42", "premium"): [3, 4, 2, 5, 6, 4, 3, 7, 5, 6, 8, 9, 4, 5],
}
SKU = {("tops", "S", "budget"): ("TEE-RED-S", 12900), ("tops", "M", "budget"): ("TEE-RED-M", 12900),
       ("shoes", "42", "premium"): ("BOOT-42", 159900)}


def ses(y):
    best = None
    for k in range(1, 10):
        a = k / 10.0
        l, sse = y[0], 0.0
        for t in range(1, len(y)):
            e = y[t] - l
            sse += e * e
            l = a * y[t] + (1 - a) * l
        if best is None or sse < best[0] - 1e-9:
            best = (sse, l, a)
    return best[1], best[2]


def snaive(y):
    return y[-12] if len(y) >= 12 else y[-1]


def backtest(y, f):
    apes = [abs(y[t] - f(y[:t])) / y[t] for t in range(2, len(y)) if y[t] > 0]
    return apes


def trend(y, last=6):
    y = y[-last:]
    k = len(y)
    sx, sy = sum(range(k)), sum(y)
    sxx, sxy = sum(x * x for x in range(k)), sum(x * v for x, v in enumerate(y))
    return (k * sxy - sx * sy) / (k * sxx - sx * sx)


class DemandTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        o = cls.owner = cls.server.owner()
        make_chain(o)
        assert o.post("/v1/categories", {"code": "shoes", "name": "Shoes"}).status == 201
        assert o.post("/v1/products", {"code": "BOOT", "name": "Boot", "category": "shoes"}).status == 201
        assert o.post("/v1/skus", {"code": "BOOT-42", "product": "BOOT", "size": "42", "price": 159900}).status == 201
        for sku in ("TEE-RED-S", "TEE-RED-M", "BOOT-42"):
            assert o.post("/v1/stock/movements", {"sku": sku, "location": "SH01", "kind": "receive",
                                                  "qty": 5000}).status == 201
        pos = cls.server.client(o.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])
        # one till sale per series and month, moved back to the middle of its month
        for key, units in SERIES.items():
            sku, price = SKU[key]
            for month, q in zip(MONTHS, units):
                if not q:
                    continue
                r = pos.post("/v1/orders", {"lines": [{"sku": sku, "qty": q}],
                                            "tenders": [{"tender": "cash", "amount": q * price}]})
                assert r.status == 201, r
                at = int(datetime.datetime.strptime(month + "-15 04:00", "%Y-%m-%d %H:%M")
                         .replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
                cls.server.execute("UPDATE orders SET created_at = %d WHERE id = %d" % (at, r.json["id"]))

    def test_series_forecasts_and_backtest_equal_an_independent_computation(self):
        r = self.owner.get("/v1/insight/demand?from=%s&to=%s" % (MONTHS[0], MONTHS[-1]))
        self.assertEqual(r.status, 200, r)
        j = r.json
        self.assertEqual(j["months"], MONTHS)
        self.assertEqual(j["next_month"], "2026-03")
        got = {(s["category"], s["size"], s["price_band"]): s for s in j["series"]}
        self.assertEqual(set(got), set(SERIES))
        # most units first
        self.assertEqual((j["series"][0]["category"], j["series"][0]["size"]), ("tops", "M"))
        all_ses, all_sn = [], []
        for key, y in SERIES.items():
            s = got[key]
            self.assertEqual(s["units"], y, key)
            self.assertEqual(s["revenue"], [u * SKU[key][1] for u in y])
            f, a = ses(y)
            self.assertAlmostEqual(s["forecast"]["exponential_smoothing"], round(f, 2), places=2)
            self.assertEqual(s["forecast"]["alpha"], a)
            self.assertEqual(s["forecast"]["seasonal_naive"], snaive(y))
            self.assertAlmostEqual(s["trend_per_month"], round(trend(y), 2), places=2)
            e1, e2 = backtest(y, lambda p: ses(p)[0]), backtest(y, snaive)
            all_ses += e1
            all_sn += e2
            self.assertAlmostEqual(s["mape"]["exponential_smoothing"], round(100 * sum(e1) / len(e1), 2), places=2)
            self.assertAlmostEqual(s["mape"]["seasonal_naive"], round(100 * sum(e2) / len(e2), 2), places=2)
        bt = j["backtest"]
        self.assertEqual(bt["months_forecast"], len(all_ses))
        self.assertAlmostEqual(bt["mape_exponential_smoothing"], round(100 * sum(all_ses) / len(all_ses), 2), places=2)
        self.assertAlmostEqual(bt["mape_seasonal_naive"], round(100 * sum(all_sn) / len(all_sn), 2), places=2)
        # the seasonal series is better served by the seasonal method at the year's turn
        self.assertEqual(got[("tops", "M", "budget")]["forecast"]["seasonal_naive"], 22)

    def test_exports_and_who_may_see_them(self):
        r = self.owner.get("/v1/insight/demand?format=csv&from=%s" % MONTHS[0])
        self.assertTrue(r.headers["content-type"].startswith("text/csv"))
        rows = list(csv.DictReader(io.StringIO(r.body.lstrip("\ufeff"))))
        monthly = [x for x in rows if x["section"] == "monthly"]
        self.assertEqual(len(monthly), 3 * len(MONTHS))
        row = [x for x in monthly if (x["month"], x["category"], x["size"]) == ("2025-12", "shoes", "42")][0]
        self.assertEqual((row["price_band"], row["units"], row["revenue_yuan"]), ("premium", "9", "14391.00"))
        fc = [x for x in rows if x["section"] == "forecast"]
        self.assertEqual({x["month"] for x in fc}, {"2026-03"})
        r = self.owner.get("/v1/insight/demand?format=xlsx")
        z = zipfile.ZipFile(io.BytesIO(r.raw))
        book = z.read("xl/workbook.xml").decode()
        for name in ("Monthly", "Forecast", "Backtest"):
            self.assertIn('name="%s"' % name, book)
        self.assertError(self.owner.get("/v1/insight/demand?format=html"), 400, field="format")
        self.assertError(self.owner.get("/v1/insight/demand?from=2025-13"), 400, field="from")
        self.owner.post("/v1/staff", {"username": "mgr_d", "password": "password-mgr", "role": "store_manager",
                                      "scope": "SH01"})
        tok = self.server.client().post("/v1/auth/login", {"username": "mgr_d", "password": "password-mgr"}).json["token"]
        self.assertError(self.server.client(tok).get("/v1/insight/demand"), 403)
        # the command line prints the backtest error
        p = subprocess.run([BINARY, "report", "demand", "--from", MONTHS[0], "--to", MONTHS[-1], "--db",
                            self.server.db], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"backtest, one month ahead over \d+ series-months: MAPE exponential smoothing "
                                   r"\d+\.\d%, seasonal naive \d+\.\d%")
        self.assertRegex(p.stdout, r"shoes\s+42\s+premium\s+71\s+5")
        out = self.server.dir + "/demand.xlsx"
        p = subprocess.run([BINARY, "report", "demand", "--format", "xlsx", "--output", out, "--db", self.server.db],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("xl/workbook.xml", zipfile.ZipFile(out).namelist())
