/*
** declare_bench.c -- what the route declarations cost a request (bench/declare.sh):
** the check of a till sale's body (POST /v1/orders with 3 and with 50 lines, the
** declaration of routes.c) and of a lookup's query (GET /v1/skus/lookup), in
** nanoseconds per check, medians of 5 runs.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "app/app.h"
#include "http/schema.h"

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *decl(const char *method, const char *pattern, int body)
{
    size_t n;
    const struct http_route *r = app_routes(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(r[i].method, method) && !strcmp(r[i].pattern, pattern))
            return body ? r[i].body : r[i].query;
    fprintf(stderr, "no route %s %s\n", method, pattern);
    exit(1);
}

static json_t *order(int lines)
{
    json_t *o = json_pack("{s:i, s:[], s:[{s:s, s:i}]}", "member_id", 42, "lines", "tenders", "tender", "cash",
                          "amount", 100000000);
    for (int i = 0; i < lines; i++)
        json_array_append_new(json_object_get(o, "lines"), json_pack("{s:s, s:i}", "sku", "P00001-black-S", "qty", 1));
    return o;
}

static double measure_body(const struct sch *s, json_t *v, int iters)
{
    double runs[5];
    for (int r = 0; r < 5; r++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++)
            if (sch_check_body(s, v))
                exit(2);
        runs[r] = (now_ns() - t0) / iters;
    }
    qsort(runs, 5, sizeof runs[0], cmp);
    return runs[2];
}

static double measure_query(const struct sch *s, const char *q, int iters)
{
    double runs[5];
    for (int r = 0; r < 5; r++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++)
            if (sch_check_query(s, q))
                exit(2);
        runs[r] = (now_ns() - t0) / iters;
    }
    qsort(runs, 5, sizeof runs[0], cmp);
    return runs[2];
}

int main(void)
{
    size_t ns;
    const struct http_schema_def *defs = api_schemas(&ns);
    const struct sch *body, *query;
    json_t *three = order(3), *fifty = order(50);
    if (sch_registry_init(defs, ns) || sch_compile(decl("POST", "/v1/orders", 1), true, &body) ||
        sch_compile(decl("GET", "/v1/skus/lookup", 0), true, &query)) {
        fprintf(stderr, "the declarations do not compile\n");
        return 1;
    }
    printf("%-52s %10s\n", "check", "ns (median)");
    printf("%-52s %10.0f\n", "GET /v1/skus/lookup query (barcode, store)",
           measure_query(query, "barcode=6900000000007&store=SH01", 1000000));
    printf("%-52s %10.0f\n", "POST /v1/orders body, 3 lines and a tender", measure_body(body, three, 200000));
    printf("%-52s %10.0f\n", "POST /v1/orders body, 50 lines and a tender", measure_body(body, fifty, 20000));
    json_decref(three);
    json_decref(fifty);
    return 0;
}
