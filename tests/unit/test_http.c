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

static int h(struct http_req *rq)
{
    (void)rq;
    return 0;
}

static const struct http_route routes[] = {
    {"GET", "/v1/members/{id}", h, ROLE_STAFF, 0, "get", NULL},
    {"PATCH", "/v1/members/{id}", h, ROLE_STAFF, 0, "patch", NULL},
    {"GET", "/v1/members/lookup", h, ROLE_STAFF, 0, "lookup", NULL},
    {"POST", "/v1/members/{id}/points/earn", h, ROLE_CHANNEL, HTTP_IDEMPOTENT, "earn", NULL},
    {"GET", "/healthz", h, ROLE_PUBLIC, 0, "health", NULL},
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

static void test_http__openapi_lists_every_route_with_params_and_roles(void **state)
{
    json_t *doc = http_openapi(routes, N, "test");
    json_t *paths = json_object_get(doc, "paths");
    json_t *earn = json_object_get(json_object_get(paths, "/v1/members/{id}/points/earn"), "post");
    (void)state;
    assert_int_equal(json_object_size(paths), 4);
    assert_non_null(json_object_get(json_object_get(paths, "/v1/members/{id}"), "patch"));
    assert_non_null(earn);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(earn, "parameters"), 0), "name")), "id");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(earn, "parameters"), 1), "name")),
                        "Idempotency-Key");
    assert_string_equal(json_string_value(json_array_get(json_object_get(earn, "x-roles"), 0)), "channel");
    assert_null(json_object_get(json_object_get(json_object_get(paths, "/healthz"), "get"), "security"));
    json_decref(doc);
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
        cmocka_unit_test(test_http__a_plain_head_is_parsed_with_its_framing),
        cmocka_unit_test(test_http__ambiguous_or_malformed_heads_are_refused),
        cmocka_unit_test(test_http__chunked_bodies_decode_in_any_pieces_and_stop_at_the_limit),
        cmocka_unit_test(test_http__paths_and_queries_must_be_utf8_text),
        cmocka_unit_test(test_http__clients_behind_trusted_proxies_and_connection_counts),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
