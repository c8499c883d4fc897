/*
** coupon.c -- coupons. Owns table coupons. No HTTP or JSON here.
** Tests: tests/e2e/test_orders.py (coupon cases).
*/
#include "member/coupon.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

#define COUPON_COLS                                                                                        \
    "id, code, member_id, kind, value, min_spend, valid_from, valid_until, status, order_id, reason, " \
    "created_at FROM coupons"

static void read_coupon(struct db_stmt *s, struct coupon *cp)
{
    memset(cp, 0, sizeof *cp);
    cp->id = db_col_i64(s, 0);
    str_copy(cp->code, sizeof cp->code, db_col_text(s, 1));
    cp->member_id = db_col_i64(s, 2);
    str_copy(cp->kind, sizeof cp->kind, db_col_text(s, 3));
    cp->value = db_col_i64(s, 4);
    cp->min_spend = db_col_i64(s, 5);
    cp->valid_from = db_col_i64(s, 6);
    cp->valid_until = db_col_i64(s, 7);
    str_copy(cp->status, sizeof cp->status, db_col_text(s, 8));
    cp->order_id = db_col_i64(s, 9);
    str_copy(cp->reason, sizeof cp->reason, db_col_text(s, 10));
    cp->created_at = db_col_i64(s, 11);
}

int coupon_get(struct db_conn *c, const char *code, struct coupon *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " COUPON_COLS " WHERE code = $1", "t", code);
    if (rc == DB_ROW)
        read_coupon(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_coupon", "coupon", "no coupon %.64s", code);
    return rc < 0 ? rc : 0;
}

int coupon_create(struct db_conn *c, struct coupon *cp)
{
    int rc;
    if (!cp->code[0]) {
        char hex[13];
        random_hex(hex, 6);
        snprintf(cp->code, sizeof cp->code, "C%s", hex);
    }
    if (!is_code(cp->code))
        return err_set(O2O_EINVAL, NULL, "code", "code must be 1-64 of A-Z a-z 0-9 _ - .");
    if (strcmp(cp->kind, "percent") && strcmp(cp->kind, "amount"))
        return err_set(O2O_EINVAL, NULL, "kind", "kind must be percent or amount");
    if (cp->value < 1 || (!strcmp(cp->kind, "percent") && cp->value > 100))
        return err_set(O2O_EINVAL, "out_of_range", "value", "value must be 1..100 percent or a positive amount in fen");
    if (cp->min_spend < 0)
        return err_set(O2O_EINVAL, "out_of_range", "min_spend", "min_spend must not be negative");
    if (cp->valid_until <= cp->valid_from)
        return err_set(O2O_EINVAL, "out_of_range", "valid_until", "valid_until must be after valid_from");
    cp->created_at = now_ms();
    rc = db_scalar_i64(c, &cp->id,
                       "INSERT INTO coupons (code, member_id, kind, value, min_spend, valid_from, valid_until, status, "
                       "reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'issued', $8, $9) RETURNING id",
                       "tItiiiiti", cp->code, cp->member_id, cp->kind, cp->value, cp->min_spend, cp->valid_from,
                       cp->valid_until, cp->reason, cp->created_at);
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "coupon_exists", "code", "coupon %s already exists", cp->code);
    str_copy(cp->status, sizeof cp->status, "issued");
    return rc;
}

int coupon_quote(struct db_conn *c, const char *code, int64_t member_id, int64_t subtotal, int64_t *discount)
{
    struct coupon cp;
    int64_t now = now_ms();
    int rc = coupon_get(c, code, &cp);
    if (rc)
        return rc;
    if (cp.member_id && cp.member_id != member_id)
        return err_set(O2O_EFORBIDDEN, "coupon_not_yours", "coupon", "coupon %s belongs to another member", code);
    if (strcmp(cp.status, "issued"))
        return err_set(O2O_ECONFLICT, "coupon_used", "coupon", "coupon %s is %s", code, cp.status);
    if (now < cp.valid_from || now >= cp.valid_until)
        return err_set(O2O_ECONFLICT, "coupon_expired", "coupon", "coupon %s is not valid now", code);
    if (subtotal < cp.min_spend)
        return err_set(O2O_ECONFLICT, "coupon_min_spend", "coupon", "coupon %s needs a spend of %" PRId64 " fen", code,
                       cp.min_spend);
    *discount = !strcmp(cp.kind, "percent") ? subtotal * cp.value / 100 : (cp.value < subtotal ? cp.value : subtotal);
    return 0;
}

int coupon_use(struct db_conn *c, const char *code, int64_t order_id)
{
    int64_t n = db_exec(c, "UPDATE coupons SET status = 'used', order_id = $2 WHERE code = $1 AND status = 'issued'",
                        "ti", code, order_id);
    if (n < 0)
        return (int)n;
    return n ? 0 : err_set(O2O_ECONFLICT, "coupon_used", "coupon", "coupon %s was used meanwhile", code);
}

int coupon_restore(struct db_conn *c, const char *code, int64_t order_id)
{
    int64_t n = db_exec(c, "UPDATE coupons SET status = 'issued', order_id = NULL WHERE code = $1 AND order_id = $2",
                        "ti", code, order_id);
    return n < 0 ? (int)n : 0;
}

int coupon_list(struct db_conn *c, int64_t member_id, int (*cb)(const struct coupon *cp, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct coupon cp;
    int rc = db_query(c, &s, "SELECT " COUPON_COLS " WHERE member_id = $1 ORDER BY id DESC LIMIT 200", "i", member_id);
    while (rc == DB_ROW) {
        read_coupon(s, &cp);
        rc = cb(&cp, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int coupon_count(struct db_conn *c, const char *reason_prefix, const char *status, int64_t from, int64_t to,
                 int64_t *out)
{
    char like[160];
    snprintf(like, sizeof like, "%s%%", reason_prefix);
    return db_scalar_i64(c, out,
                         "SELECT COUNT(*) FROM coupons WHERE created_at >= $1 AND created_at < $2 AND reason LIKE $3 "
                         "AND ($4 = '' OR status = $4)",
                         "iitt", from, to, like, status);
}

int coupon_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    int64_t n = db_exec(c, "UPDATE coupons SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    return n < 0 ? (int)n : 0;
}

int coupon_void_unused(struct db_conn *c, const char *code, const char *why)
{
    int64_t n = db_exec(c, "UPDATE coupons SET status = 'void', reason = reason || ' (void: ' || $2 || ')' "
                           "WHERE code = $1 AND status = 'issued'",
                        "tt", code, why);
    return n < 0 ? (int)n : 0;
}
