/*
** coupon.h -- coupons: a percentage or an amount off an order, for one member or
** for anyone, valid for a period, used once (given back if the order is cancelled).
*/
#ifndef O2O_MEMBER_COUPON_H
#define O2O_MEMBER_COUPON_H

#include <stdint.h>

#include "db/db.h"

struct coupon {
    int64_t id;
    char code[65];
    int64_t member_id;        /* 0: anyone */
    char kind[12];            /* percent | amount */
    int64_t value;            /* percent off (1..100) or fen off */
    int64_t min_spend;        /* fen */
    int64_t valid_from, valid_until;
    char status[12];          /* issued | used | void */
    int64_t order_id;
    char reason[129];
    int64_t created_at;
};

/* Create (code generated when empty); validated. */
int coupon_create(struct db_conn *c, struct coupon *cp);
int coupon_get(struct db_conn *c, const char *code, struct coupon *out);
/* The discount a coupon gives a member on a subtotal, or why it cannot be used. */
int coupon_quote(struct db_conn *c, const char *code, int64_t member_id, int64_t subtotal, int64_t *discount);
/* Mark used by an order (conditional: once only); give back on cancellation. */
int coupon_use(struct db_conn *c, const char *code, int64_t order_id);
int coupon_restore(struct db_conn *c, const char *code, int64_t order_id);
/* A member's coupons, newest first. */
int coupon_list(struct db_conn *c, int64_t member_id, int (*cb)(const struct coupon *cp, void *arg), void *arg);

/* Coupons created in [from, to) whose reason starts with prefix and whose status is
** status ("" for any). */
int coupon_count(struct db_conn *c, const char *reason_prefix, const char *status, int64_t from, int64_t to,
                 int64_t *out);

/* A merge (transaction body): what belonged to member `from` becomes `to`'s. */
int coupon_move_member(struct db_conn *c, int64_t from, int64_t to);
/* Void a coupon not used yet (a reward whose reason is gone); nothing when used or void. */
int coupon_void_unused(struct db_conn *c, const char *code, const char *why);

#endif
