/*
** api_system.c -- the routes about the process itself: landing page, health,
** metrics, OpenAPI.
*/
#include "api/api.h"
#include "app/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/util.h"
#include "member/member.h"
#include "member/points.h"
#include "org/location.h"
#include "org/delivery.h"
#include "org/outbox.h"
#include "stock/inventory.h"

#ifndef O2O_VERSION
#define O2O_VERSION "dev"
#endif

int api_healthz(struct http_req *rq)
{
    if (db_ping(api_app()->db))
        return http_reply_json(rq, 503, json_pack("{s:s}", "status", "storage unavailable"));
    return http_reply_json(rq, 200, json_pack("{s:s, s:s, s:s}", "status", "ok", "version", O2O_VERSION, "backend",
                                              db_kind(api_app()->db)));
}

static long rss_kb(void)
{
    char line[256];
    long kb = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

int api_metrics(struct http_req *rq)
{
    struct buf b = BUF_INIT(1 << 24);
    struct db_stats st;
    size_t n;
    const struct http_route *routes = http_routes(&n);
    uint64_t cum = 0;
    int rc;
    http_metrics_text(&b, routes, n);
    db_get_stats(api_app()->db, &st);
    buf_adds(&b, "# HELP o2o_db_commit_batch_size Transaction bodies per storage commit.\n"
                 "# TYPE o2o_db_commit_batch_size histogram\n");
    for (int i = 0; i < DB_HIST_BUCKETS; i++) {
        cum += st.hist[i];
        if (i < DB_HIST_BUCKETS - 1)
            buf_addf(&b, "o2o_db_commit_batch_size_bucket{le=\"%d\"} %llu\n", 1 << i, (unsigned long long)cum);
        else
            buf_addf(&b, "o2o_db_commit_batch_size_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    buf_addf(&b, "o2o_db_commit_batch_size_sum %llu\no2o_db_commit_batch_size_count %llu\n",
             (unsigned long long)(st.txns + st.rollbacks), (unsigned long long)st.commits);
    buf_addf(&b,
             "# HELP o2o_db_commits_total Storage commits.\n"
             "# TYPE o2o_db_commits_total counter\no2o_db_commits_total %llu\n"
             "# HELP o2o_db_transactions_total Transaction bodies, committed or rolled back.\n"
             "# TYPE o2o_db_transactions_total counter\no2o_db_transactions_total{result=\"commit\"} %llu\n"
             "o2o_db_transactions_total{result=\"rollback\"} %llu\n"
             "# HELP o2o_db_retries_total Transactions run again after a serialization failure or deadlock.\n"
             "# TYPE o2o_db_retries_total counter\no2o_db_retries_total %llu\n"
             "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
             "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n"
             "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
             "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %lld\n",
             (unsigned long long)st.commits, (unsigned long long)st.txns, (unsigned long long)st.rollbacks,
             (unsigned long long)st.retries, rss_kb() * 1024, (long long)(api_app()->started_at / 1000));
    if ((rc = delivery_metrics(api_reader(), api_app()->messengers, &b))) {
        buf_free(&b);
        return rc;
    }
    rc = http_reply(rq, 200, "text/plain; version=0.0.4", buf_str(&b), b.len);
    buf_free(&b);
    return rc;
}

int api_openapi(struct http_req *rq)
{
    size_t n;
    const struct http_route *routes = http_routes(&n);
    return http_reply_json(rq, 200, http_openapi(routes, n, O2O_VERSION, api_app()->public_url));
}

int api_landing(struct http_req *rq)
{
    struct db_conn *c = api_reader();
    struct buf b = BUF_INIT(1 << 20);
    size_t nroutes;
    int rc;
    http_routes(&nroutes);
    buf_addf(&b,
             "<!doctype html><html lang=en><head><meta charset=utf-8><title>o2o</title>"
             "<meta name=viewport content='width=device-width,initial-scale=1'>"
             "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse}td{padding:.2em 1em .2em 0}code{background:#f3f3f3;padding:0 .3em}"
             "h1{margin-bottom:0}.sub{color:#666;margin-top:0}</style></head><body>"
             "<h1>o2o</h1><p class=sub>omnichannel retail core &middot; version <b id=version>%s</b> &middot; "
             "backend <b id=backend>%s</b></p>"
             "<h2>Loaded</h2><table id=loaded>"
             "<tr><td>stores</td><td>%lld</td></tr><tr><td>warehouses</td><td>%lld</td></tr>"
             "<tr><td>restaurants</td><td>%lld</td></tr><tr><td>brands</td><td>%lld</td></tr>"
             "<tr><td>products</td><td>%lld</td></tr><tr><td>SKUs</td><td>%lld</td></tr>"
             "<tr><td>members</td><td>%lld</td></tr></table>"
             "<h2>API</h2><p>%zu routes, JSON over HTTP, money in fen. "
             "<a href='/openapi.json'>OpenAPI description</a> &middot; <a href='/healthz'>health</a> &middot; "
             "<a href='/metrics'>metrics</a></p>"
             "<p>Sign in: <code>curl -s -X POST localhost/v1/auth/login -d "
             "'{\"username\":\"owner\",\"password\":\"...\"}'</code>, then send "
             "<code>Authorization: Bearer &lt;token&gt;</code>.</p></body></html>",
             O2O_VERSION, db_kind(api_app()->db), (long long)location_count(c, "store"),
             (long long)location_count(c, "warehouse"), (long long)location_count(c, "restaurant"),
             (long long)catalog_count(c, "brands"), (long long)catalog_count(c, "products"),
             (long long)catalog_count(c, "skus"), (long long)member_count(c), nroutes);
    rc = http_reply(rq, 200, "text/html; charset=utf-8", buf_str(&b), b.len);
    buf_free(&b);
    return rc;
}
