"""Background jobs: expired reservations give their stock back by themselves, under a lease."""
import time

from harness import ServerTest, make_chain


class JobsTest(ServerTest):
    server_args = ("--jobs-every", "200")

    def test_expired_reservations_release_stock_without_being_asked(self):
        owner = self.server.owner()
        make_chain(owner)
        owner.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH01", "kind": "receive", "qty": 4})
        r = owner.post("/v1/reservations", {"sku": "TEE-RED-S", "location": "SH01", "qty": 4, "ttl_seconds": 1})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(owner.get("/v1/stock?sku=TEE-RED-S&location=SH01").json["available"], 0)
        deadline = time.time() + 10
        status = None
        while time.time() < deadline:
            status = owner.get("/v1/reservations/%d" % r.json["id"]).json["status"]
            if status == "expired":
                break
            time.sleep(0.2)
        self.assertEqual(status, "expired")
        self.assertEqual(owner.get("/v1/stock?sku=TEE-RED-S&location=SH01").json["available"], 4)
        self.assertEqual(self.server.scalar("SELECT COUNT(*) FROM job_leases WHERE name = 'expire_reservations'"), "1")
