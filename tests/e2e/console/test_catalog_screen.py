"""The catalog screen in headless Chromium: the owner finds a product by part of its
name, creates one that launches later (a time in the chain's zone), adds a SKU,
changes its price for every channel and launches it; a store manager reads but
cannot edit."""
from console.base import ConsoleTest
from harness import OWNER_PASSWORD, unique

class CatalogScreenTest(ConsoleTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.staff("store_manager", "location", "SH01")

    def test_the_owner_creates_prices_and_launches_a_product(self):
        code = unique("COAT")
        self.sign_in("owner", password=OWNER_PASSWORD)
        self.go("#/catalog")
        self.type("#catalog-q", "tee", enter=True)
        self.wait("#products tr[data-product=TEE]")
        self.type("#product-new input[name=code]", code)
        self.type("#product-new input[name=name]", "Wool coat")
        # 2099-03-01 10:30 in Shanghai is 02:30 UTC
        self.d.execute_script("arguments[0].value = '2099-03-01T10:30'", self.by("#product-new input[name=launch_at]"))
        self.by("#product-new button[type=submit]").click()
        self.wait("#product-head", "Wool coat")
        p = self.owner.get("/v1/products/" + code).json
        self.assertEqual(p["launch_at"], "2099-03-01T02:30:00.000Z")
        self.assertIn("2099-03-01 10:30", self.by("#product-head").text)
        self.type("#sku-new input[name=code]", code + "-M")
        self.type("#sku-new input[name=size]", "M")
        self.type("#sku-new input[name=price]", "899.50", enter=True)
        self.wait("#skus tr[data-sku='%s-M']" % code)
        price = self.wait("#skus tr[data-sku='%s-M'] .price-in" % code)
        price.clear()
        price.send_keys("799")
        self.click("#skus tr[data-sku='%s-M'] .price button" % code)
        self.wait("#note", "¥799.00")
        self.assertEqual(self.owner.get("/v1/skus/%s-M" % code).json["price"], 79900)
        # launch now: the launch field emptied
        self.d.execute_script("arguments[0].value = ''", self.by("#product-edit input[name=launch_at]"))
        self.click("#product-edit button[type=submit]")
        self.wait("#product-head", "launched")
        web = self.server.client(self.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        self.assertEqual(web.get("/v1/products/" + code).status, 200)

    def test_a_store_manager_reads_the_catalog(self):
        self.sign_in(self.manager)
        self.go("#/catalog/TEE")
        self.wait("#skus tr[data-sku='TEE-RED-M']", "¥129.00")
        self.assertEqual(self.by("#product-edit", many=True), [])
        self.assertEqual(self.by("#sku-new", many=True), [])
        self.assertEqual(self.by(".price-in", many=True), [])
