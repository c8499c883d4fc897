/*
** api_board.c -- GET /v1/board: the today board of a store, a region or the chain
** (reports/board.c), for owners and managers within their scope (their own store
** or region when they name none). Built on the heavy pool; as_of pins the instant
** it is built at (a past moment, for a check or a test).
*/
#include "api/api.h"
#include "reports/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "org/location.h"
#include "org/settings.h"
#include "reports/board.h"

struct board_job {
    struct http_pending *pending;
    int64_t loc, region_id, at;
    char kind[8], code[65], name[129], tz[64];
};

static json_t *series(const int64_t *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static int64_t sum(const int64_t *v, int n)
{
    int64_t t = 0;
    for (int i = 0; i < n; i++)
        t += v[i];
    return t;
}

static json_t *render(const struct board_job *j, const struct board *b)
{
    json_t *channels = json_array(), *low = json_array();
    for (int i = 0; i < b->nchannels; i++)
        json_array_append_new(channels, json_pack("{s:s, s:I, s:I}", "channel", b->channels[i].channel, "orders",
                                                  (json_int_t)b->channels[i].orders, "sales",
                                                  (json_int_t)b->channels[i].sales));
    for (int i = 0; i < b->nlow; i++)
        json_array_append_new(low, json_pack("{s:s, s:s, s:s, s:I}", "sku", b->low[i].sku, "name", b->low[i].name,
                                             "location", b->low[i].location, "available",
                                             (json_int_t)b->low[i].available));
    return json_pack(
        "{s:{s:s, s:o, s:o}, s:s, s:o, s:{s:s, s:I, s:I, s:o, s:o}, s:{s:s, s:I, s:I, s:I, s:I, s:o, s:o}, "
        "s:o, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
        "scope", "kind", j->kind, "code", jstr_or_null(j->code), "name", jstr_or_null(j->name), "time_zone", b->tz,
        "as_of", jtime(b->now),
        "today", "day", b->day, "orders", (json_int_t)b->today_orders, "sales", (json_int_t)b->today_sales,
        "hourly_orders", series(b->orders, b->hours_today), "hourly_sales", series(b->sales, b->hours_today),
        "last_week", "day", b->last_week_day, "orders", (json_int_t)b->lw_orders_so_far, "sales",
        (json_int_t)b->lw_sales_so_far, "whole_day_orders", (json_int_t)sum(b->lw_orders, b->hours_last_week),
        "whole_day_sales", (json_int_t)sum(b->lw_sales, b->hours_last_week), "hourly_orders",
        series(b->lw_orders, b->hours_last_week), "hourly_sales", series(b->lw_sales, b->hours_last_week),
        "channels", channels, "returns", "count", (json_int_t)b->returns, "amount", (json_int_t)b->returns_amount,
        "work", "pickups_to_prepare", (json_int_t)b->work.pickups_to_prepare, "pickups_waiting",
        (json_int_t)b->work.pickups_waiting, "pickups_overdue", (json_int_t)b->work.pickups_overdue,
        "transfers_to_ship", (json_int_t)b->work.transfers_to_ship, "transfers_to_receive",
        (json_int_t)b->work.transfers_to_receive, "deliveries_late", (json_int_t)b->work.deliveries_late,
        "low_stock", low);
}

static void board_work(void *arg)
{
    struct board_job *j = arg;
    struct board *b = xcalloc(1, sizeof *b);
    int rc;
    err_clear();
    rc = board_build(db_reader(api_app()->db), j->loc, j->region_id, j->tz, j->at, b);
    if (rc)
        http_complete_error(j->pending, rc);
    else
        http_complete_json(j->pending, 200, render(j, b));
    free(b);
    free(j);
}

/* ?store= | ?region= | neither: her own store or region, or the chain. */
static int board_scope(struct http_req *rq, struct board_job *j)
{
    struct db_conn *c = api_reader();
    const struct principal *who = &rq->who;
    const char *store = http_query(rq, "store"), *region = http_query(rq, "region");
    struct location l;
    struct region r;
    if (store && *store && region && *region)
        return err_set(O2O_EINVAL, "out_of_range", "store", "ask for a store or a region, not both");
    if (store && *store) {
        if (location_cached_by_code(c, store, &l))
            return err_set(O2O_ENOTFOUND, "unknown_location", "store", "no location with code %.64s", store);
    } else if (region && *region) {
        if (region_get_by_code(c, region, &r))
            return err_set(O2O_ENOTFOUND, "unknown_region", "region", "no region with code %.64s", region);
    } else if (who->scope == SCOPE_LOCATION) {
        if (location_cached(c, who->scope_id, &l))
            return O2O_ENOTFOUND;
        store = l.code;
    } else if (who->scope == SCOPE_REGION) {
        if (region_get(c, who->scope_id, &r))
            return O2O_ENOTFOUND;
        region = r.code;
    }
    if (store && *store) {
        if (scope_check_location(c, who, l.id))
            return O2O_EFORBIDDEN;
        j->loc = l.id;
        str_copy(j->kind, sizeof j->kind, "store");
        str_copy(j->code, sizeof j->code, l.code);
        str_copy(j->name, sizeof j->name, l.name);
        if (l.timezone[0]) {
            str_copy(j->tz, sizeof j->tz, l.timezone);
            return 0;
        }
    } else if (region && *region) {
        if (scope_check_region(c, who, r.id))
            return O2O_EFORBIDDEN;
        j->region_id = r.id;
        str_copy(j->kind, sizeof j->kind, "region");
        str_copy(j->code, sizeof j->code, r.code);
        str_copy(j->name, sizeof j->name, r.name);
    } else {
        str_copy(j->kind, sizeof j->kind, "chain");
    }
    return settings_str(c, "timezone", "UTC", j->tz, sizeof j->tz);
}

int api_board(struct http_req *rq)
{
    struct board_job *j = xcalloc(1, sizeof *j);
    int rc = board_scope(rq, j);
    if (!rc)
        rc = api_query_time(rq, "as_of", "UTC", now_ms(), &j->at);
    if (!rc)
        rc = api_heavy(rq, &j->pending, board_work, j);
    if (rc)
        free(j);
    return rc;
}
