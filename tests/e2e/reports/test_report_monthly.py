"""Monthly reports on real data: after `o2o import sales` of the UCI Online Retail
file, the revenue, orders, customers and best sellers of every month equal those
computed here independently from the CSV, by these cleaning rules:
- a sale is an invoice whose number starts with a digit; its rows with a zero or
  negative quantity or a negative price are not sales (stock adjustments, errors);
  zero prices are sales of nothing (they count for quantities, not revenue);
- a cancellation (invoice "C...") is a return: it neither adds revenue nor takes it
  from the month of the invoice it cancels (the data does not say which);
- a row without a CustomerID is an anonymous sale: revenue and orders, no customer;
- revenue is quantity x unit price rounded to the penny per unit; the month is the
  invoice's local month (Europe/London, as written in the file);
- best sellers: the 5 stock codes with the most units in the month, ties by code.
The whole file on SQLite; its first 30,000 rows on PostgreSQL."""
import csv
import io
import json
import lzma
import os
import re
import subprocess
import tempfile
import unittest
from decimal import ROUND_HALF_UP, Decimal

from harness import BINARY, DATA_DIR, PG_URL, psql

DATA = os.path.join(DATA_DIR, "online_retail", "online_retail.csv.xz")


def pence(s):
    return int((Decimal(s) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def code_of(stock_code):
    return "".join(ch if re.match(r"[A-Za-z0-9_.-]", ch) else "_" for ch in stock_code)[:64]


def months_from_csv(text):
    months = {}
    for row in csv.DictReader(io.StringIO(text)):
        inv, qty = row["InvoiceNo"], int(row["Quantity"])
        if not inv[:1].isdigit() or qty <= 0 or Decimal(row["UnitPrice"]) < 0:
            continue
        m = months.setdefault(row["InvoiceDate"][:7], {"sales": 0, "orders": set(), "customers": set(), "qty": {}})
        m["sales"] += qty * pence(row["UnitPrice"])
        m["orders"].add(inv)
        if row["CustomerID"]:
            m["customers"].add(row["CustomerID"])
        code = code_of(row["StockCode"])
        m["qty"][code] = m["qty"].get(code, 0) + qty
    out = []
    for month in sorted(months):
        m = months[month]
        top = sorted(m["qty"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        out.append({"month": month, "sales": m["sales"], "orders": len(m["orders"]), "customers": len(m["customers"]),
                    "best_sellers": top})
    return out


@unittest.skipUnless(os.path.exists(DATA), "the Online Retail data set is not here (set O2O_DATA_DIR)")
class MonthlyReportTest(unittest.TestCase):
    def test_monthly_figures_equal_the_csv(self):
        tmp = tempfile.mkdtemp(prefix="o2o-monthly-")
        with lzma.open(DATA, "rt", encoding="utf-8", newline="") as f:
            text = f.read()
        path = DATA
        if PG_URL:
            psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            db = PG_URL
            text = "".join(text.splitlines(True)[:30001])
            path = os.path.join(tmp, "sales.csv")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        else:
            db = "sqlite:" + os.path.join(tmp, "o2o.db")
        want = months_from_csv(text)
        p = subprocess.run([BINARY, "import", "sales", path, "--db", db], capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 3, p.stderr[-2000:])   # 3: some rows are not sales (reported)
        p = subprocess.run([BINARY, "report", "monthly", "--store", "RETAIL-IMPORT", "--format", "json", "--db", db],
                           capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = json.loads(p.stdout)
        self.assertEqual(got["timezone"], "Europe/London")
        self.assertEqual([m["month"] for m in got["months"]], [m["month"] for m in want])
        for g, w in zip(got["months"], want):
            self.assertEqual((g["month"], g["sales"], g["orders"], g["customers"]),
                             (w["month"], w["sales"], w["orders"], w["customers"]))
            self.assertEqual([(s["sku"], s["qty"]) for s in g["best_sellers"]], w["best_sellers"], g["month"])
        if not PG_URL:
            # the figures everyone knows of this data set: 13 months, Dec 2010 to Dec 2011
            self.assertEqual(len(want), 13)
            self.assertEqual(want[0]["month"], "2010-12")
        # the chain's view of the same history is the same (one store), and a range narrows it
        p = subprocess.run([BINARY, "report", "monthly", "--format", "json", "--from", want[-1]["month"],
                            "--db", db], capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([m["month"] for m in json.loads(p.stdout)["months"]], [want[-1]["month"]])
        # the terminal table, CSV and an XLSX workbook of it
        p = subprocess.run([BINARY, "report", "monthly", "--store", "RETAIL-IMPORT", "--db", db], capture_output=True,
                           text=True, timeout=900)
        self.assertIn("Monthly report, ", p.stdout)
        self.assertRegex(p.stdout, r"%s\s+%d\.%02d\s+%d" % (want[0]["month"], want[0]["sales"] // 100,
                                                             want[0]["sales"] % 100, want[0]["orders"]))
        out = os.path.join(tmp, "months.xlsx")
        p = subprocess.run([BINARY, "report", "monthly", "--store", "RETAIL-IMPORT", "--format", "xlsx", "--output",
                            out, "--db", db], capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 0, p.stderr)
        import zipfile
        z = zipfile.ZipFile(out)
        self.assertIn('name="Months"', z.read("xl/workbook.xml").decode())
        p = subprocess.run([BINARY, "report", "monthly", "--from", "2011-13", "--db", db], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
