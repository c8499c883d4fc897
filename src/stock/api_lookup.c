/*
** api_lookup.c -- stock seen from a product: GET /v1/skus/lookup (a barcode scanned in a
** store: the SKU, its stock here and in the nearest stores) and
** GET /v1/skus/{code}/availability (where it is available, nearest first).
*/
#include "api/api.h"
#include "catalog/handlers.h"
#include "stock/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/util.h"
#include "org/location.h"
#include "stock/inventory.h"

struct near {
    json_t *items;
    int64_t self_id;    /* location to leave out (the store itself), -1 for none */
    size_t max;         /* at most this many items */
};

static json_t *render_stock_at(const struct stock *s)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "location", s->location_code, "name", s->location_name,
                          "kind", s->location_kind, "on_hand", (json_int_t)s->on_hand, "reserved",
                          (json_int_t)s->reserved, "available", (json_int_t)s->available);
    if (s->has_distance)
        json_object_set_new(o, "distance_m", json_integer((json_int_t)(s->distance_m + 0.5)));
    return o;
}

static int near_cb(const struct stock *s, void *arg)
{
    struct near *n = arg;
    if (s->location_id != n->self_id && json_array_size(n->items) < n->max)
        json_array_append_new(n->items, render_stock_at(s));
    return 0;
}

int api_skus_lookup(struct http_req *rq)
{
    const char *barcode = http_query(rq, "barcode"), *store = http_query(rq, "store");
    struct db_conn *c = api_reader();
    struct sku k;
    struct location loc;
    struct stock here;
    struct near n = {NULL, 0, 5};
    json_t *o;
    int rc;
    if (!barcode || !*barcode)
        return err_set(O2O_EINVAL, "missing_field", "barcode", "barcode is required");
    if (!store || !*store)
        return err_set(O2O_EINVAL, "missing_field", "store", "store is required");
    rc = location_cached_by_code(c, store, &loc);
    if (rc)
        return err_set(O2O_ENOTFOUND, "unknown_location", "store", "no location with code %s", store);
    rc = sku_get_by_barcode(c, barcode, api_visible_at(rq), &k);
    if (!rc)
        rc = inventory_stock(c, k.id, loc.id, &here);
    if (rc)
        return rc;
    n.items = json_array();
    n.self_id = loc.id;
    rc = inventory_availability(c, k.id, loc.has_geo, loc.lat, loc.lon, false, 6, near_cb, &n);
    if (rc) {
        json_decref(n.items);
        return rc;
    }
    o = api_render_sku(&k);
    json_object_set_new(o, "store", json_string(loc.code));
    json_object_set_new(o, "stock", json_pack("{s:I, s:I, s:I}", "on_hand", (json_int_t)here.on_hand, "reserved",
                                              (json_int_t)here.reserved, "available", (json_int_t)here.available));
    json_object_set_new(o, "nearby", n.items);
    return http_reply_json(rq, 200, o);
}

int api_skus_availability(struct http_req *rq)
{
    const char *near = http_query(rq, "near");
    struct db_conn *c = api_reader();
    struct sku k;
    struct location loc;
    struct near n = {NULL, -1, 0};
    bool has_origin = false;
    double lat = 0, lon = 0;
    int64_t limit;
    int rc = api_query_int(rq, "limit", 1, 1000, 20, &limit);
    if (rc)
        return rc;
    rc = sku_get_by_code(c, rq->params[0], api_visible_at(rq), &k);
    if (rc)
        return rc;
    if (near && *near) {
        if (location_get_by_code(c, near, &loc))
            return err_set(O2O_ENOTFOUND, "unknown_location", "near", "no location with code %s", near);
        has_origin = loc.has_geo;
        lat = loc.lat;
        lon = loc.lon;
    } else if (http_query(rq, "lat") || http_query(rq, "lon")) {
        char *end = NULL;
        const char *a = http_query(rq, "lat"), *b = http_query(rq, "lon");
        if (!a || !b)
            return err_set(O2O_EINVAL, "missing_field", a ? "lon" : "lat", "give both lat and lon");
        lat = strtod(a, &end);
        if (*end || lat < -90 || lat > 90)
            return err_set(O2O_EINVAL, "out_of_range", "lat", "lat must be within -90..90");
        lon = strtod(b, &end);
        if (*end || lon < -180 || lon > 180)
            return err_set(O2O_EINVAL, "out_of_range", "lon", "lon must be within -180..180");
        has_origin = true;
    }
    n.items = json_array();
    n.max = (size_t)limit;
    rc = inventory_availability(c, k.id, has_origin, lat, lon, false, (int)limit, near_cb, &n);
    if (rc) {
        json_decref(n.items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:s, s:o}", "sku", k.code, "items", n.items));
}
