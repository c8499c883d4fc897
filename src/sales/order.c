/*
** order.c -- orders from every channel: placement (price, coupon, routing,
** reservation; a till sale paid and handed over at once), the timeline, reads of
** an order, scope, sales imported from another system, merges. Owns tables orders,
** order_lines, order_events; the other files of orders (order_int.h) own the rest.
** Stock moves only through inventory.c (conditional updates), points only through
** points.c. No HTTP or JSON here.
** Tests: tests/e2e/test_orders.py, tests/unit/test_orders.c
*/
#include "sales/order_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/mem.h"
#include "member/coupon.h"
#include "member/member.h"
#include "org/channel.h"
#include "org/location.h"
#include "org/settings.h"
#include "sales/order_feed.h"
#include "stock/inventory.h"

/* ---- the timeline ---- */

int ord_event(struct db_conn *c, int64_t oid, const char *kind, int64_t fid, const char *actor, const char *fmt, ...)
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

#define ORDER_COLS                                                                                                     \
    "o.id, o.channel, o.member_id, o.location_id, COALESCE(l.code, ''), o.mode, o.pickup_location_id, "                \
    "COALESCE(p.code, ''), o.status, o.subtotal, o.discount, o.total, o.paid, o.refunded, o.points_earned, "           \
    "COALESCE(o.coupon_code, ''), o.address, o.lat, o.lon, o.contact_phone, o.note, o.pay_by, "                        \
    "(SELECT COALESCE(MAX(seq), 0) FROM order_events e WHERE e.order_id = o.id), o.created_at, "                       \
    "(SELECT COALESCE(MAX(created_at), 0) FROM order_events e WHERE e.order_id = o.id) "                               \
    "FROM orders o LEFT JOIN locations l ON l.id = o.location_id "                                                     \
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
    int rc =
        db_scalar_i64(c, seq,
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

#define FUL_COLS                                                                                                       \
    "f.id, f.order_id, f.kind, f.location_id, l.code, f.to_location_id, COALESCE(t.code, ''), f.status, "              \
    "f.pickup_expires_at, f.carrier, f.tracking_no, f.reason, f.created_at, f.updated_at FROM fulfilments f "          \
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

void ord_read_payment(struct db_stmt *s, struct payment *p)
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

int order_payments(struct db_conn *c, int64_t id, int (*cb)(const struct payment *p, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct payment p;
    int rc = db_query(c, &s, "SELECT " PAY_COLS " WHERE order_id = $1 ORDER BY id", "i", id);
    while (rc == DB_ROW) {
        ord_read_payment(s, &p);
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
    int rc =
        db_query(c, &s,
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
                             "tIItItiiiittddttii", in->channel, in->member_id, in->location_id, in->mode, in->pickup_id,
                             status, subtotal, discount, subtotal - discount, paid, in->coupon[0] ? in->coupon : NULL,
                             in->address, in->lat, in->lon, in->contact_phone, in->note, pay_by, now);
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
    int rc = ord_split_tenders(c, 0, in->member_id, total, in->tenders, in->ntenders, u);
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
    timeline_add(t, "placed", 0, "%s %s order, %d line(s), %" PRId64 " fen", in->channel, in->mode, in->nlines, total);
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
            rc = ord_spend_points(c, &o, u[i].points, in->location_id, i);
        if (!rc)
            rc = ord_insert_payment(c, oid, &in->tenders[i], u[i].amount, u[i].points, in->location_id);
        by_points += u[i].points ? u[i].amount : 0;
        ord_tender_detail(detail, sizeof detail, in->tenders[i].tender, &u[i]);
        timeline_add(t, "payment", 0, "%s", detail);
    }
    if (!rc)
        timeline_add(t, "paid", 0, "%" PRId64 " fen", total);
    if (!rc && in->member_id && total - by_points > 0) {
        int64_t points = 0;
        rc = ord_earn_points(c, &o, total - by_points, &points);
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
    if (carry && (rc = ord_new_fulfilment(c, oid, "carry_out", in->location_id, 0, &fid)))
        return rc;
    rc = insert_lines(c, oid, in, skus, prices, subtotal, discount, fid);
    if (!rc)
        rc = ord_event(c, oid, "placed", 0, in->actor, "%s %s order, %d line(s), %" PRId64 " fen", in->channel,
                       in->mode, in->nlines, subtotal - discount);
    if (rc)
        return rc;
    ls = xcalloc(1, sizeof *ls);
    rc = order_lines(c, oid, add_line, ls);
    if (carry) {
        /* paid in part or later: the goods stay reserved until then */
        for (int i = 0; i < ls->n && !rc; i++)
            rc = ord_attach(c, oid, &ls->v[i], in->location_id, fid, i);
        if (!rc)
            rc = ord_event(c, oid, "allocated", fid, in->actor, "carry out at the till");
    } else {
        if (!rc)
            rc = order_get(c, oid, &o);
        for (int i = 0; i < ls->n; i++)
            map[i] = i;
        if (!rc)
            rc = ord_route_lines(c, &o, ls, map, ls->n, NULL, 0, in->actor);
    }
    free(ls);
    if (!rc)
        rc = order_get(c, oid, &o);
    if (!rc && o.total == 0)
        rc = ord_on_paid(c, &o, in->actor);
    else if (!rc && in->ntenders)
        rc = ord_apply_tenders(c, &o, in->tenders, in->ntenders, in->location_id, in->actor);
    if (!rc)
        *id = oid;
    return rc;
}

/* Fen of an order paid with points (they earn nothing). */
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
        return o.member_id == who->id
                   ? 0
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

int order_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    int64_t n = db_exec(c, "UPDATE orders SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    return n < 0 ? (int)n : order_feed_add(c, ORDER_FEED_MOVED, 0, to, from);
}
