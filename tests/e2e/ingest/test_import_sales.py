"""`o2o import sales`: historical till sales in the Online Retail layout. Checked
against figures computed here, independently, from the CSV with the same cleaning
rules: invoices become orders, cancellations (C...) become returns, products and
members are created as needed, bad rows are reported by line number, a second run
loads nothing twice, and a progress bar is drawn on a terminal."""
import csv
import io
import lzma
import os
import re
import subprocess
import tempfile
import types
import unittest
from decimal import ROUND_HALF_UP, Decimal

from harness import BINARY, DATA_DIR, PG_URL, Server, psql, run_on_tty

DATA = os.path.join(DATA_DIR, "online_retail", "online_retail.csv.xz")
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def pence(s):
    return int((Decimal(s) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def expected(text):
    """What the import must load, by the documented rules."""
    orders, returns, customers, total, rejected = set(), set(), set(), 0, 0
    for row in csv.DictReader(io.StringIO(text)):
        inv, qty = row["InvoiceNo"], int(row["Quantity"])
        ret = inv.startswith("C")
        if not (inv[1:] if ret else inv)[:1].isdigit() or qty == 0 or (qty < 0) != ret or \
                Decimal(row["UnitPrice"]) < 0:
            rejected += 1
            continue
        (returns if ret else orders).add(inv)
        if row["CustomerID"]:
            customers.add(row["CustomerID"].replace(".0", ""))
        if not ret:
            total += abs(qty) * pence(row["UnitPrice"])
    return {"orders": len(orders), "returns": len(returns), "customers": len(customers), "sales": total,
            "rejected": rejected}


class ImportSalesTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="o2o-sales-")
        if PG_URL:
            psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            self.db = PG_URL
        else:
            self.db = "sqlite:" + os.path.join(self.dir, "o2o.db")

    def run_import(self, path, *extra):
        p = subprocess.run([BINARY, "import", "sales", path, "--db", self.db] + list(extra), capture_output=True,
                           text=True, timeout=900)
        return p

    def q(self, sql):
        if PG_URL:
            return psql(sql)
        import sqlite3
        con = sqlite3.connect(self.db[len("sqlite:"):])
        v = con.execute(sql).fetchone()[0]
        con.close()
        return str(v)

    def sample(self):
        """The whole data set on SQLite; its first 30,000 rows on PostgreSQL (same rules, less time)."""
        with lzma.open(DATA, "rt", encoding="utf-8", newline="") as f:
            text = f.read()
        if PG_URL:
            text = "".join(text.splitlines(True)[:30001])
        path = os.path.join(self.dir, "sales.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return (DATA if not PG_URL else path), text

    @unittest.skipUnless(os.path.exists(DATA), "the Online Retail data set is not here (set O2O_DATA_DIR)")
    def test_the_online_retail_history_loads_as_orders_and_returns(self):
        path, text = self.sample()
        want = expected(text)
        p = self.run_import(path)
        self.assertEqual(p.returncode, 3, p.stderr[-2000:])  # 3: some rows were rejected
        nrows = text.count("\n") - 1
        m = re.search(r"imported (\d+) of (\d+) rows as (\d+) orders .* \((\d+) rejected, 0 already there\)", p.stdout)
        self.assertIsNotNone(m, p.stdout)
        self.assertEqual(int(m.group(2)), nrows)
        self.assertEqual(int(m.group(4)), want["rejected"])
        self.assertEqual(int(m.group(3)), want["orders"] + want["returns"])
        self.assertEqual(int(self.q("SELECT COUNT(*) FROM orders WHERE status = 'completed'")), want["orders"])
        self.assertEqual(int(self.q("SELECT COUNT(*) FROM orders WHERE status = 'returned'")), want["returns"])
        self.assertEqual(int(self.q("SELECT COUNT(*) FROM returns")), want["returns"])
        self.assertEqual(int(self.q("SELECT SUM(total) FROM orders WHERE status = 'completed'")), want["sales"])
        self.assertEqual(int(self.q("SELECT COUNT(*) FROM members")), want["customers"])
        self.assertEqual(int(self.q("SELECT COUNT(*) FROM order_lines")), nrows - want["rejected"])
        # every rejection names its line
        lines = [l for l in p.stderr.splitlines() if l.startswith("line ")]
        self.assertEqual(len(lines), want["rejected"])
        if not PG_URL:
            self.assertIn("line 2408: Quantity: negative on a sale invoice (a stock adjustment, not a sale)", lines)
        # a second run loads nothing twice
        p2 = self.run_import(path)
        self.assertIn("imported 0 of %d rows as 0 orders" % nrows, p2.stdout)
        self.assertIn("%d already there" % (nrows - want["rejected"]), p2.stdout)
        self.assertEqual(int(self.q("SELECT COUNT(*) FROM orders")), want["orders"] + want["returns"])

    def test_bad_rows_are_reported_and_good_ones_are_visible_through_the_api(self):
        path = os.path.join(self.dir, "small.csv")
        with open(path, "w") as f:
            f.write(HEADER +
                    '900001,85123A,"HEART, WHITE",6,2011-06-01 09:30:00,2.55,17850.0,United Kingdom\n'   # 2
                    "900001,71053,WHITE METAL LANTERN,2,2011-06-01 09:30:00,3.39,17850.0,United Kingdom\n"  # 3
                    "900002,71053,WHITE METAL LANTERN,x,2011-06-01 10:00:00,3.39,,United Kingdom\n"        # 4
                    "900002,71053,WHITE METAL LANTERN,1,yesterday,3.39,,United Kingdom\n"                  # 5
                    "900002,71053,WHITE METAL LANTERN,1,2011-06-01 10:00:00,-3.39,,United Kingdom\n"       # 6
                    "900002,POST,POSTAGE,1,2011-06-01 10:00:00,18.00,,France\n"                             # 7
                    "C900003,71053,WHITE METAL LANTERN,-1,2011-06-02 10:00:00,3.39,17850.0,United Kingdom\n"  # 8
                    "C900004,71053,WHITE METAL LANTERN,1,2011-06-02 10:00:00,3.39,17850.0,United Kingdom\n")  # 9
        p = self.run_import(path, "--store", "UK-ONLINE")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("line 4: Quantity:", p.stderr)
        self.assertIn("line 5: InvoiceDate:", p.stderr)
        self.assertIn("line 6: UnitPrice:", p.stderr)
        self.assertIn("line 9: Quantity: positive on a cancellation invoice", p.stderr)
        self.assertIn("imported 4 of 8 rows as 3 orders", p.stdout)
        server = Server(reuse=types.SimpleNamespace(dir=self.dir, db=self.db))
        try:
            owner = server.owner()
            oid = int(self.q("SELECT id FROM orders WHERE external_ref = '900001'"))
            o = owner.get("/v1/orders/%d" % oid).json
            self.assertEqual((o["status"], o["location"], o["total"]), ("completed", "UK-ONLINE", 6 * 255 + 2 * 339))
            self.assertEqual([l["name"] for l in o["lines"]], ["HEART, WHITE", "WHITE METAL LANTERN"])
            # 09:30 in London in June is 08:30 UTC
            self.assertEqual(o["created_at"], "2011-06-01T08:30:00.000Z")
            member = owner.get("/v1/members/lookup?kind=store_card&value=17850").json
            self.assertEqual(o["member_id"], member["id"])
            r = self.q("SELECT status FROM orders WHERE external_ref = 'C900003'")
            self.assertEqual(r, "returned")
        finally:
            server.stop()

    def test_a_progress_bar_on_a_terminal(self):
        path = os.path.join(self.dir, "bar.csv")
        with open(path, "w") as f:
            f.write(HEADER + "".join("%d,P%d,THING,1,2011-06-01 09:30:00,1.00,,UK\n" % (800000 + i // 3, i % 50)
                                     for i in range(6000)))
        rc, stdout, text = run_on_tty([BINARY, "import", "sales", path, "--db", self.db])
        self.assertEqual(rc, 0, text)
        self.assertIn("import sales [", text)
        self.assertIn("100%", text)
        self.assertIn("imported 6000 of 6000 rows as 2000 orders", stdout)


if __name__ == "__main__":
    unittest.main()
