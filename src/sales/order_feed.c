/*
** order_feed.c -- the order feed (order_feed.h). Owns table order_feed. No HTTP or
** JSON here. Tests: tests/unit/test_order_feed.c, tests/e2e/test_insight.py.
*/
#include "sales/order_feed.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"

static const char *const kinds[] = {"paid", "claimed", "imported", "returned", "moved"};

int order_feed_add(struct db_conn *c, enum order_feed_kind kind, int64_t order_id, int64_t member_id,
                   int64_t from_member_id)
{
    int64_t n = db_exec(c,
                        "INSERT INTO order_feed (kind, order_id, member_id, from_member_id, created_at) "
                        "VALUES ($1, $2, $3, $4, $5)",
                        "tiiii", kinds[kind], order_id, member_id, from_member_id, now_ms());
    return n < 0 ? (int)n : 0;
}

static enum order_feed_kind kind_of(const char *s)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (s && !strcmp(s, kinds[i]))
            return (enum order_feed_kind)i;
    return ORDER_FEED_PAID; /* the table's CHECK admits no other word */
}

int order_feed_read(struct db_conn *c, int64_t after, int64_t now, int64_t gap_ms, struct order_feed_row *rows, int max,
                    int *n)
{
    struct db_stmt *s = NULL;
    int64_t next = after + 1;
    int rc = db_query(c, &s,
                      "SELECT seq, kind, order_id, member_id, from_member_id, created_at FROM order_feed "
                      "WHERE seq > $1 ORDER BY seq LIMIT $2",
                      "ii", after, (int64_t)max);
    *n = 0;
    while (rc == DB_ROW && *n < max) {
        struct order_feed_row *r = &rows[*n];
        r->seq = db_col_i64(s, 0);
        if (r->seq != next && now - db_col_i64(s, 5) < gap_ms)
            break; /* a hole that may still fill */
        r->kind = kind_of(db_col_text(s, 1));
        r->order_id = db_col_i64(s, 2);
        r->member_id = db_col_i64(s, 3);
        r->from_member_id = db_col_i64(s, 4);
        r->created_at = db_col_i64(s, 5);
        next = r->seq + 1;
        (*n)++;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_feed_member_orders(struct db_conn *c, int64_t member_id, int64_t upto, int64_t **ids, int *n)
{
    struct db_stmt *s = NULL;
    int cap = 0;
    int rc = db_query(c, &s,
                      "SELECT DISTINCT o.id FROM orders o JOIN order_feed f ON f.order_id = o.id "
                      "WHERE o.member_id = $1 AND f.seq <= $2 AND f.kind IN ('paid', 'claimed', 'imported') "
                      "ORDER BY o.id",
                      "ii", member_id, upto);
    *ids = NULL;
    *n = 0;
    while (rc == DB_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            *ids = xrealloc(*ids, (size_t)cap * sizeof **ids);
        }
        (*ids)[(*n)++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int order_feed_head(struct db_conn *c, int64_t *seq)
{
    return db_scalar_i64(c, seq, "SELECT COALESCE(MAX(seq), 0) FROM order_feed", NULL);
}
