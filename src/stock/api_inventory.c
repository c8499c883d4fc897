/*
** api_inventory.c -- /v1/stock, /v1/stock/movements, /v1/stock/transfers and
** /v1/reservations. Location-bound staff and keys act only on their location.
*/
#include "api/api.h"
#include "stock/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/util.h"
#include "org/audit.h"
#include "org/location.h"
#include "stock/inventory.h"

/* Resolve a SKU code and a location code from the body or query, with fields for errors. */
static int resolve(struct db_conn *c, const char *sku_code, const char *loc_code, const char *loc_field,
                   int64_t *sku_id, int64_t *loc_id)
{
    struct sku k;
    struct location l;
    if (sku_get_by_code(c, sku_code, 0, &k))
        return err_set(O2O_ENOTFOUND, "unknown_sku", "sku", "no SKU with code %s", sku_code);
    if (location_get_by_code(c, loc_code, &l))
        return err_set(O2O_ENOTFOUND, "unknown_location", loc_field, "no location with code %s", loc_code);
    *sku_id = k.id;
    *loc_id = l.id;
    return 0;
}

static json_t *render_stock(const char *sku, const char *loc, const struct stock *s)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:I}", "sku", sku, "location", loc, "on_hand", (json_int_t)s->on_hand,
                     "reserved", (json_int_t)s->reserved, "available", (json_int_t)s->available);
}

int api_stock_get(struct http_req *rq)
{
    const char *sku = http_query(rq, "sku"), *loc = http_query(rq, "location");
    struct db_conn *c = api_reader();
    struct stock s;
    int64_t sku_id, loc_id;
    int rc;
    if (!sku || !*sku)
        return err_set(O2O_EINVAL, "missing_field", "sku", "sku is required");
    if (!loc || !*loc)
        return err_set(O2O_EINVAL, "missing_field", "location", "location is required");
    rc = resolve(c, sku, loc, "location", &sku_id, &loc_id);
    if (!rc)
        rc = scope_check_location(c, &rq->who, loc_id);
    if (!rc)
        rc = inventory_stock(c, sku_id, loc_id, &s);
    return rc ? rc : http_reply_json(rq, 200, render_stock(sku, loc, &s));
}

struct move_arg {
    struct stock_move m;
    char sku[65];
    char loc[65];
};

static int move_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct move_arg *a = arg;
    struct stock after;
    int rc = resolve(c, a->sku, a->loc, "location", &a->m.sku_id, &a->m.location_id);
    if (!rc)
        rc = scope_check_location(c, who, a->m.location_id);
    if (!rc) {
        principal_tag(who, a->m.actor);
        rc = inventory_move(c, &a->m, &after);
    }
    if (!rc && !strcmp(a->m.kind, "adjust")) { /* a correction of the count: on the audit trail */
        char subject[140], detail[180];
        snprintf(subject, sizeof subject, "stock:%.64s@%.64s", a->sku, a->loc);
        snprintf(detail, sizeof detail, "%+lld: %.150s", (long long)a->m.qty, a->m.reason);
        rc = audit_add(c, who, "stock.adjust", subject, detail);
    }
    if (!rc)
        *out = render_stock(a->sku, a->loc, &after);
    return rc;
}

int api_stock_move(struct http_req *rq)
{
    struct move_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_str(rq->json, "sku", true, a->sku, sizeof a->sku);
    if (!rc)
        rc = jin_str(rq->json, "location", true, a->loc, sizeof a->loc);
    if (!rc)
        rc = jin_str(rq->json, "kind", true, a->m.kind, sizeof a->m.kind);
    if (!rc)
        rc = jin_i64(rq->json, "qty", true, -1000000000, 1000000000, &a->m.qty, NULL);
    if (!rc)
        rc = jin_str(rq->json, "reason", false, a->m.reason, sizeof a->m.reason);
    if (!rc)
        rc = jin_str(rq->json, "ref", false, a->m.ref, sizeof a->m.ref);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, move_body, a, 201);
}

static int movement_cb(const struct movement *m, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)m->id, "kind",
                                         m->kind, "qty", (json_int_t)m->qty, "reason", m->reason, "ref", m->ref,
                                         "actor", m->actor, "created_at", jtime(m->created_at)));
    return 0;
}

int api_stock_movements(struct http_req *rq)
{
    const char *sku = http_query(rq, "sku"), *loc = http_query(rq, "location");
    struct db_conn *c = api_reader();
    int64_t sku_id, loc_id, limit;
    json_t *items;
    int rc;
    if (!sku || !*sku)
        return err_set(O2O_EINVAL, "missing_field", "sku", "sku is required");
    if (!loc || !*loc)
        return err_set(O2O_EINVAL, "missing_field", "location", "location is required");
    rc = api_query_int(rq, "limit", 1, 1000, 100, &limit);
    if (!rc)
        rc = resolve(c, sku, loc, "location", &sku_id, &loc_id);
    if (!rc)
        rc = scope_check_location(c, &rq->who, loc_id);
    if (rc)
        return rc;
    items = json_array();
    rc = inventory_movements(c, sku_id, loc_id, (int)limit, movement_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:s, s:s, s:o}", "sku", sku, "location", loc, "items", items));
}

struct transfer_arg {
    char sku[65], from[65], to[65], ref[65];
    int64_t qty;
};

