"""The command line: version and help, migrate, demo (small), CSV import that loads
good rows and reports bad ones with line numbers, and a server that refuses a
database newer than itself."""
import os
import subprocess
import tempfile
import unittest

from harness import BINARY, PG_URL, psql, run_on_tty


def run(*args, env=None, check=False):
    e = dict(os.environ)
    e["O2O_OWNER_PASSWORD"] = "cli-owner-password"
    if env:
        e.update(env)
    e = {k: v for k, v in e.items() if v is not None}
    p = subprocess.run([BINARY] + list(args), capture_output=True, text=True, env=e, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s %s" % (args, p.returncode, p.stdout, p.stderr))
    return p


class CliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="o2o-cli-")
        if PG_URL:
            psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            self.db = PG_URL
        else:
            self.db = "sqlite:" + os.path.join(self.dir, "o2o.db")

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_version_and_help(self):
        self.assertRegex(run("version").stdout, r"^o2o \d+\.\d+\.\d+")
        out = run("help").stdout
        for cmd in ("serve", "migrate", "demo", "import", "version"):
            self.assertIn(cmd, out)
        p = run("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command", p.stderr)

    def test_every_command_answers_help_on_stdout_and_exits_0(self):
        listed = [l.split()[0] for l in run("help").stdout.splitlines() if l.startswith("  ") and
                  not l.startswith("   ")]
        self.assertIn("report", listed)
        for cmd in listed:
            for extra in ([], ["rules"], ["monthly"], ["daily"], ["recommendations"]):
                with self.subTest(cmd=cmd, extra=extra):
                    for flag in ("--help", "-h"):
                        p = run(cmd, *extra, flag)
                        self.assertEqual(p.returncode, 0, (cmd, extra, p.stderr))
                        self.assertTrue(p.stdout.strip(), (cmd, extra))
                        self.assertEqual(p.stderr, "")
        # every import kind is listed
        text = run("help", "import").stdout
        for kind in ("locations", "products", "members", "stock", "sales", "events"):
            self.assertIn(kind, text)

    def test_migrate_reports_the_schema_version(self):
        p = run("migrate", "--db", self.db, check=True)
        self.assertRegex(p.stdout, r"schema version \d+")

    def test_demo_loads_a_chain(self):
        p = run("demo", "--db", self.db, "--members", "500", "--products", "40", check=True)
        self.assertIn("32 stores, 2 warehouses", p.stdout)
        self.assertIn("40 brands, 40 products, 200 SKUs, 500 members", p.stdout)
        self.assertIn("bootstrap owner", p.stdout)
        p = run("demo", "--db", self.db, "--members", "10", "--products", "1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("already loaded", p.stderr)

    def test_import_loads_good_rows_and_reports_bad_ones_by_line(self):
        locs = self.write("locations.csv",
                          "code,name,kind,region,lat,lon\n"
                          "GZ01,Guangzhou 1,store,SOUTH,23.13,113.26\n"
                          "GZ02,\"Guangzhou 2, Tianhe\",store,SOUTH,23.14,113.33\n"
                          "BAD1,Bad kind,castle,SOUTH,,\n"
                          "GZ01,Duplicate,store,SOUTH,,\n"
                          "WH9,Warehouse,warehouse,SOUTH,abc,113\n")
        p = run("import", "locations", locs, "--db", self.db)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("imported 2 of 5 rows", p.stdout)
        self.assertIn("line 4: kind:", p.stderr)
        self.assertIn("line 5: code:", p.stderr)
        self.assertIn("line 6: lat:", p.stderr)
        prods = self.write("products.csv",
                           "product,name,sku,price,brand,category,size,colour,barcode\n"
                           "P1,Shirt,P1-S,9900,ACME,tops,S,white,6900000000101\n"
                           "P1,Shirt,P1-M,9900,ACME,tops,M,white,6900000000102\n"
                           "P2,Bag,P2-1,notaprice,ACME,bags,,,\n"
                           "P3,Cap,P3-1,1500,,,,,6900000000101\n")
        p = run("import", "products", prods, "--db", self.db)
        self.assertIn("imported 2 of 4 rows", p.stdout)
        self.assertIn("line 4: price:", p.stderr)
        self.assertIn("line 5: code:", p.stderr)  # duplicate barcode
        members = self.write("members.csv",
                             "phone,name,email,consent_marketing\n"
                             "13700000001,Li,li@example.com,yes\n"
                             "12345,Bad,,\n"
                             "+86 137 0000 0002,Wang,,maybe\n"
                             "137-0000-0001,Again,,\n")
        p = run("import", "members", members, "--db", self.db)
        self.assertIn("imported 1 of 4 rows", p.stdout)
        self.assertIn("line 3: phone:", p.stderr)
        self.assertIn("line 4: consent_marketing:", p.stderr)
        self.assertIn("line 5: phone:", p.stderr)
        stock = self.write("stock.csv", "sku,location,qty\nP1-S,GZ01,12\nP1-M,NOWHERE,3\nP1-M,GZ02,x\n")
        p = run("import", "stock", stock, "--db", self.db)
        self.assertIn("imported 1 of 3 rows", p.stdout)
        self.assertIn("line 3: location:", p.stderr)
        self.assertIn("line 4: qty:", p.stderr)
        self.assertNotEqual(run("import", "stock", stock + ".missing", "--db", self.db).returncode, 0)
        bad_header = self.write("bad.csv", "sku,qty\nP1-S,1\n")
        p = run("import", "stock", bad_header, "--db", self.db)
        self.assertIn("no 'location' column", p.stderr)

    def test_a_generated_owner_password_is_printed_once_and_works(self):
        import json
        import re
        import urllib.request
        p = run("migrate", "--db", self.db, env={"O2O_OWNER_PASSWORD": None}, check=True)
        self.assertNotIn("password", p.stdout)  # migrate creates no account
        srv = subprocess.Popen([BINARY, "serve", "--db", self.db, "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={k: v for k, v in os.environ.items() if k != "O2O_OWNER_PASSWORD"})
        try:
            first = srv.stdout.readline()
            m = re.search(r"password '([0-9a-f]{20})' \(shown once", first)
            self.assertTrue(m, first)
            serving = srv.stdout.readline()
            listen = re.search(r"serving on http://(127\.0\.0\.1:\d+)/", serving).group(1)
            req = urllib.request.Request("http://%s/v1/auth/login" % listen, method="POST",
                                         data=json.dumps({"username": "owner", "password": m.group(1)}).encode())
            with urllib.request.urlopen(req, timeout=30) as r:
                self.assertEqual(r.status, 200)
                self.assertIn("token", json.loads(r.read()))
        finally:
            srv.terminate()
            srv.wait(timeout=60)
        p = run("demo", "--db", self.db, "--members", "5", "--products", "1", env={"O2O_OWNER_PASSWORD": None})
        self.assertNotIn("bootstrap owner", p.stdout)  # never printed twice

    def test_import_draws_a_progress_bar_on_a_terminal(self):
        rows = "".join("1390000%04d,Member %d\n" % (i, i) for i in range(3000))
        path = self.write("many.csv", "phone,name\n" + rows)
        rc, stdout, text = run_on_tty([BINARY, "import", "members", path, "--db", self.db], timeout=120)
        self.assertEqual(rc, 0)
        self.assertIn("import [", text)
        self.assertIn("100%", text)
        self.assertIn("3000 rows", text)
        self.assertIn("imported 3000 of 3000 rows", stdout)

    def test_mine_rules_of_the_orders_in_the_database(self):
        import itertools
        import json
        run("migrate", "--db", self.db, check=True)
        invoices = {"536001": "A B C", "536002": "A B", "536003": "A B D", "536004": "C D",
                    "536005": "A C", "536006": "B C D", "536007": "A B C D"}
        rows = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"]
        for i, (inv, items) in enumerate(sorted(invoices.items())):
            for code in items.split():
                rows.append("%s,%s,Item %s,1,2011-03-0%d 10:00:00,2.5,1234%d.0,United Kingdom" % (inv, code, code, i + 1, i))
        run("import", "sales", self.write("sales.csv", "\n".join(rows) + "\n"), "--db", self.db, check=True)
        p = run("mine", "rules", "--db", self.db, "--supp", "0.28", "--conf", "0.6", "--minlen", "2",
                "--format", "json", check=True)
        got = {(tuple(sorted(r["lhs"])), r["rhs"]): (r["count"], round(r["confidence"], 6)) for r in json.loads(p.stdout)}
        # the same rules computed here from the invoices
        baskets = [set(v.split()) for v in invoices.values()]
        count = lambda s: sum(1 for b in baskets if set(s) <= b)
        want = {}
        for k in (2, 3, 4):
            for s in itertools.combinations("ABCD", k):
                if count(s) / len(baskets) < 0.28:
                    continue
                for rhs in s:
                    lhs = tuple(x for x in s if x != rhs)
                    if count(s) / count(lhs) >= 0.6:
                        want[(lhs, rhs)] = (count(s), round(count(s) / count(lhs), 6))
        self.assertTrue(want)
        self.assertEqual(got, want)
        self.assertIn("7 baskets", p.stderr)
        # --since leaves the earlier orders out; a file that is not there is a clear error
        p = run("mine", "rules", "--db", self.db, "--since", "2011-03-05", "--supp", "0.5", "--conf", "0.5",
                "--format", "csv", check=True)
        self.assertIn("3 baskets", p.stderr)
        p = run("mine", "rules", "--input", os.path.join(self.dir, "nothing.csv"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot read", p.stderr)
        p = run("mine", "rules", "--input", os.path.join(self.dir, "nothing.csv"), "--supp", "2")
        self.assertEqual(p.returncode, 2)

    def test_serve_refuses_a_database_newer_than_itself(self):
        run("migrate", "--db", self.db, check=True)
        if PG_URL:
            psql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)")
        else:
            import sqlite3
            con = sqlite3.connect(self.db[len("sqlite:"):])
            con.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)")
            con.commit()
            con.close()
        p = run("serve", "--db", self.db, "--listen", "127.0.0.1:0")
        self.assertEqual(p.returncode, 1)
        self.assertIn("newer than this binary", p.stderr)
