"""Messages out through the providers, against the local simulator written from their
documentation (tests/sim/messaging_sim.py): a sign-in code reaches Aliyun SMS and the
member signs in with it; receipts mark messages delivered, forged ones are refused
and repeated ones applied once; an undelivered SMS moves to her WeChat; throttling
answers are retried later, refusals fail with the provider's reason; Tencent Cloud
takes over when Aliyun cannot be reached; WeChat's access token is fetched again
when revoked; consent and quiet hours hold what they should; /metrics counts it."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from harness import Client, SIM_DIR, ServerTest, free_port, make_chain, sim_python, unique, wait_until



class MessagingTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="o2o-msg-")
        port = free_port()
        cls.sim_proc = subprocess.Popen([sim_python(), os.path.join(SIM_DIR, "messaging_sim.py"), cls.dir,
                                         str(port)], stdout=subprocess.PIPE, text=True)
        line = cls.sim_proc.stdout.readline()
        m = re.match(r"listening (\d+)", line)
        assert m, "simulator did not start: %r" % line
        cls.sim = Client(int(m.group(1)))
        with open(os.path.join(cls.dir, "messaging.json")) as f:
            cls.config = json.load(f)
        cls.server_args = ("--messaging", os.path.join(cls.dir, "messaging.json"), "--listen",
                           "127.0.0.1:%d" % port, "--jobs-every", "100")
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        # the chain's app: it binds her WeChat openid after WeChat's sign-in
        cls.app = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "app"}).json["key"])
        cls.owner.post("/v1/products", {"code": "MSG", "name": "Message tee", "brand": "ACME", "category": "tops"})
        cls.owner.post("/v1/skus", {"code": "MSG-1", "product": "MSG", "price": 5000})
        cls.owner.post("/v1/stock/movements", {"sku": "MSG-1", "location": "SH02", "kind": "receive", "qty": 100})

    @classmethod
    def tearDownClass(cls):
        cls.sim_proc.terminate()
        cls.sim_proc.wait(10)
        super().tearDownClass()

    def setUp(self):
        self.sim_config()

    # ---- helpers ----
    def sim_config(self, **kw):
        self.assertEqual(self.sim.post("/sim/config", kw).status, 200)

    def sim_messages(self, **match):
        return [m for m in self.sim.get("/sim/messages").json["messages"]
                if all(m.get(k) == v for k, v in match.items())]

    def phone(self):
        return "137" + unique("")[-8:].rjust(8, "3")

    def outbox(self, recipient, template=None):
        items = self.owner.get("/v1/outbox?recipient=%s" % recipient.replace("+", "%2B")).json["items"]
        return [m for m in items if template is None or m["template"] == template]

    def one(self, recipient, template, pred, what):
        return wait_until(lambda: [m for m in self.outbox(recipient, template) if pred(m)], what=what)[0]

    def member(self, **patch):
        r = self.owner.post("/v1/members", {"phone": self.phone()})
        self.assertEqual(r.status, 201, r)
        m = r.json
        if patch:
            r = self.owner.patch("/v1/members/%d" % m["id"], patch)
            self.assertEqual(r.status, 200, r)
            m = r.json
        return m

    def follows(self, m, openid):
        r = self.app.post("/v1/members/%d/identities" % m["id"], {"kind": "wechat_openid", "value": openid})
        self.assertEqual(r.status, 201, r)

    def ready_for_pickup(self, m):
        """An order of hers paid and made ready at SH02: the pickup notice goes out."""
        r = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "MSG-1", "qty": 1}]})
        self.assertEqual(r.status, 201, r)
        o = r.json
        r = self.owner.post("/v1/orders/%d/payments" % o["id"],
                            {"tenders": [{"tender": "bank_card", "amount": o["due"], "reference": "T%d" % o["id"]}]})
        self.assertEqual(r.status, 200, r)
        f = [f for f in o["fulfilments"] if f["kind"] == "pickup"][0]
        for step in ("pick", "ready"):
            self.assertEqual(self.owner.post("/v1/fulfilments/%d/%s" % (f["id"], step), {}).status, 200)
        return o

    def metric(self, name, **labels):
        text = self.server.client().get("/metrics").body
        want = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
        for line in text.splitlines():
            if line.startswith(name + ("{" + want + "}" if labels else " ")) or \
                    (labels and line.startswith(name + "{") and all('%s="%s"' % kv in line for kv in labels.items())):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    # ---- tests ----
    def test_a_sign_in_code_reaches_aliyun_and_she_signs_in_with_it(self):
        phone = self.phone()
        c = self.server.client()
        r = c.post("/v1/auth/otp", {"phone": phone})
        self.assertEqual(r.status, 202, r)
        sent = wait_until(lambda: self.sim_messages(provider="aliyun_sms", to=phone), what="the SMS at Aliyun")
        self.assertEqual(sent[0]["template"], "SMS_900001")
        code = sent[0]["params"]["code"]
        self.assertRegex(code, r"^\d{6}$")
        r = c.post("/v1/auth/otp/verify", {"phone": "+86" + phone, "code": code})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["token"])
        # Aliyun's receipt marks it delivered
        msg = self.one("+86" + phone, "otp", lambda m: m["delivered_at"], "the delivery receipt")
        self.assertEqual((msg["status"], msg["provider"], msg["provider_ref"], msg["purpose"]),
                         ("sent", "aliyun_sms", sent[0]["ref"], "auth"))
        self.assertEqual(sent[0]["out_id"], str(msg["id"]))

    def test_forged_receipts_are_refused_and_repeated_ones_applied_once(self):
        phone = self.phone()
        self.server.client().post("/v1/auth/otp", {"phone": phone})
        msg = self.one("+86" + phone, "otp", lambda m: m["delivered_at"], "the delivery receipt")
        receipt = [{"phone_number": phone, "success": False, "err_code": "MN:0001", "err_msg": "forged",
                    "biz_id": msg["provider_ref"], "out_id": str(msg["id"]), "report_time": "2026-12-01 10:00:00"}]
        anon = self.server.client()
        for token in ("", "?token=wrong", "?token=" + self.config["tencent_sms"]["callback_token"]):
            r = anon.post("/v1/messaging/aliyun_sms/receipts" + token, receipt)
            self.assertEqual(r.status, 401, r)
        self.assertEqual(anon.post("/v1/messaging/nobody/receipts?token=x", receipt).status, 404)
        # the genuine token, a receipt already applied: acknowledged, nothing changes
        good = "?token=" + self.config["aliyun_sms"]["callback_token"]
        before = self.outbox("+86" + phone, "otp")[0]
        for _ in range(2):
            r = anon.post("/v1/messaging/aliyun_sms/receipts" + good, receipt)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json, {"code": 0, "msg": "OK"})
        self.assertEqual(self.outbox("+86" + phone, "otp")[0], before)
        # not a receipt at all
        r = anon.request("POST", "/v1/messaging/aliyun_sms/receipts" + good, raw=b"{not json",
                         headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)

    def test_an_undelivered_sms_moves_to_her_wechat(self):
        openid = "o" + unique("wx")
        m = self.member(prefer_medium="sms", fallback_medium="wechat")
        self.follows(m, openid)
        self.sim_config(undeliverable=[m["phone"]])
        o = self.ready_for_pickup(m)
        msg = self.one(openid, "pickup_ready", lambda x: x["status"] == "sent" and x["topic"] == "wechat",
                       "the notice moved to WeChat")
        self.assertIn("sms: MN:0001", msg["reason"])
        self.assertIn("moved to wechat", msg["reason"])
        wx = wait_until(lambda: self.sim_messages(provider="wechat_oa", to=openid), what="the WeChat message")[0]
        self.assertEqual(wx["template"], "tmpl-pickup-ready")
        self.assertEqual(wx["params"]["thing2"], "Shanghai 2")
        self.assertRegex(wx["params"]["character_string1"], r"^\d{6}$")
        sms = self.sim_messages(provider="aliyun_sms", to=m["phone"][3:])
        self.assertEqual(sms[0]["params"]["order"], str(o["id"]))

    def test_throttling_is_retried_later_and_a_refusal_fails_with_the_providers_reason(self):
        self.sim_config(per_minute=1)
        phone = self.phone()
        c = self.server.client()
        for _ in range(2):
            self.assertEqual(c.post("/v1/auth/otp", {"phone": phone}).status, 202)
        held = self.one("+86" + phone, "otp", lambda m: "BUSINESS_LIMIT_CONTROL" in m["reason"], "the throttled code")
        self.assertEqual((held["status"], held["attempts"]), ("pending", 1))
        self.assertIn("attempt 1", held["reason"])
        self.assertGreaterEqual(self.iso(held["next_at"]) - self.iso(held["created_at"]), 59)
        # a template Aliyun refuses: failed at once, with its reason, and counted
        given_up = self.metric("o2o_messages_given_up_total")
        self.sim_config(fail_next={"provider": "aliyun_sms", "code": "isv.SMS_TEMPLATE_ILLEGAL"})
        other = self.phone()
        c.post("/v1/auth/otp", {"phone": other})
        failed = self.one("+86" + other, "otp", lambda m: m["status"] == "failed", "the refused code")
        self.assertEqual(failed["reason"], "aliyun_sms: isv.SMS_TEMPLATE_ILLEGAL: simulated")
        wait_until(lambda: self.metric("o2o_messages_given_up_total") == given_up + 1, what="the failure counted")
        self.assertGreaterEqual(self.metric("o2o_messages_total", provider="aliyun_sms", outcome="refused"), 1)

    @staticmethod
    def iso(s):
        import datetime
        return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()

    def test_tencent_cloud_takes_over_when_aliyun_cannot_be_reached(self):
        self.sim_config(down=["aliyun"])
        phone = self.phone()
        c = self.server.client()
        c.post("/v1/auth/otp", {"phone": phone})
        sent = wait_until(lambda: self.sim_messages(provider="tencent_sms", to="+86" + phone), what="Tencent's SMS")
        self.assertEqual(sent[0]["template"], "1900001")
        code, minutes = sent[0]["params"]
        self.assertEqual(minutes, "5")
        self.assertEqual(c.post("/v1/auth/otp/verify", {"phone": "+86" + phone, "code": code}).status, 200)
        msg = self.one("+86" + phone, "otp", lambda m: m["delivered_at"], "Tencent's receipt")
        self.assertEqual((msg["provider"], msg["provider_ref"]), ("tencent_sms", sent[0]["ref"]))
        wait_until(lambda: self.metric("o2o_message_receipts_total", provider="tencent_sms", result="delivered") >= 1,
                 what="the receipt counted")

    def test_wechat_token_is_fetched_again_when_revoked(self):
        openid = "o" + unique("wx")
        m = self.member(prefer_medium="wechat")
        self.follows(m, openid)
        self.ready_for_pickup(m)
        wait_until(lambda: self.sim_messages(provider="wechat_oa", to=openid), what="the first WeChat message")
        # WeChat's TEMPLATESENDJOBFINISH event is its receipt
        first = self.one(openid, "pickup_ready", lambda x: x["delivered_at"], "the template job's receipt")
        self.assertEqual(first["provider"], "wechat_oa")
        issued = self.sim.get("/sim/messages").json["tokens_issued"]
        self.assertEqual(self.sim.post("/sim/revoke_token", {}).status, 200)
        self.ready_for_pickup(m)
        wait_until(lambda: len(self.sim_messages(provider="wechat_oa", to=openid)) == 2, what="the second one")
        self.assertEqual(self.sim.get("/sim/messages").json["tokens_issued"], issued + 1)
        # she left the account: a template message is refused, and her SMS takes it
        self.sim_config(unsubscribed=[openid])
        self.ready_for_pickup(m)
        moved = self.one(m["phone"], "pickup_ready", lambda x: x["status"] == "sent", "the SMS fallback")
        self.assertIn("43004", moved["reason"])

    def test_consent_and_quiet_hours(self):
        # no consent to service messages: kept as failed, never sent
        m = self.member(consent_service=False)
        self.ready_for_pickup(m)
        msg = self.one(m["phone"], "pickup_ready", lambda x: True, "the refused notice")
        self.assertEqual((msg["status"], msg["reason"]), ("failed", "no_consent: service"))
        # quiet all day: the notice waits for the end of her quiet hours (midnight in her zone) ...
        m = self.member(quiet_hours="0-24")
        self.assertEqual(m["reach"], {"prefer": "sms", "fallback": None, "quiet_hours": "0-24"})
        self.ready_for_pickup(m)
        msg = self.one(m["phone"], "pickup_ready", lambda x: True, "the held notice")
        self.assertEqual((msg["status"], msg["reason"]), ("pending", "quiet hours"))
        held_for = self.iso(msg["next_at"]) - self.iso(msg["created_at"])
        self.assertTrue(0 < held_for <= 24 * 3600, held_for)
        self.assertEqual(int(self.iso(msg["next_at"]) + 8 * 3600) % 86400, 0)  # midnight in Shanghai
        # ... but her sign-in code does not
        c = self.server.client()
        c.post("/v1/auth/otp", {"phone": m["phone"]})
        self.one(m["phone"], "otp", lambda x: x["status"] == "sent", "the code sent at once")
        # what a member may say about how she is reached
        for bad in ({"prefer_medium": "fax"}, {"fallback_medium": "sms"}, {"quiet_hours": "25-3"}):
            r = self.owner.patch("/v1/members/%d" % m["id"], bad)
            self.assertEqual(r.status, 400, (bad, r))

    def test_an_sms_reply_reaches_the_desk_and_the_answer_goes_back_by_sms(self):
        agent = self.agent()
        m = self.member()
        self.assertEqual(self.sim.post("/sim/reply", {"provider": "tencent_sms", "phone": m["phone"],
                                                      "text": "Is my size back?"}).status, 200)
        conv = self.conversation_of(agent, m["id"])
        # Aliyun pushes a reply twice (its sequence_id is the same): one message
        token = self.config["aliyun_sms"]["callback_token"]
        up = [{"phone_number": m["phone"][3:], "send_time": "2026-12-01 10:00:00", "content": "M please",
               "sign_name": "o2o", "dest_code": "1", "sequence_id": 77001}]
        for _ in range(2):
            r = self.server.client().post("/v1/messaging/aliyun_sms/replies?token=" + token, up)
            self.assertEqual((r.status, r.json), (200, {"code": 0, "msg": "OK"}))
        self.assertEqual(self.server.client().post("/v1/messaging/aliyun_sms/replies?token=x", up).status, 401)
        full = agent.get("/v1/desk/conversations/%d" % conv["id"]).json
        self.assertEqual([x["body"] for x in full["messages"]], ["Is my size back?", "M please"])
        self.assertEqual({x["medium"] for x in full["messages"]}, {"sms"})
        r = agent.post("/v1/desk/conversations/%d/replies" % conv["id"], {"body": "Yes, M is back at Shanghai 2."},
                       headers={"Idempotency-Key": unique("rp")})
        self.assertEqual(r.status, 201, r)
        sent = wait_until(lambda: self.sim_messages(provider="aliyun_sms", to=m["phone"][3:], template="SMS_900005"),
                        what="the answer by SMS")
        self.assertEqual(sent[0]["params"], {"text": "Yes, M is back at Shanghai 2."})

    def agent(self):
        u = unique("agent")
        self.assertEqual(self.owner.post("/v1/staff", {"username": u, "password": "agent-password-1",
                                                       "role": "service_agent", "scope_kind": "chain"}).status, 201)
        agent = self.server.client(self.server.client().post(
            "/v1/auth/login", {"username": u, "password": "agent-password-1"}).json["token"])
        self.assertEqual(agent.put("/v1/desk/agents/me", {"available": True, "cap": 50}).status, 200)
        return agent

    def conversation_of(self, agent, member_id):
        def hers():
            inbox = agent.get("/v1/desk/inbox").json
            return [x for x in inbox["mine"] + inbox["queue"]
                    if agent.get("/v1/desk/conversations/%d" % x["id"]).json["contact"]["member_id"] == member_id]
        return wait_until(hers, what="her conversation at the desk")[0]

    def test_a_follower_writes_by_wechat_plain_and_safe_and_the_answer_goes_back_there(self):
        agent = self.agent()
        openid = "o" + unique("wx")
        m = self.member()
        self.follows(m, openid)
        self.sim.post("/sim/wechat_message", {"openid": openid, "text": "Do you have the tee in M?", "msg_id": 5001})
        conv = self.conversation_of(agent, m["id"])
        # safe mode: encrypted; the same MsgId pushed again (WeChat retries) is taken once
        self.sim_config(wechat_safe=True)
        for _ in range(2):
            self.sim.post("/sim/wechat_message", {"openid": openid, "text": "At Shanghai 2 please", "msg_id": 5002})
        # a push signed with another token is refused and changes nothing
        self.sim.post("/sim/wechat_message", {"openid": openid, "text": "forged", "forge": True})
        wait_until(lambda: len(agent.get("/v1/desk/conversations/%d" % conv["id"]).json["messages"]) == 2,
                 what="her second message")
        wait_until(lambda: [x for x in self.sim.get("/sim/messages").json["receipts"]
                          if x["path"].endswith("/wechat_oa/callback") and x["status"] == 401], what="the refusal")
        time.sleep(0.5)
        full = agent.get("/v1/desk/conversations/%d" % conv["id"]).json
        self.assertEqual([(x["medium"], x["body"]) for x in full["messages"]],
                         [("wechat", "Do you have the tee in M?"), ("wechat", "At Shanghai 2 please")])
        self.assertIn({"kind": "wechat_openid", "value": openid}, full["contact"]["identities"])
        # WeChat's check of the URL: echostr back only when signed
        anon = self.server.client()
        self.assertEqual(anon.get("/v1/messaging/wechat_oa/callback?signature=x&timestamp=%d&nonce=1&echostr=abc"
                                  % int(time.time())).status, 401)
        # the agent's answer goes back by WeChat (a service message: no template)
        r = agent.post("/v1/desk/conversations/%d/replies" % conv["id"], {"body": "Yes, two left in M."},
                       headers={"Idempotency-Key": unique("rp")})
        self.assertEqual((r.status, r.json["sent_to"]), (201, openid))
        sent = wait_until(lambda: [x for x in self.sim_messages(provider="wechat_oa", to=openid)
                                 if x.get("text") == "Yes, two left in M."], what="the answer by WeChat")
        self.assertEqual(sent[0]["template"], "")

    def test_an_expired_message_is_given_up_and_reported(self):
        self.sim_config(down=["aliyun", "tencent"])
        phone = self.phone()
        self.server.client().post("/v1/auth/otp", {"phone": phone})
        msg = self.one("+86" + phone, "otp", lambda m: m["reason"].startswith("attempt 1:"), "a first failed attempt")
        self.assertEqual(msg["status"], "pending")
        self.assertIn("503", msg["reason"])
        waiting = self.metric("o2o_outbox_waiting", topic="sms")
        self.assertGreaterEqual(waiting, 1)
        # five minutes later (moved by hand): a sign-in code that old is not worth sending
        self.server.execute("UPDATE outbox SET expires_at = 1, next_at = 0 WHERE id = %d" % msg["id"])
        failed = self.one("+86" + phone, "otp", lambda m: m["status"] == "failed", "the expired code")
        self.assertTrue(failed["reason"].startswith("expired before it could be sent"), failed["reason"])
