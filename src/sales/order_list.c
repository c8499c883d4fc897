/*
** order_list.c -- the orders staff work through (order_list.h): one list query
** with optional filters, newest first, paged by id; and the ready pickup a
** customer's code names. Reads orders, order_lines and fulfilments, and the
** locations, regions and members it names.
*/
#include "sales/order_list.h"
#include "sales/order_int.h"

#include <string.h>

#include "core/err.h"
#include "core/util.h"

/* An order touches a location: sold there, picked up there, or one of its
** fulfilments leaves or arrives there. $8 a location, $9 a region (its subtree). */
#define TOUCHES(L)                                                                                             \
    "(o.location_id = " L " OR o.pickup_location_id = " L " OR EXISTS (SELECT 1 FROM fulfilments f "            \
    "WHERE f.order_id = o.id AND (f.location_id = " L " OR f.to_location_id = " L ")))"

int order_list(struct db_conn *c, const struct order_filter *f, int (*cb)(const struct order_row *r, void *arg),
               void *arg, bool *more)
{
    struct db_stmt *s = NULL;
    int n = 0, limit = f->limit > 0 && f->limit <= ORDER_LIST_MAX ? f->limit : 50, rc;
    *more = false;
    rc = db_query(c, &s,
                  "SELECT o.id, o.channel, o.mode, o.status, COALESCE(o.member_id, 0), COALESCE(m.phone, ''), "
                  "COALESCE(l.code, ''), COALESCE(p.code, ''), o.total, o.paid, o.refunded, "
                  "(SELECT COALESCE(SUM(ol.qty), 0) FROM order_lines ol WHERE ol.order_id = o.id), o.created_at "
                  "FROM orders o LEFT JOIN locations l ON l.id = o.location_id "
                  "LEFT JOIN locations p ON p.id = o.pickup_location_id LEFT JOIN members m ON m.id = o.member_id "
                  "WHERE (CAST($1 AS BIGINT) = 0 OR o.id < $1) AND ($2 = '' OR o.status = $2) AND ($3 = '' OR o.channel = $3) "
                  "AND ($4 = '' OR o.mode = $4) AND (CAST($5 AS BIGINT) = 0 OR o.member_id = $5) "
                  "AND (CAST($6 AS BIGINT) = 0 OR o.created_at >= $6) AND (CAST($7 AS BIGINT) = 0 OR o.created_at < $7) "
                  "AND (CAST($8 AS BIGINT) = 0 OR " TOUCHES("$8") ") "
                  "AND (CAST($9 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM locations sl JOIN regions sr ON sr.id = sl.region_id "
                  "WHERE sr.path LIKE (SELECT rp.path FROM regions rp WHERE rp.id = $9) || '%' "
                  "AND " TOUCHES("sl.id") ")) "
                  "AND (CAST($10 AS BIGINT) = 0 OR o.id = $10) AND ($11 = '' OR m.phone = $11 OR o.contact_phone = $11) "
                  "ORDER BY o.id DESC LIMIT $12",
                  "itttiiiiiiti", f->before, f->status, f->channel, f->mode, f->member_id, f->from, f->to,
                  f->location_id, f->region_id, f->id, f->contact_phone, (int64_t)limit + 1);
    while (rc == DB_ROW) {
        struct order_row r;
        if (n == limit) {
            *more = true;
            break;
        }
        memset(&r, 0, sizeof r);
        r.id = db_col_i64(s, 0);
        str_copy(r.channel, sizeof r.channel, db_col_text(s, 1));
        str_copy(r.mode, sizeof r.mode, db_col_text(s, 2));
        str_copy(r.status, sizeof r.status, db_col_text(s, 3));
        r.member_id = db_col_i64(s, 4);
        str_copy(r.member_phone, sizeof r.member_phone, db_col_text(s, 5));
        str_copy(r.location, sizeof r.location, db_col_text(s, 6));
        str_copy(r.pickup_store, sizeof r.pickup_store, db_col_text(s, 7));
        r.total = db_col_i64(s, 8);
        r.paid = db_col_i64(s, 9);
        r.refunded = db_col_i64(s, 10);
        r.items = db_col_i64(s, 11);
        r.created_at = db_col_i64(s, 12);
        n++;
        if ((rc = cb(&r, arg)) != 0)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_by_pickup_code(struct db_conn *c, int64_t scope_loc, int64_t scope_region, const char *code,
                         int64_t *order_id)
{
    struct db_stmt *s = NULL;
    int rc;
    *order_id = 0;
    if (!code[0] || strlen(code) > 16)
        return O2O_ENOTFOUND;
    /* the codes are salted by fulfilment: compare each pickup waiting in scope */
    rc = db_query(c, &s,
                  "SELECT f.id, f.order_id, COALESCE(f.pickup_code_hash, '') FROM fulfilments f "
                  "JOIN locations l ON l.id = COALESCE(f.to_location_id, f.location_id) "
                  "JOIN regions r ON r.id = l.region_id "
                  "WHERE f.status = 'ready_for_pickup' AND (CAST($1 AS BIGINT) = 0 OR l.id = $1) "
                  "AND (CAST($2 AS BIGINT) = 0 OR r.path LIKE (SELECT rp.path FROM regions rp WHERE rp.id = $2) || '%') "
                  "ORDER BY f.id DESC LIMIT 5000",
                  "ii", scope_loc, scope_region);
    while (rc == DB_ROW) {
        char want[65];
        ord_pickup_hash(want, db_col_i64(s, 0), code);
        if (!strcmp(want, db_col_text(s, 2))) {
            *order_id = db_col_i64(s, 1);
            break;
        }
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    return *order_id ? 0 : O2O_ENOTFOUND;
}
