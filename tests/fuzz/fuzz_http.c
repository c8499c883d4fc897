/*
** fuzz_http.c -- libFuzzer target over everything a client's bytes reach before
** the application: the request head (http/parse.c), the target's path and query
** as the server reads them, the route match, header values, the chunked decoder
** fed in two pieces, and the JSON reader the server runs on a body. It finds
** crashes, leaks and undefined behaviour (ASan, UBSan); it asserts that a head
** the parser accepted decodes consistently. The query and the JSON body also go
** through the route-declaration checks (http/schema.c). Run by scripts/fuzz.sh (make fuzz;
** CI runs it for a bounded time). Seeds: tests/fuzz/corpus/http/.
*/
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/http_int.h"
#include "http/parse.h"
#include "http/schema.h"

static int h(struct http_req *rq)
{
    (void)rq;
    return 0;
}

static const struct http_route routes[] = {
    {"GET", "/v1/members/{id}", h, ROLE_STAFF, 0, "get", NULL},
    {"GET", "/v1/members/lookup", h, ROLE_STAFF, 0, "lookup", NULL},
    {"POST", "/v1/members/{id}/points/earn", h, ROLE_CHANNEL, HTTP_IDEMPOTENT, "earn", NULL},
    {"DELETE", "/v1/members/{id}/relations/{other}", h, ROLE_STAFF, 0, "unrelate", NULL},
    {"GET", "/v1/analytics/paths", h, ROLE_MANAGERS, 0, "paths", NULL},
    {"POST", "/v1/events", h, ROLE_PUBLIC, HTTP_CORS, "events", NULL},
    {"GET", "/r/{token}/qr.svg", h, ROLE_PUBLIC, 0, "qr", NULL},
};

static struct route_table *table;
static const struct sch *decl_query, *decl_body;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_query(const char *q, size_t n)
{
    char bad[64], *tmp = malloc(n + 1);
    size_t i = 0;
    int ok = http_check_query(q, n, bad) == 0;
    if (ok && decl_query) { /* as the server checks a route's declared parameters */
        char *z = malloc(n + 1);
        memcpy(z, q, n);
        z[n] = 0;
        sch_check_query(decl_query, z);
        free(z);
    }
    while (i < n) {
        const char *amp = memchr(q + i, '&', n - i);
        size_t len = amp ? (size_t)(amp - (q + i)) : n - i;
        ssize_t d = http_decode_component(q + i, len, tmp);
        /* what the check passed, the reader decodes as valid text */
        if (ok && d >= 0 && !http_utf8_ok(tmp, (size_t)d))
            abort();
        i += len + 1;
    }
    free(tmp);
}

static void read_json(const char *p, size_t n)
{
    json_error_t err;
    json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
    if (j && decl_body)
        sch_check_body(decl_body, j);
    if (j) {
        char *s = json_dumps(j, JSON_COMPACT);
        if (!s) /* what jansson accepted it can write back */
            abort();
        free(s);
        json_decref(j);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct http_head hd;
    int n;
    if (!table) {
        table = router_build(routes, sizeof routes / sizeof routes[0]);
        if (sch_compile("from?:date, to?:date, limit?:int, supp?:num, all?:bool, sort?:(lift|support)", true,
                        &decl_query) ||
            sch_compile("lines:[{sku:str, qty:int}], tenders?:[{tender:(cash|card), amount?:int}], "
                        "props?:{*:str|num|bool}, where?:{a:str, *:int}, note?:str|null",
                        true, &decl_body))
            abort();
    }
    n = http_parse_head(p, size, &hd);
    if (n > 0) {
        const char *q = memchr(hd.target, '?', hd.target_len);
        size_t plen = q ? (size_t)(q - hd.target) : hd.target_len, rest = size - (size_t)n;
        char *path = malloc(plen + 2), method[24], allow[64];
        const char *params[HTTP_MAX_PARAMS];
        ssize_t pl = http_normalize_path(hd.target, plen, path);
        if (pl >= 0) {
            char *pbuf = malloc((size_t)pl + 1);
            if ((size_t)pl != strlen(path) || path[0] != '/' || !http_utf8_ok(path, (size_t)pl))
                abort();
            memcpy(method, hd.method, hd.method_len < 23 ? hd.method_len : 23);
            method[hd.method_len < 23 ? hd.method_len : 23] = 0;
            router_match(table, method, path, pbuf, params, allow);
            free(pbuf);
        }
        free(path);
        if (q)
            read_query(q + 1, hd.target_len - plen - 1);
        for (size_t i = 0; i < hd.nfields; i++)
            http_utf8_ok(hd.fields[i].value, hd.fields[i].value_len);
        if (hd.chunked) {
            struct http_chunked d;
            struct buf b = BUF_INIT(1 << 16);
            size_t half = rest / 2, used = 0, used2 = 0;
            int rc;
            memset(&d, 0, sizeof d);
            rc = http_chunked_feed(&d, p + n, half, &used, &b);
            if (rc == 0)
                rc = http_chunked_feed(&d, p + n + used, rest - used, &used2, &b);
            if (b.len > b.max)
                abort();
            if (rc == 1)
                read_json(b.p ? b.p : "", b.len);
            buf_free(&b);
        } else if (hd.content_length >= 0) {
            read_json(p + n, (size_t)hd.content_length < rest ? (size_t)hd.content_length : rest);
        }
    }
    return 0;
}
