"""The bad-input matrix: for every route of /openapi.json, malformed JSON, non-object
bodies, oversize bodies, missing credentials, unknown ids and wrong methods; for every
write route, each required field missing and each of wrong type. Every case asserts
the status, the error code and field, and that nothing changed in the database."""
import json

from harness import ServerTest, make_chain, member_token

# route -> (a valid body, {field: a value of the wrong type}); required fields are the keys
WRITES = {
    ("POST", "/v1/auth/login"): ({"username": "owner", "password": "x"}, {"username": 1, "password": []}),
    ("POST", "/v1/auth/otp"): ({"phone": "13800000000"}, {"phone": 13800000000}),
    ("POST", "/v1/auth/otp/verify"): ({"phone": "13800000000", "code": "123456"}, {"phone": True, "code": 123456}),
    ("POST", "/v1/staff"): ({"username": "u1", "password": "0123456789", "role": "clerk", "scope": "SH01"},
                           {"username": 5, "password": 5, "role": ["clerk"]}),
    ("POST", "/v1/api-keys"): ({"channel": "web"}, {"channel": 1}),
    ("POST", "/v1/regions"): ({"code": "R9", "name": "R"}, {"code": 9, "name": {}}),
    ("POST", "/v1/locations"): ({"code": "L9", "name": "L", "kind": "store", "region": "EAST"},
                               {"code": 1, "name": 1, "kind": 1, "region": 1}),
    ("POST", "/v1/brands"): ({"code": "B9", "name": "B"}, {"code": 1.5, "name": None and 1 or 2}),
    ("POST", "/v1/categories"): ({"code": "C9", "name": "C"}, {"code": [], "name": 3}),
    ("POST", "/v1/products"): ({"code": "P9", "name": "P"}, {"code": 9, "name": 9}),
    ("POST", "/v1/skus"): ({"code": "S9", "product": "TEE", "price": 100},
                          {"code": 9, "product": 9, "price": "100"}),
    ("POST", "/v1/members"): ({"phone": "13811112222"}, {"phone": 13811112222}),
    ("POST", "/v1/members/{id}/identities"): ({"kind": "email", "value": "a@b.c"}, {"kind": 1, "value": 2}),
    ("POST", "/v1/members/{id}/merge"): ({"merge_id": 2}, {"merge_id": "2"}),
    ("POST", "/v1/members/{id}/relations"): ({"member_id": 2}, {"member_id": "2"}),
    ("POST", "/v1/members/{id}/points/redeem"): ({"points": 1}, {"points": "1"}),
    ("POST", "/v1/members/{id}/points/adjust"): ({"points": 1, "reason": "r"}, {"points": 1.5, "reason": 7}),
    ("POST", "/v1/members/{id}/points/transfer"): ({"points": 1}, {"points": True}),
    ("POST", "/v1/stock/movements"): ({"sku": "TEE-RED-S", "location": "SH01", "kind": "receive", "qty": 1},
                                     {"sku": 1, "location": 1, "kind": 1, "qty": "1"}),
    ("POST", "/v1/stock/transfers"): ({"sku": "TEE-RED-S", "from": "SH01", "to": "SH02", "qty": 1},
                                     {"sku": 1, "from": 1, "to": 1, "qty": 0.5}),
    ("POST", "/v1/reservations"): ({"sku": "TEE-RED-S", "location": "SH01", "qty": 1},
                                  {"sku": [], "location": {}, "qty": "one"}),
    ("PATCH", "/v1/skus/{code}"): ({"price": 100}, {"price": "100"}),
    ("PATCH", "/v1/products/{code}"): ({}, {"name": 5, "launch_at": True}),  # every field optional
    ("PATCH", "/v1/staff/{id}"): ({"active": False}, {"active": "no"}),
    ("POST", "/v1/desk/messages"): ({"medium": "chat", "body": "hi", "from_kind": "device", "from": "d1"},
                                   {"medium": 1, "body": [], "from_kind": 2, "from": 3}),
    ("POST", "/v1/desk/conversations/{id}/replies"): ({"body": "hi"}, {"body": 5}),
    ("PUT", "/v1/desk/agents/me"): ({"available": True, "cap": 3}, {"available": "yes", "cap": "3"}),
    ("POST", "/v1/desk/contacts/{id}/link"): ({"member_id": 1}, {"member_id": "1"}),
    ("POST", "/v1/desk/conversations/{id}/resend-pickup"): ({"order_id": 1}, {"order_id": "1"}),
    ("POST", "/v1/desk/conversations/{id}/goodwill-coupon"): ({"kind": "amount", "value": 100},
                                                               {"kind": 1, "value": "100"}),
    ("POST", "/v1/reviews"): ({"order_id": 1, "line": 1, "rating": 5}, {"order_id": "1", "line": [], "rating": "5"}),
    ("PATCH", "/v1/reviews/{id}"): ({"rating": 4}, {"rating": 4.5}),
    ("POST", "/v1/reviews/{id}/moderate"): ({"status": "published"}, {"status": 1}),
    ("POST", "/v1/reviews/{id}/reply"): ({"text": "thanks"}, {"text": ["thanks"]}),
    ("POST", "/v1/orders"): ({"lines": [{"sku": "TEE-RED-S", "qty": 1}]},
                            {"lines": "TEE-RED-S", "fulfilment": 1, "member_id": "1", "location": 5}),
    ("POST", "/v1/orders/{id}/payments"): ({"tenders": [{"tender": "cash", "amount": 100}]}, {"tenders": "cash"}),
    ("POST", "/v1/orders/{id}/payments/gateway"): ({"tender": "wechat_pay"}, {"tender": 1}),
    ("POST", "/v1/orders/{id}/returns"): ({"location": "SH01", "lines": [{"line": 1, "qty": 1}]},
                                         {"location": 1, "lines": {"line": 1}}),
    ("POST", "/v1/fulfilments/{id}/handover"): ({"code": "123456"}, {"code": 123456}),
    ("POST", "/v1/fulfilments/{id}/reject"): ({"reason": "damaged"}, {"reason": ["damaged"]}),
    ("PUT", "/v1/routing/capacity/{code}"): ({"daily_capacity": 5}, {"daily_capacity": "5"}),
    ("POST", "/v1/coupons"): ({"kind": "percent", "value": 10}, {"kind": 1, "value": "10"}),
    ("PUT", "/v1/tiers/{code}"): ({"min_spend_12m": 1, "earn_pct": 100}, {"min_spend_12m": "1", "earn_pct": []}),
    ("POST", "/v1/events"): ({"events": [{"name": "view", "device_id": "d1"}]}, {"events": "view"}),
    ("POST", "/v1/analytics/funnel"): ({"steps": ["view"]}, {"steps": "view"}),
    ("POST", "/v1/presence"): ({"sightings": [{"device_id": "d1", "store": "SH01", "zone": "Z", "rssi": -50}]},
                              {"sightings": {}}),
    ("PUT", "/v1/presence-rules/{name}"): ({"tag": "life:x", "store": "SH01", "zone": "Z", "from_hour": 0,
                                            "to_hour": 24, "message": "m"},
                                           {"tag": 1, "store": 1, "zone": 1, "from_hour": "0", "to_hour": "24",
                                            "message": 2}),
    ("POST", "/v1/report-subscriptions"): ({"email": "a@b.example"}, {"email": 5}),
}
# optional fields that must still have the right type when present
OPTIONAL_TYPES = {
    ("POST", "/v1/members"): {"name": 5, "consent_marketing": "yes", "home_location": 3},
    ("PATCH", "/v1/members/{id}"): {"name": 5, "consent_sms": 1},
    ("POST", "/v1/members/{id}/points/earn"): {"amount": "100", "points": 1.5, "location": 3},
    ("POST", "/v1/locations"): {"lat": "31", "opens_at": 9},
    ("POST", "/v1/products"): {"launch_at": "soon", "brand": 1},
    ("PATCH", "/v1/locations/{code}"): {"lat": "x", "status": 0},
    ("POST", "/v1/points/expire"): {"as_of": "yesterday"},
    ("PATCH", "/v1/settings"): {"points_per_yuan": "lots"},
    ("POST", "/v1/orders"): {"lat": "31", "coupon": 7, "tenders": {"tender": "cash"}, "member_phone": 139},
    ("POST", "/v1/fulfilments/{id}/ship"): {"carrier": 1, "tracking_no": 2},
    ("POST", "/v1/orders/{id}/cancel"): {"reason": 1},
    ("POST", "/v1/orders/expire"): {"as_of": "later"},
    ("POST", "/v1/coupons"): {"valid_days": "30", "member_id": "1"},
}
# a real id or code for each path parameter, and an unknown one
PARAM_OK = {"{id}": None, "{code}": None}


class BadInputTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        m = cls.owner.post("/v1/members", {"phone": "13900000001"}).json
        cls.member_id = m["id"]
        cls.owner.post("/v1/members", {"phone": "13900000002"})
        cls.routes = [(m.upper(), p) for p, item in cls.owner.get("/openapi.json").json["paths"].items() for m in item]
        cls.public = {(m.upper(), p) for p, item in cls.owner.get("/openapi.json").json["paths"].items()
                      for m, op in item.items() if op.get("security") == []}
        # routes only a member (or a key for her) may call: the owner cannot reach their ids
        cls.not_owner = {(m.upper(), p) for p, item in cls.owner.get("/openapi.json").json["paths"].items()
                         for m, op in item.items() if op.get("security") and "owner" not in op.get("x-roles", [])}
        cls.member_token = member_token(cls.server, cls.owner, "13900000001")

    def concrete(self, path, unknown=False):
        if "{id}" in path:
            return path.replace("{id}", "987654321" if unknown else str(self.member_id))
        if "{code}" in path:
            if path.startswith("/v1/locations"):
                return path.replace("{code}", "NOWHERE" if unknown else "SH01")
            if path.startswith("/v1/products"):
                return path.replace("{code}", "NOPRODUCT" if unknown else "TEE")
            if path.startswith(("/v1/routing", "/v1/stores")):
                return path.replace("{code}", "NOWHERE" if unknown else "SH01")
            if path.startswith("/v1/tiers"):
                return path.replace("{code}", "gold")
            return path.replace("{code}", "NOSKU" if unknown else "TEE-RED-S")
        if "{name}" in path:
            return path.replace("{name}", "no_such_rule" if unknown else "a_rule")
        return path

    def unchanged(self, before, case):
        after = self.server.snapshot()
        self.assertEqual(before, after, "database changed after %s" % (case,))

    def test_every_route_rejects_missing_credentials(self):
        c = self.server.client()
        before = self.server.snapshot()
        for method, path in self.routes:
            if (method, path) in self.public:
                continue
            with self.subTest(route=(method, path)):
                r = c.request(method, self.concrete(path), body={} if method != "GET" else None)
                self.assertError(r, 401, "missing_token", "Authorization")
        self.unchanged(before, "missing credentials")

    def test_every_write_route_rejects_malformed_and_non_object_json(self):
        before = self.server.snapshot()
        for method, path in self.routes:
            if method == "GET" or path.startswith(("/v1/gateways/", "/v1/carriers/", "/v1/messaging/", "/v1/desk/calls")):
                continue  # webhooks verify signatures first (test_payments.py, test_tracking.py)
            for raw in ('{"a":', '[1, 2]', '"text"', '{"a": 1, "a": 2}', '\xff\xfe'):
                with self.subTest(route=(method, path), body=raw):
                    r = self.owner.request(method, self.concrete(path), raw=raw)
                    self.assertError(r, 400, "malformed_json", None)
                    self.assertIsNone(r.error["field"])
        self.unchanged(before, "malformed json")

    def test_every_write_route_rejects_oversize_bodies(self):
        big = json.dumps({"pad": "x" * (1 << 20)})
        before = self.server.snapshot()
        for method, path in self.routes:
            if method == "GET":
                continue
            with self.subTest(route=(method, path)):
                self.assertError(self.owner.request(method, self.concrete(path), raw=big), 413, "body_too_large")
        self.unchanged(before, "oversize")

    def test_every_route_with_an_id_rejects_unknown_ids(self):
        before = self.server.snapshot()
        for method, path in self.routes:
            if "{" not in path or path.startswith("/v1/tiers") or (method, path) in (("PUT", "/v1/life-rules/{name}"),
                                                                                     ("PUT", "/v1/presence-rules/{name}")):
                continue  # PUT creates what it names
            if (method, path) in self.not_owner:
                continue  # the owner is refused by role first
            body = WRITES.get((method, path), ({}, {}))[0] if method != "GET" else None
            if path == "/v1/members/{id}/merge":
                body = {"merge_id": self.member_id}
            if path.endswith("/points/earn"):
                body = {"points": 1}
            if path.endswith("/points/transfer"):
                body = {"points": 1, "to_member_id": self.member_id}
            with self.subTest(route=(method, path)):
                r = self.owner.request(method, self.concrete(path, unknown=True), body=body)
                self.assertError(r, 404)
                r = self.owner.request(method, path.replace("{id}", "abc").replace("{code}", "%00"), body=body)
                self.assertIn(r.status, (400, 404), r)
        self.unchanged(before, "unknown ids")

    def test_wrong_methods_and_unknown_routes(self):
        before = self.server.snapshot()
        for method, path in self.routes:
            taken = {m for m, p in self.routes if p == path}
            wrong = next(m for m in ("DELETE", "PATCH", "PUT", "POST") if m not in taken)
            with self.subTest(route=(method, path)):
                r = self.owner.request(wrong, self.concrete(path), body={} if wrong != "DELETE" else None)
                self.assertError(r, 405, "method_not_allowed")
                self.assertIn(method, r.headers["allow"])
        self.assertError(self.owner.get("/v1/no-such-thing"), 404, "no_route")
        self.assertError(self.owner.get("/v1/members/1/no-such-thing"), 404, "no_route")
        self.unchanged(before, "wrong methods")

    def test_every_write_route_names_each_missing_and_mistyped_field(self):
        before = self.server.snapshot()
        for (method, path), (valid, wrong) in WRITES.items():
            token = None if path.startswith("/v1/auth/") else \
                self.member_token if (method, path) in self.not_owner else self.owner.token
            for field in valid:
                body = dict(valid)
                del body[field]
                with self.subTest(route=(method, path), missing=field):
                    r = self.owner.request(method, self.concrete(path), body=body, token=token or "")
                    self.assertError(r, 400, "missing_field", field)
            for field, bad in wrong.items():
                body = dict(valid)
                body[field] = bad
                with self.subTest(route=(method, path), wrong=field):
                    r = self.owner.request(method, self.concrete(path), body=body, token=token or "")
                    self.assertError(r, 400, None, field)
                    self.assertIn(r.error["code"], ("wrong_type", "out_of_range", "invalid_phone"), r)
        for (method, path), fields in OPTIONAL_TYPES.items():
            for field, bad in fields.items():
                body = dict(WRITES.get((method, path), ({}, {}))[0])
                if path.endswith("/earn"):
                    body = {"points": 1}
                body[field] = bad
                with self.subTest(route=(method, path), wrong=field):
                    r = self.owner.request(method, self.concrete(path), body=body)
                    self.assertError(r, 400, None, field)
        self.unchanged(before, "field errors")

    def test_every_route_refuses_what_it_does_not_declare(self):
        """Issue 12: GET /v1/settlements?store=SH01 ignored store (the parameter is
        location). Every route, as /openapi.json declares it: an undeclared query
        parameter or body field, and each required query parameter missing, are 400s
        naming it, before anything happens."""
        doc = self.owner.get("/openapi.json").json
        before = self.server.snapshot()
        self.assertError(self.owner.get("/v1/settlements?store=SH01"), 400, "unknown_parameter", "store")
        samples = {"date": "2026-01-01", "integer": "1", "number": "1", "boolean": "true"}
        checked = 0
        for path, item in doc["paths"].items():
            for m, op in item.items():
                method = m.upper()
                if (method, path) in self.not_owner or path.startswith(("/v1/gateways/", "/v1/carriers/", "/v1/messaging/", "/v1/desk/calls")):
                    continue  # refused by role first; webhooks verify signatures first
                url = self.concrete(path)
                query = [p for p in op.get("parameters", []) if p["in"] == "query"]
                required = [p["name"] for p in query if p["required"]]
                valid = "&".join("%s=%s" % (p["name"], samples.get(p["schema"].get("format") or p["schema"].get("type"),
                                                                      "x"))
                                 for p in query if p["required"])
                body = None if method == "GET" else dict(WRITES.get((method, path), ({}, {}))[0])
                with self.subTest(route=(method, path), case="query"):
                    r = self.owner.request(method, url + "?" + "&".join(filter(None, [valid, "no_such_param=1"])),
                                           body=body)
                    self.assertError(r, 400, "unknown_parameter", "no_such_param")
                    if required:
                        r = self.owner.request(method, url + "?" + valid + "&" + valid, body=body)
                        self.assertError(r, 400, "duplicate_parameter", required[0])
                for name in required:
                    with self.subTest(route=(method, path), missing=name):
                        rest = "&".join(x for x in valid.split("&") if not x.startswith(name + "="))
                        r = self.owner.request(method, url + ("?" + rest if rest else ""), body=body)
                        self.assertError(r, 400, "missing_field", name)
                if method != "GET":
                    with self.subTest(route=(method, path), case="body"):
                        body = dict(body or {}, no_such_field=1)
                        r = self.owner.request(method, url + ("?" + valid if valid else ""), body=body)
                        # (settings are a map of names: the unknown one is an unknown setting)
                        self.assertError(r, 400, "unknown_setting" if path == "/v1/settings" else "unknown_field",
                                         "no_such_field")
                checked += 1
        self.assertGreater(checked, 80)
        self.unchanged(before, "undeclared inputs")

    def test_values_out_of_range_or_invalid(self):
        before = self.server.snapshot()
        cases = [
            ("POST", "/v1/locations", {"code": "L9", "name": "L", "kind": "castle", "region": "EAST"}, "kind"),
            ("POST", "/v1/locations", {"code": "L 9", "name": "L", "kind": "store", "region": "EAST"}, "code"),
            ("POST", "/v1/locations", {"code": "L9", "name": "L", "kind": "store", "region": "EAST", "lat": 95,
                                       "lon": 1}, "lat"),
            ("POST", "/v1/locations", {"code": "L9", "name": "L", "kind": "store", "region": "EAST",
                                       "opens_at": "9am"}, "opens_at"),
            ("POST", "/v1/locations", {"code": "L9", "name": "L", "kind": "store", "region": "NOPE"}, "region"),
            ("POST", "/v1/skus", {"code": "S9", "product": "TEE", "price": -5}, "price"),
            ("POST", "/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH01", "kind": "steal", "qty": 1},
             "kind"),
            ("POST", "/v1/stock/movements", {"sku": "TEE-RED-S", "location": "SH01", "kind": "receive", "qty": 0},
             "qty"),
            ("POST", "/v1/reservations", {"sku": "TEE-RED-S", "location": "SH01", "qty": 1, "ttl_seconds": 0},
             "ttl_seconds"),
            ("POST", "/v1/members/%d/points/redeem" % self.member_id, {"points": 0}, "points"),
            ("POST", "/v1/members/%d/points/redeem" % self.member_id, {"points": 5}, "points"),
            ("POST", "/v1/staff", {"username": "u2", "password": "short", "role": "clerk", "scope": "SH01"},
             "password"),
            ("POST", "/v1/staff", {"username": "u2", "password": "0123456789", "role": "emperor"}, "role"),
        ]
        for method, path, body, field in cases:
            with self.subTest(route=(method, path), body=body):
                r = self.owner.request(method, path, body=body)
                self.assertIn(r.status, (400, 404, 409), r)
                self.assertEqual(r.error.get("field"), field, r)
        self.unchanged(before, "invalid values")

    def test_errors_answered_later_carry_the_request_id_and_a_message(self):
        # issue 12: answers rendered off the event loop (writes, workers) had "request_id": ""
        # and a till's insufficient_points had an empty message
        cases = [
            ("POST", "/v1/members/%d/points/redeem" % self.member_id, {"points": 5}),             # a write
            ("POST", "/v1/orders", {"member_id": self.member_id, "lines": [{"sku": "TEE-RED-S", "qty": 1}],
                                    "tenders": [{"tender": "points", "points": 900000}]}),       # a view
            ("POST", "/v1/analytics/funnel", {"steps": [{"name": "view", "where": {"store": "NOWHERE"}}]}),  # a worker
            ("GET", "/v1/reports/daily?store=NOWHERE&date=2026-01-01", None),
        ]
        for i, (method, path, body) in enumerate(cases):
            with self.subTest(route=(method, path)):
                rid = "audit-rid-%d" % i
                r = self.owner.request(method, path, body=body, headers={"X-Request-Id": rid})
                self.assertGreaterEqual(r.status, 400, r)
                self.assertEqual(r.json["request_id"], rid, r)
                self.assertEqual(r.headers["x-request-id"], rid)
                self.assertTrue(r.error["message"], r)
