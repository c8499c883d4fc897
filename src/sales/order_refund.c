/*
** order_refund.c -- money and goods going back: refunds to the original tenders
** in proportion (points given back, points earned reversed), cancellation (by
** request, unpaid orders at their pay-by time, pickups not collected), and returns
** at any store within the return window. Owns tables refunds, returns. No HTTP or
** JSON here. Tests: tests/e2e/test_orders.py, tests/e2e/test_returns.py,
** tests/unit/test_orders.c
*/
#include "sales/order_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/money.h"
#include "member/coupon.h"
#include "member/points.h"
#include "org/location.h"
#include "org/settings.h"
#include "sales/order_feed.h"
#include "stock/inventory.h"

/* ---- refunds ---- */

int ord_refund_payment(struct db_conn *c, const struct order *o, const struct payment *p, int64_t amount,
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
    n = db_exec(
        c,
        "INSERT INTO refunds (payment_id, order_id, amount, points, status, out_refund_no, reason, location_id, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        "iiiitttIi", p->id, o->id, amount, points, status, no, reason, loc, now);
    if (n >= 0)
        n = db_exec(c,
                    "UPDATE payments SET refunded = refunded + $2, updated_at = $3 WHERE id = $1 "
                    "AND refunded + $2 <= amount",
                    "iii", p->id, amount, now);
    if (n >= 0 && n == 0)
        return err_set(O2O_ECONFLICT, "over_refund", NULL, "payment %" PRId64 " cannot refund %" PRId64, p->id, amount);
    if (n >= 0)
        n = db_exec(c, "UPDATE orders SET refunded = refunded + $2 WHERE id = $1", "ii", o->id, amount);
    if (n < 0)
        return (int)n;
    money_yuan(a, amount);
    return ord_event(c, o->id, "refund", 0, actor, "%s %s to the %s tender (%s)%s", no, a, p->tender, reason,
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
            rc = ord_refund_payment(c, o, &ps->v[i], share[i], reason, loc, actor);
    free(ps);
    return rc;
}

/* Take back the points earned on `amount` fen of the order: *wanted those earned
** on it, *reversed those the balance still held. */
static int reverse_points(struct db_conn *c, struct order *o, int64_t amount, const char *tag, const char *actor,
                          int64_t *wanted, int64_t *reversed)
{
    struct points_op op;
    struct points_entry e;
    int64_t by_points = 0, base, pts, spend;
    int rc;
    *reversed = 0;
    *wanted = 0;
    if (!o->member_id || o->total <= 0 || amount <= 0)
        return 0;
    rc = ord_points_tendered(c, o->id, &by_points);
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
    return ord_event(c, o->id, "points_reversed", 0, actor, "%" PRId64 " points", -e.points);
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
            rc = ord_event(c, o->id, "points_shortfall", 0, actor,
                           "%" PRId64
                           " points earned on these goods were already spent: their value %s is kept from the refund",
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
        rc = ord_release_lines(c, fs->v[i].id);
        if (!rc && !ful_final(fs->v[i].status))
            n = db_exec(c, "UPDATE fulfilments SET status = 'cancelled', updated_at = $2 WHERE id = $1", "ii",
                        fs->v[i].id, now_ms()),
            rc = n < 0 ? (int)n : 0;
    }
    free(fs);
    if (!rc) {
        /* a gateway payment still open is abandoned; if it is paid after all, it is refunded */
        n = db_exec(
            c, "UPDATE payments SET status = 'cancelled', updated_at = $2 WHERE order_id = $1 AND status = 'pending'",
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
        rc = n < 0 ? (int)n : ord_event(c, o->id, "cancelled", 0, actor, "%s", reason);
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
int ord_drop_fulfilment(struct db_conn *c, struct order *o, int64_t fid, const char *status, const char *why,
                        const char *actor)
{
    int64_t amount = 0, n;
    int rc = ord_release_lines(c, fid);
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
            rc = n < 0 ? (int)n : ord_event(c, o->id, "cancelled", 0, actor, "%s", why);
            str_copy(o->status, sizeof o->status, "cancelled");
        }
    }
    return rc ? rc : ord_maybe_complete(c, o, actor);
}

int order_expire_pickups(struct db_conn *c, int64_t now, int64_t *count)
{
    struct db_stmt *s = NULL;
    int64_t fids[200], oids[200];
    int n = 0;
    int rc =
        db_query(c, &s,
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
            rc = ord_event(c, o.id, "pickup_expired", fids[i], "system", "not collected in time; stock released");
        if (!rc)
            rc = ord_drop_fulfilment(c, &o, fids[i], "cancelled", "not collected", "system");
        if (!rc)
            (*count)++;
    }
    return rc < 0 ? rc : 0;
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
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL,
                       "order %" PRId64 " is %s: only completed orders "
                       "take returns",
                       o.id, o.status);
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
        n = db_exec(
            c, "UPDATE order_lines SET returned_qty = returned_qty + $2 WHERE id = $1 AND returned_qty + $2 <= qty",
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
        rc = ord_event(c, o.id, "returned", 0, in->actor, "return %" PRId64 " at %s: %s (%s)", *return_id, loc.code, a,
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
