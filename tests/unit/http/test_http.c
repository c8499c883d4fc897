/*
** test_http.c -- the router (params, 404, 405 with Allow), the error mapping and
** body, the OpenAPI document generated from a route table, request framing
** (RFC 9112: every ambiguous head refused), the chunked decoder and its limit,
** paths and queries as UTF-8 text, and client addresses (CIDR lists,
** X-Forwarded-For behind trusted proxies, connections per address).
*/
#include "testutil.h"

#include <jansson.h>

#include "core/buf.h"
#include "http/addr.h"
#include "http/http.h"
#include "http/http_int.h"
#include "http/parse.h"
#include "http/schema.h"
#include "api/api.h"
#include "app/app.h"

static int h(struct http_req *rq)
{
    (void)rq;
    return 0;
}

static const struct http_route routes[] = {
    {"GET", "/v1/members/{id}", h, ROLE_STAFF, 0, "get", NULL, NULL, NULL, "200 {id:int}"},
    {"PATCH", "/v1/members/{id}", h, ROLE_STAFF, 0, "patch", NULL, NULL, "name?:str", "200 {id:int}"},
    {"GET", "/v1/members/lookup", h, ROLE_STAFF, 0, "lookup", NULL, "phone:str, limit?:int", NULL, "200 {id:int}"},
    {"POST", "/v1/members/{id}/points/earn", h, ROLE_CHANNEL, HTTP_IDEMPOTENT, "earn", NULL, NULL,
     "points:int, lines?:[{sku:str, qty:int}]", "201 {balance:int}"},
    {"GET", "/healthz", h, ROLE_PUBLIC, 0, "health", NULL, NULL, NULL, "200,503 {status:str} / 418 text/plain"},
};
#define N (sizeof routes / sizeof routes[0])

static void test_http__router_matches_and_captures(void **state)
{
    struct route_table *t = router_build(routes, N);
    const char *params[HTTP_MAX_PARAMS] = {0};
    char pbuf[128], allow[64];
    (void)state;
    assert_int_equal(router_match(t, "GET", "/v1/members/42", pbuf, params, allow), 0);
    assert_string_equal(params[0], "42");
    assert_int_equal(router_match(t, "POST", "/v1/members/7/points/earn", pbuf, params, allow), 3);
    assert_string_equal(params[0], "7");
    assert_int_equal(router_match(t, "GET", "/healthz", pbuf, params, allow), 4);
    assert_int_equal(router_match(t, "GET", "/v1/members/lookup", pbuf, params, allow), 0); /* table order */
    assert_int_equal(router_match(t, "GET", "/v1/nothing", pbuf, params, allow), -1);
    assert_int_equal(router_match(t, "GET", "/v1/members/1/points/earn/x", pbuf, params, allow), -1);
    assert_int_equal(router_match(t, "DELETE", "/v1/members/42", pbuf, params, allow), -2);
    assert_string_equal(allow, "GET, PATCH");
    router_free(t);
}

static void test_http__errors_map_to_status_and_never_leak_storage_details(void **state)
{
    size_t len;
    char *body;
    json_t *o;
    (void)state;
    assert_int_equal(http_status_of(O2O_EINVAL), 400);
    assert_int_equal(http_status_of(O2O_EUNAUTH), 401);
    assert_int_equal(http_status_of(O2O_EFORBIDDEN), 403);
    assert_int_equal(http_status_of(O2O_ENOTFOUND), 404);
    assert_int_equal(http_status_of(O2O_ESTOCK), 409);
    assert_int_equal(http_status_of(O2O_ETOOBIG), 413);
    assert_int_equal(http_status_of(O2O_EIDEM), 422);
    assert_int_equal(http_status_of(O2O_ETHROTTLE), 429);
    assert_int_equal(http_status_of(O2O_EDB), 500);
    err_set(O2O_ESTOCK, NULL, "qty", "0 available");
    body = http_error_body(O2O_ESTOCK, "r1", &len);
    o = json_loads(body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "code")), "out_of_stock");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "field")), "qty");
    json_decref(o);
    free(body);
    err_set(O2O_EDB, NULL, "secret", "UNIQUE constraint failed: staff.password_hash");
    body = http_error_body(O2O_EDB, "r2", &len);
    assert_null(strstr(body, "password_hash"));
    assert_null(strstr(body, "secret"));
    free(body);
}

