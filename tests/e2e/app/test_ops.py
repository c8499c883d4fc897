"""Operations: landing page, health, metrics, OpenAPI from the route table, request ids, access log."""
import os
import re

from harness import ROOT, ServerTest, backend


def route_table():
    src = open(os.path.join(ROOT, "src", "app", "routes.c")).read()
    return set(re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)", "([^"]+)"', src))


class OpsTest(ServerTest):
    def test_healthz_names_version_and_backend(self):
        r = self.server.client().get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertEqual(r.json["backend"], backend())

    def test_landing_page_shows_version_backend_and_links(self):
        r = self.server.client().get("/")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.headers["content-type"])
        self.assertIn('<b id=backend>%s</b>' % backend(), r.body)
        self.assertIn("/openapi.json", r.body)
        self.assertRegex(r.body, r"<td>stores</td><td>\d+</td>")

    def test_openapi_lists_every_route_of_the_table(self):
        r = self.server.client().get("/openapi.json")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["openapi"], "3.0.3")
        documented = {(m.upper(), p) for p, item in r.json["paths"].items() for m in item}
        self.assertEqual(documented, route_table())
        login = r.json["paths"]["/v1/auth/login"]["post"]
        self.assertEqual(login["security"], [])  # public: no credentials, said so
        earn = r.json["paths"]["/v1/members/{id}/points/earn"]["post"]
        self.assertIn("Idempotency-Key", [p["name"] for p in earn["parameters"]])
        self.assertIn("id", [p["name"] for p in earn["parameters"] if p["in"] == "path"])

    def test_metrics_count_requests_by_route_and_status_and_commit_batches(self):
        c = self.server.client()
        c.get("/healthz")
        c.get("/no/such/route")
        owner = self.server.owner()
        owner.post("/v1/brands", {"code": "MET", "name": "Metrics brand"})
        r = c.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn("text/plain", r.headers["content-type"])
        self.assertRegex(r.body, r'o2o_http_requests_total\{method="GET",route="/healthz",status="200"\} [1-9]')
        self.assertRegex(r.body, r'o2o_http_requests_total\{method="other",route="unmatched",status="404"\} [1-9]')
        self.assertRegex(r.body, r'o2o_http_request_duration_seconds_bucket\{method="GET",route="/healthz",le="\+Inf"\} [1-9]')
        self.assertRegex(r.body, r'o2o_db_commit_batch_size_count [1-9]')
        self.assertRegex(r.body, r'o2o_db_transactions_total\{result="commit"\} [1-9]')
        self.assertRegex(r.body, r'\nprocess_resident_memory_bytes [1-9]')
        self.assertRegex(r.body, r'\nprocess_start_time_seconds 1[0-9]{9}\n')
        self.check_exposition(r.body)

    def check_exposition(self, text):
        """What promtool checks of the text format (issue 12): every family has HELP and
        TYPE before its samples, names and labels are well formed, no label value is empty,
        histograms end with +Inf, _sum and _count."""
        import re
        families, helped, typed = {}, set(), {}
        sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.e+]+|[+-]Inf|NaN)$')
        for line in text.splitlines():
            if line.startswith("# HELP "):
                helped.add(line.split()[2])
            elif line.startswith("# TYPE "):
                _, _, name, kind = line.split()
                self.assertIn(kind, ("counter", "gauge", "histogram", "summary", "untyped"), line)
                self.assertIn(name, helped, "TYPE before HELP: " + line)
                typed[name] = kind
            else:
                m = sample.match(line)
                self.assertIsNotNone(m, "not a sample line: %r" % line)
                name = m.group(1)
                base = re.sub(r'_(bucket|sum|count)$', '', name) if re.sub(r'_(bucket|sum|count)$', '', name) in typed \
                    else name
                self.assertIn(base, typed, "a sample before its TYPE: " + line)
                for kv in filter(None, (m.group(3) or "").split('",')):
                    k, _, v = kv.partition("=")
                    self.assertRegex(k, r'^[a-zA-Z_][a-zA-Z0-9_]*$', line)
                    self.assertNotEqual(v.strip('"'), "", "empty label value: " + line)
                families.setdefault(base, []).append(name)
        for name, kind in typed.items():
            if kind == "histogram" and name in families:
                self.assertIn(name + "_sum", families[name])
                self.assertIn(name + "_count", families[name])

    def test_request_id_is_echoed_or_generated(self):
        c = self.server.client()
        r = c.get("/healthz", headers={"X-Request-Id": "abc-123"})
        self.assertEqual(r.headers["x-request-id"], "abc-123")
        r = c.get("/nope")
        self.assertTrue(r.headers["x-request-id"])
        self.assertEqual(r.json["request_id"], r.headers["x-request-id"])

    def test_access_log_has_one_line_per_request(self):
        c = self.server.client()
        c.get("/healthz", headers={"X-Request-Id": "logged-request-1"})
        import time
        path = os.path.join(self.server.dir, "access.log")
        deadline = time.time() + 5
        text = ""
        while time.time() < deadline:
            text = open(path).read() if os.path.exists(path) else ""
            if "logged-request-1" in text:
                break
            time.sleep(0.2)
        line = [l for l in text.splitlines() if "logged-request-1" in l]
        self.assertEqual(len(line), 1, text[-500:])
        self.assertIn("GET /healthz 200", line[0])
