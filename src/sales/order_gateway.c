/*
** order_gateway.c -- the state of payments through a gateway (WeChat Pay, Alipay):
** begun before the gateway hears of them, one pending per order (a new one
** supersedes), expiry and closing, the gateway's result applied once however often
** it comes, the payer's identity linked to the member, refunds' results, and the
** lists the sweeper works through. Writes the gateway columns of payments and
** refunds (order_pay.c and order_refund.c own the tables). No HTTP or JSON here.
** Tests: tests/e2e/test_payments.py
*/
#include "sales/order_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/money.h"
#include "member/member.h"
#include "org/settings.h"

/* ---- payments through a gateway ---- */

int order_payment_get(struct db_conn *c, int64_t id, struct payment *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " PAY_COLS " WHERE id = $1", "i", id);
    if (rc == DB_ROW)
        ord_read_payment(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_payment", NULL, "no payment %" PRId64, id);
    return rc < 0 ? rc : 0;
}

int order_payment_by_trade(struct db_conn *c, const char *out_trade_no, struct payment *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " PAY_COLS " WHERE out_trade_no = $1", "t", out_trade_no);
    if (rc == DB_ROW)
        ord_read_payment(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_trade", NULL, "no payment %.64s", out_trade_no);
    return rc < 0 ? rc : 0;
}

static int gateway_payment_view(struct db_conn *c, int64_t pid, struct gateway_payment *out)
{
    struct payment p;
    int rc = order_payment_get(c, pid, &p);
    if (rc)
        return rc;
    out->payment_id = p.id;
    out->order_id = p.order_id;
    out->amount = p.amount;
    out->location_id = p.location_id;
    str_copy(out->tender, sizeof out->tender, p.tender);
    str_copy(out->gateway, sizeof out->gateway, p.gateway);
    str_copy(out->out_trade_no, sizeof out->out_trade_no, p.out_trade_no);
    str_copy(out->pay_url, sizeof out->pay_url, p.pay_url);
    str_copy(out->status, sizeof out->status, p.status);
    out->expires_at = p.expires_at;
    return 0;
}

/* Payments still open at a gateway are abandoned (status cancelled): the sweeper
** closes them there; one paid after all is taken if still due, else refunded. */
static int supersede_pending(struct db_conn *c, const struct order *o, int64_t keep, const char *why, const char *actor)
{
    struct pay_set *ps = xcalloc(1, sizeof *ps);
    int rc = order_payments(c, o->id, add_pay, ps);
    for (int i = 0; i < ps->n && !rc; i++) {
        int64_t n;
        if (ps->v[i].id == keep || strcmp(ps->v[i].status, "pending") || !ps->v[i].gateway[0])
            continue;
        n = db_exec(c, "UPDATE payments SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status = 'pending'",
                    "ii", ps->v[i].id, now_ms());
        rc = n < 0 ? (int)n
                   : ord_event(c, o->id, "payment_abandoned", 0, actor, "%s (%s): %s; closed at the gateway next",
                               ps->v[i].out_trade_no, ps->v[i].gateway, why);
    }
    free(ps);
    return rc;
}

int order_gateway_begin(struct db_conn *c, int64_t id, const char *tender, const char *gateway, int64_t amount,
                        int64_t loc, const char *idem_key, const char *trade_prefix, const char *actor,
                        struct gateway_payment *out)
{
    struct order o;
    int64_t due, pid = 0, now = now_ms(), n, minutes = 15, expires;
    char no[65], a[32];
    int rc = order_get(c, id, &o);
    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    if (idem_key && *idem_key) {
        rc =
            db_scalar_i64(c, &pid, "SELECT id FROM payments WHERE order_id = $1 AND idem_key = $2", "it", id, idem_key);
        if (!rc) {
            out->existing = true;
            return gateway_payment_view(c, pid, out);
        }
        if (rc != O2O_ENOTFOUND)
            return rc;
        err_clear();
    }
    if (strcmp(o.status, "placed"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s: nothing to pay", o.id,
                       o.status);
    /* a new payment replaces one still open (a QR code not scanned, a wallet switched,
    ** an answer never read): the order is never stuck behind it */
    rc = supersede_pending(c, &o, 0, "replaced by a new payment", actor);
    if (rc)
        return rc;
    due = o.total - o.paid;
    if (due <= 0)
        return err_set(O2O_ECONFLICT, "nothing_due", NULL, "order %" PRId64 " has nothing left to pay", o.id);
    if (!amount)
        amount = due;
    if (amount > due)
        return err_set(O2O_EINVAL, "exceeds_due", "amount", "%" PRId64 " fen is more than the %" PRId64 " fen due",
                       amount, due);
    /* the gateway closes the trade at the order's pay-by time, or after
    ** gateway_payment_minutes for a sale at the till */
    rc = settings_i64(c, "gateway_payment_minutes", 15, &minutes);
    if (rc)
        return rc;
    expires = now + minutes * 60000;
    if (o.pay_by && o.pay_by < expires)
        expires = o.pay_by;
    if (expires < now + 60000)
        expires = now + 60000;
    rc = db_scalar_i64(c, &pid,
                       "INSERT INTO payments (order_id, tender, amount, status, gateway, idem_key, location_id, "
                       "created_at, updated_at, expires_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $7, $8) "
                       "RETURNING id",
                       "itittIii", id, tender, amount, gateway, idem_key && *idem_key ? idem_key : NULL,
                       loc ? loc : o.location_id, now, expires);
    if (rc)
        return rc;
    /* trade numbers carry the instance's prefix: two databases on one merchant
    ** account never hand the gateway the same number */
    snprintf(no, sizeof no, "%.8sO%" PRId64 "P%" PRId64, trade_prefix ? trade_prefix : "", id, pid);
    n = db_exec(c, "UPDATE payments SET out_trade_no = $2 WHERE id = $1", "it", pid, no);
    if (n < 0)
        return (int)n;
    money_yuan(a, amount);
    rc = ord_event(c, id, "payment_started", 0, actor, "%s %s through %s, trade %s", tender, a, gateway, no);
    return rc ? rc : gateway_payment_view(c, pid, out);
}

int order_gateway_set_url(struct db_conn *c, int64_t pid, const char *url)
{
    int64_t n = db_exec(c, "UPDATE payments SET pay_url = $2 WHERE id = $1", "it", pid, url);
    return n < 0 ? (int)n : 0;
}

/* A till sale paid by a payer whose WeChat or Alipay identity belongs to a member becomes hers. */
static const char *payer_kind(const char *gateway, const char *kind)
{
    return kind && *kind ? kind : !strcmp(gateway, "wechat_pay") ? "wechat_openid" : "alipay_user_id";
}

static int link_payer(struct db_conn *c, struct order *o, const char *gateway, const char *payer, const char *kind,
                      const char *actor)
{
    struct member m;
    int64_t n;
    if (o->member_id || !payer[0])
        return 0;
    if (member_find_by_identity(c, payer_kind(gateway, kind), payer, &m)) {
        err_clear();
        return 0;
    }
    n = db_exec(c, "UPDATE orders SET member_id = $2 WHERE id = $1 AND member_id IS NULL", "ii", o->id, m.id);
    if (n < 0)
        return (int)n;
    o->member_id = m.id;
    return ord_event(c, o->id, "member_linked", 0, actor, "payer %s is member %" PRId64, payer, m.id);
}

/* A verified payment of an order the member placed herself (signed in) binds its
** payer's WeChat or Alipay identity to her, unless it belongs to someone already:
** from then on that payer's till sales are hers. */
static int bind_payer(struct db_conn *c, const struct order *o, const char *gateway, const char *payer,
                      const char *kind, const char *actor)
{
    struct member_identity idn;
    struct member m;
    struct db_stmt *s = NULL;
    char by[48] = "", her[48];
    int rc;
    if (!o->member_id || !payer[0])
        return 0;
    rc = db_query(c, &s, "SELECT actor FROM order_events WHERE order_id = $1 AND kind = 'placed' ORDER BY seq LIMIT 1",
                  "i", o->id);
    if (rc == DB_ROW)
        str_copy(by, sizeof by, db_col_text(s, 0));
    db_done(s);
    if (rc < 0)
        return rc;
    snprintf(her, sizeof her, "member:%" PRId64, o->member_id);
    if (strcmp(by, her))
        return 0; /* placed by someone else for her: the payer may not be her */
    memset(&idn, 0, sizeof idn);
    str_copy(idn.kind, sizeof idn.kind, payer_kind(gateway, kind));
    str_copy(idn.value, sizeof idn.value, payer);
    rc = member_find_by_identity(c, idn.kind, idn.value, &m);
    if (rc != O2O_ENOTFOUND)
        return rc; /* bound already (to her, or to another: nothing changes), or a failure */
    err_clear();
    rc = member_link_identity(c, o->member_id, &idn);
    if (rc)
        return rc;
    return ord_event(c, o->id, "payer_bound", 0, actor, "%s %s is member %" PRId64 "'s", idn.kind, payer, o->member_id);
}

int order_gateway_result(struct db_conn *c, const char *gateway, const struct gateway_report *r, char outcome[24],
                         int64_t *loc, int64_t *oid)
{
    struct payment p;
    struct order o;
    char actor[48], a[32];
    int64_t n, now = now_ms();
    int rc = order_payment_by_trade(c, r->out_trade_no, &p);
    *loc = 0;
    *oid = 0;
    if (rc == O2O_ENOTFOUND) {
        err_clear();
        str_copy(outcome, 24, "unknown_trade");
        return 0;
    }
    if (rc)
        return rc;
    *loc = p.location_id;
    *oid = p.order_id;
    snprintf(actor, sizeof actor, "gateway:%s", gateway);
    if (strcmp(p.gateway, gateway)) {
        str_copy(outcome, 24, "unknown_trade");
        return 0;
    }
    if (!strcmp(r->state, "pending")) {
        str_copy(outcome, 24, "pending");
        return 0;
    }
    if (!strcmp(p.status, "captured") || !strcmp(p.status, "failed")) {
        str_copy(outcome, 24, "duplicate");
        return 0;
    }
    rc = order_get(c, p.order_id, &o);
    if (rc)
        return rc;
    if (strcmp(r->state, "paid") && !strcmp(p.status, "cancelled")) {
        /* abandoned by us, and not paid: it stays so */
        str_copy(outcome, 24, "abandoned");
        if (!strcmp(r->state, "closed")) {
            n = db_exec(c, "UPDATE payments SET closed_at = $2 WHERE id = $1 AND closed_at = 0", "ii", p.id, now);
            if (n < 0)
                return (int)n;
        }
        return 0;
    }
    if (strcmp(r->state, "paid")) {
        n = db_exec(c, "UPDATE payments SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'pending'",
                    "ii", p.id, now);
        if (n < 0)
            return (int)n;
        str_copy(outcome, 24, "failed");
        return ord_event(c, o.id, "payment_failed", 0, actor, "%s says %s%s%s", p.out_trade_no, r->state,
                         r->reason[0] ? ": " : "", r->reason);
    }
    if (r->amount != p.amount) {
        str_copy(outcome, 24, "amount_mismatch");
        return ord_event(c, o.id, "payment_mismatch", 0, actor, "%s paid %" PRId64 " fen, expected %" PRId64,
                         p.out_trade_no, r->amount, p.amount);
    }
    n = db_exec(c,
                "UPDATE payments SET status = 'captured', reference = $2, payer = $3, updated_at = $4 WHERE id = $1 "
                "AND status IN ('pending', 'cancelled')",
                "itti", p.id, r->transaction_id, r->payer, now);
    if (n < 0)
        return (int)n;
    if (n == 0) {
        str_copy(outcome, 24, "duplicate");
        return 0;
    }
    money_yuan(a, p.amount);
    rc = ord_event(c, o.id, "payment", 0, actor, "%s %s, transaction %s", p.tender, a, r->transaction_id);
    if (rc)
        return rc;
    if (strcmp(o.status, "placed") || o.total - o.paid < p.amount) {
        /* the order was cancelled (e.g. payment timeout) before the money arrived, or
        ** another payment paid it meanwhile: give this one back */
        bool cancelled = !strcmp(o.status, "cancelled");
        struct payment cp = p;
        cp.refunded = 0;
        str_copy(cp.status, sizeof cp.status, "captured");
        n = db_exec(c, "UPDATE orders SET paid = paid + $2 WHERE id = $1", "ii", o.id, p.amount);
        if (n < 0)
            return (int)n;
        o.paid += p.amount;
        str_copy(outcome, 24, "late_payment_refunded");
        return ord_refund_payment(c, &o, &cp, p.amount,
                                  cancelled ? "paid after the order was cancelled"
                                            : "paid after another payment was made",
                                  p.location_id, actor);
    }
    if (!strcmp(p.status, "cancelled")) {
        /* an abandoned payment she paid after all, while the order still wants it: take
        ** it, and abandon the one that replaced it */
        rc = supersede_pending(c, &o, p.id, "another payment was made", actor);
        if (rc)
            return rc;
    }
    rc = link_payer(c, &o, gateway, r->payer, r->payer_kind, actor);
    if (!rc)
        rc = bind_payer(c, &o, gateway, r->payer, r->payer_kind, actor);
    if (rc)
        return rc;
    o.paid += p.amount;
    n = db_exec(c, "UPDATE orders SET paid = $2 WHERE id = $1", "ii", o.id, o.paid);
    if (n < 0)
        return (int)n;
    str_copy(outcome, 24, "applied");
    return o.paid == o.total ? ord_on_paid(c, &o, actor) : 0;
}

int order_refund_result(struct db_conn *c, const struct gateway_report *r, char outcome[24], int64_t *oid)
{
    struct db_stmt *s = NULL;
    char status[12] = "";
    int64_t id = 0, n;
    const char *to = !strcmp(r->state, "refunded") ? "succeeded" : !strcmp(r->state, "failed") ? "failed" : NULL;
    int rc =
        db_query(c, &s, "SELECT id, status, order_id FROM refunds WHERE out_refund_no = $1", "t", r->out_refund_no);
    *oid = 0;
    if (rc == DB_ROW) {
        id = db_col_i64(s, 0);
        str_copy(status, sizeof status, db_col_text(s, 1));
        *oid = db_col_i64(s, 2);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE) {
        str_copy(outcome, 24, "unknown_refund");
        return 0;
    }
    if (!to) {
        str_copy(outcome, 24, "pending");
        return 0;
    }
    if (strcmp(status, "pending")) {
        str_copy(outcome, 24, "duplicate");
        return 0;
    }
    n = db_exec(c,
                "UPDATE refunds SET status = $2, reference = $3, updated_at = $4 WHERE id = $1 AND status = 'pending'",
                "itti", id, to, r->refund_id, now_ms());
    if (n < 0)
        return (int)n;
    str_copy(outcome, 24, "applied");
    return ord_event(c, *oid, !strcmp(to, "succeeded") ? "refund_confirmed" : "refund_failed", 0, "gateway",
                     "%s %s by the gateway", r->out_refund_no, to);
}

int order_pending_refunds(struct db_conn *c, int limit, int (*cb)(const struct pending_refund *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct pending_refund r;
    int rc = db_query(c, &s,
                      "SELECT p.gateway, p.out_trade_no, r.out_refund_no, r.amount, p.amount FROM refunds r "
                      "JOIN payments p ON p.id = r.payment_id WHERE r.status = 'pending' AND p.gateway IS NOT NULL "
                      "ORDER BY r.id LIMIT $1",
                      "i", (int64_t)limit);
    while (rc == DB_ROW) {
        memset(&r, 0, sizeof r);
        str_copy(r.gateway, sizeof r.gateway, db_col_text(s, 0));
        str_copy(r.out_trade_no, sizeof r.out_trade_no, db_col_text(s, 1));
        str_copy(r.out_refund_no, sizeof r.out_refund_no, db_col_text(s, 2));
        r.amount = db_col_i64(s, 3);
        r.payment_amount = db_col_i64(s, 4);
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_payments_to_close(struct db_conn *c, int64_t now, int limit, int (*cb)(const struct payment *p, void *arg),
                            void *arg)
{
    struct db_stmt *s = NULL;
    struct payment p;
    int rc = db_query(c, &s,
                      "SELECT " PAY_COLS " WHERE gateway IS NOT NULL AND closed_at = 0 AND (status = 'cancelled' OR "
                      "(status = 'pending' AND expires_at > 0 AND expires_at < $1)) AND created_at > $2 "
                      "ORDER BY id LIMIT $3",
                      "iii", now, now - 30 * DAY_MS, (int64_t)limit);
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

int order_payment_closed(struct db_conn *c, const char *out_trade_no, int64_t *order_id)
{
    struct payment p;
    int64_t n, now = now_ms();
    int rc = order_payment_by_trade(c, out_trade_no, &p);
    *order_id = 0;
    if (rc)
        return rc;
    *order_id = p.order_id;
    n = db_exec(
        c,
        "UPDATE payments SET closed_at = $2, status = CASE WHEN status = 'pending' THEN 'failed' "
        "ELSE status END, updated_at = $2 WHERE id = $1 AND closed_at = 0 AND status IN ('pending', 'cancelled')",
        "ii", p.id, now);
    if (n <= 0)
        return (int)(n < 0 ? n : 0);
    return ord_event(c, p.order_id, !strcmp(p.status, "pending") ? "payment_expired" : "payment_closed", 0, "gateway",
                     "%s closed at %s%s", p.out_trade_no, p.gateway,
                     !strcmp(p.status, "pending") ? ": not paid in time; the order may be paid again" : "");
}

int order_stale_payments(struct db_conn *c, int64_t older_ms, int limit,
                         int (*cb)(const char *gateway, const char *out_trade_no, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int64_t now = now_ms();
    int rc = db_query(c, &s,
                      "SELECT gateway, out_trade_no FROM payments WHERE status IN ('pending', 'cancelled') "
                      "AND closed_at = 0 AND gateway IS NOT NULL AND created_at < $1 AND created_at > $2 "
                      "ORDER BY id LIMIT $3",
                      "iii", now - older_ms, now - 86400000LL, (int64_t)limit);
    while (rc == DB_ROW) {
        rc = cb(db_col_text(s, 0), db_col_text(s, 1), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
