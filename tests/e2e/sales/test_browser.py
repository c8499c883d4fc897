"""Pages in headless Chromium: the landing page as a person who just ran the first command sees it, and the web snippet on a shop page."""
import os
import re
import shutil
import subprocess
import unittest

from harness import ServerTest, backend, make_chain

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@unittest.skipUnless(CHROMIUM or os.environ.get("CI") == "true", "chromium is not installed")
class BrowserTest(ServerTest):
    def chromium(self, *args):
        profile = os.path.join(self.server.dir, "chromium-profile")
        return subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=" + profile] + list(args),
                              capture_output=True, text=True, timeout=120)

    def test_landing_page_renders_version_backend_counts_and_links(self):
        make_chain(self.server.owner())
        url = "http://127.0.0.1:%d/" % self.server.port
        p = self.chromium("--dump-dom", url)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        dom = p.stdout
        self.assertIn('<b id="backend">%s</b>' % backend(), dom)
        self.assertRegex(dom, r'<b id="version">\d+\.\d+\.\d+</b>')
        self.assertIn("<td>stores</td><td>3</td>", dom)
        self.assertIn("<td>warehouses</td><td>1</td>", dom)
        self.assertIn('href="/openapi.json"', dom)
        shot = os.path.join(self.server.dir, "landing.png")
        p = self.chromium("--screenshot=" + shot, "--window-size=900,700", url)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(shot), 5000)

    def test_the_snippet_on_a_shop_page_records_views_clicks_and_tracked_events(self):
        """A page of another origin (a file here) loads /o2o.js: its view, a click on a
        product image, a click on a text button and an add_to_cart reported by the page
        arrive as one device's events, and the page's queue is empty afterwards."""
        port = self.server.port
        page = os.path.join(self.server.dir, "shop.html")
        with open(page, "w") as f:
            f.write("""<!doctype html><html><head><title>shop</title>
<script src="http://127.0.0.1:%d/o2o.js" data-channel="web"></script></head>
<body><div data-o2o-item="TEE-RED-M"><img id="pic" alt="red tee" width="40" height="40"
 src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="></div>
<button id="buy">Add to cart</button>
<script>
document.getElementById('pic').click();
document.getElementById('buy').click();
o2o.track('add_to_cart', {item: 'TEE-RED-M', value: 12900, colour: 'red'});
o2o.flush().then(function (ok) {
  document.title = 'sent ' + ok + ' ' + o2o.pending() + ' ' + o2o.device();
});
</script></body></html>""" % port)
        p = self.chromium("--virtual-time-budget=10000", "--dump-dom", "file://" + page)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        m = re.search(r"<title>sent true 0 (w-[0-9a-f]{32})</title>", p.stdout)
        self.assertIsNotNone(m, p.stdout[:500])
        device = m.group(1)
        got = self.server.scalar("SELECT COUNT(*) FROM events WHERE device_id = '%s'" % device)
        self.assertEqual(int(got), 4)
        rows = {}
        for name, elem, label, item in (("view", None, None, None), ("click", "image", "red tee", "TEE-RED-M"),
                                        ("click", "text", "Add to cart", None),
                                        ("add_to_cart", None, None, "TEE-RED-M")):
            where = "device_id = '%s' AND name = '%s'" % (device, name)
            where += " AND element = '%s' AND label = '%s'" % (elem, label) if elem else ""
            where += " AND item = '%s'" % item if item else ""
            rows[(name, elem)] = int(self.server.scalar("SELECT COUNT(*) FROM events WHERE " + where))
        self.assertEqual(set(rows.values()), {1}, rows)
        self.assertEqual(self.server.scalar("SELECT props FROM events WHERE device_id = '%s' AND name = 'add_to_cart'"
                                            % device), "colour=red")
        self.assertEqual(self.server.scalar("SELECT value FROM events WHERE device_id = '%s' AND name = 'add_to_cart'"
                                            % device), "12900")
