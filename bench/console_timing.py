"""Times the console's first screens in headless Chromium (bench/console.sh):
python3 console_timing.py BASE RUNS. Each round opens a fresh, cache-less tab
state and measures, interleaved: the landing page (baseline), the sign-in page
drawn, and the board drawn after signing in as the owner. Prints medians."""
import statistics
import sys
import time

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "tests", "e2e"))
from harness import browser  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

base, runs = sys.argv[1], int(sys.argv[2])
d = browser()
if d is None:
    sys.exit("bench/console.sh needs chromium, chromium-driver and python3-selenium")
d.set_window_size(1280, 860)
d.execute_cdp_cmd("Network.enable", {})
d.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})


def until(css, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if d.find_elements(By.CSS_SELECTOR, css):
            return
        time.sleep(0.005)
    raise SystemExit("timed out waiting for " + css)


def load_ms(path, css):
    """Navigation start to css on the page, by the page's own clock."""
    d.get("about:blank")
    d.get(base + path)
    until(css)
    return d.execute_script("return performance.now()")


landing, signin, board = [], [], []
try:
    for _ in range(runs):
        d.get(base + "/console/")
        d.execute_script("sessionStorage.clear(); localStorage.setItem('o2o.lang', 'zh-CN')")
        landing.append(load_ms("/", "#loaded"))
        signin.append(load_ms("/console/", "#username"))
        d.find_element(By.ID, "username").send_keys("owner")
        d.find_element(By.ID, "password").send_keys("bench-owner-password")
        t0 = d.execute_script("return performance.now()")
        d.find_element(By.CSS_SELECTOR, "#signin button[type=submit]").click()
        until("#board-chart canvas")
        board.append(d.execute_script("return performance.now()") - t0)
finally:
    d.quit()
med = statistics.median
print("console first screens, %d cold rounds on loopback (headless Chromium), medians:" % runs)
print("  landing page (baseline, one HTML answer)  %7.1f ms" % med(landing))
print("  sign-in page drawn                        %7.1f ms" % med(signin))
print("  sign-in to the board's chart drawn        %7.1f ms   (target under 1000 ms)" % med(board))
