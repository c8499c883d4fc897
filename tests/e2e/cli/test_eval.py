"""`o2o eval recommendations`: on the Online Retail history split at 2011-10-01,
the recommender's recall@10 is at least twice the popularity baseline's (the
issue's target), on figures the command prints; a generated file shows the
same command working without the data set; bad options are refused."""
import os
import re
import subprocess
import tempfile
import unittest

from harness import BINARY, DATA_DIR

DATA = os.path.join(DATA_DIR, "online_retail", "online_retail.csv.xz")


def run(*args):
    return subprocess.run([BINARY] + list(args), capture_output=True, text=True, timeout=600)


def figures(out):
    rows = {m.group(1): (float(m.group(2)), float(m.group(3)))
            for m in re.finditer(r"^(o2o|popularity)\s+([0-9.]+)\s+([0-9.]+)$", out, re.M)}
    return rows["o2o"], rows["popularity"]


class EvalTest(unittest.TestCase):
    @unittest.skipUnless(os.path.exists(DATA), "the Online Retail data set is not here (set O2O_DATA_DIR)")
    def test_twice_the_popularity_baseline_on_online_retail(self):
        p = run("eval", "recommendations", "--input", DATA, "--split", "2011-10-01")
        self.assertEqual(p.returncode, 0, p.stderr)
        (recall, ndcg), (base_recall, base_ndcg) = figures(p.stdout)
        self.assertGreater(base_recall, 0)
        self.assertGreaterEqual(recall, 2 * base_recall, p.stdout)
        self.assertGreater(ndcg, base_ndcg, p.stdout)
        self.assertRegex(p.stdout, r"\d+ test customers")

    def test_generated_history_and_bad_options(self):
        d = tempfile.mkdtemp(prefix="o2o-eval-")
        path = os.path.join(d, "sales.csv")
        lines = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"]
        n = 0
        # customers 1-30 buy a set of their own again and again, with one shared best seller
        for month in range(1, 13):
            for c in range(1, 31):
                n += 1
                for code in ("OWN%02d" % c, "OWN%02d-B" % c, "HIT"):
                    lines.append("%d,%s,x,1,2011-%02d-%02d 10:00:00,1.0,%d.0,UK" % (500000 + n, code, month, 1 + c % 27, c))
        lines.append("C%d,HIT,x,-1,2011-12-05 10:00:00,1.0,1.0,UK" % n)  # a cancellation: left out
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        p = run("eval", "recommendations", "--input", path, "--split", "2011-10-01", "--k", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        (recall, _), (base_recall, _) = figures(p.stdout)
        # each customer's own items come back: all three found; the popularity list is HIT and,
        # on ties, the first customer's two items: it finds all of hers and a third of the others'
        self.assertAlmostEqual(recall, 1.0, places=3)
        self.assertAlmostEqual(base_recall, (1 + 29 / 3) / 30, places=3)
        self.assertIn("30 test customers", p.stdout)
        self.assertEqual(run("eval", "recommendations", "--input", path).returncode, 2)
        self.assertEqual(run("eval", "recommendations", "--input", path, "--split", "someday").returncode, 2)
        self.assertEqual(run("eval", "recommendations", "--input", os.path.join(d, "none.csv"),
                             "--split", "2011-10-01").returncode, 1)