/* The value at "a/b/0" (object keys, array indexes; "~1" is a "/" in a key). */
static json_t *at(json_t *v, const char *path)
{
    char key[128];
    while (v && *path) {
        size_t n = strcspn(path, "/"), o = 0;
        for (size_t i = 0; i < n && o + 1 < sizeof key; i++) {
            if (path[i] == '~' && path[i + 1] == '1') {
                key[o++] = '/';
                i++;
            } else {
                key[o++] = path[i];
            }
        }
        key[o] = 0;
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key)) : json_object_get(v, key);
        path += n + (path[n] == '/');
    }
    return v;
}

static void test_http__openapi_lists_every_route_with_params_and_roles(void **state)
{
    json_t *doc, *paths, *earn, *lookup, *health;
    (void)state;
    assert_int_equal(http_declare(routes, N, NULL, 0), 0);
    doc = http_openapi(routes, N, "test", "http://127.0.0.1:8080");
    paths = json_object_get(doc, "paths");
    earn = json_object_get(json_object_get(paths, "/v1/members/{id}/points/earn"), "post");
    lookup = json_object_get(json_object_get(paths, "/v1/members/lookup"), "get");
    health = json_object_get(json_object_get(paths, "/healthz"), "get");
    assert_int_equal(json_object_size(paths), 4);
    assert_non_null(json_object_get(json_object_get(paths, "/v1/members/{id}"), "patch"));
    assert_non_null(earn);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(earn, "parameters"), 0), "name")), "id");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(earn, "parameters"), 1), "name")),
                        "Idempotency-Key");
    assert_string_equal(json_string_value(json_array_get(json_object_get(earn, "x-roles"), 0)), "channel");
    assert_string_equal(json_string_value(json_object_get(earn, "operationId")), "postMembersIdPointsEarn");
    /* the body and answer as declared */
    assert_string_equal(json_string_value(at(earn, "requestBody/content/application~1json/schema/properties/lines/"
                                                   "items/required/0")),
                        "sku");
    assert_non_null(json_object_get(json_object_get(earn, "responses"), "201"));
    assert_non_null(json_object_get(json_object_get(earn, "responses"), "4XX"));
    /* query parameters with their types, required or not */
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(lookup, "parameters"), 0), "in")),
                        "query");
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(lookup, "parameters"), 0), "required")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
                            json_object_get(lookup, "parameters"), 1), "schema"), "type")), "integer");
    /* a public route says so; its own answers besides the success */
    assert_int_equal(json_array_size(json_object_get(health, "security")), 0);
    assert_non_null(json_object_get(json_object_get(health, "responses"), "503"));
    assert_non_null(json_object_get(json_object_get(json_object_get(json_object_get(health, "responses"), "418"),
                                                    "content"), "text/plain"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "servers"), 0), "url")),
                        "http://127.0.0.1:8080");
    json_decref(doc);
}

/* The API's own table: every route's declarations compile (the server would not start). */
static void test_http__every_route_of_the_api_declares_what_it_reads_and_answers(void **state)
{
    size_t n, ns;
    const struct http_route *r = app_routes(&n);
    const struct http_schema_def *defs = api_schemas(&ns);
    (void)state;
    assert_int_equal(http_declare(r, n, defs, ns), 0);
    for (size_t i = 0; i < n; i++)
        assert_non_null(r[i].answer);
}

static void test_http__declarations_parse_and_refuse_their_mistakes(void **state)
{
    static const char *bad[] = {"{a:str",   "a:unknown",  "a:str, a:int", "{a:Nope}", "[int",
                                "(x|",      "a str",      "null",         "a:str b:int"};
    const struct sch *s;
    (void)state;
    assert_int_equal(sch_compile("{a:str, b?:int|null, c:[{d:(x|y)}], e:{*:num}, f:{g:bool, *:str}}", false, &s), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = sch_compile(bad[i], i != 0 && i != 3 && i != 4 && i != 5 && i != 7, &s);
        assert_int_equal(rc, O2O_EINVAL);
        assert_string_equal(err_last()->code, "bad_declaration");
    }
}

static json_t *J(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    return v;
}

static void assert_refused(const struct sch *s, const char *body, const char *code, const char *field)
{
    json_t *v = J(body);
    assert_int_equal(sch_check_body(s, v), O2O_EINVAL);
    assert_string_equal(err_last()->code, code);
    assert_string_equal(err_last()->field, field);
    json_decref(v);
}

