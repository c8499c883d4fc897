"""The service desk over the media customers use, each through its real server or its
simulator: a member writes by WeChat (the Official Account's signed push, from the
messaging simulator), then by e-mail (delivered to a local Dovecot the desk polls over
IMAP), and both land in one conversation with one agent; the agent's answer goes
back by e-mail (a local SMTP sink); a message delivered twice is taken once, a Chinese
mail client's GBK message reads right, a sender the desk cannot read is left alone."""
import json
import os
import re
import subprocess
import tempfile
import time

from harness import Client, Dovecot, SIM_DIR, ServerTest, free_port, make_chain, sim_python, unique, wait_until
from reports.test_reports import SmtpSink



class DeskMediaTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="o2o-media-")
        port = free_port()
        cls.sim_proc = subprocess.Popen([sim_python(), os.path.join(SIM_DIR, "messaging_sim.py"), cls.dir,
                                         str(port)], stdout=subprocess.PIPE, text=True)
        m = re.match(r"listening (\d+)", cls.sim_proc.stdout.readline())
        assert m, "simulator did not start"
        cls.sim = Client(int(m.group(1)))
        cls.mailbox = Dovecot()
        cls.smtp = SmtpSink()
        cls.server_args = ("--messaging", os.path.join(cls.dir, "messaging.json"), "--listen", "127.0.0.1:%d" % port,
                           "--imap", cls.mailbox.url, "--smtp", "smtp://127.0.0.1:%d" % cls.smtp.port,
                           "--mail-from", "service@chain.example", "--jobs-every", "200")
        cls.server_env = {"O2O_IMAP_PASSWORD": cls.mailbox.password}
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.app = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "app"}).json["key"])
        u = unique("agent")
        assert cls.owner.post("/v1/staff", {"username": u, "password": "agent-password-1", "role": "service_agent",
                                            "scope_kind": "chain"}).status == 201
        cls.agents = []
        for i in range(2):
            u = unique("agent")
            assert cls.owner.post("/v1/staff", {"username": u, "password": "agent-password-1",
                                                "role": "service_agent", "scope_kind": "chain"}).status == 201
            a = cls.server.client(cls.server.client().post(
                "/v1/auth/login", {"username": u, "password": "agent-password-1"}).json["token"])
            assert a.put("/v1/desk/agents/me", {"available": True, "cap": 20}).status == 200
            a.id = a.get("/v1/me").json["id"]
            cls.agents.append(a)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.sim_proc.terminate()
            cls.sim_proc.wait(10)
            cls.mailbox.stop()

    def member_with(self, email=None, openid=None):
        phone = "135" + unique("")[-8:].rjust(8, "6")
        m = self.owner.post("/v1/members", {"phone": phone, "name": "Tang Li"}).json
        if email:
            self.assertEqual(self.owner.post("/v1/members/%d/identities" % m["id"],
                                             {"kind": "email", "value": email}).status, 201)
        if openid:
            self.assertEqual(self.app.post("/v1/members/%d/identities" % m["id"],
                                           {"kind": "wechat_openid", "value": openid}).status, 201)
        return m

    def conversations_of(self, member_id):
        out = []
        for a in self.agents:
            inbox = a.get("/v1/desk/inbox").json
            for x in inbox["mine"] + inbox["queue"]:
                full = a.get("/v1/desk/conversations/%d" % x["id"]).json
                if full["contact"]["member_id"] == member_id and full["id"] not in [o["id"] for o in out]:
                    out.append(full)
        return out

    @staticmethod
    def mail(frm, subject, body, msg_id, charset="utf-8", cte="8bit"):
        return ("From: %s\r\nTo: service@chain.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: %s\r\n\r\n"
                % (frm, subject, msg_id, charset, cte)).encode() + (body if isinstance(body, bytes) else body.encode())

    def test_wechat_then_email_one_conversation_one_agent_and_the_answer_by_email(self):
        email, openid = "tang.%s@example.com" % unique(""), "o" + unique("wx")
        m = self.member_with(email=email, openid=openid)
        self.sim.post("/sim/wechat_message", {"openid": openid, "text": "The zip of my jacket broke"})
        first = wait_until(lambda: self.conversations_of(m["id"]), what="the WeChat message at the desk")[0]
        holder = first["agent_id"]
        self.assertIsNotNone(holder)
        # then by e-mail, with a photo's description; and the same mail delivered twice
        raw = self.mail("Tang Li <%s>" % email.upper(), "Re: my jacket", "Photo of the zip attached.\r\n",
                        "jacket-1@example.com")
        self.mailbox.deliver(raw)
        self.mailbox.deliver(raw)
        wait_until(lambda: len(self.conversations_of(m["id"])[0]["messages"]) >= 2, what="the e-mail at the desk")
        wait_until(lambda: self.mailbox.unseen() == [], what="the mailbox read")
        convs = self.conversations_of(m["id"])
        self.assertEqual(len(convs), 1)
        self.assertEqual((convs[0]["id"], convs[0]["agent_id"]), (first["id"], holder))
        self.assertEqual([(x["medium"], x["body"]) for x in convs[0]["messages"]],
                         [("wechat", "The zip of my jacket broke"),
                          ("email", "Re: my jacket\n\nPhoto of the zip attached.")])
        # she last wrote by e-mail: the answer goes by e-mail
        agent = [a for a in self.agents if a.id == holder][0]
        r = agent.post("/v1/desk/conversations/%d/replies" % first["id"],
                       {"body": "We will replace the zip at Shanghai 1."}, headers={"Idempotency-Key": unique("r")})
        self.assertEqual((r.status, r.json["sent_to"]), (201, email))
        sent = wait_until(lambda: [x for x in self.smtp.messages if x["to"] == [email]], what="the e-mail answer")
        import email as mail_lib
        msg = mail_lib.message_from_bytes(sent[0]["raw"] if isinstance(sent[0]["raw"], bytes)
                                          else sent[0]["raw"].encode())
        self.assertIn("We will replace the zip", msg.get_payload(decode=True).decode())

    def call(self, body, secret=None, ts=None):
        import hashlib
        import hmac
        with open(os.path.join(self.dir, "messaging.json")) as f:
            key = secret or json.load(f)["call_centre"]["secret"]
        raw = json.dumps(body)
        ts = str(int(time.time()) if ts is None else ts)
        sig = hmac.new(key.encode(), (ts + "\n" + raw).encode(), hashlib.sha256).hexdigest()
        return self.server.client().request("POST", "/v1/desk/calls", raw=raw,
                                            headers={"X-O2O-Timestamp": ts, "X-O2O-Signature": sig})

    def test_the_call_centre_logs_a_call_in_her_conversation_once(self):
        m = self.member_with(email="call.%s@example.com" % unique(""))
        call = {"call_id": unique("call"), "direction": "inbound", "customer": m["phone"],
                "started_at": "2026-12-08T02:00:00Z", "duration_s": 192, "agent": "li.na",
                "summary": "asked about the jacket's zip", "recording_url": "https://rec.example.com/c/1.mp3"}
        r = self.call(call)
        self.assertEqual((r.status, r.json["member_id"], r.json["duplicate"]), (200, m["id"], False), r)
        again = self.call(call)
        self.assertEqual((again.json["message_id"], again.json["duplicate"]), (r.json["message_id"], True))
        conv = self.conversations_of(m["id"])[0]
        bodies = [x["body"] for x in conv["messages"] if x["medium"] == "phone"]
        self.assertEqual(bodies, ["Inbound call, 3 min 12 s, agent li.na: asked about the jacket's zip\n"
                                  "Recording: https://rec.example.com/c/1.mp3"])
        # forged, stale, or not a call: refused, nothing taken
        self.assertEqual(self.call(dict(call, call_id="x1"), secret="not-the-secret").status, 401)
        self.assertEqual(self.call(dict(call, call_id="x2"), ts=int(time.time()) - 3600).status, 401)
        r = self.call(dict(call, call_id="x3", recording_url="javascript:alert(1)"))
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "recording_url"))
        self.assertEqual(len(self.conversations_of(m["id"])[0]["messages"]), len(conv["messages"]))

    def test_a_chinese_client_and_a_sender_nobody_knows(self):
        # GBK, base64, an encoded subject, from an address no member has: a new contact
        stranger = "li.%s@example.cn" % unique("")
        body = "拉链在第二天就坏了。订单 1234".encode("gbk")
        import base64
        raw = self.mail(stranger, "=?GB2312?B?%s?=" % base64.b64encode("我的外套".encode("gbk")).decode(),
                        base64.b64encode(body), "gbk-%s@example.cn" % unique(""), charset="gb2312", cte="base64")
        self.mailbox.deliver(raw)
        # a message with no sender address: logged, never taken in
        self.mailbox.deliver(b"Subject: no sender\r\nMessage-ID: <nobody@x>\r\n\r\nwho am I\r\n")

        def found():
            for a in self.agents:
                inbox = a.get("/v1/desk/inbox").json
                for x in inbox["mine"] + inbox["queue"]:
                    full = a.get("/v1/desk/conversations/%d" % x["id"]).json
                    if {"kind": "email", "value": stranger} in full["contact"]["identities"]:
                        return full
            return None
        conv = wait_until(found, what="the stranger's mail at the desk")
        self.assertIsNone(conv["contact"]["member_id"])
        self.assertEqual(conv["messages"][0]["body"], "我的外套\n\n拉链在第二天就坏了。订单 1234")
        wait_until(lambda: self.mailbox.unseen() == [], what="both mails read")
        for a in self.agents:
            inbox = a.get("/v1/desk/inbox").json
            for x in inbox["mine"] + inbox["queue"]:
                body = [y["body"] for y in a.get("/v1/desk/conversations/%d" % x["id"]).json["messages"]]
                self.assertNotIn("who am I", " ".join(body))
