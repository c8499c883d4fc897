"""Products for the console's catalog screen: a search by any part of the code or
the name, and PATCH /v1/products/{code} (name, description, brand, category,
launch time; null launches it at once), for the owner only."""
from harness import ServerTest, make_chain, unique


class ProductEditTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        for code, name in (("DRESS-1", "Linen dress"), ("DRESS-2", "Silk DRESS"), ("SCARF", "连衣裙配丝巾")):
            assert cls.owner.post("/v1/products", {"code": code, "name": name, "brand": "ACME"}).status == 201

    def codes(self, q):
        r = self.owner.get("/v1/products?q=" + __import__("urllib.parse").parse.quote(q))
        self.assertEqual(r.status, 200, r)
        return [p["code"] for p in r.json["items"]]

    def test_search_any_part_of_code_or_name(self):
        self.assertEqual(self.codes("dress"), ["DRESS-1", "DRESS-2"])
        self.assertEqual(self.codes("silk"), ["DRESS-2"])
        self.assertEqual(self.codes("丝巾"), ["SCARF"])
        self.assertEqual(self.codes("ss-2"), ["DRESS-2"])
        self.assertEqual(self.codes("%"), self.codes(""))     # a wildcard is not a search

    def test_edit_a_product(self):
        code = unique("P")
        future = "2099-01-01T00:00:00Z"
        r = self.owner.post("/v1/products", {"code": code, "name": "Draft", "brand": "ACME", "category": "tops",
                                             "launch_at": future})
        self.assertEqual(r.status, 201, r)
        web = self.server.client(self.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        self.assertEqual(web.get("/v1/products/" + code).status, 404)          # not launched
        r = self.owner.patch("/v1/products/" + code, {"name": "Spring coat", "description": "wool, lined",
                                                      "category": None, "launch_at": None})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["name"], r.json["description"], r.json["category"], r.json["brand"],
                          r.json["launch_at"]), ("Spring coat", "wool, lined", None, "ACME", None))
        self.assertEqual(web.get("/v1/products/" + code).json["name"], "Spring coat")   # launched at once
        r = self.owner.patch("/v1/products/" + code, {"launch_at": future})
        self.assertEqual(r.json["launch_at"], "2099-01-01T00:00:00.000Z")
        self.assertError(self.owner.patch("/v1/products/" + code, {"brand": "NOPE"}), 404, "unknown_brand", "brand")
        self.assertError(self.owner.patch("/v1/products/" + code, {"name": ""}), 400, field="name")
        self.assertError(self.owner.patch("/v1/products/NOPE-" + code, {"name": "x"}), 404)
        u = unique("mgr")
        self.owner.post("/v1/staff", {"username": u, "password": "product-pass-1", "role": "store_manager",
                                      "scope_kind": "location", "scope": "SH01"})
        mgr = self.server.client(self.server.client().post("/v1/auth/login", {"username": u,
                                                                              "password": "product-pass-1"}).json["token"])
        self.assertError(mgr.patch("/v1/products/" + code, {"name": "Mine"}), 403)
