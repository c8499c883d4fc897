/*
** order_pay.c -- paying an order with local tenders (cash, cards, points, several
** at once with change), what happens when it is paid (points earned, the order
** feed, till sales handed over), and points earned after a receipt is claimed.
** Owns table payments (its gateway state: order_gateway.c). No HTTP or JSON here.
** Tests: tests/e2e/test_orders.py, tests/unit/test_orders.c
*/
#include "sales/order_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "member/member.h"
#include "member/points.h"
#include "org/settings.h"
#include "sales/order_feed.h"

static const char *tenders[] = {"cash", "bank_card", "wechat_pay", "alipay", "scan", "points"};

/* ---- payment ---- */

int ord_insert_payment(struct db_conn *c, int64_t oid, const struct tender *t, int64_t amount, int64_t points,
                       int64_t loc)
{
    int64_t now = now_ms();
    int64_t n =
        db_exec(c,
                "INSERT INTO payments (order_id, tender, amount, points, status, reference, payer, location_id, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, 'captured', $5, $6, $7, $8, $8)",
                "itiittIi", oid, t->tender, amount, points, t->reference, t->payer, loc, now);
    return n < 0 ? (int)n : 0;
}

/* What each tender comes to (fen, points, change), checked against what is due
** before anything is written. oid names the order in messages (0: a new one). */
int ord_split_tenders(struct db_conn *c, int64_t oid, int64_t member_id, int64_t due, const struct tender *t, int nt,
                      struct tender_use *u)
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
            return err_set(O2O_EINVAL, NULL, field,
                           "tender must be cash, bank_card, wechat_pay, alipay, scan or points");
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
                return err_set(O2O_EINVAL, "exceeds_due", field,
                               "%" PRId64 " points pay %" PRId64 " fen, more than the %" PRId64 " fen due", points,
                               amount, due);
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
int ord_spend_points(struct db_conn *c, const struct order *o, int64_t points, int64_t loc, int i)
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
void ord_tender_detail(char *out, size_t cap, const char *tender, const struct tender_use *u)
{
    char a[32], b[32];
    money_yuan(a, u->amount);
    money_yuan(b, u->change);
    if (u->change)
        snprintf(out, cap, "%s %s (change %s)", tender, a, b);
    else
        snprintf(out, cap, "%s %s", tender, a);
}

int ord_apply_tenders(struct db_conn *c, struct order *o, const struct tender *t, int nt, int64_t loc,
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
        rc = ord_split_tenders(c, o->id, o->member_id, o->total - o->paid - pending, t, nt, u);
    for (int i = 0; i < nt && !rc; i++) {
        if (u[i].points)
            rc = ord_spend_points(c, o, u[i].points, loc, i);
        if (!rc)
            rc = ord_insert_payment(c, o->id, &t[i], u[i].amount, u[i].points, loc);
        if (rc)
            break;
        o->paid += u[i].amount;
        ord_tender_detail(detail, sizeof detail, t[i].tender, &u[i]);
        rc = ord_event(c, o->id, "payment", 0, actor, "%s", detail);
    }
    if (rc)
        return rc;
    {
        int64_t n = db_exec(c, "UPDATE orders SET paid = $2 WHERE id = $1", "ii", o->id, o->paid);
        if (n < 0)
            return (int)n;
    }
    return o->paid == o->total ? ord_on_paid(c, o, actor) : 0;
}

int ord_on_paid(struct db_conn *c, struct order *o, const char *actor)
{
    int rc;
    int64_t n = db_exec(c, "UPDATE orders SET status = 'paid' WHERE id = $1 AND status = 'placed'", "i", o->id);
    if (n < 0)
        return (int)n;
    if (!n)
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is not awaiting payment", o->id);
    str_copy(o->status, sizeof o->status, "paid");
    rc = ord_event(c, o->id, "paid", 0, actor, "%" PRId64 " fen", o->total);
    /* points on what was paid with money; the points tender earns nothing */
    if (!rc && o->member_id)
        rc = ord_earn_for_order(c, o, actor);
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
            rc = ord_consume_lines(c, fids[i], actor);
            if (!rc)
                rc = ord_set_ful_status(c, fids[i], "allocated", "handed_over");
            if (!rc)
                rc = ord_event(c, o->id, "handed_over", fids[i], actor, "at the till of %s", o->location_code);
        }
    }
    return rc ? rc : ord_maybe_complete(c, o, actor);
}

int order_pay(struct db_conn *c, int64_t id, const struct tender *t, int n, int64_t loc, const char *actor)
{
    struct order o;
    int rc = order_get(c, id, &o);
    if (rc)
        return rc;
    if (n < 1 || n > ORDER_MAX_TENDERS)
        return err_set(O2O_EINVAL, NULL, "tenders", "give 1..%d tenders", ORDER_MAX_TENDERS);
    return ord_apply_tenders(c, &o, t, n, loc ? loc : o.location_id, actor);
}

int ord_points_tendered(struct db_conn *c, int64_t oid, int64_t *fen)
{
    return db_scalar_i64(c, fen,
                         "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE order_id = $1 AND tender = 'points' "
                         "AND status = 'captured'",
                         "i", oid);
}

/* Credit the points of amount fen paid on the order to its member (once: keyed
** by the order) and record them on the order. */
int ord_earn_points(struct db_conn *c, struct order *o, int64_t amount, int64_t *points)
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
int ord_earn_for_order(struct db_conn *c, struct order *o, const char *actor)
{
    int64_t by_points = 0, points = 0;
    int rc = ord_points_tendered(c, o->id, &by_points);
    if (rc || o->total - by_points - o->refunded <= 0)
        return rc;
    rc = ord_earn_points(c, o, o->total - by_points - o->refunded, &points);
    return rc ? rc : ord_event(c, o->id, "points_earned", 0, actor, "%" PRId64 " points", points);
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
    rc = ord_event(c, id, "member_linked", 0, actor, "receipt claimed by member %" PRId64, member_id);
    if (!rc && (!strcmp(o.status, "paid") || !strcmp(o.status, "completed")))
        rc = ord_earn_for_order(c, &o, actor);
    if (!rc && (!strcmp(o.status, "paid") || !strcmp(o.status, "completed")))
        rc = order_feed_add(c, ORDER_FEED_CLAIMED, id, member_id, 0);
    *points = o.points_earned;
    return rc;
}
