"""Idempotency-Key on POSTs: a replay returns the first answer and changes nothing,
even when the retries arrive at the same time."""
import threading

from harness import ServerTest, make_chain


class IdempotencyTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])

    def test_a_pos_that_retries_three_times_creates_one_member(self):
        answers = [self.pos.post("/v1/members", {"phone": "13600000001"}, headers={"Idempotency-Key": "reg-1"})
                   for _ in range(3)]
        self.assertEqual([a.status for a in answers], [201, 201, 201])
        self.assertEqual(len({a.json["id"] for a in answers}), 1)
        self.assertEqual([a.headers.get("idempotent-replayed") for a in answers], [None, "true", "true"])
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM members WHERE phone = '+8613600000001'"), "1")

    def test_without_a_key_a_retry_is_a_conflict(self):
        self.assertEqual(self.pos.post("/v1/members", {"phone": "13600000002"}).status, 201)
        self.assertError(self.pos.post("/v1/members", {"phone": "13600000002"}), 409, "phone_taken")

    def test_the_same_key_with_another_body_is_refused(self):
        self.pos.post("/v1/members", {"phone": "13600000003"}, headers={"Idempotency-Key": "reg-3"})
        before = self.server.snapshot()
        r = self.pos.post("/v1/members", {"phone": "13600000004"}, headers={"Idempotency-Key": "reg-3"})
        self.assertError(r, 422, "idempotency_key_reused", "Idempotency-Key")
        self.assertEqual(before, self.server.snapshot())

    def test_keys_belong_to_their_sender(self):
        r1 = self.pos.post("/v1/brands", {"code": "K1", "name": "K1"}, headers={"Idempotency-Key": "shared"})
        self.assertEqual(r1.status, 403)  # a pos key may not create brands: nothing stored
        r2 = self.owner.post("/v1/brands", {"code": "K1", "name": "K1"}, headers={"Idempotency-Key": "shared"})
        self.assertEqual(r2.status, 201, r2)

    def test_concurrent_retries_apply_once(self):
        m = self.owner.post("/v1/members", {"phone": "13600000005"}).json
        statuses, bodies = [], []
        lock = threading.Lock()

        def worker():
            c = self.server.client(self.pos.token)
            r = c.post("/v1/members/%d/points/earn" % m["id"], {"amount": 10000},
                       headers={"Idempotency-Key": "sale-42"})
            c.close()
            with lock:
                statuses.append(r.status)
                bodies.append(r.json.get("id") if r.json else None)

        threads = [threading.Thread(target=worker) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(set(statuses), {201}, statuses)
        self.assertEqual(len(set(bodies)), 1, bodies)
        self.assertEqual(self.owner.get("/v1/members/%d/points" % m["id"]).json["balance"], 100)
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM point_entries WHERE member_id = %d" % m["id"]), "1")

    def test_a_failed_request_stores_nothing_and_may_be_retried(self):
        r = self.pos.post("/v1/reservations", {"sku": "TEE-RED-S", "location": "SH01", "qty": 1},
                          headers={"Idempotency-Key": "res-1"})
        self.assertError(r, 409, "out_of_stock")
        self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH01", "kind": "receive", "qty": 1})
        r = self.pos.post("/v1/reservations", {"sku": "TEE-RED-S", "location": "SH01", "qty": 1},
                          headers={"Idempotency-Key": "res-1"})
        self.assertEqual(r.status, 201, r)

    def test_overlong_keys_are_rejected(self):
        self.assertError(self.pos.post("/v1/members", {"phone": "13600000009"},
                                       headers={"Idempotency-Key": "k" * 200}), 400, "bad_idempotency_key")
