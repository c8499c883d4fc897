/*
** openapi.c -- the OpenAPI 3.0.3 document, generated from the route table and
** its declarations (http/declare.c): every route with its parameters, request
** body, answers and who may call it, the named schemas as components. What the
** document says is what the server checks, so the two cannot drift; CI validates
** it with swagger-parser and Redocly (tests/e2e/test_openapi.py).
*/
#include "http/http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "http/declare.h"
#include "http/schema.h"

/* "GET /v1/members/{id}/points" -> "getMembersIdPoints" */
static void operation_id(const struct http_route *r, char *out, size_t cap)
{
    size_t o = 0;
    bool up = false;
    const char *p = r->pattern;
    for (const char *m = r->method; *m && o + 1 < cap; m++)
        out[o++] = (char)tolower((unsigned char)*m);
    if (!strncmp(p, "/v1/", 4))
        p += 3;
    if (!strcmp(p, "/"))
        p = "/root";
    for (; *p && o + 1 < cap; p++) {
        if (!isalnum((unsigned char)*p)) {
            up = true;
            continue;
        }
        out[o++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = false;
    }
    out[o] = 0;
}

/* The group of a route: the first segment under /v1, else "web". */
static void tag_of(const struct http_route *r, char *out, size_t cap)
{
    const char *p = r->pattern;
    size_t n;
    if (strncmp(p, "/v1/", 4)) {
        snprintf(out, cap, "%s", "web");
        return;
    }
    p += 4;
    n = strcspn(p, "/");
    snprintf(out, cap, "%.*s", (int)n, p);
}

static json_t *media_schema(const char *media)
{
    if (!strncmp(media, "text/", 5) || !strcmp(media, "application/javascript"))
        return json_pack("{s:s}", "type", "string");
    return json_pack("{s:s, s:s}", "type", "string", "format", "binary");
}

static const char *status_text(int st)
{
    switch (st) {
    case 200: return "the answer";
    case 201: return "created";
    case 202: return "accepted: it happens next";
    case 204: return "done, nothing to say";
    case 401: return "not verified";
    case 500: return "not applied: resend later";
    case 503: return "not available now";
    default: return "the answer";
    }
}

static json_t *operation(const struct http_route *r, const struct route_decl *d)
{
    json_t *op = json_object(), *params = json_array(), *roles = json_array(), *resp = json_object();
    char id[160], tag[40];
    const char *p;
    operation_id(r, id, sizeof id);
    tag_of(r, tag, sizeof tag);
    for (p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        bool num = e && ((e - p - 1 == 2 && !strncmp(p + 1, "id", 2)) || (e - p - 1 == 5 && !strncmp(p + 1, "other", 5)));
        if (!e)
            break;
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:o}", "name", p + 1, (size_t)(e - p - 1), "in",
                                                "path", "required", 1, "schema",
                                                num ? json_pack("{s:s, s:s}", "type", "integer", "format", "int64")
                                                    : json_pack("{s:s}", "type", "string")));
    }
    for (size_t i = 0; d && i < sch_nfields(d->query); i++) {
        bool optional;
        const struct sch *t;
        const char *name = sch_field(d->query, i, &optional, &t);
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:o}", "name", name, "in", "query", "required",
                                                !optional, "schema", sch_openapi(t)));
    }
    if (r->flags & HTTP_IDEMPOTENT)
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}", "name", "Idempotency-Key",
                                                "in", "header", "required", 0, "description",
                                                "a retry with the same key gets the first answer and changes nothing",
                                                "schema", "type", "string", "minLength", 1, "maxLength", 128));
    for (unsigned b = 0; b < ROLE_COUNT; b++)
        if (r->roles & (1u << b))
            json_array_append_new(roles, json_string(role_name((enum role)(1u << b))));
    json_object_set_new(op, "summary", json_string(r->summary ? r->summary : r->pattern));
    json_object_set_new(op, "operationId", json_string(id));
    json_object_set_new(op, "tags", json_pack("[s]", tag));
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    json_object_set_new(op, "x-roles", roles);
    /* public routes say so: no credentials */
    json_object_set_new(op, "security",
                        r->roles & ROLE_PUBLIC ? json_array() : json_pack("[{s:[]}]", "bearer"));
    if (d && d->body) {
        json_t *schema = sch_openapi(d->body);
        json_t *req = json_object_get(schema, "required");
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", json_array_size(req) > 0, "content",
                                      "application/json", "schema", schema));
    } else if (d && d->raw_media) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content", d->raw_media, "schema",
                                      d->raw ? sch_openapi(d->raw) : json_pack("{s:s}", "type", "string")));
    }
    for (int g = 0; d && g < d->ngroups; g++) {
        const struct answer_group *a = &d->group[g];
        for (int s = 0; s < a->nstatus; s++) {
            json_t *content = json_object();
            char code[8];
            for (int c = 0; c < a->ncontent; c++)
                json_object_set_new(content, a->content[c].media,
                                    json_pack("{s:o}", "schema",
                                              a->content[c].json ? sch_openapi(a->content[c].json)
                                                                 : media_schema(a->content[c].media)));
            snprintf(code, sizeof code, "%d", a->status[s]);
            json_object_set_new(resp, code, json_pack("{s:s, s:o}", "description", status_text(a->status[s]),
                                                      "content", content));
        }
    }
    json_object_set_new(resp, "4XX", json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
                                               "refused: the error says why (and which field)", "content",
                                               "application/json", "schema", "$ref", "#/components/schemas/Error"));
    json_object_set_new(resp, "5XX", json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
                                               "not now: retry later (503), or a fault (500, logged)", "content",
                                               "application/json", "schema", "$ref", "#/components/schemas/Error"));
    json_object_set_new(op, "responses", resp);
    return op;
}

