"""Orders under SIGKILL: the server is killed three times while tills place
orders; after each restart every acknowledged order is there whole, no order is
there in part, retried keys replay the same order, and stock, journal and points
balance."""
import os
import signal
import threading
import time

from harness import FakeProc, Server, ServerTest, make_chain

STOCK = 100000


class CrashOrdersTest(ServerTest):
    def test_orders_survive_repeated_kills(self):
        owner = self.server.owner()
        make_chain(owner)
        key = owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"]
        for sku in ("TEE-RED-S", "TEE-RED-M"):
            owner.post("/v1/stock/movements", {"sku": sku, "location": "SH01", "kind": "receive", "qty": STOCK})
        members = [owner.post("/v1/members", {"phone": "1368000%04d" % i}).json["id"] for i in range(10)]
        acked, lock = {}, threading.Lock()
        server = self.server
        for round_ in range(3):
            stop = threading.Event()

            def till(t):
                c = server.client(key)
                i = 0
                while not stop.is_set():
                    k = "r%d-t%d-%d" % (round_, t, i)
                    body = {"member_id": members[(t + i) % 10],
                            "lines": [{"sku": "TEE-RED-S", "qty": 1}, {"sku": "TEE-RED-M", "qty": 2}],
                            "tenders": [{"tender": "cash", "amount": 50000}]}
                    try:
                        r = c.post("/v1/orders", body, headers={"Idempotency-Key": k})
                    except Exception:
                        return
                    if r.status == 201:
                        with lock:
                            acked[k] = (r.json["id"], body)
                    i += 1

            threads = [threading.Thread(target=till, args=(t,)) for t in range(8)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            os.kill(server.proc.pid, signal.SIGKILL)
            stop.set()
            for t in threads:
                t.join()
            server.proc.wait()
            server.proc = FakeProc()
            server = Server(reuse=self.server)
            self.check(server, acked, key)
        self.assertGreater(len(acked), 50)
        rc, log = server.stop()
        self.assertEqual(rc, 0, log[-3000:])

    def check(self, server, acked, key):
        ids = set(v[0] for v in acked.values())
        n = int(server.scalar("SELECT COUNT(*) FROM orders"))
        self.assertGreaterEqual(n, len(ids))
        # every acknowledged order is there, whole
        present = server.scalar("SELECT COUNT(*) FROM orders WHERE status = 'completed' AND id IN (%s)"
                                % ",".join(str(i) for i in sorted(ids)))
        self.assertEqual(int(present), len(ids))
        # no order is there in part: lines, payment, hand-over and timeline come with every one
        for sql in ("SELECT COUNT(*) FROM orders o WHERE (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.id) <> 2",
                    "SELECT COUNT(*) FROM orders o WHERE o.paid <> (SELECT COALESCE(SUM(amount), 0) FROM payments p "
                    "WHERE p.order_id = o.id AND p.status = 'captured') OR o.paid <> o.total",
                    "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM fulfilments f WHERE "
                    "f.order_id = o.id AND f.status = 'handed_over')",
                    "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_events e WHERE "
                    "e.order_id = o.id AND e.kind = 'completed')",
                    "SELECT COUNT(*) FROM stock s WHERE s.on_hand <> (SELECT COALESCE(SUM(qty), 0) FROM stock_movements m "
                    "WHERE m.sku_id = s.sku_id AND m.location_id = s.location_id)",
                    "SELECT COUNT(*) FROM members m WHERE m.points <> (SELECT COALESCE(SUM(points), 0) FROM point_entries e "
                    "WHERE e.member_id = m.id)"):
            self.assertEqual(server.scalar(sql), "0", sql)
        sold = int(server.scalar("SELECT COALESCE(SUM(l.qty), 0) FROM order_lines l JOIN skus k ON k.id = l.sku_id "
                                 "WHERE k.code = 'TEE-RED-M'"))
        left = int(server.scalar("SELECT s.on_hand FROM stock s JOIN skus k ON k.id = s.sku_id JOIN locations l "
                                 "ON l.id = s.location_id WHERE k.code = 'TEE-RED-M' AND l.code = 'SH01'"))
        self.assertEqual(sold + left, STOCK)
        # a till that retries an acknowledged sale gets the same order back
        for k, (oid, body) in list(acked.items())[-3:]:
            r = server.client(key).post("/v1/orders", body, headers={"Idempotency-Key": k})
            self.assertEqual((r.status, r.json["id"]), (201, oid), r)
            self.assertEqual(r.headers.get("idempotent-replayed"), "true")
