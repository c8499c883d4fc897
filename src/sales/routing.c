/*
** routing.c -- order brokering (see routing.h for the rules).
** Owns tables routing_decisions, routing_candidates, routing_capacity,
** routing_load. Reads stock (inventory) and locations; reserves nothing: the
** order module reserves what the plan says, with conditional updates.
** No HTTP or JSON here. Tests: tests/e2e/test_orders.py (routing cases).
*/
#include "sales/routing.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/tz.h"
#include "core/util.h"
#include "org/location.h"
#include "org/settings.h"

#define PAIR_SCAN 200            /* candidates tried pairwise for a two-shipment split */

struct rules {
    int64_t from_stores, from_warehouses, max_km, default_cap;
    char shortfall[16];          /* transfer | ship */
};

struct cand_set {
    struct route_candidate *v;
    int n, cap;
    struct location *loc;        /* parallel to v */
};

static int load_rules(struct db_conn *c, struct rules *r)
{
    int rc = settings_i64(c, "routing_from_stores", 1, &r->from_stores);
    if (!rc)
        rc = settings_i64(c, "routing_from_warehouses", 1, &r->from_warehouses);
    if (!rc)
        rc = settings_i64(c, "routing_max_distance_km", 0, &r->max_km);
    if (!rc)
        rc = settings_i64(c, "routing_daily_capacity", 0, &r->default_cap);
    if (!rc)
        rc = settings_str(c, "routing_pickup_shortfall", "transfer", r->shortfall, sizeof r->shortfall);
    return rc;
}

static int find_or_add(struct db_conn *c, struct cand_set *s, int64_t loc_id, int *idx)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i].location_id == loc_id) {
            *idx = i;
            return 0;
        }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
        s->loc = xrealloc(s->loc, (size_t)s->cap * sizeof *s->loc);
    }
    memset(&s->v[s->n], 0, sizeof s->v[0]);
    s->v[s->n].location_id = loc_id;
    {
        int rc = location_cached(c, loc_id, &s->loc[s->n]);
        if (rc)
            return rc;
    }
    str_copy(s->v[s->n].code, sizeof s->v[0].code, s->loc[s->n].code);
    *idx = s->n++;
    return 0;
}

