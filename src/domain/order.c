/*
** order.c -- orders from every channel: placement (price, coupon, routing,
** reservation), payment by local tenders, fulfilment state machines, cancellation,
** returns anywhere, refunds to the original tenders, and the expiry jobs.
** Owns tables orders, order_lines, fulfilments, payments, refunds, returns,
** order_events. Stock moves only through inventory.c (conditional
** updates), points only through points.c. No HTTP or JSON here.
** Tests: tests/e2e/test_orders.py, tests/unit/test_orders.c
*/
#include "domain/order.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/tz.h"
#include "core/money.h"
#include "core/util.h"
#include "domain/channel.h"
#include "domain/catalog.h"
#include "domain/coupon.h"
#include "domain/inventory.h"
#include "domain/location.h"
#include "domain/order_feed.h"
#include "domain/member.h"
#include "domain/outbox.h"
#include "domain/points.h"
#include "domain/routing.h"
#include "domain/settings.h"

#define DAY_MS 86400000LL
#define MAX_PAYMENTS 32
#define MAX_FULS 64

static const char *tenders[] = {"cash", "bank_card", "wechat_pay", "alipay", "scan", "points"};

static bool one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, set[i]))
            return true;
    return false;
}


/* ---- the timeline ---- */

static int event(struct db_conn *c, int64_t oid, const char *kind, int64_t fid, const char *actor, const char *fmt,
                 ...) __attribute__((format(printf, 6, 7)));

static int event(struct db_conn *c, int64_t oid, const char *kind, int64_t fid, const char *actor, const char *fmt,
                 ...)
{
    char detail[400];
    int64_t n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    /* the next number; two writers racing for it (PostgreSQL) collide on the key and retry.
    ** (INSERT ... SELECT from the same table would make SQLite copy the rows first.)
    ** Within one transaction body the last number given is remembered. */
    {
        static _Thread_local struct {
            const struct db_conn *c;
            uint64_t body;
            int64_t oid, seq;
        } last;
        int64_t seq = 0;
        int rc = 0;
        if (last.c == c && last.body == db_body_serial(c) && last.oid == oid)
            seq = last.seq;
        else
            rc = db_scalar_i64(c, &seq, "SELECT COALESCE(MAX(seq), 0) FROM order_events WHERE order_id = $1", "i", oid);
        if (rc)
            return rc;
        last.c = c;
        last.body = db_body_serial(c);
        last.oid = oid;
        last.seq = seq + 1;
        n = db_exec(c,
                    "INSERT INTO order_events (order_id, seq, kind, fulfilment_id, detail, actor, created_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    "iitItti", oid, seq + 1, kind, fid, detail, actor ? actor : "", now_ms());
    }
    if (n == O2O_EEXISTS)
        return err_set(O2O_ERETRY, NULL, NULL, "order %" PRId64 " changed meanwhile", oid);
    return n < 0 ? (int)n : 0;
}

/* ---- reads ---- */

#define ORDER_COLS                                                                                                \
    "o.id, o.channel, o.member_id, o.location_id, COALESCE(l.code, ''), o.mode, o.pickup_location_id, "          \
    "COALESCE(p.code, ''), o.status, o.subtotal, o.discount, o.total, o.paid, o.refunded, o.points_earned, "    \
    "COALESCE(o.coupon_code, ''), o.address, o.lat, o.lon, o.contact_phone, o.note, o.pay_by, "                  \
    "(SELECT COALESCE(MAX(seq), 0) FROM order_events e WHERE e.order_id = o.id), o.created_at, "                 \
    "(SELECT COALESCE(MAX(created_at), 0) FROM order_events e WHERE e.order_id = o.id) "                         \
    "FROM orders o LEFT JOIN locations l ON l.id = o.location_id "                                               \
    "LEFT JOIN locations p ON p.id = o.pickup_location_id"

int order_get(struct db_conn *c, int64_t id, struct order *o)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " ORDER_COLS " WHERE o.id = $1", "i", id);
    if (rc == DB_ROW) {
        memset(o, 0, sizeof *o);
        o->id = db_col_i64(s, 0);
        str_copy(o->channel, sizeof o->channel, db_col_text(s, 1));
        o->member_id = db_col_i64(s, 2);
        o->location_id = db_col_i64(s, 3);
        str_copy(o->location_code, sizeof o->location_code, db_col_text(s, 4));
        str_copy(o->mode, sizeof o->mode, db_col_text(s, 5));
        o->pickup_id = db_col_i64(s, 6);
        str_copy(o->pickup_code, sizeof o->pickup_code, db_col_text(s, 7));
        str_copy(o->status, sizeof o->status, db_col_text(s, 8));
        o->subtotal = db_col_i64(s, 9);
        o->discount = db_col_i64(s, 10);
        o->total = db_col_i64(s, 11);
        o->paid = db_col_i64(s, 12);
        o->refunded = db_col_i64(s, 13);
        o->points_earned = db_col_i64(s, 14);
        str_copy(o->coupon, sizeof o->coupon, db_col_text(s, 15));
        str_copy(o->address, sizeof o->address, db_col_text(s, 16));
        o->has_geo = !db_col_null(s, 17);
        o->lat = db_col_f64(s, 17);
        o->lon = db_col_f64(s, 18);
        str_copy(o->contact_phone, sizeof o->contact_phone, db_col_text(s, 19));
        str_copy(o->note, sizeof o->note, db_col_text(s, 20));
        o->pay_by = db_col_i64(s, 21);
        o->seq = db_col_i64(s, 22);
        o->created_at = db_col_i64(s, 23);
        o->updated_at = db_col_i64(s, 24);
    }
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_order", NULL, "no order %" PRId64, id);
    return rc < 0 ? rc : 0;
}

int order_seq(struct db_conn *c, int64_t id, int64_t *seq)
{
    int rc = db_scalar_i64(c, seq,
                           "SELECT (SELECT COALESCE(MAX(seq), 0) FROM order_events WHERE order_id = o.id) FROM orders o "
                           "WHERE o.id = $1",
                           "i", id);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ENOTFOUND, "unknown_order", NULL, "no order %" PRId64, id);
    return rc;
}

static void read_line(struct db_stmt *s, struct order_line *l)
{
    memset(l, 0, sizeof *l);
    l->id = db_col_i64(s, 0);
    l->line_no = db_col_i64(s, 1);
    l->sku_id = db_col_i64(s, 2);
    str_copy(l->sku_code, sizeof l->sku_code, db_col_text(s, 3));
    str_copy(l->name, sizeof l->name, db_col_text(s, 4));
    l->qty = db_col_i64(s, 5);
    l->unit_price = db_col_i64(s, 6);
    l->discount = db_col_i64(s, 7);
    l->amount = db_col_i64(s, 8);
    l->fulfilment_id = db_col_i64(s, 9);
    l->reservation_id = db_col_i64(s, 10);
    l->returned_qty = db_col_i64(s, 11);
}

