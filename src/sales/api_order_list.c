/*
** api_order_list.c -- GET /v1/orders: the list staff work through, filtered by
** status, channel, store or region, fulfilment, day, member, and searched by order
** number, phone or pickup code; newest first, paged by a cursor. Scoped like
** every read: a store's staff see the orders that touch their store, a region's
** its stores', a member her own, a chain-wide channel key its channel's.
*/
#include "api/api.h"
#include "sales/handlers.h"

#include <string.h>

#include "core/tz.h"
#include "core/util.h"
#include "org/location.h"
#include "sales/order_list.h"

static int list_row(const struct order_row *r, void *arg)
{
    json_array_append_new(
        arg, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o}", "id", (json_int_t)r->id,
                       "channel", r->channel, "fulfilment", r->mode, "status", r->status, "member_id",
                       r->member_id ? json_integer(r->member_id) : json_null(), "member_phone",
                       jstr_or_null(r->member_phone), "location", jstr_or_null(r->location), "pickup_store",
                       jstr_or_null(r->pickup_store), "total", (json_int_t)r->total, "paid", (json_int_t)r->paid,
                       "refunded", (json_int_t)r->refunded, "items", (json_int_t)r->items, "created_at",
                       jtime(r->created_at)));
    return 0;
}

/* The caller's scope narrows the filter; a store or region asked for outside it is a 403. */
static int scope_filter(struct http_req *rq, struct order_filter *f)
{
    struct db_conn *c = api_reader();
    const struct principal *who = &rq->who;
    const char *store = http_query(rq, "store"), *region = http_query(rq, "region");
    if (store && *store) {
        struct location l;
        if (location_cached_by_code(c, store, &l))
            return err_set(O2O_ENOTFOUND, "unknown_location", "store", "no location with code %.64s", store);
        f->location_id = l.id;
    }
    if (region && *region) {
        struct region r;
        if (region_get_by_code(c, region, &r))
            return err_set(O2O_ENOTFOUND, "unknown_region", "region", "no region with code %.64s", region);
        f->region_id = r.id;
        if (who->role != ROLE_MEMBER && scope_check_region(c, who, r.id))
            return O2O_EFORBIDDEN;
    }
    if (who->role == ROLE_MEMBER) {
        f->member_id = who->id;
        return 0;
    }
    if (who->role == ROLE_CHANNEL && who->scope == SCOPE_CHAIN)
        str_copy(f->channel, sizeof f->channel, who->channel);
    if (f->location_id && scope_check_location(c, who, f->location_id))
        return O2O_EFORBIDDEN;
    if (who->scope == SCOPE_LOCATION && !f->location_id)
        f->location_id = who->scope_id;
    else if (who->scope == SCOPE_REGION && !f->location_id && !f->region_id)
        f->region_id = who->scope_id;
    return 0;
}

/* q: a phone number, a pickup code waiting in scope, or an order number. */
static int search(struct http_req *rq, struct order_filter *f)
{
    const char *q = http_query(rq, "q");
    char e164[20];
    int64_t id = 0;
    size_t n;
    if (!q || !*q)
        return 0;
    n = strlen(q);
    if (n >= 11 && !phone_normalize(q, "86", e164)) {
        str_copy(f->contact_phone, sizeof f->contact_phone, e164);
        return 0;
    }
    if (rq->who.role != ROLE_MEMBER && !order_by_pickup_code(api_reader(), f->location_id, f->region_id, q, &id)) {
        f->id = id;
        return 0;
    }
    if (parse_i64(q, 1, INT64_MAX, &id))
        id = -1; /* matches nothing */
    f->id = id;
    return 0;
}

int api_orders_list(struct http_req *rq)
{
    struct order_filter f;
    const char *status, *channel, *mode, *day;
    char tz[64];
    int64_t v;
    bool more = false;
    json_t *items;
    int rc;
    memset(&f, 0, sizeof f);
    /* the route's declaration has refused any other value of these */
    status = http_query(rq, "status");
    channel = http_query(rq, "channel");
    mode = http_query(rq, "fulfilment");
    str_copy(f.status, sizeof f.status, status ? status : "");
    str_copy(f.channel, sizeof f.channel, channel ? channel : "");
    str_copy(f.mode, sizeof f.mode, mode ? mode : "");
    if ((rc = api_query_int(rq, "member_id", 1, INT64_MAX, 0, &f.member_id)) ||
        (rc = api_query_int(rq, "cursor", 1, INT64_MAX, 0, &f.before)) ||
        (rc = api_query_int(rq, "limit", 1, ORDER_LIST_MAX, 50, &v)))
        return rc;
    f.limit = (int)v;
    if ((rc = scope_filter(rq, &f)) || (rc = search(rq, &f)))
        return rc;
    /* days are the store's local days (the one filtered on, else the caller's) */
    if (f.location_id) {
        struct location l;
        if (!location_cached(api_reader(), f.location_id, &l) && l.timezone[0])
            str_copy(tz, sizeof tz, l.timezone);
        else if ((rc = api_scope_tz(rq, tz)))
            return rc;
    } else if ((rc = api_scope_tz(rq, tz))) {
        return rc;
    }
    day = http_query(rq, "day");
    if (day && *day) {
        int64_t utc0;
        if (strlen(day) != 10 || tz_parse_bound("UTC", day, &utc0))
            return err_set(O2O_EINVAL, "wrong_type", "day", "day is a date (YYYY-MM-DD), a local day");
        f.from = tz_local_midnight(tz, utc0);
        f.to = tz_local_midnight(tz, utc0 + 86400000LL);
    } else if ((rc = api_query_time(rq, "from", tz, 0, &f.from)) || (rc = api_query_time(rq, "to", tz, 0, &f.to))) {
        return rc;
    }
    items = json_array();
    rc = order_list(api_reader(), &f, list_row, items, &more);
    if (rc) {
        json_decref(items);
        return rc;
    }
    {
        size_t n = json_array_size(items);
        json_int_t last = n ? json_integer_value(json_object_get(json_array_get(items, n - 1), "id")) : 0;
        return http_reply_json(rq, 200, json_pack("{s:o, s:o, s:s}", "items", items, "next_cursor",
                                                  more ? json_integer(last) : json_null(), "time_zone", tz));
    }
}