static int transfer_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct transfer_arg *a = arg;
    struct stock sf, st;
    struct location to;
    int64_t sku_id, from_id;
    char actor[48];
    int rc = resolve(c, a->sku, a->from, "from", &sku_id, &from_id);
    if (!rc && location_get_by_code(c, a->to, &to))
        rc = err_set(O2O_ENOTFOUND, "unknown_location", "to", "no location with code %s", a->to);
    if (!rc)
        rc = scope_check_location(c, who, from_id);
    if (rc)
        return rc;
    principal_tag(who, actor);
    rc = inventory_transfer(c, sku_id, from_id, to.id, a->qty, a->ref, actor);
    if (!rc)
        rc = inventory_stock(c, sku_id, from_id, &sf);
    if (!rc)
        rc = inventory_stock(c, sku_id, to.id, &st);
    if (!rc)
        *out = json_pack("{s:s, s:I, s:o, s:o}", "sku", a->sku, "qty", (json_int_t)a->qty, "from",
                         render_stock(a->sku, a->from, &sf), "to", render_stock(a->sku, a->to, &st));
    return rc;
}

int api_stock_transfer(struct http_req *rq)
{
    struct transfer_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_str(rq->json, "sku", true, a->sku, sizeof a->sku);
    if (!rc)
        rc = jin_str(rq->json, "from", true, a->from, sizeof a->from);
    if (!rc)
        rc = jin_str(rq->json, "to", true, a->to, sizeof a->to);
    if (!rc)
        rc = jin_i64(rq->json, "qty", true, 1, 1000000000, &a->qty, NULL);
    if (!rc)
        rc = jin_str(rq->json, "ref", false, a->ref, sizeof a->ref);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, transfer_body, a, 201);
}

static json_t *render_res(const struct reservation *r)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)r->id, "sku", r->sku_code,
                     "location", r->location_code, "qty", (json_int_t)r->qty, "status", r->status, "ref", r->ref,
                     "expires_at", jtime(r->expires_at), "created_at", jtime(r->created_at));
}

struct reserve_arg {
    char sku[65], loc[65], ref[65];
    int64_t qty, ttl;
};

static int reserve_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct reserve_arg *a = arg;
    struct reservation r;
    struct sku k;
    int64_t sku_id, loc_id;
    int rc = resolve(c, a->sku, a->loc, "location", &sku_id, &loc_id);
    /* channels cannot hold stock of a product before its launch */
    if (!rc && !(who->role & ROLE_STAFF) && sku_get_by_code(c, a->sku, now_ms(), &k))
        rc = err_set(O2O_ENOTFOUND, "unknown_sku", "sku", "no SKU with code %s", a->sku);
    if (!rc)
        rc = scope_check_location(c, who, loc_id);
    if (!rc)
        rc = inventory_reserve(c, sku_id, loc_id, a->qty, a->ttl * 1000, a->ref, &r);
    if (!rc)
        *out = render_res(&r);
    return rc;
}

int api_reservations_create(struct http_req *rq)
{
    struct reserve_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_str(rq->json, "sku", true, a->sku, sizeof a->sku);
    a->ttl = 900;
    if (!rc)
        rc = jin_str(rq->json, "location", true, a->loc, sizeof a->loc);
    if (!rc)
        rc = jin_i64(rq->json, "qty", true, 1, 1000000, &a->qty, NULL);
    if (!rc)
        rc = jin_i64(rq->json, "ttl_seconds", false, 1, 30 * 24 * 3600, &a->ttl, NULL);
    if (!rc)
        rc = jin_str(rq->json, "ref", false, a->ref, sizeof a->ref);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, reserve_body, a, 201);
}

int api_reservations_get(struct http_req *rq)
{
    struct reservation r;
    int64_t id;
    int rc = api_param_id(rq, 0, "reservation", &id);
    if (!rc)
        rc = inventory_reservation(api_reader(), id, &r);
    if (!rc)
        rc = scope_check_location(api_reader(), &rq->who, r.location_id);
    return rc ? rc : http_reply_json(rq, 200, render_res(&r));
}

struct finish_arg {
    int64_t id;
    bool consume;
};

static int finish_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct finish_arg *a = arg;
    struct reservation r;
    char actor[48];
    int rc = inventory_reservation(c, a->id, &r);
    if (!rc)
        rc = scope_check_location(c, who, r.location_id);
    if (rc)
        return rc;
    principal_tag(who, actor);
    rc = a->consume ? inventory_consume(c, a->id, actor, &r) : inventory_release(c, a->id, &r);
    if (!rc)
        *out = render_res(&r);
    return rc;
}

static int finish(struct http_req *rq, bool consume)
{
    struct finish_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "reservation", &a->id);
    if (rc) {
        free(a);
        return rc;
    }
    a->consume = consume;
    return api_write(rq, finish_body, a, 200);
}

int api_reservations_release(struct http_req *rq)
{
    return finish(rq, false);
}
int api_reservations_consume(struct http_req *rq)
{
    return finish(rq, true);
}

/* ---- on demand: the reservations job ---- */

static int expire_res_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    int64_t n = 0;
    int rc = inventory_expire_reservations(c, now_ms(), &n);
    (void)arg;
    (void)who;
    if (!rc)
        *out = json_pack("{s:I}", "expired_reservations", (json_int_t)n);
    return rc;
}

int api_reservations_expire(struct http_req *rq)
{
    return api_write(rq, expire_res_body, NULL, 200);
}