int order_lines(struct db_conn *c, int64_t id, int (*cb)(const struct order_line *l, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct order_line l;
    int rc = db_query(c, &s,
                      "SELECT ol.id, ol.line_no, ol.sku_id, k.code, p.name, ol.qty, ol.unit_price, ol.discount, "
                      "ol.amount, ol.fulfilment_id, ol.reservation_id, ol.returned_qty FROM order_lines ol "
                      "JOIN skus k ON k.id = ol.sku_id JOIN products p ON p.id = k.product_id "
                      "WHERE ol.order_id = $1 ORDER BY ol.line_no",
                      "i", id);
    while (rc == DB_ROW) {
        read_line(s, &l);
        rc = cb(&l, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

#define FUL_COLS                                                                                                 \
    "f.id, f.order_id, f.kind, f.location_id, l.code, f.to_location_id, COALESCE(t.code, ''), f.status, "       \
    "f.pickup_expires_at, f.carrier, f.tracking_no, f.reason, f.created_at, f.updated_at FROM fulfilments f "   \
    "JOIN locations l ON l.id = f.location_id LEFT JOIN locations t ON t.id = f.to_location_id"

static void read_ful(struct db_stmt *s, struct fulfilment *f)
{
    memset(f, 0, sizeof *f);
    f->id = db_col_i64(s, 0);
    f->order_id = db_col_i64(s, 1);
    str_copy(f->kind, sizeof f->kind, db_col_text(s, 2));
    f->location_id = db_col_i64(s, 3);
    str_copy(f->location_code, sizeof f->location_code, db_col_text(s, 4));
    f->to_location_id = db_col_i64(s, 5);
    str_copy(f->to_location_code, sizeof f->to_location_code, db_col_text(s, 6));
    str_copy(f->status, sizeof f->status, db_col_text(s, 7));
    f->pickup_expires_at = db_col_i64(s, 8);
    str_copy(f->carrier, sizeof f->carrier, db_col_text(s, 9));
    str_copy(f->tracking_no, sizeof f->tracking_no, db_col_text(s, 10));
    str_copy(f->reason, sizeof f->reason, db_col_text(s, 11));
    f->created_at = db_col_i64(s, 12);
    f->updated_at = db_col_i64(s, 13);
}

int fulfilment_get(struct db_conn *c, int64_t fid, struct fulfilment *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " FUL_COLS " WHERE f.id = $1", "i", fid);
    if (rc == DB_ROW)
        read_ful(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_fulfilment", NULL, "no fulfilment %" PRId64, fid);
    return rc < 0 ? rc : 0;
}

int order_fulfilments(struct db_conn *c, int64_t id, int (*cb)(const struct fulfilment *f, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct fulfilment f;
    int rc = db_query(c, &s, "SELECT " FUL_COLS " WHERE f.order_id = $1 ORDER BY f.id", "i", id);
    while (rc == DB_ROW) {
        read_ful(s, &f);
        rc = cb(&f, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

static void read_payment(struct db_stmt *s, struct payment *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_col_i64(s, 0);
    p->order_id = db_col_i64(s, 1);
    str_copy(p->tender, sizeof p->tender, db_col_text(s, 2));
    p->amount = db_col_i64(s, 3);
    p->refunded = db_col_i64(s, 4);
    p->points = db_col_i64(s, 5);
    str_copy(p->status, sizeof p->status, db_col_text(s, 6));
    str_copy(p->reference, sizeof p->reference, db_col_text(s, 7));
    str_copy(p->out_trade_no, sizeof p->out_trade_no, db_col_text(s, 8));
    str_copy(p->payer, sizeof p->payer, db_col_text(s, 9));
    p->location_id = db_col_i64(s, 10);
    p->created_at = db_col_i64(s, 11);
    str_copy(p->gateway, sizeof p->gateway, db_col_text(s, 12));
    str_copy(p->pay_url, sizeof p->pay_url, db_col_text(s, 13));
    p->expires_at = db_col_i64(s, 14);
    p->closed_at = db_col_i64(s, 15);
}

#define PAY_COLS                                                                                             \
    "id, order_id, tender, amount, refunded, points, status, reference, COALESCE(out_trade_no, ''), payer, " \
    "location_id, created_at, COALESCE(gateway, ''), COALESCE(pay_url, ''), expires_at, closed_at FROM payments"

int order_payments(struct db_conn *c, int64_t id, int (*cb)(const struct payment *p, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct payment p;
    int rc = db_query(c, &s, "SELECT " PAY_COLS " WHERE order_id = $1 ORDER BY id", "i", id);
    while (rc == DB_ROW) {
        read_payment(s, &p);
        rc = cb(&p, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_refunds(struct db_conn *c, int64_t id, int (*cb)(const struct refund *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct refund r;
    int rc = db_query(c, &s,
                      "SELECT r.id, r.payment_id, p.tender, r.amount, r.points, r.status, r.out_refund_no, r.reference, "
                      "r.reason, r.created_at FROM refunds r JOIN payments p ON p.id = r.payment_id "
                      "WHERE r.order_id = $1 ORDER BY r.id",
                      "i", id);
    while (rc == DB_ROW) {
        memset(&r, 0, sizeof r);
        r.id = db_col_i64(s, 0);
        r.payment_id = db_col_i64(s, 1);
        str_copy(r.tender, sizeof r.tender, db_col_text(s, 2));
        r.amount = db_col_i64(s, 3);
        r.points = db_col_i64(s, 4);
        str_copy(r.status, sizeof r.status, db_col_text(s, 5));
        str_copy(r.out_refund_no, sizeof r.out_refund_no, db_col_text(s, 6));
        str_copy(r.reference, sizeof r.reference, db_col_text(s, 7));
        str_copy(r.reason, sizeof r.reason, db_col_text(s, 8));
        r.created_at = db_col_i64(s, 9);
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_events(struct db_conn *c, int64_t id, int64_t after, int (*cb)(const struct order_event *e, void *arg),
                 void *arg)
{
    struct db_stmt *s = NULL;
    struct order_event e;
    int rc = db_query(c, &s,
                      "SELECT seq, kind, fulfilment_id, detail, actor, created_at FROM order_events "
                      "WHERE order_id = $1 AND seq > $2 ORDER BY seq",
                      "ii", id, after);
    while (rc == DB_ROW) {
        memset(&e, 0, sizeof e);
        e.seq = db_col_i64(s, 0);
        str_copy(e.kind, sizeof e.kind, db_col_text(s, 1));
        e.fulfilment_id = db_col_i64(s, 2);
        str_copy(e.detail, sizeof e.detail, db_col_text(s, 3));
        str_copy(e.actor, sizeof e.actor, db_col_text(s, 4));
        e.created_at = db_col_i64(s, 5);
        rc = cb(&e, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* ---- collections loaded into arrays for the write paths ---- */

/* A fixed-size array of item, and the read callback that fills it. */
#define COLLECTION(set, item, max, add)                                                                      \
    struct set {                                                                                             \
        int n;                                                                                               \
        struct item v[max];                                                                                  \
    };                                                                                                       \
    static int add(const struct item *x, void *arg)                                                          \
    {                                                                                                        \
        struct set *s = arg;                                                                                 \
        if (s->n < (max))                                                                                    \
            s->v[s->n++] = *x;                                                                               \
        return 0;                                                                                            \
    }

COLLECTION(line_set, order_line, ORDER_MAX_LINES, add_line)
COLLECTION(ful_set, fulfilment, MAX_FULS, add_ful)
COLLECTION(pay_set, payment, MAX_PAYMENTS, add_pay)

static bool ful_final(const char *status)
{
    return word_in_list("handed_over|picked_up|delivered|received|rejected|cancelled", status);
}

static bool ful_with_customer(const char *status)
{
    return word_in_list("handed_over|picked_up|delivered", status);
}

/* ---- allocation ---- */

static int new_fulfilment(struct db_conn *c, int64_t oid, const char *kind, int64_t loc, int64_t to, int64_t *fid)
{
    int64_t now = now_ms();
    return db_scalar_i64(c, fid,
                         "INSERT INTO fulfilments (order_id, kind, location_id, to_location_id, status, created_at, "
                         "updated_at) VALUES ($1, $2, $3, $4, 'allocated', $5, $5) RETURNING id",
                         "itiIi", oid, kind, loc, to, now);
}

/* Reserve line l at location loc for the order and attach it to fulfilment fid. */
static int attach(struct db_conn *c, int64_t oid, const struct order_line *l, int64_t loc, int64_t fid, int idx)
{
    struct reservation r;
    char ref[32], field[32];
    int64_t n;
    int rc;
    snprintf(ref, sizeof ref, "order:%" PRId64, oid);
    snprintf(field, sizeof field, "lines[%d]", idx);
    rc = inventory_hold(c, l->sku_id, loc, l->qty, 0, ref, field, &r);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE order_lines SET fulfilment_id = $2, reservation_id = $3 WHERE id = $1", "iii", l->id, fid,
                r.id);
    return n < 0 ? (int)n : 0;
}

/* An active pickup fulfilment of the order at loc, or 0. */
static int active_pickup(struct db_conn *c, int64_t oid, int64_t loc, int64_t *fid)
{
    int rc = db_scalar_i64(c, fid,
                           "SELECT id FROM fulfilments WHERE order_id = $1 AND location_id = $2 AND kind = 'pickup' "
                           "AND status IN ('allocated', 'picked') ORDER BY id DESC LIMIT 1",
                           "ii", oid, loc);
    if (rc == O2O_ENOTFOUND) {
        *fid = 0;
        err_clear();
        return 0;
    }
    return rc;
}

static void describe_lines(char *out, size_t cap, const struct line_set *ls, uint64_t mask, const int *map)
{
    size_t o = 0;
    out[0] = 0;
    for (int b = 0; b < 64 && o < cap - 1; b++)
        if (mask & (1ULL << b)) {
            const struct order_line *l = &ls->v[map[b]];
            o += (size_t)snprintf(out + o, cap - o, "%s%s x%" PRId64, o ? ", " : "", l->sku_code, l->qty);
        }
}

/* Route the lines map[0..n) of ls and reserve them: one fulfilment per leg. */
static int route_lines(struct db_conn *c, const struct order *o, const struct line_set *ls, const int *map, int n,
                       const int64_t *exclude, int nexclude, const char *actor)
{
    struct route_request rq;
    struct route_plan plan;
    char desc[300], loc_code[65];
    int rc;
    memset(&rq, 0, sizeof rq);
    rq.pickup = !strcmp(o->mode, "pickup");
    rq.pickup_id = o->pickup_id;
    rq.has_address = o->address[0] != 0;
    rq.has_geo = o->has_geo;
    rq.lat = o->lat;
    rq.lon = o->lon;
    rq.nlines = n;
    for (int i = 0; i < n; i++) {
        rq.sku[i] = ls->v[map[i]].sku_id;
        rq.qty[i] = ls->v[map[i]].qty;
    }
    rq.nexclude = nexclude < ROUTE_MAX_EXCLUDE ? nexclude : ROUTE_MAX_EXCLUDE;
    if (rq.nexclude)
        memcpy(rq.exclude, exclude, (size_t)rq.nexclude * sizeof *exclude);
    rc = routing_plan(c, &rq, &plan);
    if (!rc)
        rc = routing_record(c, o->id, &plan);
    if (!rc)
        rc = event(c, o->id, "routed", 0, actor, "%s: %s", plan.rule, plan.summary);
    for (int g = 0; g < plan.nlegs && !rc; g++) {
        const struct route_leg *leg = &plan.legs[g];
        int64_t fid = 0;
        struct location l;
        bool pickup_leg = !strcmp(leg->kind, "pickup");
        if (pickup_leg)
            rc = active_pickup(c, o->id, leg->location_id, &fid);
        if (!rc && !fid)
            rc = new_fulfilment(c, o->id, leg->kind, leg->location_id,
                                !strcmp(leg->kind, "transfer") ? o->pickup_id : 0, &fid);
        for (int b = 0; b < n && !rc; b++)
            if (leg->lines & (1ULL << b))
                rc = attach(c, o->id, &ls->v[map[b]], leg->location_id, fid, map[b]);
        if (rc)
            break;
        rc = location_cached(c, leg->location_id, &l);
        str_copy(loc_code, sizeof loc_code, rc ? "?" : l.code);
        describe_lines(desc, sizeof desc, ls, leg->lines, map);
        rc = event(c, o->id, "allocated", fid, actor, "%s at %s%s%s", leg->kind, loc_code, desc[0] ? ": " : "",
                   desc[0] ? desc : "(pickup point)");
    }
    routing_plan_free(&plan);
    return rc;
}

/* ---- payment ---- */

static int on_paid(struct db_conn *c, struct order *o, const char *actor);
static int earn_for_order(struct db_conn *c, struct order *o, const char *actor);
static int earn_points(struct db_conn *c, struct order *o, int64_t amount, int64_t *points);

static int insert_payment(struct db_conn *c, int64_t oid, const struct tender *t, int64_t amount, int64_t points,
                          int64_t loc)
{
    int64_t now = now_ms();
    int64_t n = db_exec(c,
                        "INSERT INTO payments (order_id, tender, amount, points, status, reference, payer, location_id, "
                        "created_at, updated_at) VALUES ($1, $2, $3, $4, 'captured', $5, $6, $7, $8, $8)",
                        "itiittIi", oid, t->tender, amount, points, t->reference, t->payer, loc, now);
    return n < 0 ? (int)n : 0;
}

/* What each tender comes to (fen, points, change), checked against what is due
** before anything is written. oid names the order in messages (0: a new one). */
struct tender_use {
    int64_t amount, points, change;
};

static int split_tenders(struct db_conn *c, int64_t oid, int64_t member_id, int64_t due, const struct tender *t,
                         int nt, struct tender_use *u)
{
    int64_t value = 1;
    char field[40];
    int rc = settings_i64(c, "points_value_fen", 1, &value);
    if (rc)
        return rc;
    for (int i = 0; i < nt; i++) {
        int64_t amount = t[i].amount, points = 0, change = 0;
        snprintf(field, sizeof field, "tenders[%d]", i);
        if (!one_of(t[i].tender, tenders, sizeof tenders / sizeof tenders[0]))
            return err_set(O2O_EINVAL, NULL, field, "tender must be cash, bank_card, wechat_pay, alipay, scan or points");
        if (due <= 0)
            return oid ? err_set(O2O_ECONFLICT, "nothing_due", field, "order %" PRId64 " has nothing left to pay", oid)
                       : err_set(O2O_ECONFLICT, "nothing_due", field, "the earlier tenders pay the whole order");
        if (!strcmp(t[i].tender, "wechat_pay") || !strcmp(t[i].tender, "alipay") || !strcmp(t[i].tender, "scan"))
            return err_set(O2O_EINVAL, "gateway_tender", field,
                           "%s is paid through POST /v1/orders/{id}/payments/gateway", t[i].tender);
        if (!strcmp(t[i].tender, "points")) {
            if (!member_id)
                return err_set(O2O_EINVAL, "no_member", field, "only a member can pay with points");
            if (t[i].points <= 0 || t[i].points > 100000000)
                return err_set(O2O_EINVAL, NULL, field, "a points tender needs points 1..100000000");
            points = t[i].points;
            amount = points * value;
            if (amount > due)
                return err_set(O2O_EINVAL, "exceeds_due", field, "%" PRId64 " points pay %" PRId64
                               " fen, more than the %" PRId64 " fen due", points, amount, due);
        } else {
            if (amount <= 0 || amount > 100000000000LL)
                return err_set(O2O_EINVAL, NULL, field, "amount must be 1..100000000000 fen");
            if (!strcmp(t[i].tender, "bank_card") && !t[i].reference[0])
                return err_set(O2O_EINVAL, "missing_field", field, "a bank_card tender needs the terminal reference");
            if (amount > due) {
                if (strcmp(t[i].tender, "cash"))
                    return err_set(O2O_EINVAL, "exceeds_due", field,
                                   "%" PRId64 " fen is more than the %" PRId64 " fen due", amount, due);
                change = amount - due;
                amount = due;
            }
        }
        u[i].amount = amount;
        u[i].points = points;
        u[i].change = change;
        due -= amount;
    }
    return 0;
}

/* Take the points of a points tender from the member's balance. */
static int spend_points(struct db_conn *c, const struct order *o, int64_t points, int64_t loc, int i)
{
    struct points_op op;
    struct points_entry e;
    char field[40];
    int rc;
    memset(&op, 0, sizeof op);
    op.member_id = o->member_id;
    op.points = points;
    str_copy(op.channel, sizeof op.channel, o->channel);
    op.location_id = loc;
    snprintf(op.ref, sizeof op.ref, "order:%" PRId64, o->id);
    str_copy(op.reason, sizeof op.reason, "points tender");
    rc = points_redeem(c, &op, &e);
    snprintf(field, sizeof field, "tenders[%d]", i);
    if (rc == O2O_ECONFLICT)
        return err_set(O2O_ECONFLICT, "insufficient_points", field, "%s", err_last()->msg);
    return rc;
}

/* The timeline text of a tender: "cash 45.07 (change 4.93)". */
static void tender_detail(char *out, size_t cap, const char *tender, const struct tender_use *u)
{
    char a[32], b[32];
    money_yuan(a, u->amount);
    money_yuan(b, u->change);
    if (u->change)
        snprintf(out, cap, "%s %s (change %s)", tender, a, b);
    else
        snprintf(out, cap, "%s %s", tender, a);
}

static int apply_tenders(struct db_conn *c, struct order *o, const struct tender *t, int nt, int64_t loc,
                         const char *actor)
{
    int64_t pending = 0;
    struct tender_use u[ORDER_MAX_TENDERS];
    char detail[120];
    int rc;
    if (strcmp(o->status, "placed"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s: nothing to pay", o->id,
                       o->status);
    rc = db_scalar_i64(c, &pending,
                       "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE order_id = $1 AND status = 'pending'", "i",
                       o->id);
    if (!rc)
        rc = split_tenders(c, o->id, o->member_id, o->total - o->paid - pending, t, nt, u);
    for (int i = 0; i < nt && !rc; i++) {
        if (u[i].points)
            rc = spend_points(c, o, u[i].points, loc, i);
        if (!rc)
            rc = insert_payment(c, o->id, &t[i], u[i].amount, u[i].points, loc);
        if (rc)
            break;
        o->paid += u[i].amount;
        tender_detail(detail, sizeof detail, t[i].tender, &u[i]);
        rc = event(c, o->id, "payment", 0, actor, "%s", detail);
    }
    if (rc)
        return rc;
    {
        int64_t n = db_exec(c, "UPDATE orders SET paid = $2 WHERE id = $1", "ii", o->id, o->paid);
        if (n < 0)
            return (int)n;
    }
    return o->paid == o->total ? on_paid(c, o, actor) : 0;
}

static int maybe_complete(struct db_conn *c, struct order *o, const char *actor)
{
    int64_t open = 0, served = 0;
    int rc;
    if (strcmp(o->status, "paid"))
        return 0;
    rc = db_scalar_i64(c, &open,
                       "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND status <> 'handed_over' "
                       "AND status <> 'picked_up' AND status <> 'delivered' AND status <> 'received' "
                       "AND status <> 'rejected' AND status <> 'cancelled'",
                       "i", o->id);
    if (!rc && !open)
        rc = db_scalar_i64(c, &served,
                           "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND (status = 'handed_over' "
                           "OR status = 'picked_up' OR status = 'delivered')",
                           "i", o->id);
    if (rc || open)
        return rc;
    if (!served)
        return 0; /* everything was dropped: the order was cancelled by whoever dropped it */
    if (db_exec(c, "UPDATE orders SET status = 'completed' WHERE id = $1 AND status = 'paid'", "i", o->id) < 0)
        return O2O_EDB;
    str_copy(o->status, sizeof o->status, "completed");
    return event(c, o->id, "completed", 0, actor, "every item is with the customer");
}

/* The reservations still held for a fulfilment's lines. */
static int held_reservations(struct db_conn *c, int64_t fid, int64_t res[ORDER_MAX_LINES], int *n)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT ol.reservation_id FROM order_lines ol JOIN reservations r ON r.id = ol.reservation_id "
                      "WHERE ol.fulfilment_id = $1 AND r.status = 'held'",
                      "i", fid);
    *n = 0;
    while (rc == DB_ROW && *n < ORDER_MAX_LINES) {
        res[(*n)++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* Their units leave on hand (handed over or shipped). */
static int consume_lines(struct db_conn *c, int64_t fid, const char *actor)
{
    int64_t res[ORDER_MAX_LINES];
    int n = 0, rc = held_reservations(c, fid, res, &n);
    for (int i = 0; i < n && !rc; i++)
        rc = inventory_consume(c, res[i], actor, NULL);
    return rc;
}

/* Their units go back to available. */
static int release_lines(struct db_conn *c, int64_t fid)
{
    int64_t res[ORDER_MAX_LINES];
    int n = 0, rc = held_reservations(c, fid, res, &n);
    for (int i = 0; i < n && !rc; i++)
        rc = inventory_release(c, res[i], NULL);
    return rc;
}

static int set_ful_status(struct db_conn *c, int64_t fid, const char *from_list, const char *to)
{
    struct fulfilment f;
    int rc = fulfilment_get(c, fid, &f);
    int64_t n;
    if (rc)
        return rc;
    if (!word_in_list(from_list, f.status))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "fulfilment %" PRId64 " is %s, cannot become %s", fid,
                       f.status, to);
    n = db_exec(c, "UPDATE fulfilments SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2", "itti", fid,
                f.status, to, now_ms());
    if (n < 0)
        return (int)n;
    return n ? 0 : err_set(O2O_ECONFLICT, "illegal_transition", NULL, "fulfilment %" PRId64 " changed meanwhile", fid);
}

static int on_paid(struct db_conn *c, struct order *o, const char *actor)
{
    int rc;
    int64_t n = db_exec(c, "UPDATE orders SET status = 'paid' WHERE id = $1 AND status = 'placed'", "i", o->id);
    if (n < 0)
        return (int)n;
    if (!n)
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is not awaiting payment", o->id);
    str_copy(o->status, sizeof o->status, "paid");
    rc = event(c, o->id, "paid", 0, actor, "%" PRId64 " fen", o->total);
    /* points on what was paid with money; the points tender earns nothing */
    if (!rc && o->member_id)
        rc = earn_for_order(c, o, actor);
    if (!rc && o->member_id)
        rc = order_feed_add(c, ORDER_FEED_PAID, o->id, o->member_id, 0);
    if (rc)
        return rc;
    /* till sales leave with the customer now */
    {
        struct db_stmt *st = NULL;
        int64_t fids[8];
        int nf = 0;
        rc = db_query(c, &st,
                      "SELECT id FROM fulfilments WHERE order_id = $1 AND kind = 'carry_out' AND status = 'allocated'",
                      "i", o->id);
        while (rc == DB_ROW && nf < 8) {
            fids[nf++] = db_col_i64(st, 0);
            rc = db_step(st);
        }
        db_done(st);
        rc = rc < 0 ? rc : 0;
        for (int i = 0; i < nf && !rc; i++) {
            rc = consume_lines(c, fids[i], actor);
            if (!rc)
                rc = set_ful_status(c, fids[i], "allocated", "handed_over");
            if (!rc)
                rc = event(c, o->id, "handed_over", fids[i], actor, "at the till of %s", o->location_code);
        }
    }
    return rc ? rc : maybe_complete(c, o, actor);
}

int order_pay(struct db_conn *c, int64_t id, const struct tender *t, int n, int64_t loc, const char *actor)
{
    struct order o;
    int rc = order_get(c, id, &o);
    if (rc)
        return rc;
    if (n < 1 || n > ORDER_MAX_TENDERS)
        return err_set(O2O_EINVAL, NULL, "tenders", "give 1..%d tenders", ORDER_MAX_TENDERS);
    return apply_tenders(c, &o, t, n, loc ? loc : o.location_id, actor);
}

/* ---- placement ---- */

static int check_input(struct db_conn *c, const struct order_input *in)
{
    struct location l;
    if (!sales_channel_ok(in->channel))
        return err_set(O2O_EINVAL, NULL, "channel", "channel must be " SALES_CHANNELS_TEXT);
    if (strcmp(in->mode, "carry_out") && strcmp(in->mode, "pickup") && strcmp(in->mode, "delivery"))
        return err_set(O2O_EINVAL, NULL, "fulfilment", "fulfilment must be carry_out, pickup or delivery");
    if (in->nlines < 1 || in->nlines > ORDER_MAX_LINES)
        return err_set(O2O_EINVAL, NULL, "lines", "an order has 1..%d lines", ORDER_MAX_LINES);
    if (in->ntenders < 0 || in->ntenders > ORDER_MAX_TENDERS)
        return err_set(O2O_EINVAL, NULL, "tenders", "at most %d tenders", ORDER_MAX_TENDERS);
    if (!strcmp(in->mode, "carry_out")) {
        if (strcmp(in->channel, "pos"))
            return err_set(O2O_EFORBIDDEN, "not_a_till", "fulfilment",
                           "a till sale (carry_out) is rung up at a store's till: its pos key or its staff, "
                           "not the %s channel",
                           in->channel);
        if (!in->location_id)
            return err_set(O2O_EINVAL, "missing_field", "location", "a till sale needs the selling store");
        if (location_cached(c, in->location_id, &l))
            return err_set(O2O_ENOTFOUND, "unknown_location", "location", "no such location");
        if (strcmp(l.kind, "store") && strcmp(l.kind, "restaurant"))
            return err_set(O2O_EINVAL, NULL, "location", "%s is not a store", l.code);
    } else if (!in->member_id) {
        return err_set(O2O_EINVAL, "missing_field", "member_id", "online orders belong to a member");
    }
    if (!strcmp(in->mode, "pickup") && !in->pickup_id)
        return err_set(O2O_EINVAL, "missing_field", "pickup_store", "a pickup order needs the pickup store");
    if (!strcmp(in->mode, "delivery") && !in->address[0])
        return err_set(O2O_EINVAL, "missing_field", "address", "a delivery order needs the address");
    if (in->ntenders && strcmp(in->mode, "carry_out"))
        return err_set(O2O_EINVAL, NULL, "tenders", "online orders are paid after placement");
    return 0;
}

/* Do the tenders given at placement pay the whole order? */
static bool tenders_cover(struct db_conn *c, const struct order_input *in, int64_t total)
{
    int64_t value = 1, sum = 0;
    if (settings_i64(c, "points_value_fen", 1, &value))
        return false;
    for (int i = 0; i < in->ntenders; i++)
        sum += !strcmp(in->tenders[i].tender, "points") ? in->tenders[i].points * value : in->tenders[i].amount;
    return in->ntenders > 0 && sum >= total;
}

/* Insert the order row. */
static int insert_order(struct db_conn *c, const struct order_input *in, const char *status, int64_t subtotal,
                        int64_t discount, int64_t paid, int64_t pay_by, int64_t now, int64_t *oid)
{
    if (in->has_geo)
        return db_scalar_i64(c, oid,
                             "INSERT INTO orders (channel, member_id, location_id, mode, pickup_location_id, status, "
                             "subtotal, discount, total, paid, coupon_code, address, lat, lon, contact_phone, note, "
                             "pay_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                             "$14, $15, $16, $17, $18) RETURNING id",
                             "tIItItiiiittddttii", in->channel, in->member_id, in->location_id, in->mode,
                             in->pickup_id, status, subtotal, discount, subtotal - discount, paid,
                             in->coupon[0] ? in->coupon : NULL, in->address, in->lat, in->lon, in->contact_phone,
                             in->note, pay_by, now);
    return db_scalar_i64(c, oid,
                         "INSERT INTO orders (channel, member_id, location_id, mode, pickup_location_id, status, "
                         "subtotal, discount, total, paid, coupon_code, address, lat, lon, contact_phone, note, "
                         "pay_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, "
                         "$13, $14, $15, $16) RETURNING id",
                         "tIItItiiiittttii", in->channel, in->member_id, in->location_id, in->mode, in->pickup_id,
                         status, subtotal, discount, subtotal - discount, paid, in->coupon[0] ? in->coupon : NULL,
                         in->address, in->contact_phone, in->note, pay_by, now);
}

/* The lines of a new order in one statement, each with its share of the
** discount (the last takes the rounding). */
static int insert_lines(struct db_conn *c, int64_t oid, const struct order_input *in, const int64_t *skus,
                        const int64_t *prices, int64_t subtotal, int64_t discount, int64_t fid)
{
    static const char head[] = "INSERT INTO order_lines (order_id, line_no, sku_id, qty, unit_price, discount, "
                               "amount, fulfilment_id) VALUES ";
    struct db_stmt *s = NULL;
    int64_t given = 0;
    int rc = db_prepare(c, &s, db_rows_sql(head, 8, in->nlines));
    if (rc)
        return rc;
    for (int i = 0; i < in->nlines; i++) {
        int64_t gross = prices[i] * in->qty[i];
        int64_t share = i + 1 < in->nlines ? (subtotal ? discount * gross / subtotal : 0) : discount - given;
        given += share;
        db_bind_i64(s, i * 8 + 1, oid);
        db_bind_i64(s, i * 8 + 2, i + 1);
        db_bind_i64(s, i * 8 + 3, skus[i]);
        db_bind_i64(s, i * 8 + 4, in->qty[i]);
        db_bind_i64(s, i * 8 + 5, prices[i]);
        db_bind_i64(s, i * 8 + 6, share);
        db_bind_i64(s, i * 8 + 7, gross - share);
        if (fid)
            db_bind_i64(s, i * 8 + 8, fid);
        else
            db_bind_null(s, i * 8 + 8);
    }
    rc = db_step(s);
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* The timeline of an order being written in one go, inserted in one statement. */
struct timeline {
    int n;
    struct {
        const char *kind;
        int64_t fid;
        char detail[160];
    } v[8 + ORDER_MAX_TENDERS];
};

static void timeline_add(struct timeline *t, const char *kind, int64_t fid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void timeline_add(struct timeline *t, const char *kind, int64_t fid, const char *fmt, ...)
{
    va_list ap;
    if (t->n == (int)(sizeof t->v / sizeof t->v[0]))
        return;
    t->v[t->n].kind = kind;
    t->v[t->n].fid = fid;
    va_start(ap, fmt);
    vsnprintf(t->v[t->n].detail, sizeof t->v[t->n].detail, fmt, ap);
    va_end(ap);
    t->n++;
}

static int timeline_write(struct db_conn *c, int64_t oid, const char *actor, const struct timeline *t)
{
    static const char head[] = "INSERT INTO order_events (order_id, seq, kind, fulfilment_id, detail, actor, "
                               "created_at) VALUES ";
    struct db_stmt *s = NULL;
    int64_t now = now_ms();
    int rc = db_prepare(c, &s, db_rows_sql(head, 7, t->n));
    if (rc)
        return rc;
    for (int i = 0; i < t->n; i++) {
        db_bind_i64(s, i * 7 + 1, oid);
        db_bind_i64(s, i * 7 + 2, i + 1);
        db_bind_text(s, i * 7 + 3, t->v[i].kind);
        if (t->v[i].fid)
            db_bind_i64(s, i * 7 + 4, t->v[i].fid);
        else
            db_bind_null(s, i * 7 + 4);
        db_bind_text(s, i * 7 + 5, t->v[i].detail);
        db_bind_text(s, i * 7 + 6, actor ? actor : "");
        db_bind_i64(s, i * 7 + 7, now);
    }
    rc = db_step(s);
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* A till sale paid in full at the till: placed, allocated, paid, handed over and
** completed in one go. The same rows and timeline as those steps one by one,
** each row written once in its final state. */
static int till_sale(struct db_conn *c, const struct order_input *in, const int64_t *skus, const int64_t *prices,
                     int64_t subtotal, int64_t discount, int64_t pay_by, int64_t now, int64_t *id)
{
    struct tender_use u[ORDER_MAX_TENDERS];
    struct timeline *t;
    struct order o;
    struct location l;
    int64_t total = subtotal - discount, oid = 0, fid = 0, by_points = 0;
    char ref[32];
    int bad = -1;
    int rc = split_tenders(c, 0, in->member_id, total, in->tenders, in->ntenders, u);
    if (rc)
        return rc;
    if ((rc = location_cached(c, in->location_id, &l)))
        return rc;
    if ((rc = insert_order(c, in, "completed", subtotal, discount, total, pay_by, now, &oid)))
        return rc;
    if (in->coupon[0] && (rc = coupon_use(c, in->coupon, oid)))
        return rc;
    rc = db_scalar_i64(c, &fid,
                       "INSERT INTO fulfilments (order_id, kind, location_id, to_location_id, status, created_at, "
                       "updated_at) VALUES ($1, 'carry_out', $2, NULL, 'handed_over', $3, $3) RETURNING id",
                       "iii", oid, in->location_id, now);
    if (!rc)
        rc = insert_lines(c, oid, in, skus, prices, subtotal, discount, fid);
    if (rc)
        return rc;
    snprintf(ref, sizeof ref, "order:%" PRId64, oid);
    if ((rc = inventory_sell(c, in->location_id, in->nlines, skus, in->qty, ref, in->actor, &bad)))
        return rc;
    t = xcalloc(1, sizeof *t);
    timeline_add(t, "placed", 0, "%s %s order, %d line(s), %" PRId64 " fen", in->channel, in->mode, in->nlines,
                 total);
    timeline_add(t, "allocated", fid, "carry out at the till");
    memset(&o, 0, sizeof o);
    o.id = oid;
    o.member_id = in->member_id;
    o.location_id = in->location_id;
    o.total = total;
    str_copy(o.channel, sizeof o.channel, in->channel);
    for (int i = 0; i < in->ntenders && !rc; i++) {
        char detail[120];
        if (u[i].points)
            rc = spend_points(c, &o, u[i].points, in->location_id, i);
        if (!rc)
            rc = insert_payment(c, oid, &in->tenders[i], u[i].amount, u[i].points, in->location_id);
        by_points += u[i].points ? u[i].amount : 0;
        tender_detail(detail, sizeof detail, in->tenders[i].tender, &u[i]);
        timeline_add(t, "payment", 0, "%s", detail);
    }
    if (!rc)
        timeline_add(t, "paid", 0, "%" PRId64 " fen", total);
    if (!rc && in->member_id && total - by_points > 0) {
        int64_t points = 0;
        rc = earn_points(c, &o, total - by_points, &points);
        if (!rc)
            timeline_add(t, "points_earned", 0, "%" PRId64 " points", points);
    }
    if (!rc && in->member_id)
        rc = order_feed_add(c, ORDER_FEED_PAID, oid, in->member_id, 0);
    if (!rc) {
        timeline_add(t, "handed_over", fid, "at the till of %s", l.code);
        timeline_add(t, "completed", 0, "every item is with the customer");
        rc = timeline_write(c, oid, in->actor, t);
    }
    free(t);
    if (!rc)
        *id = oid;
    return rc;
}

int order_place(struct db_conn *c, const struct order_input *in, int64_t *id)
{
    struct line_set *ls = NULL;
    struct order o;
    bool carry;
    int64_t subtotal = 0, discount = 0, minutes = 15, now = now_ms(), oid = 0, fid = 0;
    int64_t prices[ORDER_MAX_LINES], skus[ORDER_MAX_LINES];
    int map[ORDER_MAX_LINES];
    int rc = check_input(c, in);
    if (rc)
        return rc;
    if (in->member_id) {
        struct member m;
        rc = member_get(c, in->member_id, &m);
        if (rc)
            return err_set(O2O_ENOTFOUND, "unknown_member", "member_id", "no member %" PRId64, in->member_id);
        if (strcmp(m.status, "active"))
            return err_set(O2O_ECONFLICT, "member_merged", "member_id", "member %" PRId64 " was merged into %" PRId64,
                           m.id, m.merged_into);
    }
    for (int i = 0; i < in->nlines; i++) {
        struct sku k;
        char field[32];
        snprintf(field, sizeof field, "lines[%d].sku", i);
        if (in->qty[i] < 1 || in->qty[i] > 10000) {
            snprintf(field, sizeof field, "lines[%d].qty", i);
            return err_set(O2O_EINVAL, "out_of_range", field, "qty must be 1..10000");
        }
        if (sku_get_by_code(c, in->sku[i], now, &k))
            return err_set(O2O_ENOTFOUND, "unknown_sku", field, "no launched SKU %s", in->sku[i]);
        skus[i] = k.id;
        prices[i] = k.price;
        subtotal += k.price * in->qty[i];
    }
    if (in->coupon[0] && (rc = coupon_quote(c, in->coupon, in->member_id, subtotal, &discount)))
        return rc;
    rc = settings_i64(c, "order_payment_minutes", 15, &minutes);
    if (rc)
        return rc;
    carry = !strcmp(in->mode, "carry_out");
    if (carry && subtotal - discount > 0 && tenders_cover(c, in, subtotal - discount))
        return till_sale(c, in, skus, prices, subtotal, discount, now + minutes * 60000, now, id);
    rc = insert_order(c, in, "placed", subtotal, discount, 0, now + minutes * 60000, now, &oid);
    if (rc)
        return rc;
    if (in->coupon[0] && (rc = coupon_use(c, in->coupon, oid)))
        return rc;
    if (carry && (rc = new_fulfilment(c, oid, "carry_out", in->location_id, 0, &fid)))
        return rc;
    rc = insert_lines(c, oid, in, skus, prices, subtotal, discount, fid);
    if (!rc)
        rc = event(c, oid, "placed", 0, in->actor, "%s %s order, %d line(s), %" PRId64 " fen", in->channel, in->mode,
                   in->nlines, subtotal - discount);
    if (rc)
        return rc;
    ls = xcalloc(1, sizeof *ls);
    rc = order_lines(c, oid, add_line, ls);
    if (carry) {
        /* paid in part or later: the goods stay reserved until then */
        for (int i = 0; i < ls->n && !rc; i++)
            rc = attach(c, oid, &ls->v[i], in->location_id, fid, i);
        if (!rc)
            rc = event(c, oid, "allocated", fid, in->actor, "carry out at the till");
    } else {
        if (!rc)
            rc = order_get(c, oid, &o);
        for (int i = 0; i < ls->n; i++)
            map[i] = i;
        if (!rc)
            rc = route_lines(c, &o, ls, map, ls->n, NULL, 0, in->actor);
    }
    free(ls);
    if (!rc)
        rc = order_get(c, oid, &o);
    if (!rc && o.total == 0)
        rc = on_paid(c, &o, in->actor);
    else if (!rc && in->ntenders)
        rc = apply_tenders(c, &o, in->tenders, in->ntenders, in->location_id, in->actor);
    if (!rc)
        *id = oid;
    return rc;
}

/* Fen of an order paid with points (they earn nothing). */
static int points_tendered(struct db_conn *c, int64_t oid, int64_t *fen)
{
    return db_scalar_i64(c, fen,
                         "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE order_id = $1 AND tender = 'points' "
                         "AND status = 'captured'",
                         "i", oid);
}

/* Credit the points of amount fen paid on the order to its member (once: keyed
** by the order) and record them on the order. */
static int earn_points(struct db_conn *c, struct order *o, int64_t amount, int64_t *points)
{
    struct points_op op;
    struct points_entry e;
    int64_t n;
    int rc;
    memset(&op, 0, sizeof op);
    op.member_id = o->member_id;
    op.amount = amount;
    str_copy(op.channel, sizeof op.channel, o->channel);
    op.location_id = o->location_id;
    snprintf(op.ref, sizeof op.ref, "order:%" PRId64, o->id);
    snprintf(op.idem_key, sizeof op.idem_key, "order:%" PRId64, o->id);
    str_copy(op.reason, sizeof op.reason, "purchase");
    rc = points_earn(c, &op, &e);
    if (rc)
        return rc;
    o->points_earned = *points = e.points;
    n = db_exec(c, "UPDATE orders SET points_earned = $2 WHERE id = $1", "ii", o->id, e.points);
    return n < 0 ? (int)n : 0;
}

/* Points a paid order earns its member: what was paid with money. */
static int earn_for_order(struct db_conn *c, struct order *o, const char *actor)
{
    int64_t by_points = 0, points = 0;
    int rc = points_tendered(c, o->id, &by_points);
    if (rc || o->total - by_points - o->refunded <= 0)
        return rc;
    rc = earn_points(c, o, o->total - by_points - o->refunded, &points);
    return rc ? rc : event(c, o->id, "points_earned", 0, actor, "%" PRId64 " points", points);
}

int order_link_member(struct db_conn *c, int64_t id, int64_t member_id, const char *actor, int64_t *points)
{
    struct order o;
    struct member m;
    int64_t n;
    int rc = order_get(c, id, &o);
    if (rc)
        return rc;
    rc = member_get(c, member_id, &m);
    if (rc || strcmp(m.status, "active"))
        return err_set(O2O_ENOTFOUND, "unknown_member", NULL, "no active member %" PRId64, member_id);
    n = db_exec(c, "UPDATE orders SET member_id = $2 WHERE id = $1 AND member_id IS NULL", "ii", id, member_id);
    if (n < 0)
        return (int)n;
    if (!n)
        return err_set(O2O_ECONFLICT, "already_claimed", NULL, "order %" PRId64 " already belongs to a member", id);
    o.member_id = member_id;
    rc = event(c, id, "member_linked", 0, actor, "receipt claimed by member %" PRId64, member_id);
    if (!rc && (!strcmp(o.status, "paid") || !strcmp(o.status, "completed")))
        rc = earn_for_order(c, &o, actor);
    if (!rc && (!strcmp(o.status, "paid") || !strcmp(o.status, "completed")))
        rc = order_feed_add(c, ORDER_FEED_CLAIMED, id, member_id, 0);
    *points = o.points_earned;
    return rc;
}

/* ---- refunds ---- */

static int refund_payment(struct db_conn *c, const struct order *o, const struct payment *p, int64_t amount,
                          const char *reason, int64_t loc, const char *actor)
{
    char no[65], a[32];
    int64_t count = 0, points = 0, n, now = now_ms();
    const char *status = "succeeded";
    int rc = db_scalar_i64(c, &count, "SELECT COUNT(*) FROM refunds WHERE payment_id = $1", "i", p->id);
    if (rc)
        return rc;
    if (p->out_trade_no[0]) /* towards a gateway: the trade's number (with its instance prefix) */
        snprintf(no, sizeof no, "%.40sR%" PRId64, p->out_trade_no, count + 1);
    else
        snprintf(no, sizeof no, "R%" PRId64 "-%" PRId64 "-%" PRId64, o->id, p->id, count + 1);
    if (!strcmp(p->tender, "points")) {
        struct points_op op;
        struct points_entry e;
        points = p->amount ? p->points * amount / p->amount : 0;
        if (points > 0) {
            memset(&op, 0, sizeof op);
            op.member_id = o->member_id;
            op.points = points;
            str_copy(op.channel, sizeof op.channel, o->channel);
            op.location_id = loc;
            snprintf(op.ref, sizeof op.ref, "order:%" PRId64, o->id);
            snprintf(op.idem_key, sizeof op.idem_key, "refund:%s", no);
            str_copy(op.reason, sizeof op.reason, "refund of the points tender");
            rc = points_refund(c, &op, &e);
            if (rc)
                return rc;
        }
    } else if (p->gateway[0]) {
        status = "pending"; /* sent to the gateway after the commit */
    }
    n = db_exec(c,
                "INSERT INTO refunds (payment_id, order_id, amount, points, status, out_refund_no, reason, location_id, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                "iiiitttIi", p->id, o->id, amount, points, status, no, reason, loc, now);
    if (n >= 0)
        n = db_exec(c, "UPDATE payments SET refunded = refunded + $2, updated_at = $3 WHERE id = $1 "
                       "AND refunded + $2 <= amount",
                    "iii", p->id, amount, now);
    if (n >= 0 && n == 0)
        return err_set(O2O_ECONFLICT, "over_refund", NULL, "payment %" PRId64 " cannot refund %" PRId64, p->id, amount);
    if (n >= 0)
        n = db_exec(c, "UPDATE orders SET refunded = refunded + $2 WHERE id = $1", "ii", o->id, amount);
    if (n < 0)
        return (int)n;
    money_yuan(a, amount);
    return event(c, o->id, "refund", 0, actor, "%s %s to the %s tender (%s)%s", no, a, p->tender, reason,
                 !strcmp(status, "pending") ? ", sent to the gateway" : "");
}

/* Refund `amount` over the captured payments, in proportion to what each still holds. */
static int refund_amount(struct db_conn *c, const struct order *o, int64_t amount, const char *reason, int64_t loc,
                         const char *actor)
{
    struct pay_set *ps = xcalloc(1, sizeof *ps);
    int64_t left_total = 0, given = 0, share[MAX_PAYMENTS] = {0};
    int rc = order_payments(c, o->id, add_pay, ps);
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->v[i].status, "captured"))
            left_total += ps->v[i].amount - ps->v[i].refunded;
    if (amount > left_total)
        amount = left_total;
    for (int i = 0; i < ps->n && !rc && amount > 0; i++) {
        int64_t left = ps->v[i].amount - ps->v[i].refunded;
        if (strcmp(ps->v[i].status, "captured") || left <= 0)
            continue;
        share[i] = (int64_t)((__int128)amount * left / left_total);
        given += share[i];
    }
    /* the rounding goes to the payments that can still take it, first first */
    for (int i = 0; i < ps->n && given < amount; i++) {
        int64_t room = ps->v[i].amount - ps->v[i].refunded - share[i];
        int64_t add;
        if (strcmp(ps->v[i].status, "captured") || room <= 0)
            continue;
        add = room < amount - given ? room : amount - given;
        share[i] += add;
        given += add;
    }
    for (int i = 0; i < ps->n && !rc; i++)
        if (share[i] > 0)
            rc = refund_payment(c, o, &ps->v[i], share[i], reason, loc, actor);
    free(ps);
    return rc;
}

/* Take back the points earned on `amount` fen of the order: *wanted those earned
** on it, *reversed those the balance still held. */
static int reverse_points(struct db_conn *c, struct order *o, int64_t amount, const char *tag, const char *actor,
                          int64_t *wanted,
                          int64_t *reversed)
{
    struct points_op op;
    struct points_entry e;
    int64_t by_points = 0, base, pts, spend;
    int rc;
    *reversed = 0;
    *wanted = 0;
    if (!o->member_id || o->total <= 0 || amount <= 0)
        return 0;
    rc = points_tendered(c, o->id, &by_points);
    if (rc)
        return rc;
    base = o->total - by_points;
    pts = (int64_t)((__int128)o->points_earned * amount / o->total);
    spend = (int64_t)((__int128)base * amount / o->total);
    if (pts <= 0 && spend <= 0)
        return 0;
    *wanted = pts > 0 ? pts : 0;
    memset(&op, 0, sizeof op);
    op.member_id = o->member_id;
    op.points = pts;
    op.amount = spend;
    str_copy(op.channel, sizeof op.channel, o->channel);
    snprintf(op.ref, sizeof op.ref, "order:%" PRId64, o->id);
    snprintf(op.idem_key, sizeof op.idem_key, "reverse:%" PRId64 ":%s", o->id, tag);
    str_copy(op.reason, sizeof op.reason, "points of returned or cancelled goods");
    rc = points_reverse(c, &op, &e);
    if (rc)
        return rc;
    *reversed = -e.points;
    return event(c, o->id, "points_reversed", 0, actor, "%" PRId64 " points", -e.points);
}

/* Goods come back (or are not served): their points go back first, then the
** money. Points she has spent meanwhile cannot come back: their value (setting
** points_value_fen) is kept from the refund, said on the timeline, never lost in
** silence. *withheld: the fen kept; *reversed: the points taken back. */
static int refund_with_points(struct db_conn *c, struct order *o, int64_t amount, int64_t refund, const char *why,
                              int64_t loc, const char *tag, const char *actor, int64_t *reversed, int64_t *withheld)
{
    int64_t wanted = 0, got = 0, value = 1, keep = 0;
    int rc = reverse_points(c, o, amount, tag, actor, &wanted, &got);
    if (!rc && wanted > got) {
        char a[32];
        rc = settings_i64(c, "points_value_fen", 1, &value);
        keep = (wanted - got) * value;
        if (keep > refund)
            keep = refund;
        money_yuan(a, keep);
        if (!rc && keep > 0)
            rc = event(c, o->id, "points_shortfall", 0, actor,
                       "%" PRId64 " points earned on these goods were already spent: their value %s is kept from the refund",
                       wanted - got, a);
    }
    if (!rc && refund - keep > 0)
        rc = refund_amount(c, o, refund - keep, why, loc, actor);
    if (reversed)
        *reversed = got;
    if (withheld)
        *withheld = keep;
    return rc;
}

/* ---- cancellation ---- */

static int cancel_order(struct db_conn *c, struct order *o, const char *reason, const char *actor)
{
    struct ful_set *fs;
    int rc = 0;
    int64_t n;
    if (strcmp(o->status, "placed") && strcmp(o->status, "paid"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s and cannot be cancelled",
                       o->id, o->status);
    fs = xcalloc(1, sizeof *fs);
    rc = order_fulfilments(c, o->id, add_ful, fs);
    for (int i = 0; i < fs->n && !rc; i++)
        if (word_in_list("handed_over|picked_up|delivered", fs->v[i].status) ||
            (!strcmp(fs->v[i].status, "shipped") && strcmp(fs->v[i].kind, "transfer")))
            rc = err_set(O2O_ECONFLICT, "illegal_transition", NULL,
                         "fulfilment %" PRId64 " is %s: return the goods instead", fs->v[i].id, fs->v[i].status);
    for (int i = 0; i < fs->n && !rc; i++) {
        rc = release_lines(c, fs->v[i].id);
        if (!rc && !ful_final(fs->v[i].status))
            n = db_exec(c, "UPDATE fulfilments SET status = 'cancelled', updated_at = $2 WHERE id = $1", "ii",
                        fs->v[i].id, now_ms()),
            rc = n < 0 ? (int)n : 0;
    }
    free(fs);
    if (!rc) {
        /* a gateway payment still open is abandoned; if it is paid after all, it is refunded */
        n = db_exec(c, "UPDATE payments SET status = 'cancelled', updated_at = $2 WHERE order_id = $1 AND status = 'pending'",
                    "ii", o->id, now_ms());
        rc = n < 0 ? (int)n : 0;
    }
    if (!rc && (o->paid - o->refunded > 0 || o->points_earned))
        rc = refund_with_points(c, o, o->total, o->paid - o->refunded, reason, o->location_id, "cancel", actor, NULL,
                                NULL);
    if (!rc && o->coupon[0])
        rc = coupon_restore(c, o->coupon, o->id);
    if (!rc) {
        n = db_exec(c, "UPDATE orders SET status = 'cancelled' WHERE id = $1", "i", o->id);
        rc = n < 0 ? (int)n : event(c, o->id, "cancelled", 0, actor, "%s", reason);
    }
    return rc;
}

int order_cancel(struct db_conn *c, int64_t id, const char *reason, const char *actor)
{
    struct order o;
    int rc = order_get(c, id, &o);
    return rc ? rc : cancel_order(c, &o, reason && *reason ? reason : "cancelled", actor);
}

int order_expire_unpaid(struct db_conn *c, int64_t now, int64_t *count)
{
    struct db_stmt *s = NULL;
    int64_t ids[200];
    int n = 0;
    int rc = db_query(c, &s, "SELECT id FROM orders WHERE status = 'placed' AND pay_by <= $1 ORDER BY pay_by LIMIT 200",
                      "i", now);
    while (rc == DB_ROW) {
        ids[n++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    *count = 0;
    for (int i = 0; i < n && rc >= 0; i++) {
        struct order o;
        rc = order_get(c, ids[i], &o);
        if (!rc)
            rc = cancel_order(c, &o, "payment_timeout", "system");
        if (!rc)
            (*count)++;
    }
    return rc < 0 ? rc : 0;
}

/* Give up the lines of a fulfilment that cannot be served: release, refund, maybe cancel. */
static int drop_fulfilment(struct db_conn *c, struct order *o, int64_t fid, const char *status, const char *why,
                           const char *actor)
{
    int64_t amount = 0, n;
    int rc = release_lines(c, fid);
    if (!rc)
        rc = db_scalar_i64(c, &amount, "SELECT COALESCE(SUM(amount), 0) FROM order_lines WHERE fulfilment_id = $1", "i",
                           fid);
    if (!rc) {
        n = db_exec(c, "UPDATE fulfilments SET status = $2, reason = $3, updated_at = $4 WHERE id = $1", "itti", fid,
                    status, why, now_ms());
        rc = n < 0 ? (int)n : 0;
    }
    if (!rc && amount > 0 && !strcmp(o->status, "paid"))
        rc = refund_with_points(c, o, amount, amount, why, o->location_id, why, actor, NULL, NULL);
    if (rc)
        return rc;
    {
        /* nothing left to serve and nothing served: the order is cancelled */
        int64_t open = 0, served = 0;
        rc = db_scalar_i64(c, &open,
                           "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND status NOT IN "
                           "('handed_over', 'picked_up', 'delivered', 'received', 'rejected', 'cancelled')",
                           "i", o->id);
        if (!rc)
            rc = db_scalar_i64(c, &served,
                               "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND status IN "
                               "('handed_over', 'picked_up', 'delivered')",
                               "i", o->id);
        if (!rc && !open && !served && strcmp(o->status, "cancelled")) {
            n = db_exec(c, "UPDATE orders SET status = 'cancelled' WHERE id = $1", "i", o->id);
            rc = n < 0 ? (int)n : event(c, o->id, "cancelled", 0, actor, "%s", why);
            str_copy(o->status, sizeof o->status, "cancelled");
        }
    }
    return rc ? rc : maybe_complete(c, o, actor);
}

int order_expire_pickups(struct db_conn *c, int64_t now, int64_t *count)
{
    struct db_stmt *s = NULL;
    int64_t fids[200], oids[200];
    int n = 0;
    int rc = db_query(c, &s,
                      "SELECT id, order_id FROM fulfilments WHERE status = 'ready_for_pickup' AND pickup_expires_at <= $1 "
                      "ORDER BY pickup_expires_at LIMIT 200",
                      "i", now);
    while (rc == DB_ROW) {
        fids[n] = db_col_i64(s, 0);
        oids[n++] = db_col_i64(s, 1);
        rc = db_step(s);
    }
    db_done(s);
    *count = 0;
    for (int i = 0; i < n && rc >= 0; i++) {
        struct order o;
        rc = order_get(c, oids[i], &o);
        if (!rc)
            rc = event(c, o.id, "pickup_expired", fids[i], "system", "not collected in time; stock released");
        if (!rc)
            rc = drop_fulfilment(c, &o, fids[i], "cancelled", "not collected", "system");
        if (!rc)
            (*count)++;
    }
    return rc < 0 ? rc : 0;
}

/* ---- fulfilment actions ---- */

static const struct {
    enum ful_action action;
    const char *name;
    const char *kinds;
    const char *from;
    const char *to;
} transitions[] = {
    {FA_PICK, "pick", "pickup|delivery|transfer", "allocated", "picked"},
    {FA_READY, "ready", "pickup", "allocated|picked", "ready_for_pickup"},
    {FA_SHIP, "ship", "delivery|transfer", "picked", "shipped"},
    {FA_DELIVER, "deliver", "delivery", "shipped", "delivered"},
    {FA_RECEIVE, "receive", "transfer", "shipped", "received"},
    {FA_HANDOVER, "handover", "pickup", "ready_for_pickup", "picked_up"},
    {FA_REJECT, "reject", "pickup|delivery|transfer", "allocated|picked", "rejected"},
};

static void pickup_code_hash(char out[65], int64_t fid, const char *code)
{
    char src[64];
    int n = snprintf(src, sizeof src, "%" PRId64 ":%s", fid, code);
    sha256_hex(out, src, (size_t)n);
}

static int make_ready(struct db_conn *c, struct order *o, const struct fulfilment *f, const char *actor)
{
    char hex[9], code[8], hash[65], msg[700], until[32], recipient[32] = "";
    int64_t open = 0, hold = 3, expires, lines = 0, n;
    struct location l;
    unsigned v;
    int rc = db_scalar_i64(c, &open,
                           "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND kind = 'transfer' "
                           "AND to_location_id = $2 AND status NOT IN ('received', 'rejected', 'cancelled')",
                           "ii", o->id, f->location_id);
    if (!rc)
        rc = db_scalar_i64(c, &lines, "SELECT COUNT(*) FROM order_lines WHERE fulfilment_id = $1", "i", f->id);
    if (rc)
        return rc;
    if (open)
        return err_set(O2O_ECONFLICT, "awaiting_transfer", NULL,
                       "%" PRId64 " transfer(s) to %s have not arrived yet", open, f->location_code);
    if (!lines)
        return err_set(O2O_ECONFLICT, "nothing_to_pick_up", NULL, "fulfilment %" PRId64 " has no items", f->id);
    rc = settings_i64(c, "pickup_hold_days", 3, &hold);
    if (!rc)
        rc = location_cached(c, f->location_id, &l);
    if (rc)
        return rc;
    random_hex(hex, 4);
    v = (unsigned)strtoul(hex, NULL, 16) % 1000000u;
    snprintf(code, sizeof code, "%06u", v);
    pickup_code_hash(hash, f->id, code);
    expires = now_ms() + hold * DAY_MS;
    n = db_exec(c, "UPDATE fulfilments SET pickup_code_hash = $2, pickup_expires_at = $3 WHERE id = $1", "iti", f->id,
                hash, expires);
    if (n < 0)
        return (int)n;
    tz_local_time(l.timezone[0] ? l.timezone : "UTC", expires, until); /* the store's local time */
    if (o->member_id) {
        struct member m;
        if (!member_get(c, o->member_id, &m))
            str_copy(recipient, sizeof recipient, m.phone);
    }
    if (!recipient[0])
        str_copy(recipient, sizeof recipient, o->contact_phone);
    snprintf(msg, sizeof msg, "Order %" PRId64 " is ready for pickup at %.120s (%.200s). Pickup code %s, valid until %s.",
             o->id, l.name, l.address[0] ? l.address : l.code, code, until);
    if (recipient[0] && (rc = outbox_add(c, "sms", recipient, msg)))
        return rc;
    return event(c, o->id, "ready_for_pickup", f->id, actor, "at %s until %s (%s); pickup code sent to %s", l.code,
                 until, l.timezone[0] ? l.timezone : "UTC", recipient[0] ? recipient : "nobody (no phone)");
}

static int check_code(struct db_conn *c, const struct fulfilment *f, const char *code)
{
    struct db_stmt *s = NULL;
    char want[65] = "", got[65];
    int rc = db_query(c, &s, "SELECT pickup_code_hash FROM fulfilments WHERE id = $1", "i", f->id);
    if (rc == DB_ROW)
        str_copy(want, sizeof want, db_col_text(s, 0));
    db_done(s);
    if (rc < 0)
        return rc;
    if (!code[0])
        return err_set(O2O_EINVAL, "missing_field", "code", "the customer's pickup code is required");
    pickup_code_hash(got, f->id, code);
    if (!want[0] || strcmp(want, got))
        return err_set(O2O_ECONFLICT, "wrong_pickup_code", "code", "that is not the pickup code of this order");
    return 0;
}

/* Shipping a transfer: the units move to the pickup store now and stay reserved there. */
static int ship_transfer(struct db_conn *c, const struct order *o, const struct fulfilment *f, const char *actor)
{
    struct line_set *ls = xcalloc(1, sizeof *ls);
    char ref[32];
    int rc = order_lines(c, o->id, add_line, ls);
    snprintf(ref, sizeof ref, "order:%" PRId64, o->id);
    for (int i = 0; i < ls->n && !rc; i++) {
        const struct order_line *l = &ls->v[i];
        struct reservation r;
        int64_t n;
        if (l->fulfilment_id != f->id)
            continue;
        rc = inventory_release(c, l->reservation_id, NULL);
        if (!rc)
            rc = inventory_transfer(c, l->sku_id, f->location_id, f->to_location_id, l->qty, ref, actor);
        if (!rc)
            rc = inventory_hold(c, l->sku_id, f->to_location_id, l->qty, 0, ref, "lines", &r);
        if (!rc) {
            n = db_exec(c, "UPDATE order_lines SET reservation_id = $2 WHERE id = $1", "ii", l->id, r.id);
            rc = n < 0 ? (int)n : 0;
        }
    }
    free(ls);
    return rc;
}

static int receive_transfer(struct db_conn *c, const struct order *o, const struct fulfilment *f, const char *actor)
{
    int64_t pid = 0, n;
    int rc = active_pickup(c, o->id, f->to_location_id, &pid);
    if (!rc && !pid)
        rc = new_fulfilment(c, o->id, "pickup", f->to_location_id, 0, &pid);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE order_lines SET fulfilment_id = $2 WHERE fulfilment_id = $1", "ii", f->id, pid);
    if (n < 0)
        return (int)n;
    return event(c, o->id, "joined_pickup", pid, actor, "%" PRId64 " line(s) from %s joined the pickup at %s", n,
                 f->location_code, f->to_location_code);
}

/* A store cannot serve its lines: route them again without it (and without any store that rejected before). */
static int reject(struct db_conn *c, struct order *o, const struct fulfilment *f, const char *reason,
                  const char *actor)
{
    struct line_set *ls = xcalloc(1, sizeof *ls);
    struct ful_set *fs = xcalloc(1, sizeof *fs);
    int64_t exclude[ROUTE_MAX_EXCLUDE];
    int map[ORDER_MAX_LINES], n = 0, nex = 0;
    int rc = release_lines(c, f->id);
    if (!rc)
        rc = order_lines(c, o->id, add_line, ls);
    if (!rc)
        rc = order_fulfilments(c, o->id, add_ful, fs);
    for (int i = 0; i < fs->n && nex < ROUTE_MAX_EXCLUDE; i++)
        if (!strcmp(fs->v[i].status, "rejected"))
            exclude[nex++] = fs->v[i].location_id;
    for (int i = 0; i < ls->n; i++)
        if (ls->v[i].fulfilment_id == f->id)
            map[n++] = i;
    if (!rc)
        rc = event(c, o->id, "rejected", f->id, actor, "%s: %s", f->location_code, reason);
    if (!rc && n) {
        rc = route_lines(c, o, ls, map, n, exclude, nex, actor);
        if (rc == O2O_ESTOCK || rc == O2O_ECONFLICT) {
            char why[300];
            snprintf(why, sizeof why, "no other location can serve it: %s", err_last()->msg);
            err_clear();
            /* the lines stay with the rejected fulfilment and are given up */
            rc = event(c, o->id, "unfulfillable", f->id, actor, "%s", why);
            if (!rc)
                rc = drop_fulfilment(c, o, f->id, "rejected", "no stock anywhere", actor);
        }
    }
    free(ls);
    free(fs);
    return rc;
}

int fulfilment_act(struct db_conn *c, int64_t fid, enum ful_action a, const struct ful_args *args, const char *actor)
{
    struct fulfilment f;
    struct order o;
    int t = -1, rc = fulfilment_get(c, fid, &f);
    int64_t n;
    if (!rc)
        rc = order_get(c, f.order_id, &o);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].action == a)
            t = (int)i;
    if (t < 0 || !word_in_list(transitions[t].kinds, f.kind))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "a %s fulfilment cannot %s", f.kind,
                       t < 0 ? "do that" : transitions[t].name);
    if (!word_in_list(transitions[t].from, f.status))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "fulfilment %" PRId64 " is %s: cannot %s", fid,
                       f.status, transitions[t].name);
    if (a != FA_REJECT && strcmp(o.status, "paid"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s, not paid", o.id, o.status);
    if (a == FA_REJECT && strcmp(o.status, "paid") && strcmp(o.status, "placed"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s", o.id, o.status);
    switch (a) {
    case FA_READY: rc = make_ready(c, &o, &f, actor); break;
    case FA_HANDOVER:
        rc = check_code(c, &f, args->code);
        if (!rc)
            rc = consume_lines(c, f.id, actor);
        break;
    case FA_SHIP:
        if (!strcmp(f.kind, "delivery") && (!args->carrier[0] || !args->tracking_no[0]))
            return err_set(O2O_EINVAL, "missing_field", args->carrier[0] ? "tracking_no" : "carrier",
                           "a delivery ships with a carrier and a tracking number");
        if (args->carrier[0] || args->tracking_no[0]) {
            n = db_exec(c, "UPDATE fulfilments SET carrier = $2, tracking_no = $3 WHERE id = $1", "itt", f.id,
                        args->carrier, args->tracking_no[0] ? args->tracking_no : NULL);
            if (n == O2O_EEXISTS)
                return err_set(O2O_EEXISTS, "tracking_number_taken", "tracking_no",
                               "%s %s is already on another shipment", args->carrier, args->tracking_no);
            if (n < 0)
                return (int)n;
        }
        rc = !strcmp(f.kind, "delivery") ? consume_lines(c, f.id, actor) : ship_transfer(c, &o, &f, actor);
        break;
    case FA_REJECT:
        if (!args->reason[0])
            return err_set(O2O_EINVAL, "missing_field", "reason", "say why (damaged, not found...)");
        break;
    default: break;
    }
    if (!rc)
        rc = set_ful_status(c, f.id, transitions[t].from, transitions[t].to);
    if (!rc && a == FA_REJECT) {
        n = db_exec(c, "UPDATE fulfilments SET reason = $2 WHERE id = $1", "it", f.id, args->reason);
        rc = n < 0 ? (int)n : reject(c, &o, &f, args->reason, actor);
        return rc ? rc : maybe_complete(c, &o, actor);
    }
    if (rc)
        return rc;
    switch (a) {
    case FA_READY: break; /* make_ready wrote its event */
    case FA_SHIP:
        rc = event(c, o.id, "shipped", f.id, actor, "%s from %s%s%s%s%s%s", f.kind, f.location_code,
                   args->carrier[0] ? " by " : "", args->carrier, args->tracking_no[0] ? " #" : "", args->tracking_no,
                   args->carrier[0] && args->untracked ? " (not tracked: the carrier is not integrated)" : "");
        break;
    case FA_RECEIVE:
        rc = event(c, o.id, "received", f.id, actor, "at %s from %s", f.to_location_code, f.location_code);
        if (!rc)
            rc = receive_transfer(c, &o, &f, actor);
        break;
    default:
        rc = event(c, o.id, transitions[t].to, f.id, actor, "%s at %s", f.kind, f.location_code);
        break;
    }
    return rc ? rc : maybe_complete(c, &o, actor);
}

/* ---- returns ---- */

/* The return window of an order: `return_window_days` from its completion;
** *closes_at 0 when there is no window (0 days). */
static int return_window(struct db_conn *c, int64_t oid, int64_t *days, int64_t *closes_at)
{
    int64_t done_at = 0;
    int rc = settings_i64(c, "return_window_days", 30, days);
    *closes_at = 0;
    if (!rc)
        rc = db_scalar_i64(c, &done_at,
                           "SELECT created_at FROM order_events WHERE order_id = $1 AND kind = 'completed' "
                           "ORDER BY seq DESC LIMIT 1",
                           "i", oid);
    if (!rc && *days > 0)
        *closes_at = done_at + *days * DAY_MS;
    return rc;
}

int order_returnable(struct db_conn *c, int64_t id, struct returnable *r)
{
    struct ful_set *fs;
    struct line_set *ls;
    int64_t days = 0;
    int rc = order_get(c, id, &r->order);
    r->nlines = 0;
    r->closes_at = 0;
    if (rc)
        return rc;
    if (!strcmp(r->order.status, "completed") || !strcmp(r->order.status, "returned"))
        rc = return_window(c, id, &days, &r->closes_at);
    if (rc)
        return rc;
    ls = xcalloc(1, sizeof *ls);
    fs = xcalloc(1, sizeof *fs);
    rc = order_lines(c, id, add_line, ls);
    if (!rc)
        rc = order_fulfilments(c, id, add_ful, fs);
    for (int i = 0; i < ls->n && !rc; i++) {
        bool with_her = false;
        for (int k = 0; k < fs->n; k++)
            if (fs->v[k].id == ls->v[i].fulfilment_id)
                with_her = ful_with_customer(fs->v[k].status);
        r->line[i] = ls->v[i];
        r->left[i] = with_her && !strcmp(r->order.status, "completed") ? ls->v[i].qty - ls->v[i].returned_qty : 0;
        r->nlines = i + 1;
    }
    free(ls);
    free(fs);
    return rc;
}

int order_return(struct db_conn *c, int64_t id, const struct return_input *in, struct return_result *r)
{
    int64_t *return_id = &r->id;
    struct order o;
    struct line_set *ls;
    struct ful_set *fs;
    struct location loc;
    int64_t window = 30, closes_at = 0, amount = 0, left = 0, n, now = now_ms();
    char field[40], ref[32];
    int rc = order_get(c, id, &o);
    memset(r, 0, sizeof *r);
    if (rc)
        return rc;
    if (strcmp(o.status, "completed"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s: only completed orders "
                       "take returns", o.id, o.status);
    if (in->nlines < 1 || in->nlines > RETURN_MAX_LINES)
        return err_set(O2O_EINVAL, NULL, "lines", "return 1..%d lines", RETURN_MAX_LINES);
    rc = location_cached(c, in->location_id, &loc);
    if (rc)
        return err_set(O2O_ENOTFOUND, "unknown_location", "location", "no such location");
    if (strcmp(loc.kind, "store"))
        return err_set(O2O_EINVAL, NULL, "location", "returns are taken in stores; %s is a %s", loc.code, loc.kind);
    rc = return_window(c, o.id, &window, &closes_at);
    if (rc)
        return rc;
    if (closes_at && now > closes_at)
        return err_set(O2O_ECONFLICT, "return_window_closed", NULL,
                       "the %" PRId64 "-day return window of order %" PRId64 " has closed", window, o.id);
    ls = xcalloc(1, sizeof *ls);
    fs = xcalloc(1, sizeof *fs);
    rc = order_lines(c, o.id, add_line, ls);
    if (!rc)
        rc = order_fulfilments(c, o.id, add_ful, fs);
    snprintf(ref, sizeof ref, "order:%" PRId64, o.id);
    for (int i = 0; i < in->nlines && !rc; i++) {
        const struct order_line *l = NULL;
        const struct fulfilment *f = NULL;
        struct stock_move m;
        snprintf(field, sizeof field, "lines[%d]", i);
        for (int k = 0; k < ls->n; k++)
            if (ls->v[k].line_no == in->line_no[i])
                l = &ls->v[k];
        if (!l) {
            rc = err_set(O2O_ENOTFOUND, "unknown_line", field, "order %" PRId64 " has no line %" PRId64, o.id,
                         in->line_no[i]);
            break;
        }
        for (int k = 0; k < fs->n; k++)
            if (fs->v[k].id == l->fulfilment_id)
                f = &fs->v[k];
        if (!f || !ful_with_customer(f->status)) {
            rc = err_set(O2O_ECONFLICT, "not_delivered", field, "line %" PRId64 " never reached the customer",
                         l->line_no);
            break;
        }
        if (in->qty[i] < 1) {
            rc = err_set(O2O_EINVAL, "out_of_range", field, "qty must be positive");
            break;
        }
        n = db_exec(c, "UPDATE order_lines SET returned_qty = returned_qty + $2 WHERE id = $1 AND returned_qty + $2 <= qty",
                    "ii", l->id, in->qty[i]);
        if (n == 0)
            rc = err_set(O2O_ECONFLICT, "over_return", field, "line %" PRId64 " has %" PRId64 " unit(s) left to return",
                         l->line_no, l->qty - l->returned_qty);
        else if (n < 0)
            rc = (int)n;
        if (rc)
            break;
        /* goods come back into the shelf of the store that took them */
        memset(&m, 0, sizeof m);
        m.sku_id = l->sku_id;
        m.location_id = in->location_id;
        str_copy(m.kind, sizeof m.kind, "return");
        m.qty = in->qty[i];
        str_copy(m.ref, sizeof m.ref, ref);
        str_copy(m.actor, sizeof m.actor, in->actor);
        rc = inventory_move(c, &m, NULL);
        amount += (int64_t)((__int128)l->amount * in->qty[i] / l->qty);
    }
    free(ls);
    free(fs);
    if (rc)
        return rc;
    rc = db_scalar_i64(c, return_id,
                       "INSERT INTO returns (order_id, location_id, amount, reason, actor, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                       "iiitti", o.id, in->location_id, amount, in->reason, in->actor, now);
    if (!rc) {
        char a[32];
        money_yuan(a, amount);
        rc = event(c, o.id, "returned", 0, in->actor, "return %" PRId64 " at %s: %s (%s)", *return_id, loc.code, a,
                   in->reason[0] ? in->reason : "no reason given");
    }
    if (!rc && amount > 0) {
        char tag[32];
        int64_t reversed = 0, withheld = 0;
        snprintf(tag, sizeof tag, "return:%" PRId64, *return_id);
        rc = refund_with_points(c, &o, amount, amount, "return", in->location_id, tag, in->actor, &reversed, &withheld);
        r->amount = amount;
        r->refunded = amount - withheld;
        r->points_reversed = reversed;
        r->withheld = withheld;
        if (!rc && (reversed || withheld)) {
            n = db_exec(c, "UPDATE returns SET points_reversed = $2, withheld = $3 WHERE id = $1", "iii", *return_id,
                        reversed, withheld);
            rc = n < 0 ? (int)n : 0;
        }
    }
    if (!rc)
        rc = db_scalar_i64(c, &left, "SELECT COALESCE(SUM(qty - returned_qty), 0) FROM order_lines WHERE order_id = $1",
                           "i", o.id);
    if (!rc && left == 0) {
        n = db_exec(c, "UPDATE orders SET status = 'returned' WHERE id = $1", "i", o.id);
        rc = n < 0 ? (int)n : 0;
    }
    /* what came back leaves her tags, profile, store spend and rewards: readers of the
    ** feed (insight) fold her orders again, net of returns */
    if (!rc && o.member_id)
        rc = order_feed_add(c, ORDER_FEED_RETURNED, o.id, o.member_id, 0);
    return rc;
}

/* ---- scope ---- */

int scope_check_order(struct db_conn *c, const struct principal *who, int64_t order_id)
{
    struct order o;
    struct ful_set *fs;
    int rc = order_get(c, order_id, &o);
    int64_t locs[2 + 2 * MAX_FULS];
    int n = 0;
    if (rc)
        return rc;
    if (who->role == ROLE_MEMBER)
        return o.member_id == who->id ? 0
                                      : err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "a member may only see her orders");
    if (who->role == ROLE_CHANNEL && who->scope == SCOPE_CHAIN)
        return !strcmp(o.channel, who->channel)
                   ? 0
                   : err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "this key sees orders of its channel only");
    if (who->scope == SCOPE_CHAIN)
        return 0;
    if (o.location_id)
        locs[n++] = o.location_id;
    if (o.pickup_id)
        locs[n++] = o.pickup_id;
    fs = xcalloc(1, sizeof *fs);
    rc = order_fulfilments(c, o.id, add_ful, fs);
    for (int i = 0; i < fs->n; i++) {
        locs[n++] = fs->v[i].location_id;
        if (fs->v[i].to_location_id)
            locs[n++] = fs->v[i].to_location_id;
    }
    free(fs);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        if (!scope_check_location(c, who, locs[i]))
            return 0;
    return err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "order %" PRId64 " is outside your scope", o.id);
}

/* ---- payments through a gateway ---- */

int order_payment_get(struct db_conn *c, int64_t id, struct payment *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " PAY_COLS " WHERE id = $1", "i", id);
    if (rc == DB_ROW)
        read_payment(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_payment", NULL, "no payment %" PRId64, id);
    return rc < 0 ? rc : 0;
}

int order_payment_by_trade(struct db_conn *c, const char *out_trade_no, struct payment *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " PAY_COLS " WHERE out_trade_no = $1", "t", out_trade_no);
    if (rc == DB_ROW)
        read_payment(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_trade", NULL, "no payment %.64s", out_trade_no);
    return rc < 0 ? rc : 0;
}

static int gateway_payment_view(struct db_conn *c, int64_t pid, struct gateway_payment *out)
{
    struct payment p;
    int rc = order_payment_get(c, pid, &p);
    if (rc)
        return rc;
    out->payment_id = p.id;
    out->order_id = p.order_id;
    out->amount = p.amount;
    out->location_id = p.location_id;
    str_copy(out->tender, sizeof out->tender, p.tender);
    str_copy(out->gateway, sizeof out->gateway, p.gateway);
    str_copy(out->out_trade_no, sizeof out->out_trade_no, p.out_trade_no);
    str_copy(out->pay_url, sizeof out->pay_url, p.pay_url);
    str_copy(out->status, sizeof out->status, p.status);
    out->expires_at = p.expires_at;
    return 0;
}

/* Payments still open at a gateway are abandoned (status cancelled): the sweeper
** closes them there; one paid after all is taken if still due, else refunded. */
static int supersede_pending(struct db_conn *c, const struct order *o, int64_t keep, const char *why, const char *actor)
{
    struct pay_set *ps = xcalloc(1, sizeof *ps);
    int rc = order_payments(c, o->id, add_pay, ps);
    for (int i = 0; i < ps->n && !rc; i++) {
        int64_t n;
        if (ps->v[i].id == keep || strcmp(ps->v[i].status, "pending") || !ps->v[i].gateway[0])
            continue;
        n = db_exec(c, "UPDATE payments SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status = 'pending'",
                    "ii", ps->v[i].id, now_ms());
        rc = n < 0 ? (int)n
                   : event(c, o->id, "payment_abandoned", 0, actor, "%s (%s): %s; closed at the gateway next",
                           ps->v[i].out_trade_no, ps->v[i].gateway, why);
    }
    free(ps);
    return rc;
}

int order_gateway_begin(struct db_conn *c, int64_t id, const char *tender, const char *gateway, int64_t amount,
                        int64_t loc, const char *idem_key, const char *trade_prefix, const char *actor,
                        struct gateway_payment *out)
{
    struct order o;
    int64_t due, pid = 0, now = now_ms(), n, minutes = 15, expires;
    char no[65], a[32];
    int rc = order_get(c, id, &o);
    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    if (idem_key && *idem_key) {
        rc = db_scalar_i64(c, &pid, "SELECT id FROM payments WHERE order_id = $1 AND idem_key = $2", "it", id, idem_key);
        if (!rc) {
            out->existing = true;
            return gateway_payment_view(c, pid, out);
        }
        if (rc != O2O_ENOTFOUND)
            return rc;
        err_clear();
    }
    if (strcmp(o.status, "placed"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s: nothing to pay", o.id,
                       o.status);
    /* a new payment replaces one still open (a QR code not scanned, a wallet switched,
    ** an answer never read): the order is never stuck behind it */
    rc = supersede_pending(c, &o, 0, "replaced by a new payment", actor);
    if (rc)
        return rc;
    due = o.total - o.paid;
    if (due <= 0)
        return err_set(O2O_ECONFLICT, "nothing_due", NULL, "order %" PRId64 " has nothing left to pay", o.id);
    if (!amount)
        amount = due;
    if (amount > due)
        return err_set(O2O_EINVAL, "exceeds_due", "amount", "%" PRId64 " fen is more than the %" PRId64 " fen due",
                       amount, due);
    /* the gateway closes the trade at the order's pay-by time, or after
    ** gateway_payment_minutes for a sale at the till */
    rc = settings_i64(c, "gateway_payment_minutes", 15, &minutes);
    if (rc)
        return rc;
    expires = now + minutes * 60000;
    if (o.pay_by && o.pay_by < expires)
        expires = o.pay_by;
    if (expires < now + 60000)
        expires = now + 60000;
    rc = db_scalar_i64(c, &pid,
                       "INSERT INTO payments (order_id, tender, amount, status, gateway, idem_key, location_id, "
                       "created_at, updated_at, expires_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $7, $8) "
                       "RETURNING id",
                       "itittIii", id, tender, amount, gateway, idem_key && *idem_key ? idem_key : NULL,
                       loc ? loc : o.location_id, now, expires);
    if (rc)
        return rc;
    /* trade numbers carry the instance's prefix: two databases on one merchant
    ** account never hand the gateway the same number */
    snprintf(no, sizeof no, "%.8sO%" PRId64 "P%" PRId64, trade_prefix ? trade_prefix : "", id, pid);
    n = db_exec(c, "UPDATE payments SET out_trade_no = $2 WHERE id = $1", "it", pid, no);
    if (n < 0)
        return (int)n;
    money_yuan(a, amount);
    rc = event(c, id, "payment_started", 0, actor, "%s %s through %s, trade %s", tender, a, gateway, no);
    return rc ? rc : gateway_payment_view(c, pid, out);
}

int order_gateway_set_url(struct db_conn *c, int64_t pid, const char *url)
{
    int64_t n = db_exec(c, "UPDATE payments SET pay_url = $2 WHERE id = $1", "it", pid, url);
    return n < 0 ? (int)n : 0;
}

/* A till sale paid by a payer whose WeChat or Alipay identity belongs to a member becomes hers. */
static const char *payer_kind(const char *gateway, const char *kind)
{
    return kind && *kind ? kind : !strcmp(gateway, "wechat_pay") ? "wechat_openid" : "alipay_user_id";
}

static int link_payer(struct db_conn *c, struct order *o, const char *gateway, const char *payer, const char *kind,
                      const char *actor)
{
    struct member m;
    int64_t n;
    if (o->member_id || !payer[0])
        return 0;
    if (member_find_by_identity(c, payer_kind(gateway, kind), payer, &m)) {
        err_clear();
        return 0;
    }
    n = db_exec(c, "UPDATE orders SET member_id = $2 WHERE id = $1 AND member_id IS NULL", "ii", o->id, m.id);
    if (n < 0)
        return (int)n;
    o->member_id = m.id;
    return event(c, o->id, "member_linked", 0, actor, "payer %s is member %" PRId64, payer, m.id);
}

/* A verified payment of an order the member placed herself (signed in) binds its
** payer's WeChat or Alipay identity to her, unless it belongs to someone already:
** from then on that payer's till sales are hers. */
static int bind_payer(struct db_conn *c, const struct order *o, const char *gateway, const char *payer,
                      const char *kind, const char *actor)
{
    struct member_identity idn;
    struct member m;
    struct db_stmt *s = NULL;
    char by[48] = "", her[48];
    int rc;
    if (!o->member_id || !payer[0])
        return 0;
    rc = db_query(c, &s, "SELECT actor FROM order_events WHERE order_id = $1 AND kind = 'placed' ORDER BY seq LIMIT 1",
                  "i", o->id);
    if (rc == DB_ROW)
        str_copy(by, sizeof by, db_col_text(s, 0));
    db_done(s);
    if (rc < 0)
        return rc;
    snprintf(her, sizeof her, "member:%" PRId64, o->member_id);
    if (strcmp(by, her))
        return 0; /* placed by someone else for her: the payer may not be her */
    memset(&idn, 0, sizeof idn);
    str_copy(idn.kind, sizeof idn.kind, payer_kind(gateway, kind));
    str_copy(idn.value, sizeof idn.value, payer);
    rc = member_find_by_identity(c, idn.kind, idn.value, &m);
    if (rc != O2O_ENOTFOUND)
        return rc; /* bound already (to her, or to another: nothing changes), or a failure */
    err_clear();
    rc = member_link_identity(c, o->member_id, &idn);
    if (rc)
        return rc;
    return event(c, o->id, "payer_bound", 0, actor, "%s %s is member %" PRId64 "'s", idn.kind, payer, o->member_id);
}

int order_gateway_result(struct db_conn *c, const char *gateway, const struct gateway_report *r, char outcome[24],
                         int64_t *loc, int64_t *oid)
{
    struct payment p;
    struct order o;
    char actor[48], a[32];
    int64_t n, now = now_ms();
    int rc = order_payment_by_trade(c, r->out_trade_no, &p);
    *loc = 0;
    *oid = 0;
    if (rc == O2O_ENOTFOUND) {
        err_clear();
        str_copy(outcome, 24, "unknown_trade");
        return 0;
    }
    if (rc)
        return rc;
    *loc = p.location_id;
    *oid = p.order_id;
    snprintf(actor, sizeof actor, "gateway:%s", gateway);
    if (strcmp(p.gateway, gateway)) {
        str_copy(outcome, 24, "unknown_trade");
        return 0;
    }
    if (!strcmp(r->state, "pending")) {
        str_copy(outcome, 24, "pending");
        return 0;
    }
    if (!strcmp(p.status, "captured") || !strcmp(p.status, "failed")) {
        str_copy(outcome, 24, "duplicate");
        return 0;
    }
    rc = order_get(c, p.order_id, &o);
    if (rc)
        return rc;
    if (strcmp(r->state, "paid") && !strcmp(p.status, "cancelled")) {
        /* abandoned by us, and not paid: it stays so */
        str_copy(outcome, 24, "abandoned");
        if (!strcmp(r->state, "closed")) {
            n = db_exec(c, "UPDATE payments SET closed_at = $2 WHERE id = $1 AND closed_at = 0", "ii", p.id, now);
            if (n < 0)
                return (int)n;
        }
        return 0;
    }
    if (strcmp(r->state, "paid")) {
        n = db_exec(c, "UPDATE payments SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'pending'",
                    "ii", p.id, now);
        if (n < 0)
            return (int)n;
        str_copy(outcome, 24, "failed");
        return event(c, o.id, "payment_failed", 0, actor, "%s says %s%s%s", p.out_trade_no, r->state,
                     r->reason[0] ? ": " : "", r->reason);
    }
    if (r->amount != p.amount) {
        str_copy(outcome, 24, "amount_mismatch");
        return event(c, o.id, "payment_mismatch", 0, actor, "%s paid %" PRId64 " fen, expected %" PRId64, p.out_trade_no,
                     r->amount, p.amount);
    }
    n = db_exec(c,
                "UPDATE payments SET status = 'captured', reference = $2, payer = $3, updated_at = $4 WHERE id = $1 "
                "AND status IN ('pending', 'cancelled')",
                "itti", p.id, r->transaction_id, r->payer, now);
    if (n < 0)
        return (int)n;
    if (n == 0) {
        str_copy(outcome, 24, "duplicate");
        return 0;
    }
    money_yuan(a, p.amount);
    rc = event(c, o.id, "payment", 0, actor, "%s %s, transaction %s", p.tender, a, r->transaction_id);
    if (rc)
        return rc;
    if (strcmp(o.status, "placed") || o.total - o.paid < p.amount) {
        /* the order was cancelled (e.g. payment timeout) before the money arrived, or
        ** another payment paid it meanwhile: give this one back */
        bool cancelled = !strcmp(o.status, "cancelled");
        struct payment cp = p;
        cp.refunded = 0;
        str_copy(cp.status, sizeof cp.status, "captured");
        n = db_exec(c, "UPDATE orders SET paid = paid + $2 WHERE id = $1", "ii", o.id, p.amount);
        if (n < 0)
            return (int)n;
        o.paid += p.amount;
        str_copy(outcome, 24, "late_payment_refunded");
        return refund_payment(c, &o, &cp, p.amount,
                              cancelled ? "paid after the order was cancelled" : "paid after another payment was made",
                              p.location_id, actor);
    }
    if (!strcmp(p.status, "cancelled")) {
        /* an abandoned payment she paid after all, while the order still wants it: take
        ** it, and abandon the one that replaced it */
        rc = supersede_pending(c, &o, p.id, "another payment was made", actor);
        if (rc)
            return rc;
    }
    rc = link_payer(c, &o, gateway, r->payer, r->payer_kind, actor);
    if (!rc)
        rc = bind_payer(c, &o, gateway, r->payer, r->payer_kind, actor);
    if (rc)
        return rc;
    o.paid += p.amount;
    n = db_exec(c, "UPDATE orders SET paid = $2 WHERE id = $1", "ii", o.id, o.paid);
    if (n < 0)
        return (int)n;
    str_copy(outcome, 24, "applied");
    return o.paid == o.total ? on_paid(c, &o, actor) : 0;
}

int order_refund_result(struct db_conn *c, const struct gateway_report *r, char outcome[24], int64_t *oid)
{
    struct db_stmt *s = NULL;
    char status[12] = "";
    int64_t id = 0, n;
    const char *to = !strcmp(r->state, "refunded") ? "succeeded" : !strcmp(r->state, "failed") ? "failed" : NULL;
    int rc = db_query(c, &s, "SELECT id, status, order_id FROM refunds WHERE out_refund_no = $1", "t", r->out_refund_no);
    *oid = 0;
    if (rc == DB_ROW) {
        id = db_col_i64(s, 0);
        str_copy(status, sizeof status, db_col_text(s, 1));
        *oid = db_col_i64(s, 2);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE) {
        str_copy(outcome, 24, "unknown_refund");
        return 0;
    }
    if (!to) {
        str_copy(outcome, 24, "pending");
        return 0;
    }
    if (strcmp(status, "pending")) {
        str_copy(outcome, 24, "duplicate");
        return 0;
    }
    n = db_exec(c, "UPDATE refunds SET status = $2, reference = $3, updated_at = $4 WHERE id = $1 AND status = 'pending'",
                "itti", id, to, r->refund_id, now_ms());
    if (n < 0)
        return (int)n;
    str_copy(outcome, 24, "applied");
    return event(c, *oid, !strcmp(to, "succeeded") ? "refund_confirmed" : "refund_failed", 0, "gateway",
                 "%s %s by the gateway", r->out_refund_no, to);
}

int order_pending_refunds(struct db_conn *c, int limit, int (*cb)(const struct pending_refund *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct pending_refund r;
    int rc = db_query(c, &s,
                      "SELECT p.gateway, p.out_trade_no, r.out_refund_no, r.amount, p.amount FROM refunds r "
                      "JOIN payments p ON p.id = r.payment_id WHERE r.status = 'pending' AND p.gateway IS NOT NULL "
                      "ORDER BY r.id LIMIT $1",
                      "i", (int64_t)limit);
    while (rc == DB_ROW) {
        memset(&r, 0, sizeof r);
        str_copy(r.gateway, sizeof r.gateway, db_col_text(s, 0));
        str_copy(r.out_trade_no, sizeof r.out_trade_no, db_col_text(s, 1));
        str_copy(r.out_refund_no, sizeof r.out_refund_no, db_col_text(s, 2));
        r.amount = db_col_i64(s, 3);
        r.payment_amount = db_col_i64(s, 4);
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_payments_to_close(struct db_conn *c, int64_t now, int limit, int (*cb)(const struct payment *p, void *arg),
                            void *arg)
{
    struct db_stmt *s = NULL;
    struct payment p;
    int rc = db_query(c, &s,
                      "SELECT " PAY_COLS " WHERE gateway IS NOT NULL AND closed_at = 0 AND (status = 'cancelled' OR "
                      "(status = 'pending' AND expires_at > 0 AND expires_at < $1)) AND created_at > $2 "
                      "ORDER BY id LIMIT $3",
                      "iii", now, now - 30 * DAY_MS, (int64_t)limit);
    while (rc == DB_ROW) {
        read_payment(s, &p);
        rc = cb(&p, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_payment_closed(struct db_conn *c, const char *out_trade_no, int64_t *order_id)
{
    struct payment p;
    int64_t n, now = now_ms();
    int rc = order_payment_by_trade(c, out_trade_no, &p);
    *order_id = 0;
    if (rc)
        return rc;
    *order_id = p.order_id;
    n = db_exec(c, "UPDATE payments SET closed_at = $2, status = CASE WHEN status = 'pending' THEN 'failed' "
                   "ELSE status END, updated_at = $2 WHERE id = $1 AND closed_at = 0 AND status IN ('pending', 'cancelled')",
                "ii", p.id, now);
    if (n <= 0)
        return (int)(n < 0 ? n : 0);
    return event(c, p.order_id, !strcmp(p.status, "pending") ? "payment_expired" : "payment_closed", 0, "gateway",
                 "%s closed at %s%s", p.out_trade_no, p.gateway,
                 !strcmp(p.status, "pending") ? ": not paid in time; the order may be paid again" : "");
}

int order_stale_payments(struct db_conn *c, int64_t older_ms, int limit,
                         int (*cb)(const char *gateway, const char *out_trade_no, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int64_t now = now_ms();
    int rc = db_query(c, &s,
                      "SELECT gateway, out_trade_no FROM payments WHERE status IN ('pending', 'cancelled') "
                      "AND closed_at = 0 AND gateway IS NOT NULL AND created_at < $1 AND created_at > $2 "
                      "ORDER BY id LIMIT $3",
                      "iii", now - older_ms, now - 86400000LL, (int64_t)limit);
    while (rc == DB_ROW) {
        rc = cb(db_col_text(s, 0), db_col_text(s, 1), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* ---- sales from another system ---- */

int order_import(struct db_conn *c, const struct sale_import *s, int64_t *id, bool *existed)
{
    int64_t total = 0, fid = 0, n;
    int rc;
    *existed = false;
    rc = db_scalar_i64(c, id, "SELECT id FROM orders WHERE external_ref = $1", "t", s->external_ref);
    if (!rc) {
        *existed = true;
        return 0;
    }
    if (rc != O2O_ENOTFOUND)
        return rc;
    err_clear();
    for (int i = 0; i < s->nlines; i++)
        total += s->qty[i] * s->unit_price[i];
    rc = db_scalar_i64(c, id,
                       "INSERT INTO orders (channel, member_id, location_id, mode, status, subtotal, discount, total, "
                       "paid, refunded, pay_by, external_ref, created_at) VALUES ('pos', $1, $2, "
                       "'carry_out', $3, $4, 0, $4, $4, $5, $6, $7, $6) RETURNING id",
                       "Iitiiit", s->member_id, s->location_id, s->is_return ? "returned" : "completed", total,
                       s->is_return ? total : (int64_t)0, s->at, s->external_ref);
    if (!rc)
        rc = db_scalar_i64(c, &fid,
                           "INSERT INTO fulfilments (order_id, kind, location_id, status, created_at, updated_at) "
                           "VALUES ($1, 'carry_out', $2, 'handed_over', $3, $3) RETURNING id",
                           "iii", *id, s->location_id, s->at);
    for (int i = 0; i < s->nlines && !rc; i++) {
        n = db_exec(c,
                    "INSERT INTO order_lines (order_id, line_no, sku_id, qty, unit_price, discount, amount, "
                    "fulfilment_id, returned_qty) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)",
                    "iiiiiiii", *id, (int64_t)i + 1, s->sku[i], s->qty[i], s->unit_price[i],
                    s->qty[i] * s->unit_price[i], fid, s->is_return ? s->qty[i] : (int64_t)0);
        if (n < 0)
            rc = (int)n;
    }
    if (!rc) {
        n = db_exec(c,
                    "INSERT INTO order_events (order_id, seq, kind, fulfilment_id, detail, actor, created_at) "
                    "VALUES ($1, 1, $2, NULL, $3, 'import', $4)",
                    "itti", *id, s->is_return ? "returned" : "completed", s->external_ref, s->at);
        rc = n < 0 ? (int)n : 0;
    }
    if (!rc && !s->is_return && s->member_id)
        rc = order_feed_add(c, ORDER_FEED_IMPORTED, *id, s->member_id, 0);
    if (!rc && s->is_return) {
        n = db_exec(c,
                    "INSERT INTO returns (order_id, location_id, amount, reason, actor, created_at) "
                    "VALUES ($1, $2, $3, 'cancellation invoice', 'import', $4)",
                    "iiii", *id, s->location_id, total, s->at);
        rc = n < 0 ? (int)n : 0;
    }
    return rc;
}

/* ---- carrier tracking ---- */

int order_note(struct db_conn *c, int64_t id, const char *kind, const char *detail, const char *actor)
{
    return event(c, id, kind, 0, actor, "%s", detail);
}

int order_tracking(struct db_conn *c, const char *carrier, const char *tracking_no, const struct tracking_event *e,
                   bool *found, bool *fresh, int64_t *order_id)
{
    static const char *const statuses[] = {"picked_up", "in_transit", "out_for_delivery", "delivered", "exception"};
    struct db_stmt *s = NULL;
    struct fulfilment f;
    struct order o;
    int64_t fid = 0, n;
    int rc;
    *found = *fresh = false;
    *order_id = 0;
    if (!one_of(e->status, statuses, sizeof statuses / sizeof statuses[0]))
        return err_set(O2O_EINVAL, NULL, "status",
                       "status must be picked_up, in_transit, out_for_delivery, delivered or exception");
    rc = db_query(c, &s, "SELECT id FROM fulfilments WHERE carrier = $1 AND tracking_no = $2", "tt", carrier,
                  tracking_no);
    if (rc == DB_ROW)
        fid = db_col_i64(s, 0);
    db_done(s);
    if (rc < 0)
        return rc;
    if (!fid)
        return 0;
    *found = true;
    rc = fulfilment_get(c, fid, &f);
    if (!rc)
        rc = order_get(c, f.order_id, &o);
    if (rc)
        return rc;
    *order_id = o.id;
    n = db_exec(c,
                "INSERT INTO tracking_events (fulfilment_id, carrier, tracking_no, status, location, description, "
                "event_time, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                "ON CONFLICT (carrier, tracking_no, event_time, status) DO NOTHING",
                "itttttii", fid, carrier, tracking_no, e->status, e->location, e->description, e->at, now_ms());
    if (n <= 0)
        return n < 0 ? (int)n : 0; /* pushed before */
    *fresh = true;
    rc = event(c, o.id, "tracking", fid, carrier, "%s %s%s%s%s%s", tracking_no, e->status, e->location[0] ? " at " : "",
               e->location, e->description[0] ? ": " : "", e->description);
    if (!rc && !strcmp(e->status, "delivered") && !strcmp(f.status, "shipped") && !strcmp(f.kind, "delivery")) {
        rc = set_ful_status(c, fid, "shipped", "delivered");
        if (!rc)
            rc = event(c, o.id, "delivered", fid, carrier, "delivery from %s, reported by %s", f.location_code,
                       carrier);
        if (!rc)
            rc = maybe_complete(c, &o, carrier);
    }
    return rc;
}

int order_basket_items(struct db_conn *c, int64_t since,
                       int (*cb)(int64_t order_id, const char *product, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT ol.order_id, p.code FROM orders o JOIN order_lines ol ON ol.order_id = o.id "
                      "JOIN skus k ON k.id = ol.sku_id JOIN products p ON p.id = k.product_id "
                      "WHERE o.created_at >= $1 AND (o.status = 'paid' OR o.status = 'completed') "
                      "ORDER BY ol.order_id, ol.line_no",
                      "i", since);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_text(s, 1), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

#define PURCHASE_COLS                                                                                          \
    "SELECT o.id, COALESCE(o.member_id, 0), o.created_at, p.id, COALESCE(p.category_id, 0), COALESCE(b.code, ''), " \
    "COALESCE(cat.code, ''), COALESCE(par.code, ''), COALESCE(cat.path, ''), ol.unit_price, "                    \
    "ol.qty - ol.returned_qty "                                                                                  \
    "FROM orders o JOIN order_lines ol ON ol.order_id = o.id AND ol.qty > ol.returned_qty "                     \
    "JOIN skus k ON k.id = ol.sku_id "                                                                           \
    "JOIN products p ON p.id = k.product_id LEFT JOIN brands b ON b.id = p.brand_id "                         \
    "LEFT JOIN categories cat ON cat.id = p.category_id LEFT JOIN categories par ON par.id = cat.parent_id "

/* (What she kept: returned units are left out.) */
int order_purchase_lines(struct db_conn *c, int64_t order_id, int64_t member_id,
                         int (*cb)(const struct purchase_line *l, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct purchase_line l;
    int rc;
    if (order_id)
        rc = db_query(c, &s, PURCHASE_COLS "WHERE o.id = $1 AND (o.status = 'paid' OR o.status = 'completed') "
                      "ORDER BY ol.line_no", "i", order_id);
    else if (member_id)
        rc = db_query(c, &s, PURCHASE_COLS "WHERE o.member_id = $1 AND (o.status = 'paid' OR o.status = 'completed') "
                      "ORDER BY o.created_at, o.id, ol.line_no", "i", member_id);
    else
        rc = db_query(c, &s, PURCHASE_COLS "WHERE o.member_id IS NOT NULL AND (o.status = 'paid' OR "
                      "o.status = 'completed') ORDER BY o.member_id, o.created_at, o.id, ol.line_no", NULL);
    while (rc == DB_ROW) {
        memset(&l, 0, sizeof l);
        l.order_id = db_col_i64(s, 0);
        l.member_id = db_col_i64(s, 1);
        l.at = db_col_i64(s, 2);
        l.product_id = db_col_i64(s, 3);
        l.category_id = db_col_i64(s, 4);
        str_copy(l.brand, sizeof l.brand, db_col_text(s, 5));
        str_copy(l.category, sizeof l.category, db_col_text(s, 6));
        str_copy(l.parent_category, sizeof l.parent_category, db_col_text(s, 7));
        str_copy(l.category_path, sizeof l.category_path, db_col_text(s, 8));
        l.unit_price = db_col_i64(s, 9);
        l.qty = db_col_i64(s, 10);
        rc = cb(&l, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_reco_rows(struct db_conn *c, int64_t since,
                    int (*cb)(int64_t order_id, int64_t member_id, int64_t store_id, int64_t at, int64_t product_id,
                              void *arg),
                    void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT o.id, COALESCE(o.member_id, 0), CASE WHEN o.mode = 'pickup' THEN "
                      "COALESCE(o.pickup_location_id, 0) WHEN o.mode = 'carry_out' THEN COALESCE(o.location_id, 0) "
                      "ELSE 0 END, o.created_at, k.product_id FROM orders o JOIN order_lines ol ON ol.order_id = o.id "
                      "JOIN skus k ON k.id = ol.sku_id WHERE o.created_at >= $1 AND (o.status = 'paid' OR "
                      "o.status = 'completed') ORDER BY o.id, ol.line_no",
                      "i", since);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_i64(s, 1), db_col_i64(s, 2), db_col_i64(s, 3), db_col_i64(s, 4), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_member_products(struct db_conn *c, int64_t member_id, int64_t since,
                          int (*cb)(int64_t product_id, int64_t category_id, int64_t at, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT k.product_id, COALESCE(p.category_id, 0), o.created_at FROM orders o "
                      "JOIN order_lines ol ON ol.order_id = o.id JOIN skus k ON k.id = ol.sku_id "
                      "JOIN products p ON p.id = k.product_id WHERE o.member_id = $1 AND o.created_at >= $2 "
                      "AND (o.status = 'paid' OR o.status = 'completed') ORDER BY o.created_at DESC",
                      "ii", member_id, since);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_i64(s, 1), db_col_i64(s, 2), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_store_purchases(struct db_conn *c, int64_t location_id, int64_t from, int64_t to,
                          int (*cb)(int64_t member_id, int64_t at, int64_t total, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT member_id, created_at, total FROM orders WHERE location_id = $1 AND mode = 'carry_out' "
                      "AND member_id IS NOT NULL AND created_at >= $2 AND created_at < $3 "
                      "AND (status = 'paid' OR status = 'completed') ORDER BY created_at, id",
                      "iii", location_id, from, to);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_i64(s, 1), db_col_i64(s, 2), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* ---- figures for reports: what a store sold in a period (loc 0: every order) ---- */

/* Each branch can use an index (a store's till sales, its pickups; every order
** only for the chain, loc 0); an OR of them could not. */
#define SOLD_HERE                                                                                              \
    "o.id IN (SELECT id FROM orders WHERE location_id = $1 AND created_at >= $2 AND created_at < $3 "           \
    "UNION SELECT id FROM orders WHERE pickup_location_id = $1 AND pickup_location_id IS NOT NULL AND "         \
    "created_at >= $2 AND created_at < $3 UNION SELECT id FROM orders WHERE $1 = 0 AND created_at >= $2 AND "   \
    "created_at < $3) AND (o.status = 'paid' OR o.status = 'completed' OR o.status = 'returned')"

int order_period_figures(struct db_conn *c, int64_t loc, int64_t start, int64_t end, const struct order_period_cbs *cb,
                         void *arg, struct order_period *out)
{
    struct db_stmt *s = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    rc = db_query(c, &s,
                  "SELECT o.channel, COALESCE(SUM(CASE WHEN o.status <> 'returned' THEN 1 ELSE 0 END), 0), "
                  "COALESCE(SUM(o.total - o.refunded), 0) FROM orders o WHERE " SOLD_HERE
                  " GROUP BY o.channel ORDER BY o.channel",
                  "iii", loc, start, end);
    while (rc == DB_ROW) {
        out->orders += db_col_i64(s, 1);
        out->sales += db_col_i64(s, 2);
        rc = cb->channel ? cb->channel(db_col_text(s, 0), db_col_i64(s, 1), db_col_i64(s, 2), arg) : 0;
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (cb->tender) {
        rc = db_query(c, &s,
                      "SELECT tender, COUNT(*), COALESCE(SUM(amount), 0) FROM payments WHERE status = 'captured' "
                      "AND id IN (SELECT id FROM payments WHERE location_id = $1 AND created_at >= $2 AND "
                      "created_at < $3 UNION ALL SELECT id FROM payments WHERE $1 = 0 AND created_at >= $2 AND "
                      "created_at < $3) GROUP BY tender ORDER BY tender",
                      "iii", loc, start, end);
        while (rc == DB_ROW) {
            rc = cb->tender(db_col_text(s, 0), db_col_i64(s, 1), db_col_i64(s, 2), arg);
            if (rc)
                break;
            rc = db_step(s);
        }
        db_done(s);
        if (rc < 0)
            return rc;
    }
    if (cb->sku) {
        rc = db_query(c, &s,
                      "SELECT k.code, p.name, SUM(ol.qty - ol.returned_qty), SUM(ol.amount) FROM orders o "
                      "JOIN order_lines ol ON ol.order_id = o.id JOIN skus k ON k.id = ol.sku_id "
                      "JOIN products p ON p.id = k.product_id WHERE " SOLD_HERE " GROUP BY k.code, p.name",
                      "iii", loc, start, end);
        while (rc == DB_ROW) {
            rc = cb->sku(db_col_text(s, 0), db_col_text(s, 1), db_col_i64(s, 2), db_col_i64(s, 3), arg);
            if (rc)
                break;
            rc = db_step(s);
        }
        db_done(s);
        if (rc < 0)
            return rc;
    }
    if (cb->member) {
        rc = db_query(c, &s,
                      "SELECT o.member_id, m.name, m.phone, COUNT(*), SUM(o.total - o.refunded) FROM orders o "
                      "JOIN members m ON m.id = o.member_id WHERE " SOLD_HERE
                      " AND o.status <> 'returned' GROUP BY o.member_id, m.name, m.phone",
                      "iii", loc, start, end);
        while (rc == DB_ROW) {
            rc = cb->member(db_col_i64(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_i64(s, 3),
                            db_col_i64(s, 4), arg);
            if (rc)
                break;
            rc = db_step(s);
        }
        db_done(s);
        if (rc < 0)
            return rc;
    }
    rc = db_query(c, &s,
                  "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM returns WHERE id IN (SELECT id FROM returns WHERE "
                  "location_id = $1 AND created_at >= $2 AND created_at < $3 UNION ALL SELECT id FROM returns WHERE "
                  "$1 = 0 AND created_at >= $2 AND created_at < $3)",
                  "iii", loc, start, end);
    if (rc == DB_ROW) {
        out->returns = db_col_i64(s, 0);
        out->returns_amount = db_col_i64(s, 1);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    rc = db_scalar_i64(c, &out->pickups_waiting,
                       "SELECT COUNT(*) FROM fulfilments WHERE kind = 'pickup' AND status = 'ready_for_pickup' AND "
                       "(location_id = $1 OR $1 = 0)",
                       "i", loc);
    return rc;
}

int order_period_rows(struct db_conn *c, int64_t loc, int64_t start, int64_t end,
                      int (*cb)(int64_t at, int64_t member_id, int kept, int64_t net, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT o.created_at, COALESCE(o.member_id, 0), CASE WHEN o.status <> 'returned' THEN 1 ELSE 0 "
                      "END, o.total - o.refunded FROM orders o WHERE " SOLD_HERE " ORDER BY o.created_at, o.id",
                      "iii", loc, start, end);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_i64(s, 1), (int)db_col_i64(s, 2), db_col_i64(s, 3), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_period_lines(struct db_conn *c, int64_t loc, int64_t start, int64_t end,
                       int (*cb)(int64_t at, const char *sku, const char *name, int64_t qty, int64_t amount, void *arg),
                       void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT o.created_at, k.code, p.name, ol.qty - ol.returned_qty, ol.amount FROM orders o "
                      "JOIN order_lines ol ON ol.order_id = o.id JOIN skus k ON k.id = ol.sku_id "
                      "JOIN products p ON p.id = k.product_id WHERE " SOLD_HERE " AND o.status <> 'returned'",
                      "iii", loc, start, end);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_i64(s, 3), db_col_i64(s, 4), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_demand_lines(struct db_conn *c, int64_t start, int64_t end,
                       int (*cb)(int64_t at, const char *category, const char *size, int64_t unit_price, int64_t qty,
                                 int64_t amount, void *arg),
                       void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT o.created_at, COALESCE(k2.code, ''), k.size, ol.unit_price, ol.qty - ol.returned_qty, "
                      "ol.amount FROM orders o JOIN order_lines ol ON ol.order_id = o.id JOIN skus k ON k.id = "
                      "ol.sku_id JOIN products p ON p.id = k.product_id LEFT JOIN categories k2 ON k2.id = "
                      "p.category_id WHERE o.created_at >= $1 AND o.created_at < $2 AND (o.status = 'paid' OR "
                      "o.status = 'completed')",
                      "ii", start, end);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_i64(s, 3), db_col_i64(s, 4),
                db_col_i64(s, 5), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    int64_t n = db_exec(c, "UPDATE orders SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    return n < 0 ? (int)n : order_feed_add(c, ORDER_FEED_MOVED, 0, to, from);
}
