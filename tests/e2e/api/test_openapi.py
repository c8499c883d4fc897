"""/openapi.json as other programs read it (issue 12: swagger-parser found 1,158 errors,
Redocly 132, and the document described paths only). Two validators from npm
(pinned by package-lock.json, fetched by the first command) check it; every route
declares its inputs and answers, from the declarations the server checks requests
against (the harness checks every answer of the suite against it)."""
import json
import os
import shutil
import subprocess

from harness import ROOT, ServerTest

NODE = shutil.which("node")
MODULES = os.path.join(ROOT, "node_modules", "@redocly", "openapi-core")


class OpenApiTest(ServerTest):
    def doc(self):
        r = self.server.client().get("/openapi.json")
        self.assertEqual(r.status, 200)
        return r.json

    def test_swagger_parser_and_redocly_find_nothing_wrong(self):
        if not (NODE and os.path.isdir(MODULES)):
            if os.environ.get("CI") == "true":
                self.fail("CI must validate the document: node and the npm packages (npm ci) are missing")
            self.skipTest("node or the npm packages are not installed (npm ci)")
        path = os.path.join(self.server.dir, "openapi.json")
        with open(path, "w") as f:
            json.dump(self.doc(), f)
        p = subprocess.run([NODE, os.path.join(ROOT, "tests", "openapi", "validate.mjs"), path], capture_output=True,
                           text=True, timeout=300, cwd=ROOT)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("swagger-parser: valid", p.stdout)
        self.assertIn("redocly: 0 errors, 0 warnings", p.stdout)

    def test_every_route_declares_what_it_reads_and_answers(self):
        doc = self.doc()
        self.assertEqual(doc["openapi"], "3.0.3")
        self.assertTrue(doc["servers"])
        ids = set()
        for path, item in doc["paths"].items():
            for method, op in item.items():
                with self.subTest(route=(method, path)):
                    self.assertNotIn(op["operationId"], ids)
                    self.assertRegex(op["operationId"], r"^[a-z][A-Za-z0-9]*$")
                    ids.add(op["operationId"])
                    self.assertIn("security", op)   # [] for public routes
                    ok = [s for s in op["responses"] if s.startswith("2")]
                    self.assertTrue(ok, "no success answer")
                    for s in ok:
                        content = op["responses"][s].get("content", {})
                        self.assertTrue(content or s == "204")
                        schema = content.get("application/json", {}).get("schema")
                        if schema is not None and path != "/openapi.json":
                            self.assertNotEqual(schema, {"type": "object"}, "a bare object answer")
                    self.assertIn("4XX", op["responses"])
                    if method in ("post", "put", "patch") and "requestBody" in op:
                        schema = op["requestBody"]["content"].get("application/json", {}).get("schema", {})
                        if schema.get("type") == "array":   # what a provider pushes: a list of objects
                            schema = schema["items"]
                        if schema:
                            self.assertTrue(schema.get("properties") or schema.get("additionalProperties"))
        # the query parameters of a route come with their types
        paths = doc["paths"]["/v1/insight/rules"]["get"]["parameters"]
        self.assertEqual({p["name"]: p["schema"]["type"] for p in paths if p["in"] == "query"},
                         {"supp": "number", "conf": "number", "minlen": "integer", "maxlen": "integer",
                          "limit": "integer", "since": "string", "sort": "string"})
        body = doc["paths"]["/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(body["required"], ["lines"])
        self.assertEqual(body["properties"]["lines"]["items"]["required"], ["sku", "qty"])
        order = doc["components"]["schemas"]["Order"]
        self.assertFalse(order["additionalProperties"])
        self.assertIn("timeline", order["required"])
