"""The landing page, as a person who just ran the first command sees it, in headless Chromium."""
import os
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
