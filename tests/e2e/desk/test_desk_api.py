"""The service desk over HTTP: a member's message from the app, then one from her
e-mail address, land in one conversation held by one agent; the agent reads it
beside who she is and replies on the medium she last wrote by (the e-mail leaves
through the outbox); resolving frees a place that takes the oldest waiting
conversation; the agent who served her before gets her again; retried messages
are taken once; nobody names a member but the member herself."""
from harness import ServerTest, make_chain, member_token, unique

PW = "desk-password-1"


class DeskApiTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.agents = []
        for _ in range(2):
            u = unique("agent")
            assert cls.owner.post("/v1/staff", {"username": u, "password": PW, "role": "service_agent",
                                                "scope_kind": "chain"}).status == 201
            tok = cls.server.client().post("/v1/auth/login", {"username": u, "password": PW}).json["token"]
            c = cls.server.client(tok)
            c.id = c.get("/v1/me").json["id"]
            cls.agents.append(c)

    def on_desk(self, agent, cap, available=True):
        r = agent.request("PUT", "/v1/desk/agents/me", {"available": available, "cap": cap})
        self.assertEqual(r.status, 200, r)

    def send(self, client, body, **extra):
        b = {"medium": "chat", "body": body}
        b.update(extra)
        r = client.post("/v1/desk/messages", b, headers={"Idempotency-Key": unique("dm")})
        self.assertEqual(r.status, 201, r)
        return r.json

    def test_one_member_one_conversation_one_agent_and_replies_on_her_medium(self):
        a1, a2 = self.agents
        self.on_desk(a1, 5)
        self.on_desk(a2, 5)
        phone = "133" + unique("")[-8:].rjust(8, "4")
        m = self.owner.post("/v1/members", {"phone": phone, "name": "Tang Li"}).json
        email = "tang.%s@example.com" % unique("")
        self.assertEqual(self.owner.post("/v1/members/%d/identities" % m["id"], {"kind": "email", "value": email}).status,
                         201)
        me = self.server.client(member_token(self.server, self.owner, phone))
        first = self.send(me, "the zip of my jacket broke", medium="chat")
        self.assertTrue(first["opened"])
        self.assertEqual(first["member_id"], m["id"])
        holder = first["agent_id"]
        self.assertIn(holder, (a1.id, a2.id))
        # then by e-mail, from her address (the e-mail intake speaks for it)
        second = self.send(self.web, "photos attached", medium="email", **{"from_kind": "email", "from": email})
        self.assertEqual((second["conversation_id"], second["agent_id"], second["opened"]),
                         (first["conversation_id"], holder, False))
        agent = a1 if holder == a1.id else a2
        other = a2 if agent is a1 else a1
        inbox = agent.get("/v1/desk/inbox").json
        self.assertIn(first["conversation_id"], [x["id"] for x in inbox["mine"]])
        conv = agent.get("/v1/desk/conversations/%d" % first["conversation_id"]).json
        self.assertEqual(conv["contact"]["member_id"], m["id"])
        self.assertEqual([x["body"] for x in conv["messages"]], ["the zip of my jacket broke", "photos attached"])
        self.assertIn({"kind": "email", "value": email}, conv["contact"]["identities"])
        # the reply goes out by e-mail, the medium she last used
        r = agent.post("/v1/desk/conversations/%d/replies" % first["conversation_id"], {"body": "a new zip, free"},
                       headers={"Idempotency-Key": unique("rp")})
        self.assertEqual((r.status, r.json["sent_to"]), (201, email), r)
        out = self.owner.get("/v1/outbox?recipient=%s" % email.replace("@", "%40")).json["items"]
        self.assertEqual([(x["topic"], x["payload"]) for x in out], [("email", "a new zip, free")])
        self.assertError(other.post("/v1/desk/conversations/%d/replies" % first["conversation_id"], {"body": "me too"}),
                         403, "not_yours")
        r = agent.post("/v1/desk/conversations/%d/resolve" % first["conversation_id"])
        self.assertEqual(r.status, 200, r)
        self.assertError(agent.post("/v1/desk/conversations/%d/resolve" % first["conversation_id"]), 409, "not_open")
        # she writes again: a new conversation, and the agent who served her
        again = self.send(me, "thank you!")
        self.assertTrue(again["opened"])
        self.assertEqual(again["agent_id"], holder)

    def test_a_full_desk_queues_and_a_resolved_case_serves_the_oldest(self):
        a1, a2 = self.agents
        self.on_desk(a1, 1)
        self.on_desk(a2, 0, available=False)
        # whatever a1 held from other tests is resolved first
        for x in a1.get("/v1/desk/inbox").json["mine"]:
            a1.post("/v1/desk/conversations/%d/resolve" % x["id"])
        sent = [self.send(self.web, "question %d" % i, from_kind="device", **{"from": unique("dev")}) for i in range(3)]
        self.assertEqual([s["agent_id"] for s in sent], [a1.id, None, None])
        queue = [x["id"] for x in a1.get("/v1/desk/inbox").json["queue"]]
        self.assertEqual([q for q in queue if q in (sent[1]["conversation_id"], sent[2]["conversation_id"])],
                         [sent[1]["conversation_id"], sent[2]["conversation_id"]])
        r = a1.post("/v1/desk/conversations/%d/resolve" % sent[0]["conversation_id"])
        self.assertEqual(r.json["served"], sent[1]["conversation_id"])
        self.assertEqual(a1.get("/v1/desk/conversations/%d" % sent[1]["conversation_id"]).json["agent_id"], a1.id)
        self.on_desk(a2, 5)

    def test_retries_and_who_may_say_what(self):
        key = unique("same")
        body = {"medium": "web_form", "body": "size chart?", "from_kind": "device", "from": unique("d")}
        r1 = self.web.post("/v1/desk/messages", body, headers={"Idempotency-Key": key})
        r2 = self.web.post("/v1/desk/messages", body, headers={"Idempotency-Key": key})
        self.assertEqual((r1.status, r2.status), (201, 201))
        self.assertEqual(r1.json["message_id"], r2.json["message_id"])
        conv = self.agents[0].get("/v1/desk/conversations/%d" % r1.json["conversation_id"]).json
        self.assertEqual(len(conv["messages"]), 1)
        self.assertError(self.web.post("/v1/desk/messages", {"medium": "chat", "body": "x", "from_kind": "member",
                                                             "from": "1"}), 400, None, "from_kind")
        self.assertError(self.web.post("/v1/desk/messages", {"medium": "pos", "body": "x", "from_kind": "device",
                                                             "from": "d"}), 400, None, "medium")
        self.assertError(self.web.post("/v1/desk/messages", {"medium": "chat", "body": "x"}), 400, "missing_field")
        self.assertError(self.web.get("/v1/desk/inbox"), 403)
        me = self.server.client(member_token(self.server, self.owner, "133" + unique("")[-8:].rjust(8, "2")))
        self.assertError(me.get("/v1/desk/conversations/%d" % r1.json["conversation_id"]), 403)

    def test_a_stranger_linked_to_her_member_brings_her_history(self):
        a1, a2 = self.agents
        self.on_desk(a1, 5)
        self.on_desk(a2, 5)
        address = "who.is.this.%s@example.com" % unique("")
        first = self.send(self.web, "my order never came", medium="email", **{"from_kind": "email", "from": address})
        self.assertIsNone(first["member_id"])
        phone = "133" + unique("")[-8:].rjust(8, "6")
        m = self.owner.post("/v1/members", {"phone": phone, "name": "Yu Qing"}).json
        holder = a1 if first["agent_id"] == a1.id else a2
        r = holder.post("/v1/desk/contacts/%d/link" % first["contact_id"], {"member_id": m["id"]})
        self.assertEqual((r.status, r.json["member_id"]), (200, m["id"]), r)
        conv = holder.get("/v1/desk/conversations/%d" % first["conversation_id"]).json
        self.assertEqual(conv["contact"]["member_id"], m["id"])
        # from the app now, as herself: the same conversation
        me = self.server.client(member_token(self.server, self.owner, phone))
        self.assertEqual(self.send(me, "any news?")["conversation_id"], first["conversation_id"])
        self.assertError(holder.post("/v1/desk/contacts/%d/link" % first["contact_id"], {"member_id": 99999999}), 404)

    def test_beside_her_conversation_her_orders_and_what_the_desk_may_do(self):
        a1, a2 = self.agents
        self.on_desk(a1, 5)
        self.on_desk(a2, 5)
        self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-M", "location": "SH02", "kind": "receive", "qty": 5})
        phone = "133" + unique("")[-8:].rjust(8, "7")
        m = self.owner.post("/v1/members", {"phone": phone, "name": "Lin Hui"}).json
        o = self.web.post("/v1/orders", {"member_id": m["id"], "fulfilment": "pickup", "pickup_store": "SH02",
                                         "lines": [{"sku": "TEE-RED-M", "qty": 1}]}).json
        self.assertEqual(self.owner.post("/v1/orders/%d/payments" % o["id"],
                                         {"tenders": [{"tender": "bank_card", "amount": o["due"],
                                                       "reference": "D%d" % o["id"]}]}).status, 200)
        f = [x for x in o["fulfilments"] if x["kind"] == "pickup"][0]
        for step in ("pick", "ready"):
            self.assertEqual(self.owner.post("/v1/fulfilments/%d/%s" % (f["id"], step), {}).status, 200)
        me = self.server.client(member_token(self.server, self.owner, phone))
        msg = self.send(me, "I lost the pickup code")
        holder = a1 if msg["agent_id"] == a1.id else a2
        other = a2 if holder is a1 else a1
        # beside the conversation: who she is and her order, ready at SH02
        ctx = holder.get("/v1/desk/conversations/%d/context" % msg["conversation_id"])
        self.assertEqual(ctx.status, 200, ctx)
        self.assertEqual(ctx.json["member"]["id"], m["id"])
        mine = [x for x in ctx.json["orders"] if x["id"] == o["id"]][0]
        self.assertEqual([x["status"] for x in mine["fulfilments"] if x["kind"] == "pickup"], ["ready_for_pickup"])
        # not another agent's to read or act on
        self.assertError(other.get("/v1/desk/conversations/%d/context" % msg["conversation_id"]), 403,
                         "not_your_conversation")
        # the same code, said again by her medium; the timeline says who asked
        def codes():
            return [x["payload"] for x in self.owner.get("/v1/outbox?recipient=%%2B86%s" % phone).json["items"]
                    if x["template"] == "pickup_ready"]
        self.assertEqual(len(codes()), 1)
        r = holder.post("/v1/desk/conversations/%d/resend-pickup" % msg["conversation_id"], {"order_id": o["id"]},
                        headers={"Idempotency-Key": unique("rs")})
        self.assertEqual((r.status, r.json["sent_to"]), (200, "+86" + phone), r)
        self.assertEqual(len(codes()), 2)
        self.assertEqual(codes()[0], codes()[1])   # the same code, not a new one
        timeline = self.owner.get("/v1/orders/%d" % o["id"]).json["timeline"]
        self.assertIn("pickup_code_resent", [e["kind"] for e in timeline])
        # a goodwill coupon within the limit (5,000 fen for an agent, twice for a manager)
        r = holder.post("/v1/desk/conversations/%d/goodwill-coupon" % msg["conversation_id"],
                        {"kind": "amount", "value": 3000, "reason": "lost code"},
                        headers={"Idempotency-Key": unique("gw")})
        self.assertEqual((r.status, r.json["member_id"], r.json["value"]), (201, m["id"], 3000), r)
        code = r.json["code"]
        self.assertError(holder.post("/v1/desk/conversations/%d/goodwill-coupon" % msg["conversation_id"],
                                     {"kind": "amount", "value": 6000}, headers={"Idempotency-Key": unique("gw")}),
                         403, "over_goodwill_limit", "value")
        r = self.owner.post("/v1/desk/conversations/%d/goodwill-coupon" % msg["conversation_id"],
                            {"kind": "amount", "value": 8000}, headers={"Idempotency-Key": unique("gw")})
        self.assertEqual(r.status, 201, r)
        coupons = [c["code"] for c in me.get("/v1/members/%d/coupons" % m["id"]).json["items"]]
        self.assertIn(code, coupons)
        audit = self.owner.get("/v1/audit?limit=50").json["items"]
        self.assertTrue([x for x in audit if x["action"] == "desk.action" and code in x["detail"]])
