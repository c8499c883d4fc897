/*
** settlement.c -- daily settlement per store and tender.
** Owns table gateway_events. Reads payments and refunds (owned by order.c)
** for the reconciliation, never writes them. No HTTP or JSON here.
** Tests: tests/e2e/test_payments.py
*/
#include "sales/settlement.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/tz.h"
#include "core/util.h"
#include "org/location.h"

int settlement_log(struct db_conn *c, const char *gateway, const char *source, const char *out_trade_no,
                   const char *out_refund_no, bool verified, const char *state, int64_t amount, const char *outcome,
                   int64_t location_id)
{
    int64_t n = db_exec(c,
                        "INSERT INTO gateway_events (gateway, source, out_trade_no, out_refund_no, verified, state, "
                        "amount, outcome, location_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        "ttttititIi", gateway, source, out_trade_no ? out_trade_no : "",
                        out_refund_no ? out_refund_no : "", (int64_t)verified, state ? state : "", amount, outcome,
                        location_id, now_ms());
    return n < 0 ? (int)n : 0;
}

static struct settlement_tender *tender_row(struct settlement *st, const char *tender)
{
    for (int i = 0; i < st->ntenders; i++)
        if (!strcmp(st->tenders[i].tender, tender))
            return &st->tenders[i];
    if (st->ntenders == 8)
        return NULL;
    str_copy(st->tenders[st->ntenders].tender, sizeof st->tenders[0].tender, tender);
    return &st->tenders[st->ntenders++];
}

static void issue(struct settlement *st, const char *kind, const char *trade, const char *detail)
{
    struct settlement_issue *x;
    if (st->nissues == 64) {
        st->more_issues = true;
        return;
    }
    x = &st->issues[st->nissues++];
    str_copy(x->kind, sizeof x->kind, kind);
    str_copy(x->out_trade_no, sizeof x->out_trade_no, trade);
    str_copy(x->detail, sizeof x->detail, detail);
}

int settlement_day(struct db_conn *c, int64_t loc, const char *day, struct settlement *st)
{
    struct db_stmt *s = NULL;
    struct location l;
    char tz[64] = "Asia/Shanghai", detail[160];
    int64_t start, end, now = now_ms();
    int rc;
    memset(st, 0, sizeof *st);
    str_copy(st->day, sizeof st->day, day);
    st->location_id = loc;
    if (loc) {
        rc = location_cached(c, loc, &l);
        if (rc)
            return rc;
        str_copy(tz, sizeof tz, l.timezone);
    }
    if (strlen(day) != 10 || parse_iso8601(day, &start))
        return err_set(O2O_EINVAL, "wrong_type", "date", "date must be YYYY-MM-DD");
    end = tz_local_midnight(tz, start + 86400000LL);
    start = tz_local_midnight(tz, start);

    rc = db_query(c, &s,
                  "SELECT tender, COUNT(*), COALESCE(SUM(amount), 0) FROM payments WHERE status = 'captured' "
                  "AND updated_at >= $1 AND updated_at < $2 AND (location_id = $3 OR $3 = 0) GROUP BY tender ORDER BY tender",
                  "iii", start, end, loc);
    while (rc == DB_ROW) {
        struct settlement_tender *t = tender_row(st, db_col_text(s, 0));
        if (t) {
            t->payments = db_col_i64(s, 1);
            t->paid = db_col_i64(s, 2);
        }
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    rc = db_query(c, &s,
                  "SELECT p.tender, r.status, COUNT(*), COALESCE(SUM(r.amount), 0) FROM refunds r "
                  "JOIN payments p ON p.id = r.payment_id WHERE r.created_at >= $1 AND r.created_at < $2 "
                  "AND (r.location_id = $3 OR $3 = 0) GROUP BY p.tender, r.status",
                  "iii", start, end, loc);
    while (rc == DB_ROW) {
        struct settlement_tender *t = tender_row(st, db_col_text(s, 0));
        const char *status = db_col_text(s, 1);
        if (t && !strcmp(status, "succeeded")) {
            t->refunds = db_col_i64(s, 2);
            t->refunded = db_col_i64(s, 3);
        } else if (t && !strcmp(status, "pending")) {
            t->pending_refunds = db_col_i64(s, 3);
        }
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;

    /* what the gateways said that day */
    rc = db_query(c, &s,
                  "SELECT verified, outcome, out_trade_no, gateway, amount, state FROM gateway_events "
                  "WHERE source = 'notification' AND created_at >= $1 AND created_at < $2 "
                  "AND (location_id = $3 OR $3 = 0 OR location_id IS NULL) ORDER BY id",
                  "iii", start, end, loc);
    while (rc == DB_ROW) {
        const char *outcome = db_col_text(s, 1);
        if (db_col_i64(s, 0)) {
            st->notifications++;
            if (!strcmp(outcome, "amount_mismatch") || !strcmp(outcome, "unknown_trade")) {
                snprintf(detail, sizeof detail, "%s notified %s of %" PRId64 " fen", db_col_text(s, 3),
                         db_col_text(s, 5), db_col_i64(s, 4));
                issue(st, outcome, db_col_text(s, 2), detail);
            }
        } else {
            st->rejected++;
            snprintf(detail, sizeof detail, "a %s notification failed verification and was refused", db_col_text(s, 3));
            issue(st, "forged_notification", db_col_text(s, 2), detail);
        }
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;

    /* gateway payments captured without any verified word from the gateway, or still open */
    rc = db_query(c, &s,
                  "SELECT p.out_trade_no, p.status, p.amount, p.created_at, (SELECT COUNT(*) FROM gateway_events e "
                  "WHERE e.out_trade_no = p.out_trade_no AND e.verified = 1 AND e.state = 'paid') FROM payments p "
                  "WHERE p.gateway IS NOT NULL AND p.created_at >= $1 AND p.created_at < $2 "
                  "AND (p.location_id = $3 OR $3 = 0) AND p.status IN ('captured', 'pending') ORDER BY p.id",
                  "iii", start, end, loc);
    while (rc == DB_ROW) {
        const char *status = db_col_text(s, 1);
        if (!strcmp(status, "captured") && db_col_i64(s, 4) == 0) {
            snprintf(detail, sizeof detail, "captured %" PRId64 " fen with no verified gateway confirmation",
                     db_col_i64(s, 2));
            issue(st, "unconfirmed_capture", db_col_text(s, 0), detail);
        } else if (!strcmp(status, "pending") && now - db_col_i64(s, 3) > 15 * 60000) {
            snprintf(detail, sizeof detail, "%" PRId64 " fen still pending after 15 minutes", db_col_i64(s, 2));
            issue(st, "pending_payment", db_col_text(s, 0), detail);
        }
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    rc = db_query(c, &s,
                  "SELECT r.out_refund_no, r.status, r.amount, p.tender FROM refunds r JOIN payments p ON p.id = r.payment_id "
                  "WHERE r.created_at >= $1 AND r.created_at < $2 AND (r.location_id = $3 OR $3 = 0) "
                  "AND r.status IN ('pending', 'failed') ORDER BY r.id",
                  "iii", start, end, loc);
    while (rc == DB_ROW) {
        snprintf(detail, sizeof detail, "%s refund of %" PRId64 " fen is %s", db_col_text(s, 3), db_col_i64(s, 2),
                 db_col_text(s, 1));
        issue(st, !strcmp(db_col_text(s, 1), "pending") ? "refund_pending" : "refund_failed", db_col_text(s, 0),
              detail);
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
