"""A server killed with SIGKILL in the middle of a stream of writes loses no
acknowledged write, and the database it leaves is consistent: every member's
balance equals her ledger, every location's stock equals its journal."""
import os
import signal
import threading
import time

from harness import OWNER_PASSWORD, FakeProc, Server, ServerTest, make_chain


class CrashTest(ServerTest):
    def test_acknowledged_writes_survive_a_kill(self):
        owner = self.server.owner()
        make_chain(owner)
        pos_key = owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"]
        members = [owner.post("/v1/members", {"phone": "1370000%04d" % i}).json["id"] for i in range(20)]
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def writer(t):
            c = self.server.client(pos_key)
            i = 0
            while not stop.is_set():
                key = "t%d-%d" % (t, i)
                member = members[(t * 7 + i) % 20]
                try:
                    r = c.post("/v1/members/%d/points/earn" % member, {"amount": 100},
                               headers={"Idempotency-Key": key})
                except Exception:
                    return
                if r.status == 201:
                    with lock:
                        acked.append((key, member))
                i += 1

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(16)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        os.kill(self.server.proc.pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join()
        self.server.proc.wait()
        self.server.proc = FakeProc()  # the class teardown has nothing left to stop
        self.assertGreater(len(acked), 100)

        # the same database, a new process: every acknowledged earn is there exactly once
        restarted = Server(reuse=self.server)
        try:
            n = int(restarted.scalar("SELECT COUNT(*) FROM point_entries WHERE idem_key IS NOT NULL"))
            self.assertGreaterEqual(n, len(acked))
            keys = set(restarted.scalar(
                "SELECT COALESCE(string_agg(idem_key, ','), '') FROM point_entries WHERE idem_key IS NOT NULL"
                if restarted.db.startswith("postgres") else
                "SELECT COALESCE(group_concat(idem_key, ','), '') FROM point_entries WHERE idem_key IS NOT NULL"
            ).split(","))
            missing = [k for k, _ in acked if k not in keys]
            self.assertEqual(missing, [])
            bad = restarted.scalar(
                "SELECT COUNT(*) FROM members m WHERE m.points <> "
                "(SELECT COALESCE(SUM(points), 0) FROM point_entries e WHERE e.member_id = m.id)")
            self.assertEqual(bad, "0")
            bad = restarted.scalar(
                "SELECT COUNT(*) FROM stock s WHERE s.on_hand <> (SELECT COALESCE(SUM(qty), 0) FROM stock_movements m "
                "WHERE m.sku_id = s.sku_id AND m.location_id = s.location_id)")
            self.assertEqual(bad, "0")
            # and the retried requests replay, not repeat
            c = restarted.client(pos_key)
            key, member = acked[0]
            r = c.post("/v1/members/%d/points/earn" % member, {"amount": 100}, headers={"Idempotency-Key": key})
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.headers.get("idempotent-replayed"), "true")
            self.assertEqual(owner_login(restarted), 200)
        finally:
            rc, log = restarted.stop()
            self.assertEqual(rc, 0, log[-3000:])


def owner_login(server):
    c = server.client()
    r = c.post("/v1/auth/login", {"username": "owner", "password": OWNER_PASSWORD})
    c.close()
    return r.status
