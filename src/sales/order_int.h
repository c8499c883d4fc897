/*
** order_int.h -- what the files of orders share and nothing else includes (in the
** manner of SQLite's btreeInt.h): the fixed-size collections the write paths load,
** the column lists of reads, and the steps one file of the order takes on behalf
** of another (the timeline, tenders, fulfilment states, refunds). Files: order.c
** (placement, timeline, reads, imports), order_pay.c (payments and tenders, points
** earned), fulfilment.c (allocation, the fulfilment state machine, carriers'
** tracking), order_refund.c (refunds, cancellation, returns), order_gateway.c
** (gateway payment state), order_read.c (the read models of order_read.h).
*/
#ifndef O2O_SALES_ORDER_INT_H
#define O2O_SALES_ORDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/util.h"
#include "sales/order.h"

#define DAY_MS 86400000LL
#define MAX_PAYMENTS 32
#define MAX_FULS 64

static inline bool one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, set[i]))
            return true;
    return false;
}

#define PAY_COLS                                                                                                       \
    "id, order_id, tender, amount, refunded, points, status, reference, COALESCE(out_trade_no, ''), payer, "           \
    "location_id, created_at, COALESCE(gateway, ''), COALESCE(pay_url, ''), expires_at, closed_at FROM payments"

/* ---- collections loaded into arrays for the write paths ---- */

/* A fixed-size array of item, and the read callback that fills it. */
#define COLLECTION(set, item, max, add)                                                                                \
    struct set {                                                                                                       \
        int n;                                                                                                         \
        struct item v[max];                                                                                            \
    };                                                                                                                 \
    static inline int add(const struct item *x, void *arg)                                                             \
    {                                                                                                                  \
        struct set *s = arg;                                                                                           \
        if (s->n < (max))                                                                                              \
            s->v[s->n++] = *x;                                                                                         \
        return 0;                                                                                                      \
    }

COLLECTION(line_set, order_line, ORDER_MAX_LINES, add_line)
COLLECTION(ful_set, fulfilment, MAX_FULS, add_ful)
COLLECTION(pay_set, payment, MAX_PAYMENTS, add_pay)

static inline bool ful_final(const char *status)
{
    return word_in_list("handed_over|picked_up|delivered|received|rejected|cancelled", status);
}

static inline bool ful_with_customer(const char *status)
{
    return word_in_list("handed_over|picked_up|delivered", status);
}

/* What each tender comes to (fen, points, change), checked against what is due
** before anything is written. oid names the order in messages (0: a new one). */
struct tender_use {
    int64_t amount, points, change;
};

/* ---- steps shared by the files of orders (transaction body helpers) ---- */
int ord_apply_tenders(struct db_conn *c, struct order *o, const struct tender *t, int nt, int64_t loc,
                      const char *actor);
int ord_attach(struct db_conn *c, int64_t oid, const struct order_line *l, int64_t loc, int64_t fid, int idx);
int ord_consume_lines(struct db_conn *c, int64_t fid, const char *actor);
int ord_drop_fulfilment(struct db_conn *c, struct order *o, int64_t fid, const char *status, const char *why,
                        const char *actor);
int ord_earn_points(struct db_conn *c, struct order *o, int64_t amount, int64_t *points);
int ord_event(struct db_conn *c, int64_t oid, const char *kind, int64_t fid, const char *actor, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
int ord_insert_payment(struct db_conn *c, int64_t oid, const struct tender *t, int64_t amount, int64_t points,
                       int64_t loc);
/* The stored form of a pickup code: sha256 of "fulfilment id:code" in hex. */
void ord_pickup_hash(char out[65], int64_t fid, const char *code);
int ord_maybe_complete(struct db_conn *c, struct order *o, const char *actor);
int ord_new_fulfilment(struct db_conn *c, int64_t oid, const char *kind, int64_t loc, int64_t to, int64_t *fid);
int ord_on_paid(struct db_conn *c, struct order *o, const char *actor);
int ord_points_tendered(struct db_conn *c, int64_t oid, int64_t *fen);
void ord_read_payment(struct db_stmt *s, struct payment *p);
int ord_refund_payment(struct db_conn *c, const struct order *o, const struct payment *p, int64_t amount,
                       const char *reason, int64_t loc, const char *actor);
int ord_release_lines(struct db_conn *c, int64_t fid);
int ord_route_lines(struct db_conn *c, const struct order *o, const struct line_set *ls, const int *map, int n,
                    const int64_t *exclude, int nexclude, const char *actor);
int ord_set_ful_status(struct db_conn *c, int64_t fid, const char *from_list, const char *to);
int ord_spend_points(struct db_conn *c, const struct order *o, int64_t points, int64_t loc, int i);
int ord_split_tenders(struct db_conn *c, int64_t oid, int64_t member_id, int64_t due, const struct tender *t, int nt,
                      struct tender_use *u);
void ord_tender_detail(char *out, size_t cap, const char *tender, const struct tender_use *u);
int ord_earn_for_order(struct db_conn *c, struct order *o, const char *actor);
int ord_held_reservations(struct db_conn *c, int64_t fid, int64_t res[ORDER_MAX_LINES], int *n);
#endif
