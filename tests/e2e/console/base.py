"""What the console's browser tests share: a server with a small chain, staff of
each role, and headless Chromium (Debian's, driven by WebDriver) signed in as one
of them."""
import os
import unittest

from harness import ServerTest, browser, make_chain, unique, wait_until

PASSWORD = "console-password-1"


class ConsoleTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        d = browser()
        if d is None:
            if os.environ.get("CI") == "true":
                raise AssertionError("CI must drive Chromium (chromium-driver, python3-selenium)")
            raise unittest.SkipTest("chromium-driver or python3-selenium is not installed")
        d.set_window_size(1280, 900)
        cls.d = d
        try:
            super().setUpClass()
        except BaseException:
            d.quit()
            raise
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.base = "http://127.0.0.1:%d" % cls.server.port

    @classmethod
    def tearDownClass(cls):
        d = getattr(cls, "d", None)
        if d:
            d.quit()
        super().tearDownClass()

    @classmethod
    def staff(cls, role, scope_kind=None, scope=None, name=None):
        """A new staff account; its username."""
        username = unique(role + "_")
        body = {"username": username, "password": PASSWORD, "role": role, "name": name or username}
        if scope_kind:
            body["scope_kind"] = scope_kind
        if scope:
            body["scope"] = scope
        r = cls.owner.post("/v1/staff", body)
        assert r.status == 201, r
        return username

    @classmethod
    def receive(cls, sku, location, qty):
        r = cls.owner.post("/v1/stock/movements", {"sku": sku, "location": location, "kind": "receive", "qty": qty})
        assert r.status in (200, 201), r

    # ---- the browser ----

    def by(self, css, many=False):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, css) if many else self.d.find_element(By.CSS_SELECTOR, css)

    def wait(self, css, text=None, timeout=20):
        """The first element matching css that is shown (and shows text, when given),
        once it is there: an element on the page but hidden does not count."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

        def found():
            try:
                for e in self.by(css, many=True):
                    if (text is None or text in e.text) and (e.tag_name == "option" or e.is_displayed()):
                        return e
            except (NoSuchElementException, StaleElementReferenceException):
                return None
            return None
        try:
            return wait_until(found, timeout, "%s%s" % (css, " showing %r" % text if text else ""))
        except AssertionError as e:
            raise AssertionError("%s (the page said: %r)" % (e, self.message())) from None

    def gone(self, css, timeout=20):
        wait_until(lambda: not self.by(css, many=True), timeout, "%s to go" % css)

    def type(self, css, text, enter=False):
        from selenium.webdriver.common.keys import Keys
        e = self.wait(css)
        e.clear()
        e.send_keys(text + (Keys.ENTER if enter else ""))
        return e

    def click(self, css, text=None):
        """Click what css finds; found again when the screen redrew it meanwhile."""
        from selenium.common.exceptions import StaleElementReferenceException
        for attempt in range(5):
            e = self.wait(css, text)
            try:
                e.click()
                return e
            except StaleElementReferenceException:
                if attempt == 4:
                    raise
        return None

    def sign_in(self, username, password=PASSWORD, lang="en"):
        """A fresh tab state: signed out, language chosen, then signed in through the form."""
        d = self.d
        d.get(self.base + "/console/")
        d.execute_script("sessionStorage.clear(); localStorage.setItem('o2o.lang', arguments[0]);", lang)
        d.get(self.base + "/console/")
        self.type("#username", username)
        self.type("#password", password, enter=True)
        self.wait("#signout")

    def go(self, hash_):
        self.d.execute_script("location.hash = arguments[0]", hash_)

    def message(self):
        """The message bar's text ('' when hidden)."""
        e = self.by("#msg", many=True)
        return e[0].text if e and e[0].is_displayed() else ""

    def token(self):
        """The signed-in tab's bearer token (from its session storage)."""
        import json
        return json.loads(self.d.execute_script("return sessionStorage.getItem('o2o.staff')"))["token"]