static void test_http__bodies_are_checked_and_the_field_named(void **state)
{
    const struct sch *s;
    json_t *v;
    (void)state;
    assert_int_equal(sch_compile("lines:[{sku:str, qty:int}], kind?:(a|b), when?:time|int, note?:str", true, &s), 0);
    v = J("{\"lines\":[{\"sku\":\"A\",\"qty\":1}], \"kind\":\"b\", \"when\": 5, \"note\": null}");
    assert_int_equal(sch_check_body(s, v), 0); /* null: as absent */
    json_decref(v);
    assert_refused(s, "{}", "missing_field", "lines");
    assert_refused(s, "{\"lines\":[{\"sku\":\"A\",\"qty\":1},{\"sku\":\"B\",\"qty\":\"2\"}]}", "wrong_type",
                   "lines[1].qty");
    assert_refused(s, "{\"lines\":[{\"sku\":\"A\",\"qty\":1,\"colour\":\"red\"}]}", "unknown_field", "lines[0].colour");
    assert_refused(s, "{\"lines\":[], \"adress\":\"x\"}", "unknown_field", "adress");
    assert_refused(s, "{\"lines\":[], \"kind\":\"c\"}", "out_of_range", "kind");
    assert_refused(s, "{\"lines\":[], \"when\":true}", "wrong_type", "when");
    assert_refused(s, "{\"lines\":{}}", "wrong_type", "lines");
}

static void test_http__queries_are_checked_and_the_parameter_named(void **state)
{
    const struct sch *s;
    (void)state;
    assert_int_equal(sch_compile("date:date, limit?:int, supp?:num, all?:bool, sort?:(lift|support)", true, &s), 0);
    assert_int_equal(sch_check_query(s, "date=2026-01-01&limit=5&supp=0.5&all=true&sort=lift"), 0);
    assert_int_equal(sch_check_query(s, "date=2026-01-01&limit="), 0); /* empty: as absent */
    assert_int_equal(sch_check_query(s, "limit=5"), O2O_EINVAL);
    assert_string_equal(err_last()->code, "missing_field");
    assert_string_equal(err_last()->field, "date");
    assert_int_equal(sch_check_query(s, "date=x&store=SH01"), O2O_EINVAL);
    assert_string_equal(err_last()->code, "unknown_parameter");
    assert_string_equal(err_last()->field, "store");
    assert_int_equal(sch_check_query(s, "date=x&limit=ten"), O2O_EINVAL);
    assert_string_equal(err_last()->field, "limit");
    assert_int_equal(sch_check_query(s, "date=x&date=y"), O2O_EINVAL);
    assert_string_equal(err_last()->code, "duplicate_parameter");
    assert_int_equal(sch_check_query(s, "date=x&sort=price"), O2O_EINVAL);
    assert_string_equal(err_last()->code, "out_of_range");
    assert_int_equal(sch_check_query(s, "date=x&all=yes"), O2O_EINVAL);
    assert_int_equal(sch_check_query(s, "da%74e=x"), 0); /* names are decoded too */
}

static int head(const char *s, struct http_head *h)
{
    return http_parse_head(s, strlen(s), h);
}

static void test_http__a_plain_head_is_parsed_with_its_framing(void **state)
{
    struct http_head h;
    const char *s = "\r\nPOST /v1/orders?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nX-Empty:\r\n"
                    "Expect: 100-continue\r\nConnection: keep-alive\r\n\r\n{\"a\":1}";
    (void)state;
    assert_int_equal(head(s, &h), (int)(strstr(s, "\r\n\r\n") - s) + 4);
    assert_int_equal(h.method_len, 4);
    assert_memory_equal(h.target, "/v1/orders?x=1", 14);
    assert_int_equal(h.content_length, 12);
    assert_false(h.chunked);
    assert_true(h.keep_alive);
    assert_true(h.expect_continue);
    assert_int_equal(h.nfields, 5);
    assert_int_equal(http_head_field(&h, "x-empty")->value_len, 0);
    /* an HTTP/1.0 request closes unless it asks to stay */
    assert_true(head("GET / HTTP/1.0\r\n\r\n", &h) > 0);
    assert_false(h.keep_alive);
    assert_true(head("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", &h) > 0);
    assert_false(h.keep_alive);
    /* an absolute-form target becomes its path */
    assert_true(head("GET http://example.com/v1/me?a=b HTTP/1.1\r\nHost: example.com\r\n\r\n", &h) > 0);
    assert_memory_equal(h.target, "/v1/me?a=b", 10);
    /* incomplete: more bytes are needed */
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\n", &h), 0);
    assert_int_equal(head("GET / HTT", &h), 0);
}

