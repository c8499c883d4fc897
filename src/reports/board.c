/*
** board.c -- the today board (board.h): one store's figures, or the sum of a
** region's locations', or the chain's in one pass (location 0). Today is the local
** day of `now` in the board's time zone; last week is the same weekday seven local
** days before, whole, with its figures up to the same local time beside today's.
*/
#include "reports/board.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/tz.h"
#include "core/util.h"
#include "org/location.h"
#include "org/settings.h"
#include "sales/order_read.h"
#include "stock/inventory.h"

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL

struct locs {
    int n, cap;
    int64_t *id;
};

static int loc_cb(const struct location *l, void *arg)
{
    struct locs *v = arg;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->id = xrealloc(v->id, (size_t)v->cap * sizeof v->id[0]);
    }
    v->id[v->n++] = l->id;
    return 0;
}

static int channel_cb(const char *channel, int64_t orders, int64_t sales, void *arg)
{
    struct board *b = arg;
    int i;
    for (i = 0; i < b->nchannels; i++)
        if (!strcmp(b->channels[i].channel, channel))
            break;
    if (i == b->nchannels) {
        if (b->nchannels == BOARD_CHANNELS)
            return 0;
        str_copy(b->channels[b->nchannels++].channel, sizeof b->channels[0].channel, channel);
    }
    b->channels[i].orders += orders;
    b->channels[i].sales += sales;
    return 0;
}

/* One location's (or the chain's, 0) figures, added to the board's. */
static int add_location(struct db_conn *c, struct board *b, int64_t loc, int64_t start, int64_t lw_start,
                        int64_t lw_end, int64_t late_ms)
{
    struct order_period_cbs cbs = {.channel = channel_cb};
    struct order_period today;
    struct order_work w;
    int64_t o[BOARD_HOURS], s[BOARD_HOURS];
    int rc = order_hourly(c, loc, start, b->now + 1, o, s);
    for (int h = 0; !rc && h < BOARD_HOURS; h++) {
        b->orders[h] += o[h];
        b->sales[h] += s[h];
    }
    if (!rc)
        rc = order_hourly(c, loc, lw_start, lw_end, o, s);
    for (int h = 0; !rc && h < BOARD_HOURS; h++) {
        b->lw_orders[h] += o[h];
        b->lw_sales[h] += s[h];
    }
    if (!rc) /* last week up to the same local time: whole hours, then the hour in progress */
        rc = order_hourly(c, loc, lw_start, lw_start + (b->now - start) + 1, o, s);
    for (int h = 0; !rc && h < BOARD_HOURS; h++) {
        b->lw_orders_so_far += o[h];
        b->lw_sales_so_far += s[h];
    }
    if (!rc)
        rc = order_period_figures(c, loc, start, b->now + 1, &cbs, b, &today);
    if (!rc) {
        b->today_orders += today.orders;
        b->today_sales += today.sales;
        b->returns += today.returns;
        b->returns_amount += today.returns_amount;
        rc = order_work_at(c, loc, b->now, late_ms, &w);
    }
    if (!rc) {
        b->work.pickups_to_prepare += w.pickups_to_prepare;
        b->work.pickups_waiting += w.pickups_waiting;
        b->work.pickups_overdue += w.pickups_overdue;
        b->work.transfers_to_ship += w.transfers_to_ship;
        b->work.transfers_to_receive += w.transfers_to_receive;
        b->work.deliveries_late += w.deliveries_late;
    }
    return rc;
}

struct low_arg {
    struct db_conn *c;
    struct board *b;
};

/* Keep the lowest BOARD_LOW over every location. */
static int low_cb(int64_t sku_id, int64_t location_id, int64_t available, void *arg)
{
    struct low_arg *a = arg;
    struct board *b = a->b;
    struct sku k;
    struct location l;
    int at = b->nlow;
    if (at == BOARD_LOW) {
        if (available >= b->low[BOARD_LOW - 1].available)
            return 0;
        at = BOARD_LOW - 1;
    } else {
        b->nlow++;
    }
    while (at > 0 && b->low[at - 1].available > available) {
        b->low[at] = b->low[at - 1];
        at--;
    }
    memset(&b->low[at], 0, sizeof b->low[at]);
    b->low[at].available = available;
    if (!sku_get(a->c, sku_id, &k)) {
        str_copy(b->low[at].sku, sizeof b->low[at].sku, k.code);
        str_copy(b->low[at].name, sizeof b->low[at].name, k.product_name);
    }
    if (!location_cached(a->c, location_id, &l))
        str_copy(b->low[at].location, sizeof b->low[at].location, l.code);
    err_clear();
    return 0;
}

int board_build(struct db_conn *c, int64_t loc, int64_t region_id, const char *tz, int64_t now, struct board *out)
{
    struct locs v = {0, 0, NULL};
    struct low_arg la = {c, out};
    int64_t utc0, start, end, lw_start, lw_end, late_h = 24, low_units = 2;
    int rc = 0;
    memset(out, 0, sizeof *out);
    str_copy(out->tz, sizeof out->tz, tz);
    out->now = now;
    tz_local_day(tz, now, out->day);
    if (parse_iso8601(out->day, &utc0))
        return err_set(O2O_EINVAL, "bad_time_zone", NULL, "no local day at this time in %s", tz);
    start = tz_local_midnight(tz, utc0);
    end = tz_local_midnight(tz, utc0 + DAY_MS);
    lw_start = tz_local_midnight(tz, utc0 - 7 * DAY_MS);
    lw_end = tz_local_midnight(tz, utc0 - 6 * DAY_MS);
    tz_local_day(tz, lw_start, out->last_week_day);
    out->hours_today = (int)((end - start + HOUR_MS - 1) / HOUR_MS);
    out->hours_last_week = (int)((lw_end - lw_start + HOUR_MS - 1) / HOUR_MS);
    if ((rc = settings_i64(c, "board_late_delivery_hours", 24, &late_h)) ||
        (rc = settings_i64(c, "board_low_stock_units", 2, &low_units)))
        return rc;
    if (region_id) {
        struct principal p;
        memset(&p, 0, sizeof p);
        p.role = ROLE_OWNER;
        p.scope = SCOPE_REGION;
        p.scope_id = region_id;
        rc = location_list(c, &p, "", loc_cb, &v);
    } else {
        loc_cb(&(struct location){.id = loc}, &v); /* one store, or the chain (0) in one pass */
    }
    for (int i = 0; !rc && i < v.n; i++)
        rc = add_location(c, out, v.id[i], start, lw_start, lw_end, late_h * HOUR_MS);
    for (int i = 0; !rc && i < v.n; i++)
        rc = inventory_low(c, v.id[i], low_units, now - 30 * DAY_MS, BOARD_LOW, low_cb, &la);
    free(v.id);
    return rc;
}
