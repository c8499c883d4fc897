"""The desk in headless Chromium: a service agent lands on it, says she takes
conversations, finds a member's message in her inbox, reads it beside who the
member is (a message that is markup stays text), replies and resolves it."""
from console.base import ConsoleTest
from harness import member_token, unique


class DeskScreenTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.staff("service_agent", "chain")

    def test_an_agent_answers_a_member_and_resolves(self):
        self.sign_in(self.agent)
        self.wait("#screen-desk")                         # the agent's first screen
        box = self.wait("#desk-available")
        if not box.is_selected():
            box.click()
        self.type("#desk-agent input[name=cap]", "3")
        self.click("#desk-agent button[type=submit]")
        self.wait("#note", "Saved")
        phone = "132" + unique("")[-8:].rjust(8, "8")
        m = self.owner.post("/v1/members", {"phone": phone, "name": "Luo Jia"}).json
        me = self.server.client(member_token(self.server, self.owner, phone))
        r = me.post("/v1/desk/messages", {"medium": "chat", "body": "<b>where</b> is my parcel?"})
        self.assertEqual(r.status, 201, r)
        conv = r.json["conversation_id"]
        self.go("#/orders")
        self.go("#/desk")                                 # back to the inbox: it is there
        self.click("#desk-mine-list tr[data-conversation='%d'] a" % conv)
        msg = self.wait("#desk-messages li[data-direction=in] .body")
        self.assertEqual(msg.text, "<b>where</b> is my parcel?")
        self.assertEqual(self.by("#desk-messages b", many=True), [])
        self.assertEqual(self.wait("#desk-member").get_attribute("href").rsplit("/", 1)[1], str(m["id"]))
        self.type("#desk-reply", "It leaves the store today.")
        self.click("#desk-reply-form button[type=submit]")
        self.wait("#desk-messages li[data-direction=out]", "It leaves the store today.")
        self.click("#desk-resolve")
        self.wait("#screen-desk")
        self.wait("#desk-mine", "None")
        got = self.server.client(self.token()).get("/v1/desk/conversations/%d" % conv).json
        self.assertEqual(got["status"], "resolved")