json_t *http_openapi(const struct http_route *routes, size_t n, const char *version, const char *server_url)
{
    json_t *doc, *paths = json_object(), *tags = json_array(), *schemas = sch_components();
    for (size_t i = 0; i < n; i++) {
        const struct http_route *r = &routes[i];
        json_t *item = json_object_get(paths, r->pattern);
        char method[16], tag[40];
        size_t k;
        bool known = false;
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        for (k = 0; r->method[k] && k < sizeof method - 1; k++)
            method[k] = (char)tolower((unsigned char)r->method[k]);
        method[k] = 0;
        json_object_set_new(item, method, operation(r, http_decl((int)i)));
        tag_of(r, tag, sizeof tag);
        for (size_t t = 0; t < json_array_size(tags) && !known; t++)
            known = !strcmp(json_string_value(json_object_get(json_array_get(tags, t), "name")), tag);
        if (!known) {
            char desc[80];
            if (!strcmp(tag, "web"))
                snprintf(desc, sizeof desc, "Pages, scripts, health and metrics outside /v1");
            else
                snprintf(desc, sizeof desc, "The routes under /v1/%s", tag);
            json_array_append_new(tags, json_pack("{s:s, s:s}", "name", tag, "description", desc));
        }
    }
    json_object_set_new(schemas, "Error",
                        json_pack("{s:s, s:[s, s], s:b, s:{s:{s:s, s:[s, s, s], s:b, s:{s:{s:s}, s:{s:s}, "
                                  "s:{s:s, s:b}, s:{s:s, s:s}}}, s:{s:s}}}",
                                  "type", "object", "required", "error", "request_id", "additionalProperties", 0,
                                  "properties", "error", "type", "object", "required", "code", "message", "field",
                                  "additionalProperties", 0, "properties", "code", "type", "string", "message",
                                  "type", "string", "field", "type", "string", "nullable", 1, "retry_after", "type",
                                  "integer", "format", "int64", "request_id", "type", "string"));
    doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:o, s:{s:o, s:{s:{s:s, s:s}}}}", "openapi", "3.0.3",
                    "info", "title", "o2o", "version", version, "description",
                    "Omnichannel retail core: members, catalog, inventory, orders, payments, insight, reports. Money "
                    "in fen (integers); times ISO-8601 UTC; dates a local day of the scope asked about. Every error "
                    "is {\"error\":{\"code\",\"message\",\"field\"},\"request_id\"}; a query parameter or body field "
                    "a route does not declare is refused (400 unknown_parameter, unknown_field).",
                    "servers", "url", server_url && *server_url ? server_url : "/", "tags", tags, "paths", paths,
                    "components", "schemas", schemas, "securitySchemes", "bearer", "type", "http", "scheme",
                    "bearer");
    return doc;
}
