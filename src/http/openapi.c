/*
** openapi.c -- the OpenAPI 3 description, generated from the route table so
** that it lists every route and cannot drift from it.
*/
#include "http/http.h"

#include <string.h>

json_t *http_openapi(const struct http_route *routes, size_t n, const char *version)
{
    json_t *doc, *paths = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct http_route *r = &routes[i];
        json_t *item = json_object_get(paths, r->pattern);
        json_t *op = json_object(), *params = json_array(), *roles = json_array(), *resp;
        char method[16];
        size_t k;
        const char *p;

        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        for (k = 0; r->method[k] && k < sizeof method - 1; k++)
            method[k] = (char)(r->method[k] | 0x20);
        method[k] = 0;
        for (p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
            const char *e = strchr(p, '}');
            if (!e)
                break;
            json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                    (size_t)(e - p - 1), "in", "path", "required", 1,
                                                    "schema", "type", "string"));
        }
        for (unsigned b = 0; b < ROLE_COUNT; b++)
            if (r->roles & (1u << b))
                json_array_append_new(roles, json_string(role_name((enum role)(1u << b))));
        if (r->flags & HTTP_IDEMPOTENT)
            json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", "Idempotency-Key",
                                                    "in", "header", "required", 0, "schema", "type",
                                                    "string"));
        json_object_set_new(op, "summary", json_string(r->summary ? r->summary : ""));
        json_object_set_new(op, "operationId", json_sprintf("%s %s", r->method, r->pattern));
        json_object_set_new(op, "parameters", params);
        json_object_set_new(op, "x-roles", roles);
        if (!(r->roles & ROLE_PUBLIC))
            json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
        resp = json_pack("{s:{s:s}, s:{s:s,s:{s:{s:{s:s}}}}}", "2XX", "description", "success", "4XX",
                         "description", "error", "content", "application/json", "schema", "$ref",
                         "#/components/schemas/Error");
        json_object_set_new(op, "responses", resp);
        if (!strcmp(r->method, "POST") || !strcmp(r->method, "PUT") || !strcmp(r->method, "PATCH"))
            json_object_set_new(op, "requestBody",
                                json_pack("{s:{s:{s:{s:s}}}}", "content", "application/json", "schema",
                                          "type", "object"));
        json_object_set_new(item, method, op);
    }
    doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}}, s:{s:{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s}, "
        "s:{s:[s,s]}}}, s:{s:s}}}}}}",
        "openapi", "3.0.3", "info", "title", "o2o", "version", version, "description",
        "Omnichannel retail core: members, catalog, inventory, orders. Money in fen; times ISO-8601 UTC.",
        "paths", paths, "components", "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
        "schemas", "Error", "type", "object", "properties", "error", "type", "object", "properties", "code",
        "type", "string", "message", "type", "string", "field", "type", "string", "null", "request_id",
        "type", "string");
    return doc;
}
