"""make check's layout rules (scripts/layers.py over src/ranks), each shown to catch
what it forbids on a small tree of its own, and the project's own tree passing:
an include of a higher rank, a cycle between modules, SQL writing another folder's
table or reading one not listed, JSON or HTTP in a context's domain file, SQL in a
handler, a folder missing from the ranks."""
import os
import subprocess
import sys
import tempfile
import unittest

from harness import ROOT

LAYERS = os.path.join(ROOT, "scripts", "layers.py")
RANKS = """core
api: json
org: owns locations
sales: owns orders; reads locations
insight: owns member_tags
"""


def header(name):
    return "/*\n** %s -- a file of the test tree.\n*/\n" % name


class LayoutTest(unittest.TestCase):
    def check(self, files, ranks=RANKS):
        """Run the rules over a tree of files {path: text}; (exit status, output)."""
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "ranks"), "w") as f:
                f.write(ranks)
            for path, text in files.items():
                os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
                with open(os.path.join(d, path), "w") as f:
                    f.write(header(os.path.basename(path)) + text)
            p = subprocess.run([sys.executable, LAYERS, d], capture_output=True, text=True)
            return p.returncode, p.stdout

    def base(self):
        return {
            "core/util.h": "int util(void);\n",
            "core/util.c": '#include "core/util.h"\n',
            "org/location.h": '#include "core/util.h"\n',
            "org/location.c": '#include "org/location.h"\nstatic const char *q = "SELECT code FROM locations";\n',
            "sales/order.h": '#include "org/location.h"\n',
            "sales/order.c": '#include "sales/order.h"\n'
                             'static const char *q = "INSERT INTO orders (id) VALUES ($1)";\n'
                             'static const char *r = "SELECT o.id, l.code FROM orders o JOIN locations l ON l.id = 1";\n',
            "sales/api_orders.c": '#include <jansson.h>\n#include "api/api.h"\n#include "sales/order.h"\n',
            "api/api.h": "#include <jansson.h>\n",
            "insight/tags.c": '#include "sales/order.h"\nstatic const char *q = "UPDATE member_tags SET w = 1";\n',
        }

    def test_the_projects_tree_keeps_every_rule(self):
        p = subprocess.run([sys.executable, LAYERS], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stdout), (0, ""))

    def test_a_tree_that_keeps_the_rules_passes(self):
        self.assertEqual(self.check(self.base()), (0, ""))

    def test_an_include_of_a_higher_rank_fails(self):
        files = self.base()
        files["org/location.c"] += '#include "sales/order.h"\n'
        rc, out = self.check(files)
        self.assertEqual(rc, 1)
        self.assertIn("org/location.c:6: org (rank 2) includes sales/order.h of a higher rank (3)", out)

    def test_a_cycle_between_modules_fails(self):
        files = self.base()
        files["sales/routing.h"] = ""
        files["sales/routing.c"] = '#include "sales/routing.h"\n#include "sales/order.h"\n'
        files["sales/order.c"] += '#include "sales/routing.h"\n'
        rc, out = self.check(files)
        self.assertEqual(rc, 1)
        self.assertIn("include cycle: sales/order -> sales/routing -> sales/order", out)

    def test_an_internal_header_or_an_interface_makes_no_cycle(self):
        files = self.base()
        files["sales/order_int.h"] = '#include "sales/order.h"\n'
        files["sales/order.c"] += '#include "sales/order_int.h"\n'
        files["sales/provider.h"] = '#include "sales/order.h"\n'
        files["sales/order.h"] += '#include "sales/provider.h"\n'
        self.assertEqual(self.check(files), (0, ""))

    def test_writing_another_folders_table_fails(self):
        files = self.base()
        files["insight/tags.c"] += 'static const char *w = "UPDATE orders SET status = 1";\n'
        rc, out = self.check(files)
        self.assertEqual(rc, 1)
        self.assertIn("insight/tags.c: writes orders, a table of sales", out)

    def test_reading_a_table_not_listed_fails(self):
        files = self.base()
        files["insight/tags.c"] += 'static const char *r = "SELECT id FROM " "orders WHERE id = $1";\n'
        rc, out = self.check(files)
        self.assertEqual(rc, 1)
        self.assertIn("insight/tags.c: reads orders, a table of sales, not listed in its reads", out)

    def test_json_or_http_in_a_domain_file_fails(self):
        files = self.base()
        files["sales/order.c"] += '#include <jansson.h>\n#include "http/http.h"\n'
        files["http/http.h"] = ""
        rc, out = self.check(files, RANKS.replace("core\n", "core\nhttp: json\n"))
        self.assertEqual(rc, 1)
        self.assertIn("sales/order.c:7: only handlers (and the folders src/ranks marks json) include <jansson.h>", out)
        self.assertIn("sales/order.c:8: only handler files include http/http.h", out)

    def test_a_handler_calling_the_sql_layer_fails(self):
        files = self.base()
        files["sales/api_orders.c"] += "static int f(void) { return db_exec(0, \"\", 0); }\n"
        rc, out = self.check(files)
        self.assertEqual(rc, 1)
        self.assertIn("sales/api_orders.c: a handler calls the SQL layer", out)

    def test_a_folder_missing_from_the_ranks_fails(self):
        files = self.base()
        files["kitchen/ticket.c"] = '#include "core/util.h"\n'
        rc, out = self.check(files)
        self.assertEqual(rc, 1)
        self.assertIn("kitchen/ticket.c: folder kitchen is not in src/ranks", out)


if __name__ == "__main__":
    unittest.main()
