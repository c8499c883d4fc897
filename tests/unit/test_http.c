/*
** test_http.c -- the router (params, 404, 405 with Allow), the error mapping and
** body, and the OpenAPI document generated from a route table.
*/
#include "testutil.h"

#include <jansson.h>

#include "http/http.h"
#include "http/http_int.h"

static int h(struct http_req *rq)
{
    (void)rq;
    return 0;
}

static const struct http_route routes[] = {
    {"GET", "/v1/members/{id}", h, ROLE_STAFF, 0, "get"},
    {"PATCH", "/v1/members/{id}", h, ROLE_STAFF, 0, "patch"},
    {"GET", "/v1/members/lookup", h, ROLE_STAFF, 0, "lookup"},
    {"POST", "/v1/members/{id}/points/earn", h, ROLE_CHANNEL, HTTP_IDEMPOTENT, "earn"},
    {"GET", "/healthz", h, ROLE_PUBLIC, 0, "health"},
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http__router_matches_and_captures),
        cmocka_unit_test(test_http__errors_map_to_status_and_never_leak_storage_details),
        cmocka_unit_test(test_http__openapi_lists_every_route_with_params_and_roles),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