static void test_http__ambiguous_or_malformed_heads_are_refused(void **state)
{
    struct http_head h;
    char big[HTTP_MAX_HEAD + 64];
    (void)state;
    /* request smuggling: both framings, two lengths, unknown or repeated codings */
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", &h),
                     -400);
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", &h),
                     -400);
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &h), -400);
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", &h), -400);
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", &h), -400);
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &h), -501);
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                          &h),
                     -400);
    assert_int_equal(head("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", &h), -400);
    assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", &h), -400);
    /* folded lines, bare LF, control characters, no or two Hosts */
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", &h), -400);
    assert_int_equal(head("GET / HTTP/1.1\nHost: a\n\n", &h), -400);
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01\r\n\r\n", &h), -400);
    assert_int_equal(head("GET / HTTP/1.1\r\n\r\n", &h), -400);
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &h), -400);
    assert_int_equal(head("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    assert_int_equal(head("GET * HTTP/1.1\r\nHost: a\r\n\r\n", &h), -400);
    /* HTTP/2's preface and other versions; expectations other than 100-continue */
    assert_int_equal(head("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", &h), -505);
    assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", &h), -417);
    /* sizes: a head that never ends, a target that never ends */
    memset(big, 'a', sizeof big);
    memcpy(big, "GET /", 5);
    assert_int_equal(http_parse_head(big, sizeof big, &h), -414);
    memcpy(big, "GET / HTTP/1.1\r\nX-A: ", 21);
    assert_int_equal(http_parse_head(big, sizeof big, &h), -431);
}

/* Feed s to the decoder n bytes at a time; the result code. */
static int feed(const char *s, size_t step, size_t limit, struct buf *out, size_t *consumed)
{
    struct http_chunked d;
    size_t i = 0, len = strlen(s);
    int rc = 0;
    memset(&d, 0, sizeof d);
    *out = (struct buf)BUF_INIT(limit);
    while (i < len && rc == 0) {
        size_t n = len - i < step ? len - i : step, used = 0;
        rc = http_chunked_feed(&d, s + i, n, &used, out);
        i += used;
    }
    *consumed = i;
    return rc;
}

static void test_http__chunked_bodies_decode_in_any_pieces_and_stop_at_the_limit(void **state)
{
    const char *ok = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nGET /next";
    struct buf b;
    size_t used;
    (void)state;
    for (size_t step = 1; step < 80; step += 7) {
        assert_int_equal(feed(ok, step, 100, &b, &used), 1);
        assert_int_equal(b.len, 11);
        assert_memory_equal(b.p, "hello world", 11);
        assert_int_equal(used, strlen(ok) - strlen("GET /next")); /* the next request is left alone */
        buf_free(&b);
    }
    /* a chunk larger than what is left under the limit is refused before its data */
    assert_int_equal(feed("5\r\nhello\r\nFFFFFF\r\n", 64, 100, &b, &used), -413);
    assert_int_equal(b.len, 5);
    buf_free(&b);
    assert_int_equal(feed("8\r\nhello wo\r\n8\r\nrld and \r\n0\r\n\r\n", 3, 10, &b, &used), -413);
    buf_free(&b);
    /* broken framing */
    assert_int_equal(feed("5\r\nhelloX\r\n0\r\n\r\n", 64, 100, &b, &used), -400);
    buf_free(&b);
    assert_int_equal(feed("Z\r\n", 64, 100, &b, &used), -400);
    buf_free(&b);
    assert_int_equal(feed("1000000000000000\r\n", 64, SIZE_MAX, &b, &used), -400);
    buf_free(&b);
    assert_int_equal(feed("5\nhello\r\n", 64, 100, &b, &used), -400);
    buf_free(&b);
}

static void test_http__paths_and_queries_must_be_utf8_text(void **state)
{
    char out[64], bad[64];
    (void)state;
    assert_int_equal(http_normalize_path("/a/./b/../c", 11, out), 4);
    assert_string_equal(out, "/a/c");
    assert_int_equal(http_normalize_path("/v1/%2e%2e/%2e%2e/x/", 20, out), 3);
    assert_string_equal(out, "/x/");
    assert_true(http_normalize_path("/v1/locations/%E4%B8%8A%E6%B5%B7", 32, out) > 0);
    assert_string_equal(out, "/v1/locations/\xe4\xb8\x8a\xe6\xb5\xb7");
    assert_int_equal(http_normalize_path("/v1/%FF", 7, out), -1);
    assert_int_equal(http_normalize_path("/v1/%00x", 8, out), -1);
    assert_int_equal(http_normalize_path("/v1/%0Ax", 8, out), -1);
    assert_int_equal(http_normalize_path("/a%2", 4, out), 4); /* a lone '%' stays */
    assert_int_equal(http_check_query("event=view&from=2026-01-01&q=a+b%20c", 36, bad), 0);
    assert_int_equal(http_check_query("limit=5&event=%FF", 17, bad), -1);
    assert_string_equal(bad, "event");
    assert_int_equal(http_check_query("x%C0%AF=1", 9, bad), -1); /* an overlong '/' */
    assert_int_equal(http_check_query("x=%ED%A0%80", 11, bad), -1); /* a surrogate */
    assert_int_equal(http_decode_component("a+b%20c%2", 9, out), 7);
    assert_string_equal(out, "a b c%2");
    assert_true(http_utf8_ok("\xf0\x9f\x98\x80", 4));
    assert_false(http_utf8_ok("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
}

static void test_http__clients_behind_trusted_proxies_and_connection_counts(void **state)
{
    struct netlist trusted, proxies, empty;
    struct addr a, peer, c;
    char bad[64], text[46];
    (void)state;
    assert_int_equal(netlist_parse(&trusted, "10.0.0.0/8, 192.168.1.7, ::1, 2001:db8::/32", bad), 0);
    assert_int_equal(trusted.n, 4);
    assert_int_equal(addr_parse(&a, "10.200.3.4", 10), 0);
    assert_true(netlist_has(&trusted, &a));
    assert_int_equal(addr_parse(&a, "11.0.0.1", 8), 0);
    assert_false(netlist_has(&trusted, &a));
    assert_int_equal(addr_parse(&a, "2001:db8:1::5", 13), 0);
    assert_true(netlist_has(&trusted, &a));
    assert_int_equal(netlist_parse(&empty, "10.0.0.0/33", bad), -1);
    assert_string_equal(bad, "10.0.0.0/33");
    assert_int_equal(netlist_parse(&empty, "", bad), 0);
    assert_int_equal(empty.n, 0);
    /* X-Forwarded-For counts only from a trusted proxy, and only past the proxies */
    assert_int_equal(netlist_parse(&proxies, "127.0.0.1, 10.0.0.0/8", bad), 0);
    assert_int_equal(addr_parse(&peer, "127.0.0.1", 9), 0);
    c = addr_client(&peer, &proxies, "203.0.113.9, 198.51.100.1, 10.1.1.1", 36);
    addr_format(&c, text);
    assert_string_equal(text, "198.51.100.1"); /* the spoofable left part is ignored */
    c = addr_client(&peer, &proxies, "garbage", 7);
    addr_format(&c, text);
    assert_string_equal(text, "127.0.0.1");
    assert_int_equal(addr_parse(&peer, "198.51.100.1", 12), 0);
    c = addr_client(&peer, &proxies, "203.0.113.9", 11);
    addr_format(&c, text);
    assert_string_equal(text, "198.51.100.1"); /* not a proxy: its header is not believed */
    /* connections per address */
    assert_int_equal(addr_conn_acquire(&peer, 2), 0);
    assert_int_equal(addr_conn_acquire(&peer, 2), 0);
    assert_int_equal(addr_conn_acquire(&peer, 2), -1);
    assert_int_equal(addr_conn_count(&peer), 2);
    addr_conn_release(&peer);
    assert_int_equal(addr_conn_acquire(&peer, 2), 0);
    addr_conn_release(&peer);
    addr_conn_release(&peer);
    assert_int_equal(addr_conn_count(&peer), 0);
    netlist_free(&trusted);
    netlist_free(&proxies);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http__router_matches_and_captures),
        cmocka_unit_test(test_http__errors_map_to_status_and_never_leak_storage_details),
        cmocka_unit_test(test_http__openapi_lists_every_route_with_params_and_roles),
        cmocka_unit_test(test_http__every_route_of_the_api_declares_what_it_reads_and_answers),
        cmocka_unit_test(test_http__declarations_parse_and_refuse_their_mistakes),
        cmocka_unit_test(test_http__bodies_are_checked_and_the_field_named),
        cmocka_unit_test(test_http__queries_are_checked_and_the_parameter_named),
        cmocka_unit_test(test_http__a_plain_head_is_parsed_with_its_framing),
        cmocka_unit_test(test_http__ambiguous_or_malformed_heads_are_refused),
        cmocka_unit_test(test_http__chunked_bodies_decode_in_any_pieces_and_stop_at_the_limit),
        cmocka_unit_test(test_http__paths_and_queries_must_be_utf8_text),
        cmocka_unit_test(test_http__clients_behind_trusted_proxies_and_connection_counts),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
