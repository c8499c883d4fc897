/*
** order_read.c -- the read models of orders for the contexts above sales
** (order_read.h): baskets, purchase lines, recommendation rows, a store's
** purchases, report figures, demand. Reads orders, order_lines, fulfilments; writes
** nothing. No HTTP or JSON here. Tests: tests/e2e/test_insight.py,
** tests/e2e/test_reports.py
*/
#include "sales/order_read.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

int order_line_fact_get(struct db_conn *c, int64_t line_id, struct order_line_fact *f)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT l.id, o.id, COALESCE(o.member_id, 0), l.sku_id, k.product_id, "
                      "COALESCE(o.location_id, o.pickup_location_id, fl.location_id, 0), o.status, k.code, p.code, "
                      "p.name, l.qty, l.returned_qty, o.created_at, l.line_no FROM order_lines l JOIN orders o ON o.id = l.order_id "
                      "JOIN skus k ON k.id = l.sku_id JOIN products p ON p.id = k.product_id "
                      "LEFT JOIN fulfilments fl ON fl.id = l.fulfilment_id WHERE l.id = $1",
                      "i", line_id);
    if (rc == DB_ROW) {
        memset(f, 0, sizeof *f);
        f->line_id = db_col_i64(s, 0);
        f->order_id = db_col_i64(s, 1);
        f->member_id = db_col_i64(s, 2);
        f->sku_id = db_col_i64(s, 3);
        f->product_id = db_col_i64(s, 4);
        f->store_id = db_col_i64(s, 5);
        str_copy(f->status, sizeof f->status, db_col_text(s, 6));
        str_copy(f->sku, sizeof f->sku, db_col_text(s, 7));
        str_copy(f->product, sizeof f->product, db_col_text(s, 8));
        str_copy(f->product_name, sizeof f->product_name, db_col_text(s, 9));
        f->qty = db_col_i64(s, 10);
        f->returned_qty = db_col_i64(s, 11);
        f->created_at = db_col_i64(s, 12);
        f->line_no = db_col_i64(s, 13);
    }
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_order_line", "order_line_id", "no order line %" PRId64, line_id);
    return rc < 0 ? rc : 0;
}

int order_line_fact_by_no(struct db_conn *c, int64_t order_id, int64_t line_no, struct order_line_fact *out)
{
    int64_t id = 0;
    int rc = db_scalar_i64(c, &id, "SELECT id FROM order_lines WHERE order_id = $1 AND line_no = $2", "ii", order_id,
                           line_no);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ENOTFOUND, "unknown_order_line", "line", "order %" PRId64 " has no line %" PRId64, order_id,
                       line_no);
    return rc ? rc : order_line_fact_get(c, id, out);
}

int order_member_count_since(struct db_conn *c, int64_t member_id, int64_t since, int64_t *n)
{
    return db_scalar_i64(c, n,
                         "SELECT COUNT(*) FROM orders WHERE member_id = $1 AND created_at >= $2 AND "
                         "(status = 'paid' OR status = 'completed' OR status = 'returned')",
                         "ii", member_id, since);
}

int order_fact_get(struct db_conn *c, int64_t id, struct order_fact *f)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT id, COALESCE(member_id, 0), channel, mode, COALESCE(location_id, 0), "
                      "COALESCE(pickup_location_id, 0), status, total, refunded, COALESCE(coupon_code, ''), created_at "
                      "FROM orders WHERE id = $1",
                      "i", id);
    if (rc == DB_ROW) {
        memset(f, 0, sizeof *f);
        f->id = db_col_i64(s, 0);
        f->member_id = db_col_i64(s, 1);
        str_copy(f->channel, sizeof f->channel, db_col_text(s, 2));
        str_copy(f->mode, sizeof f->mode, db_col_text(s, 3));
        f->location_id = db_col_i64(s, 4);
        f->pickup_id = db_col_i64(s, 5);
        str_copy(f->status, sizeof f->status, db_col_text(s, 6));
        f->total = db_col_i64(s, 7);
        f->refunded = db_col_i64(s, 8);
        str_copy(f->coupon, sizeof f->coupon, db_col_text(s, 9));
        f->created_at = db_col_i64(s, 10);
    }
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_order", NULL, "no order %" PRId64, id);
    return rc < 0 ? rc : 0;
}

int order_basket_items(struct db_conn *c, int64_t since, int (*cb)(int64_t order_id, const char *product, void *arg),
                       void *arg)
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

#define PURCHASE_COLS                                                                                                  \
    "SELECT o.id, COALESCE(o.member_id, 0), o.created_at, p.id, COALESCE(p.category_id, 0), COALESCE(b.code, ''), "    \
    "COALESCE(cat.code, ''), COALESCE(par.code, ''), COALESCE(cat.path, ''), ol.unit_price, "                          \
    "ol.qty - ol.returned_qty "                                                                                        \
    "FROM orders o JOIN order_lines ol ON ol.order_id = o.id AND ol.qty > ol.returned_qty "                            \
    "JOIN skus k ON k.id = ol.sku_id "                                                                                 \
    "JOIN products p ON p.id = k.product_id LEFT JOIN brands b ON b.id = p.brand_id "                                  \
    "LEFT JOIN categories cat ON cat.id = p.category_id LEFT JOIN categories par ON par.id = cat.parent_id "

/* (What she kept: returned units are left out.) */
int order_purchase_lines(struct db_conn *c, int64_t order_id, int64_t member_id,
                         int (*cb)(const struct purchase_line *l, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct purchase_line l;
    int rc;
    if (order_id)
        rc = db_query(c, &s,
                      PURCHASE_COLS "WHERE o.id = $1 AND (o.status = 'paid' OR o.status = 'completed') "
                                    "ORDER BY ol.line_no",
                      "i", order_id);
    else if (member_id)
        rc = db_query(c, &s,
                      PURCHASE_COLS "WHERE o.member_id = $1 AND (o.status = 'paid' OR o.status = 'completed') "
                                    "ORDER BY o.created_at, o.id, ol.line_no",
                      "i", member_id);
    else
        rc = db_query(c, &s,
                      PURCHASE_COLS "WHERE o.member_id IS NOT NULL AND (o.status = 'paid' OR "
                                    "o.status = 'completed') ORDER BY o.member_id, o.created_at, o.id, ol.line_no",
                      NULL);
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
#define SOLD_HERE                                                                                                      \
    "o.id IN (SELECT id FROM orders WHERE location_id = $1 AND created_at >= $2 AND created_at < $3 "                  \
    "UNION SELECT id FROM orders WHERE pickup_location_id = $1 AND pickup_location_id IS NOT NULL AND "                \
    "created_at >= $2 AND created_at < $3 UNION SELECT id FROM orders WHERE $1 = 0 AND created_at >= $2 AND "          \
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
            rc = cb->member(db_col_i64(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_i64(s, 3), db_col_i64(s, 4),
                            arg);
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