/* Every location that has some line whole, with the lines it has. */
static int gather(struct db_conn *c, const struct route_request *rq, struct cand_set *s)
{
    struct db_stmt *st = NULL;
    for (int i = 0; i < rq->nlines; i++) {
        int rc = db_query(c, &st, "SELECT location_id FROM stock WHERE sku_id = $1 AND on_hand - reserved >= $2", "ii",
                          rq->sku[i], rq->qty[i]);
        while (rc == DB_ROW) {
            int idx;
            int64_t loc = db_col_i64(st, 0);
            rc = find_or_add(c, s, loc, &idx);
            if (rc)
                break;
            s->v[idx].covers |= 1ULL << i;
            rc = db_step(st);
        }
        db_done(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int64_t used_today(struct db_conn *c, const struct location *l)
{
    char day[11];
    int64_t used = 0;
    tz_local_day(l->timezone, now_ms(), day);
    if (db_scalar_i64(c, &used, "SELECT used FROM routing_load WHERE location_id = $1 AND day = $2", "it", l->id, day))
        used = 0;
    return used;
}

static int capacity_of(struct db_conn *c, const struct rules *r, int64_t loc, int64_t *cap)
{
    int rc = db_scalar_i64(c, cap, "SELECT daily_capacity FROM routing_capacity WHERE location_id = $1", "i", loc);
    if (rc == O2O_ENOTFOUND) {
        *cap = r->default_cap;
        err_clear();
        return 0;
    }
    return rc;
}

/* Is location l allowed as a stock point? Sets the verdict when not. */
static int judge(struct db_conn *c, const struct rules *r, const struct route_request *rq, const struct location *l,
                 struct route_candidate *cd)
{
    int64_t cap = 0;
    int rc;
    for (int i = 0; i < rq->nexclude; i++)
        if (rq->exclude[i] == l->id) {
            str_copy(cd->verdict, sizeof cd->verdict, "rejected_before");
            return 0;
        }
    if (!strcmp(l->kind, "restaurant") || (!strcmp(l->kind, "store") && !r->from_stores) ||
        (!strcmp(l->kind, "warehouse") && !r->from_warehouses)) {
        str_copy(cd->verdict, sizeof cd->verdict, "kind_not_allowed");
        return 0;
    }
    if (strcmp(l->status, "open")) {
        str_copy(cd->verdict, sizeof cd->verdict, "closed");
        return 0;
    }
    if (r->max_km > 0 && cd->has_distance && cd->distance_m > (double)r->max_km * 1000.0) {
        str_copy(cd->verdict, sizeof cd->verdict, "too_far");
        return 0;
    }
    rc = capacity_of(c, r, l->id, &cap);
    if (rc)
        return rc;
    if (cap > 0 && used_today(c, l) >= cap) {
        str_copy(cd->verdict, sizeof cd->verdict, "over_capacity");
        return 0;
    }
    str_copy(cd->verdict, sizeof cd->verdict, "eligible");
    return 0;
}

static int by_distance(const void *a, const void *b)
{
    const struct route_candidate *x = a, *y = b;
    if (x->has_distance != y->has_distance)
        return x->has_distance ? -1 : 1;
    if (x->has_distance && x->distance_m != y->distance_m)
        return x->distance_m < y->distance_m ? -1 : 1;
    return x->location_id < y->location_id ? -1 : x->location_id > y->location_id;
}

static int popcount64(uint64_t x)
{
    return __builtin_popcountll(x);
}

static bool eligible(const struct route_candidate *cd)
{
    return !strcmp(cd->verdict, "eligible");
}

/* Cover the lines in `need` with the fewest eligible candidates, nearest first.
** Appends legs of `kind` to the plan; returns the lines left uncovered. */
static uint64_t cover(struct route_plan *p, uint64_t need, const char *kind)
{
    int first = -1, a = -1, b = -1;
    double best = 0;
    for (int i = 0; i < p->ncand && first < 0; i++)
        if (eligible(&p->cand[i]) && (p->cand[i].covers & need) == need)
            first = i;
    if (first >= 0) {
        struct route_leg *l = &p->legs[p->nlegs++];
        l->location_id = p->cand[first].location_id;
        str_copy(l->kind, sizeof l->kind, kind);
        l->lines = need;
        str_copy(p->cand[first].verdict, sizeof p->cand[0].verdict, "chosen");
        return 0;
    }
    /* two shipments: the pair with the least total distance */
    for (int i = 0, si = 0; i < p->ncand && si < PAIR_SCAN; i++) {
        if (!eligible(&p->cand[i]) || !(p->cand[i].covers & need))
            continue;
        si++;
        for (int j = i + 1, sj = si; j < p->ncand && sj < PAIR_SCAN; j++) {
            double d;
            if (!eligible(&p->cand[j]) || !(p->cand[j].covers & need))
                continue;
            sj++;
            if (((p->cand[i].covers | p->cand[j].covers) & need) != need)
                continue;
            d = p->cand[i].distance_m + p->cand[j].distance_m;
            if (a < 0 || d < best) {
                a = i;
                b = j;
                best = d;
            }
        }
    }
    if (a >= 0) {
        int pick[2] = {a, b};
        uint64_t left = need;
        for (int k = 0; k < 2; k++) {
            struct route_leg *l = &p->legs[p->nlegs++];
            l->location_id = p->cand[pick[k]].location_id;
            str_copy(l->kind, sizeof l->kind, kind);
            l->lines = p->cand[pick[k]].covers & left;
            left &= ~l->lines;
            str_copy(p->cand[pick[k]].verdict, sizeof p->cand[0].verdict, "chosen");
        }
        return 0;
    }
    /* greedy: the one that has most of what is left, nearest on ties */
    while (need && p->nlegs < ROUTE_MAX_LINES) {
        int bi = -1, bn = 0;
        for (int i = 0; i < p->ncand; i++) {
            int n = eligible(&p->cand[i]) ? popcount64(p->cand[i].covers & need) : 0;
            if (n > bn) {
                bn = n;
                bi = i;
            }
        }
        if (bi < 0)
            break;
        struct route_leg *l = &p->legs[p->nlegs++];
        l->location_id = p->cand[bi].location_id;
        str_copy(l->kind, sizeof l->kind, kind);
        l->lines = p->cand[bi].covers & need;
        need &= ~l->lines;
        str_copy(p->cand[bi].verdict, sizeof p->cand[0].verdict, "chosen");
    }
    return need;
}

static void finish_verdicts(struct route_plan *p, uint64_t all)
{
    for (int i = 0; i < p->ncand; i++) {
        struct route_candidate *cd = &p->cand[i];
        if (!eligible(cd))
            continue;
        if ((cd->covers & all) == all)
            str_copy(cd->verdict, sizeof cd->verdict, "farther");
        else if (cd->covers)
            str_copy(cd->verdict, sizeof cd->verdict, "partial");
        else
            str_copy(cd->verdict, sizeof cd->verdict, "no_stock");
    }
}

static void summarise(struct route_plan *p, int nlines)
{
    size_t o = 0;
    if (!strcmp(p->rule, "pickup_store_complete")) {
        snprintf(p->summary, sizeof p->summary, "pickup store %s has all %d line(s)", p->cand[0].code, nlines);
        return;
    }
    o = (size_t)snprintf(p->summary, sizeof p->summary, "%s:",
                         !strcmp(p->rule, "single_location_nearest")   ? "nearest location with every line"
                         : !strcmp(p->rule, "split_fewest_shipments")  ? "no single location has every line; fewest shipments"
                         : !strcmp(p->rule, "transfer_to_pickup_store") ? "pickup store short; transfer in"
                                                                        : "pickup store short; ship to the customer");
    for (int i = 0; i < p->nlegs && o < sizeof p->summary - 40; i++) {
        for (int k = 0; k < p->ncand; k++)
            if (p->cand[k].location_id == p->legs[i].location_id) {
                o += (size_t)snprintf(p->summary + o, sizeof p->summary - o, " %s %s (%d line(s)", p->legs[i].kind,
                                      p->cand[k].code, popcount64(p->legs[i].lines));
                if (p->cand[k].has_distance)
                    o += (size_t)snprintf(p->summary + o, sizeof p->summary - o, ", %.1f km",
                                          p->cand[k].distance_m / 1000.0);
                o += (size_t)snprintf(p->summary + o, sizeof p->summary - o, ")%s", i + 1 < p->nlegs ? ";" : "");
                break;
            }
    }
}

int routing_plan(struct db_conn *c, const struct route_request *rq, struct route_plan *out)
{
    struct rules r;
    struct cand_set s = {0};
    struct location pickup;
    uint64_t all = rq->nlines >= 64 ? ~0ULL : (1ULL << rq->nlines) - 1, left;
    bool o_geo = false;
    double olat = 0, olon = 0;
    int rc, pidx = -1;

    memset(out, 0, sizeof *out);
    if (rq->nlines < 1 || rq->nlines > ROUTE_MAX_LINES)
        return err_set(O2O_EINVAL, NULL, "lines", "an order has 1..%d lines", ROUTE_MAX_LINES);
    rc = load_rules(c, &r);
    if (!rc && rq->pickup) {
        rc = location_cached(c, rq->pickup_id, &pickup);
        if (!rc && (strcmp(pickup.kind, "store") || strcmp(pickup.status, "open")))
            rc = err_set(O2O_ECONFLICT, "pickup_store_unavailable", "pickup_store", "%s is not an open store",
                         pickup.code);
    }
    if (!rc)
        rc = gather(c, rq, &s);
    if (!rc && rq->pickup)
        rc = find_or_add(c, &s, rq->pickup_id, &pidx);
    if (rc)
        goto fail;

    /* the origin distances are measured from: the customer, else the pickup store */
    if (rq->has_geo && (!rq->pickup || (!strcmp(r.shortfall, "ship") && rq->has_address))) {
        o_geo = true;
        olat = rq->lat;
        olon = rq->lon;
    } else if (rq->pickup && pickup.has_geo) {
        o_geo = true;
        olat = pickup.lat;
        olon = pickup.lon;
    }
    for (int i = 0; i < s.n; i++) {
        s.v[i].has_distance = o_geo && s.loc[i].has_geo;
        if (s.v[i].has_distance)
            s.v[i].distance_m = geo_distance_m(olat, olon, s.loc[i].lat, s.loc[i].lon);
        rc = judge(c, &r, rq, &s.loc[i], &s.v[i]);
        if (rc)
            goto fail;
    }

    if (rq->pickup) {
        struct route_candidate pc = s.v[pidx];
        bool p_ok = !strcmp(pc.verdict, "eligible") || !strcmp(pc.verdict, "kind_not_allowed") ||
                    !strcmp(pc.verdict, "too_far") || !strcmp(pc.verdict, "rejected_before");
        if (!strcmp(pc.verdict, "over_capacity")) {
            rc = err_set(O2O_ECONFLICT, "over_capacity", "pickup_store", "%s has no capacity left today", pc.code);
            goto fail;
        }
        /* the pickup store serves what it has, unless it rejected this order before */
        uint64_t here = strcmp(pc.verdict, "rejected_before") && p_ok ? pc.covers & all : 0;
        /* the pickup store goes first in the list, out of the race for the shortfall */
        s.v[pidx] = s.v[0];
        s.v[0] = pc;
        out->cand = s.v;
        out->ncand = s.n;
        free(s.loc);
        s.loc = NULL;
        if (out->ncand > 2)
            qsort(out->cand + 1, (size_t)(out->ncand - 1), sizeof *out->cand, by_distance);
        out->legs[0].location_id = rq->pickup_id;
        str_copy(out->legs[0].kind, sizeof out->legs[0].kind, "pickup");
        out->legs[0].lines = here;
        out->nlegs = 1;
        str_copy(out->cand[0].verdict, sizeof out->cand[0].verdict, here ? "chosen" : "pickup_point");
        if (here == all) {
            str_copy(out->rule, sizeof out->rule, "pickup_store_complete");
        } else {
            /* shipped to her only if she gave an address to ship to; else brought to her store */
            bool ship = !strcmp(r.shortfall, "ship") && rq->has_address;
            /* the pickup store must not be chosen again as a source */
            char saved[24];
            str_copy(saved, sizeof saved, out->cand[0].verdict);
            str_copy(out->cand[0].verdict, sizeof out->cand[0].verdict, "pickup_point");
            str_copy(out->rule, sizeof out->rule, ship ? "ship_shortfall_to_customer" : "transfer_to_pickup_store");
            left = cover(out, all & ~here, ship ? "delivery" : "transfer");
            str_copy(out->cand[0].verdict, sizeof out->cand[0].verdict, saved);
            if (left)
                goto short_of_stock;
        }
    } else {
        out->cand = s.v;
        out->ncand = s.n;
        free(s.loc);
        s.loc = NULL;
        if (out->ncand > 1)
            qsort(out->cand, (size_t)out->ncand, sizeof *out->cand, by_distance);
        left = cover(out, all, "delivery");
        if (left)
            goto short_of_stock;
        str_copy(out->rule, sizeof out->rule, out->nlegs == 1 ? "single_location_nearest" : "split_fewest_shipments");
    }
    finish_verdicts(out, all);
    summarise(out, rq->nlines);
    return 0;

short_of_stock:
    for (int i = 0; i < rq->nlines; i++)
        if (left & (1ULL << i)) {
            char field[32];
            snprintf(field, sizeof field, "lines[%d]", i);
            return err_set(O2O_ESTOCK, "out_of_stock", field,
                           "no allowed location has %" PRId64 " of line %d available", rq->qty[i], i + 1);
        }
    return err_set(O2O_ESTOCK, "out_of_stock", "lines", "not enough stock");
fail:
    free(s.v);
    free(s.loc);
    out->cand = NULL;
    return rc;
}

void routing_plan_free(struct route_plan *p)
{
    free(p->cand);
    p->cand = NULL;
    p->ncand = 0;
}

static bool leg_location(const struct route_plan *p, int64_t loc)
{
    for (int i = 0; i < p->nlegs; i++)
        if (p->legs[i].location_id == loc)
            return true;
    return false;
}

static int take_capacity(struct db_conn *c, int64_t loc_id)
{
    struct location l;
    struct rules r;
    int64_t cap = 0, n;
    char day[11];
    int rc = location_cached(c, loc_id, &l);
    if (!rc)
        rc = load_rules(c, &r);
    if (!rc)
        rc = capacity_of(c, &r, loc_id, &cap);
    if (rc)
        return rc;
    tz_local_day(l.timezone, now_ms(), day);
    if (cap <= 0)
        n = db_exec(c,
                    "INSERT INTO routing_load (location_id, day, used) VALUES ($1, $2, 1) "
                    "ON CONFLICT (location_id, day) DO UPDATE SET used = routing_load.used + 1",
                    "it", loc_id, day);
    else
        n = db_exec(c,
                    "INSERT INTO routing_load (location_id, day, used) VALUES ($1, $2, 1) "
                    "ON CONFLICT (location_id, day) DO UPDATE SET used = routing_load.used + 1 "
                    "WHERE routing_load.used < $3",
                    "iti", loc_id, day, cap);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ECONFLICT, "over_capacity", NULL, "%s has no capacity left today", l.code);
    return 0;
}

int routing_record(struct db_conn *c, int64_t order_id, const struct route_plan *p)
{
    int64_t did = 0;
    int shown = 0, rc;
    rc = db_scalar_i64(c, &did,
                       "INSERT INTO routing_decisions (order_id, rule, summary, created_at) VALUES ($1, $2, $3, $4) "
                       "RETURNING id",
                       "itti", order_id, p->rule, p->summary, now_ms());
    /* every chosen location, then the nearest others */
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (int i = 0; i < p->ncand && shown < ROUTE_SHOWN && !rc; i++) {
            const struct route_candidate *cd = &p->cand[i];
            bool chosen = leg_location(p, cd->location_id);
            int64_t n;
            if (chosen != (pass == 0))
                continue;
            if (cd->has_distance)
                n = db_exec(c,
                            "INSERT INTO routing_candidates (decision_id, location_id, distance_m, lines_covered, verdict) "
                            "VALUES ($1, $2, $3, $4, $5)",
                            "iidit", did, cd->location_id, cd->distance_m, (int64_t)popcount64(cd->covers), cd->verdict);
            else
                n = db_exec(c,
                            "INSERT INTO routing_candidates (decision_id, location_id, distance_m, lines_covered, verdict) "
                            "VALUES ($1, $2, NULL, $3, $4)",
                            "iiit", did, cd->location_id, (int64_t)popcount64(cd->covers), cd->verdict);
            if (n < 0)
                rc = (int)n;
            shown++;
        }
    for (int i = 0; i < p->nlegs && !rc; i++)
        rc = take_capacity(c, p->legs[i].location_id);
    return rc;
}

int routing_capacity_set(struct db_conn *c, int64_t location_id, int64_t cap)
{
    int64_t n;
    if (cap < 0 || cap > 1000000)
        return err_set(O2O_EINVAL, "out_of_range", "daily_capacity", "daily_capacity must be 0..1000000");
    n = db_exec(c,
                "INSERT INTO routing_capacity (location_id, daily_capacity) VALUES ($1, $2) "
                "ON CONFLICT (location_id) DO UPDATE SET daily_capacity = excluded.daily_capacity",
                "ii", location_id, cap);
    return n < 0 ? (int)n : 0;
}

int routing_capacity_get(struct db_conn *c, int64_t location_id, int64_t *cap, bool *has, int64_t *used)
{
    struct location l;
    struct rules r;
    int rc = location_cached(c, location_id, &l);
    if (!rc)
        rc = load_rules(c, &r);
    if (rc)
        return rc;
    rc = db_scalar_i64(c, cap, "SELECT daily_capacity FROM routing_capacity WHERE location_id = $1", "i", location_id);
    *has = rc == 0;
    if (rc == O2O_ENOTFOUND) {
        *cap = r.default_cap;
        err_clear();
        rc = 0;
    }
    *used = used_today(c, &l);
    return rc;
}

int routing_decisions(struct db_conn *c, int64_t order_id, int (*cb)(const struct route_decision *d, void *arg),
                      void *arg)
{
    struct db_stmt *s = NULL, *t = NULL;
    struct route_decision *d = xcalloc(1, sizeof *d);
    int rc = db_query(c, &s, "SELECT id, rule, summary, created_at FROM routing_decisions WHERE order_id = $1 ORDER BY id",
                      "i", order_id);
    while (rc == DB_ROW) {
        memset(d, 0, sizeof *d);
        d->id = db_col_i64(s, 0);
        str_copy(d->rule, sizeof d->rule, db_col_text(s, 1));
        str_copy(d->summary, sizeof d->summary, db_col_text(s, 2));
        d->created_at = db_col_i64(s, 3);
        /* a second statement while the first is open: fine on both backends' readers */
        rc = db_query(c, &t,
                      "SELECT r.location_id, l.code, r.distance_m, r.lines_covered, r.verdict FROM routing_candidates r "
                      "JOIN locations l ON l.id = r.location_id WHERE r.decision_id = $1 "
                      "ORDER BY CASE WHEN r.verdict = 'chosen' THEN 0 ELSE 1 END, r.distance_m, r.location_id",
                      "i", d->id);
        while (rc == DB_ROW && d->ncand < ROUTE_SHOWN) {
            struct route_candidate *cd = &d->cand[d->ncand++];
            cd->location_id = db_col_i64(t, 0);
            str_copy(cd->code, sizeof cd->code, db_col_text(t, 1));
            cd->has_distance = !db_col_null(t, 2);
            cd->distance_m = db_col_f64(t, 2);
            cd->lines_covered = (int)db_col_i64(t, 3);
            str_copy(cd->verdict, sizeof cd->verdict, db_col_text(t, 4));
            rc = db_step(t);
        }
        db_done(t);
        if (rc < 0)
            break;
        rc = cb(d, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    free(d);
    return rc < 0 ? rc : 0;
}
