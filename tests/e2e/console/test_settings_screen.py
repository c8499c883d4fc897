"""The settings screen in headless Chromium: a store manager creates a clerk (the
only role she may grant) and deactivates her, which signs her out at once; the
owner makes a till key (shown once, and it works), revokes it (it stops), changes
the earn rule, and reads each change on the audit trail."""
from console.base import ConsoleTest, PASSWORD
from harness import OWNER_PASSWORD, unique


class SettingsScreenTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.staff("store_manager", "location", "SH01")

    def test_a_store_manager_creates_and_deactivates_a_clerk(self):
        self.sign_in(self.manager)
        self.go("#/settings/staff")
        self.wait("#staff-new select[name=role] option")
        roles = [o.get_attribute("value") for o in self.by("#staff-new select[name=role] option", many=True)]
        self.assertEqual(roles, ["clerk"])
        name = unique("newclerk")
        self.type("#staff-new input[name=username]", name)
        self.type("#staff-new input[name=password]", "a-first-password")
        self.click("#staff-new button[type=submit]")
        row = self.wait("#staff-list tr[data-staff='%s']" % name)
        self.assertIn("SH01", row.text)
        tok = self.server.client().post("/v1/auth/login", {"username": name, "password": "a-first-password"}).json["token"]
        clerk = self.server.client(tok)
        self.assertEqual(clerk.get("/v1/me").json["role"], "clerk")
        self.click("#staff-list tr[data-staff='%s'] button" % name)
        self.wait("#staff-list tr[data-staff='%s']" % name, "deactivated")
        self.assertEqual(clerk.get("/v1/me").status, 401)

    def test_the_owner_makes_and_revokes_a_key_and_reads_the_audit_trail(self):
        self.sign_in("owner", password=OWNER_PASSWORD)
        self.go("#/settings/keys")
        from selenium.webdriver.support.ui import Select
        Select(self.wait("#key-new select[name=channel]")).select_by_value("pos")
        self.type("#key-new input[name=location]", "sh02")
        self.type("#key-new input[name=name]", "pop-up till")
        self.click("#key-new button[type=submit]")
        key = self.wait("#new-key").text
        till = self.server.client(key)
        self.assertEqual((till.get("/v1/me").json["role"], till.get("/v1/me").json["channel"]), ("channel", "pos"))
        row = self.wait("#key-list tr", "pop-up till")
        self.assertNotIn(key, row.text)
        row.find_element("css selector", "button").click()
        self.wait("#key-list tr", "revoked")
        self.assertEqual(till.get("/v1/me").status, 401)
        self.go("#/settings/rules")
        rate = self.wait("#settings-form input[name=points_per_yuan]")
        rate.clear()
        rate.send_keys("3")
        self.click("#settings-form button[type=submit]")
        self.wait("#note", "Saved")
        self.assertEqual(self.owner.get("/v1/settings").json["points_per_yuan"], "3")
        self.owner.patch("/v1/settings", {"points_per_yuan": 1})
        self.go("#/settings/audit")
        self.wait("#audit tr[data-action='settings.change']", "points_per_yuan")
        self.wait("#audit tr[data-action='key.revoke']", "pop-up till")
        from selenium.webdriver.support.ui import Select as S
        S(self.by("#audit-action")).select_by_value("key")
        self.wait("#audit tr[data-action='key.create']")
        self.gone("#audit tr[data-action='settings.change']")

    def test_a_clerk_has_no_settings(self):
        clerk = self.staff("clerk", "location", "SH01")
        self.sign_in(clerk, password=PASSWORD)
        self.assertEqual(self.by("#nav a[data-screen=settings]", many=True), [])
