"""Catalog (one price everywhere, launch gating, scan in store) and inventory
(movements, transfers, reservations with expiry, availability by distance),
including 64 concurrent reservations of the last 10 units."""
import threading
import time

from harness import ServerTest, make_chain


class CatalogInventoryTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        cls.web = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        cls.pos = cls.server.client(cls.owner.post("/v1/api-keys", {"channel": "pos", "location": "SH01"}).json["key"])

    def receive(self, sku, loc, qty):
        r = self.owner.post("/v1/stock/movements", {"sku": sku, "location": loc, "kind": "receive", "qty": qty})
        self.assertEqual(r.status, 201, r)
        return r.json

    def stock(self, sku, loc):
        return self.owner.get("/v1/stock?sku=%s&location=%s" % (sku, loc)).json

    def journal_matches(self, sku, loc):
        on_hand = self.server.scalar(
            "SELECT s.on_hand FROM stock s JOIN skus k ON k.id = s.sku_id JOIN locations l ON l.id = s.location_id "
            "WHERE k.code = '%s' AND l.code = '%s'" % (sku, loc))
        total = self.server.scalar(
            "SELECT COALESCE(SUM(m.qty), 0) FROM stock_movements m JOIN skus k ON k.id = m.sku_id "
            "JOIN locations l ON l.id = m.location_id WHERE k.code = '%s' AND l.code = '%s'" % (sku, loc))
        self.assertEqual(on_hand, total)
        return int(on_hand)

    def test_product_is_invisible_to_channels_before_launch(self):
        r = self.owner.post("/v1/products", {"code": "LATER", "name": "Launches later",
                                             "launch_at": "2099-01-01T00:00:00Z"})
        self.assertEqual(r.status, 201, r)
        self.owner.post("/v1/skus", {"code": "LATER-1", "product": "LATER", "price": 5000, "barcode": "6900000009999"})
        self.assertEqual(self.owner.get("/v1/products/LATER").status, 200)
        self.assertError(self.web.get("/v1/products/LATER"), 404, "unknown_product")
        self.assertError(self.web.get("/v1/skus/LATER-1"), 404, "unknown_sku")
        self.assertError(self.pos.get("/v1/skus/lookup?barcode=6900000009999&store=SH01"), 404, "unknown_barcode")
        self.assertNotIn("LATER", [p["code"] for p in self.web.get("/v1/products?limit=500").json["items"]])
        self.owner.post("/v1/stock/movements", {"sku": "LATER-1", "location": "SH01", "kind": "receive", "qty": 5})
        self.assertError(self.web.post("/v1/reservations", {"sku": "LATER-1", "location": "SH01", "qty": 1}), 404,
                         "unknown_sku", "sku")
        r = self.owner.post("/v1/products", {"code": "NOW", "name": "Launched", "launch_at": "2020-01-01T00:00:00Z"})
        self.assertEqual(self.web.get("/v1/products/NOW").status, 200)

    def test_one_price_for_every_channel(self):
        r = self.owner.patch("/v1/skus/TEE-RED-S", {"price": 9900})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.web.get("/v1/skus/TEE-RED-S").json["price"], 9900)
        self.assertEqual(self.pos.get("/v1/skus/lookup?barcode=6900000000017&store=SH01").json["price"], 9900)
        self.owner.patch("/v1/skus/TEE-RED-S", {"price": 12900})
        self.assertError(self.owner.patch("/v1/skus/TEE-RED-S", {"price": -1}), 400, "out_of_range", "price")
        self.assertError(self.owner.patch("/v1/skus/TEE-RED-S", {"price": "12.90"}), 400, "wrong_type", "price")

    def test_barcodes_and_codes_are_unique(self):
        self.assertError(self.owner.post("/v1/skus", {"code": "DUP", "product": "TEE", "price": 1,
                                                      "barcode": "6900000000017"}), 409, "sku_exists")
        self.assertError(self.owner.post("/v1/skus", {"code": "X1", "product": "NOPE", "price": 1}), 404,
                         "unknown_product", "product")

    def test_products_page_with_a_cursor(self):
        for i in range(5):
            self.owner.post("/v1/products", {"code": "PG%d" % i, "name": "Paged %d" % i, "brand": "ACME"})
        seen, cursor = [], None
        while True:
            r = self.owner.get("/v1/products?brand=ACME&limit=2" + ("&cursor=%s" % cursor if cursor else ""))
            seen += [p["code"] for p in r.json["items"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue({"PG0", "PG1", "PG2", "PG3", "PG4", "TEE"} <= set(seen))

    def test_scan_in_store_gives_price_stock_here_and_nearest_stores(self):
        self.owner.post("/v1/products", {"code": "SCAN", "name": "Scanned"})
        self.owner.post("/v1/skus", {"code": "SCAN-1", "product": "SCAN", "price": 12900, "barcode": "6900000000550"})
        self.receive("SCAN-1", "SH02", 4)
        self.receive("SCAN-1", "BJ01", 9)
        self.receive("SCAN-1", "WH1", 50)
        r = self.pos.get("/v1/skus/lookup?barcode=6900000000550&store=SH01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["price"], 12900)
        self.assertEqual(r.json["stock"]["available"], 0)
        near = [n["location"] for n in r.json["nearby"]]
        self.assertEqual(near[0], "SH02")          # 3 km away
        self.assertEqual(near[-1], "BJ01")         # 1,000 km away
        self.assertLess(r.json["nearby"][0]["distance_m"], r.json["nearby"][-1]["distance_m"])
        self.assertError(self.pos.get("/v1/skus/lookup?barcode=6900000000024&store=NOPE"), 404, "unknown_location",
                         "store")
        self.assertError(self.pos.get("/v1/skus/lookup?store=SH01"), 400, "missing_field", "barcode")

    def test_availability_nearest_first_from_a_point(self):
        self.receive("TEE-RED-L", "BJ01", 2)
        self.receive("TEE-RED-L", "SH01", 2)
        r = self.web.get("/v1/skus/TEE-RED-L/availability?lat=39.9&lon=116.4")
        self.assertEqual([i["location"] for i in r.json["items"]][:2], ["BJ01", "SH01"])
        self.assertError(self.web.get("/v1/skus/TEE-RED-L/availability?lat=99&lon=1"), 400, "out_of_range", "lat")

    def test_movements_keep_on_hand_equal_to_the_journal(self):
        self.receive("TEE-RED-S", "SH02", 10)
        r = self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH02", "kind": "adjust",
                                                    "qty": -3})
        self.assertError(r, 400, None, "reason")
        r = self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH02", "kind": "adjust",
                                                    "qty": -3, "reason": "damaged"})
        self.assertEqual(r.json["on_hand"], 7)
        r = self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH02", "kind": "sale", "qty": 8})
        self.assertError(r, 409, "out_of_stock", "qty")
        self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH02", "kind": "sale", "qty": 2})
        self.owner.post("/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH02", "kind": "return", "qty": 1})
        self.assertEqual(self.journal_matches("TEE-RED-S", "SH02"), 6)
        kinds = [m["kind"] for m in self.owner.get("/v1/stock/movements?sku=TEE-RED-S&location=SH02").json["items"]]
        self.assertEqual(kinds, ["return", "sale", "adjust", "receive"])

    def test_transfer_between_locations(self):
        self.receive("TEE-RED-S", "WH1", 20)
        before_sh01 = self.stock("TEE-RED-S", "SH01")["on_hand"]
        r = self.owner.post("/v1/stock/transfers", {"sku": "TEE-RED-S", "from": "WH1", "to": "SH01", "qty": 5})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.stock("TEE-RED-S", "SH01")["on_hand"], before_sh01 + 5)
        self.assertError(self.owner.post("/v1/stock/transfers", {"sku": "TEE-RED-S", "from": "WH1", "to": "SH01",
                                                                 "qty": 10000}), 409, "out_of_stock")
        self.assertError(self.owner.post("/v1/stock/transfers", {"sku": "TEE-RED-S", "from": "WH1", "to": "WH1",
                                                                 "qty": 1}), 400, None, "to")
        self.journal_matches("TEE-RED-S", "WH1")
        self.journal_matches("TEE-RED-S", "SH01")

    def test_reservation_holds_then_releases_or_hands_over(self):
        self.receive("TEE-RED-L", "SH02", 5)
        start = self.stock("TEE-RED-L", "SH02")
        r = self.web.post("/v1/reservations", {"sku": "TEE-RED-L", "location": "SH02", "qty": 2, "ref": "web-1"})
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        s = self.stock("TEE-RED-L", "SH02")
        self.assertEqual((s["reserved"], s["available"]), (start["reserved"] + 2, start["available"] - 2))
        self.assertEqual(self.web.post("/v1/reservations/%d/release" % rid).status, 200)
        self.assertEqual(self.stock("TEE-RED-L", "SH02"), start)
        self.assertError(self.web.post("/v1/reservations/%d/release" % rid), 409, "reservation_not_held")
        r = self.web.post("/v1/reservations", {"sku": "TEE-RED-L", "location": "SH02", "qty": 1})
        r = self.web.post("/v1/reservations/%d/consume" % r.json["id"])
        self.assertEqual(r.json["status"], "consumed")
        s = self.stock("TEE-RED-L", "SH02")
        self.assertEqual((s["on_hand"], s["reserved"]), (start["on_hand"] - 1, start["reserved"]))
        self.journal_matches("TEE-RED-L", "SH02")

    def test_reservations_expire_and_release_stock(self):
        self.receive("TEE-RED-M", "SH01", 3)
        start = self.stock("TEE-RED-M", "SH01")
        r = self.web.post("/v1/reservations", {"sku": "TEE-RED-M", "location": "SH01", "qty": 3, "ttl_seconds": 1})
        rid = r.json["id"]
        self.assertEqual(self.stock("TEE-RED-M", "SH01")["available"], start["available"] - 3)
        time.sleep(1.2)
        r = self.owner.post("/v1/reservations/expire")
        self.assertGreaterEqual(r.json["expired_reservations"], 1)
        self.assertEqual(self.web.get("/v1/reservations/%d" % rid).json["status"], "expired")
        self.assertEqual(self.stock("TEE-RED-M", "SH01"), start)

    def test_64_clients_reserving_the_last_10_units(self):
        self.owner.post("/v1/products", {"code": "HOT", "name": "Hot item"})
        self.owner.post("/v1/skus", {"code": "HOT-1", "product": "HOT", "price": 100})
        self.receive("HOT-1", "SH01", 10)
        results = []
        lock = threading.Lock()

        def worker(i):
            c = self.server.client(self.web.token)
            r = c.post("/v1/reservations", {"sku": "HOT-1", "location": "SH01", "qty": 1, "ref": "c%d" % i})
            c.close()
            with lock:
                results.append(r.status)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results.count(201), 10, results)
        self.assertEqual(results.count(409), 54, results)
        s = self.stock("HOT-1", "SH01")
        self.assertEqual((s["on_hand"], s["reserved"], s["available"]), (10, 10, 0))
        self.assertEqual(self.journal_matches("HOT-1", "SH01"), 10)
