/*
** order_feed.h -- the order feed: what happened to members' orders (paid, claimed,
** imported, returned, moved by a merge), written by sales in the transaction of the
** change and read by the contexts above it (insight today, commissions next) with a
** cursor each keeps itself, so that sales never calls them.
*/
#ifndef O2O_SALES_ORDER_FEED_H
#define O2O_SALES_ORDER_FEED_H

#include <stdint.h>

#include "db/db.h"

enum order_feed_kind {
    ORDER_FEED_PAID,     /* a member's order was paid */
    ORDER_FEED_CLAIMED,  /* a paid receipt became a member's */
    ORDER_FEED_IMPORTED, /* a member's sale came in by import */
    ORDER_FEED_RETURNED, /* goods came back from a member's order */
    ORDER_FEED_MOVED,    /* a merge moved from_member_id's orders to member_id */
};

struct order_feed_row {
    int64_t seq;
    enum order_feed_kind kind;
    int64_t order_id; /* 0 for moved */
    int64_t member_id;
    int64_t from_member_id; /* moved: the member merged away; else 0 */
    int64_t created_at;     /* epoch ms, when the row was written */
};

/* Append a row (transaction body helper). */
int order_feed_add(struct db_conn *c, enum order_feed_kind kind, int64_t order_id, int64_t member_id,
                   int64_t from_member_id);

/* Up to max rows after seq `after`, in seq order, into rows[]; *n: how many. A hole
** in seq (a writer that has not committed yet, or one that rolled back) ends the
** read unless the row after it was written gap_ms or more before `now`: readers
** never skip a row that is still to come, and are not held for ever by one that
** never will. */
int order_feed_read(struct db_conn *c, int64_t after, int64_t now, int64_t gap_ms, struct order_feed_row *rows, int max,
                    int *n);

/* The member's orders that rows up to seq `upto` brought to readers (paid, claimed
** or imported), in id order, whoever they belonged to then; *ids is malloc'd. */
int order_feed_member_orders(struct db_conn *c, int64_t member_id, int64_t upto, int64_t **ids, int *n);

/* The last seq written (0: none). */
int order_feed_head(struct db_conn *c, int64_t *seq);
#endif
