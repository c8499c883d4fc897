"""The console's and the member pages' files as the binary serves them: a
Content-Security-Policy that allows no inline script, gzip when the browser takes
it, revalidation by ETag, nothing served outside the embedded files, the size
budget of the JavaScript (under 400 KB compressed), and message catalogs that
agree (every key the code uses is in Chinese and in English)."""
import gzip
import os
import re

from harness import ROOT, ServerTest

BUDGET = 400 * 1024


def served_files():
    """Every file web/ holds, as served, and the npm files the console takes."""
    out = []
    for folder in ("console", "m"):
        for name in sorted(os.listdir(os.path.join(ROOT, "web", folder))):
            out.append("/%s/%s" % (folder, name))
    return out + ["/console/uplot.js", "/console/uplot.css"]


class WebFilesTest(ServerTest):
    def test_the_pages_allow_no_inline_script(self):
        c = self.server.client()
        for path in ("/console/", "/console", "/m/", "/m"):
            r = c.get(path)
            self.assertEqual((r.status, r.headers["content-type"]), (200, "text/html; charset=utf-8"), path)
            csp = dict(p.strip().split(" ", 1) for p in r.headers["content-security-policy"].split(";"))
            self.assertEqual(csp["script-src"], "'self'")
            self.assertEqual(csp["default-src"], "'none'")
            self.assertEqual(csp["frame-ancestors"], "'none'")
            self.assertEqual(r.headers["x-content-type-options"], "nosniff")
            # every script is a file of this origin
            self.assertEqual(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", r.body), [], path)
            self.assertNotRegex(r.body, r"\son[a-z]+=", path)

    def test_gzip_and_etag(self):
        c = self.server.client()
        plain = c.get("/console/main.js")
        self.assertEqual(plain.headers["content-type"], "text/javascript; charset=utf-8")
        self.assertNotIn("content-encoding", plain.headers)
        z = c.get("/console/main.js", headers={"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(z.headers["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(z.raw), plain.raw)
        self.assertLess(len(z.raw), len(plain.raw))
        self.assertEqual(c.get("/console/main.js", headers={"Accept-Encoding": "gzip;q=0"}).raw, plain.raw)
        etag = plain.headers["etag"]
        again = c.get("/console/main.js", headers={"If-None-Match": etag})
        self.assertEqual((again.status, again.raw), (304, b""))
        self.assertEqual(c.get("/console/till.js", headers={"If-None-Match": etag}).status, 200)
        with open(os.path.join(ROOT, "web", "console", "main.js"), "rb") as f:
            self.assertEqual(plain.raw, f.read())

    def test_nothing_else_is_served(self):
        c = self.server.client()
        for path in ("/console/nope.js", "/console/..%2f..%2fMakefile", "/console/.hidden", "/m/main.js",
                     "/console/..%2fo2o.db"):
            r = c.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertIn("error", r.json)

    def test_the_javascript_budget(self):
        c = self.server.client()
        total = 0
        for path in served_files():
            r = c.get(path, headers={"Accept-Encoding": "gzip"})
            self.assertEqual(r.status, 200, path)
            if path.endswith(".js"):
                total += len(r.raw)
        print("\ncompressed JavaScript: %d bytes of a %d budget" % (total, BUDGET))
        self.assertLess(total, BUDGET)

    def test_the_catalogs_agree(self):
        """The console's words, and the member's pages' (which also use the console's)."""
        console = self.agree("console")
        member = self.agree("m")
        self.assertEqual(sorted(self.used("console") - console), [], "keys the console uses that no catalog has")
        self.assertEqual(sorted(self.used("m") - console - member), [], "keys the member pages use that no catalog has")

    def agree(self, folder):
        zh, en = self.catalog(folder, "msg-zh.js"), self.catalog(folder, "msg-en.js")
        self.assertGreater(len(zh), 30)
        self.assertEqual(sorted(zh - en), [], folder)
        self.assertEqual(sorted(en - zh), [], folder)
        return zh

    def used(self, folder):
        keys = set()
        path = os.path.join(ROOT, "web", folder)
        for name in os.listdir(path):
            if name.endswith(".js") and not name.startswith("msg-"):
                with open(os.path.join(path, name), encoding="utf-8") as f:
                    keys |= set(re.findall(r"\bt\('([a-z_0-9]+\.[a-z_0-9.]*[a-z0-9])'(?!\s*\+)", f.read()))
        return keys

    def catalog(self, folder, name):
        with open(os.path.join(ROOT, "web", folder, name), encoding="utf-8") as f:
            return set(re.findall(r"'([a-z_0-9]+\.[a-z_0-9.]+)':", f.read()))
