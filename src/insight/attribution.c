/*
** attribution.c -- recommendation impressions, conversions and rewards. Owns
** tables reco_impressions and reco_conversions; coupons through coupon.c,
** messages through outbox.c. No HTTP or JSON here.
** Tests: tests/e2e/test_recommend.py
*/
#include "insight/attribution.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "member/coupon.h"
#include "member/member.h"
#include "member/reach.h"
#include "org/outbox.h"
#include "org/settings.h"
#include "sales/order_read.h"

#define DAY_MS 86400000LL
#define MAX_LINES 64
#define REWARD_REASON "bought a recommended item"

int attribution_shown(struct db_conn *c, const struct impression *v, int n)
{
    for (int i = 0; i < n; i++) {
        int64_t k = db_exec(c,
                            "INSERT INTO reco_impressions (member_id, product_id, reason, first_shown_at, shown_at) "
                            "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (member_id, product_id) DO UPDATE SET "
                            "reason = excluded.reason, shown_at = excluded.shown_at",
                            "iiti", v[i].member_id, v[i].product_id, v[i].reason, v[i].at);
        if (k < 0)
            return (int)k;
    }
    return 0;
}

struct order_products {
    int64_t id[MAX_LINES];
    int n;
};

static int on_line(const struct purchase_line *l, void *arg)
{
    struct order_products *p = arg;
    for (int i = 0; i < p->n; i++)
        if (p->id[i] == l->product_id)
            return 0;
    if (p->n < MAX_LINES)
        p->id[p->n++] = l->product_id;
    return 0;
}

/* The recommended item of a rewarded order came back: an unused reward is void
** (a used one stays used: the purchase it discounted stands). */
static int void_if_returned(struct db_conn *c, int64_t order_id, const struct order_products *kept)
{
    struct db_stmt *s = NULL;
    char code[40] = "";
    int64_t product = 0;
    int rc = db_query(c, &s, "SELECT product_id, COALESCE(coupon_code, '') FROM reco_conversions WHERE order_id = $1",
                      "i", order_id);
    if (rc == DB_ROW) {
        product = db_col_i64(s, 0);
        str_copy(code, sizeof code, db_col_text(s, 1));
    }
    db_done(s);
    if (rc < 0)
        return rc;
    for (int i = 0; i < kept->n; i++)
        if (kept->id[i] == product)
            return 0; /* she kept it */
    return code[0] ? coupon_void_unused(c, code, "the recommended item was returned") : 0;
}

int attribution_on_order(struct db_conn *c, int64_t order_id, bool *rewarded)
{
    struct order_fact o;
    struct order_products p;
    int64_t window = 14, pct = 20, days = 30, product = 0, shown = 0, done = 0;
    int rc = order_fact_get(c, order_id, &o);
    bool gone;
    *rewarded = false;
    if (rc || !o.member_id)
        return rc;
    gone = !strcmp(o.status, "returned"); /* everything came back */
    if (!gone && strcmp(o.status, "paid") && strcmp(o.status, "completed"))
        return 0;
    rc = db_scalar_i64(c, &done, "SELECT COUNT(*) FROM reco_conversions WHERE order_id = $1", "i", order_id);
    p.n = 0;
    if (!rc)
        rc = order_purchase_lines(c, order_id, 0, on_line, &p); /* what she kept (returns are left out) */
    if (rc)
        return rc;
    if (done)
        return void_if_returned(c, order_id, &p);
    if (gone)
        return 0;
    /* a reward never rewards a reward: an order paid with a reward coupon earns none */
    if (o.coupon[0]) {
        int64_t reward = 0;
        rc = db_scalar_i64(c, &reward, "SELECT COUNT(*) FROM reco_conversions WHERE coupon_code = $1", "t", o.coupon);
        if (rc || reward)
            return rc;
    }
    if (!rc)
        rc = settings_i64(c, "reco_reward_window_days", 14, &window);
    for (int i = 0; i < p.n && !rc && !product; i++) {
        struct db_stmt *s = NULL;
        rc = db_query(c, &s, "SELECT first_shown_at, shown_at, COALESCE(converted_at, 0) FROM reco_impressions "
                             "WHERE member_id = $1 AND product_id = $2", "ii", o.member_id, p.id[i]);
        if (rc == DB_ROW && db_col_i64(s, 2) < db_col_i64(s, 1)) {
            int64_t first = db_col_i64(s, 0), last = db_col_i64(s, 1);
            if (db_col_i64(s, 2) > first)
                first = db_col_i64(s, 2); /* the showings since the last reward */
            /* shown before she bought it, and lately: the last showing before the order
            ** is the last one, or (if shown again since) somewhere after the first */
            if (first <= o.created_at && (last <= o.created_at ? o.created_at - last : o.created_at - first) <=
                                             window * DAY_MS) {
                product = p.id[i];
                shown = last <= o.created_at ? last : first;
            }
        }
        db_done(s);
        rc = rc < 0 ? rc : 0;
    }
    if (rc || !product)
        return rc;
    rc = settings_i64(c, "reco_reward_pct", 20, &pct);
    if (!rc)
        rc = settings_i64(c, "reco_reward_valid_days", 30, &days);
    if (rc)
        return rc;
    {
        struct coupon cp;
        int64_t n;
        memset(&cp, 0, sizeof cp);
        if (pct > 0) {
            struct member m;
            char msg[300];
            cp.member_id = o.member_id;
            str_copy(cp.kind, sizeof cp.kind, "percent");
            cp.value = pct;
            cp.valid_from = now_ms();
            cp.valid_until = cp.valid_from + days * DAY_MS;
            snprintf(cp.reason, sizeof cp.reason, REWARD_REASON " (order %" PRId64 ")", order_id);
            if ((rc = coupon_create(c, &cp)))
                return rc;
            if (!member_get(c, o.member_id, &m)) {
                char spct[24], sdays[24];
                struct notice note = {"reward_coupon", "service", msg, 3, {"percent", "coupon", "days"},
                                      {spct, cp.code, sdays}, 0};
                snprintf(spct, sizeof spct, "%" PRId64, pct);
                snprintf(sdays, sizeof sdays, "%" PRId64, days);
                snprintf(msg, sizeof msg, "Thank you! %" PRId64 "%% off your next purchase with coupon %s, "
                         "valid %" PRId64 " days, in any store or online.", pct, cp.code, days);
                if ((rc = member_notify(c, o.member_id, &note, now_ms(), NULL)))
                    return rc;
            }
            *rewarded = true;
        }
        n = db_exec(c,
                    "INSERT INTO reco_conversions (order_id, member_id, product_id, shown_at, coupon_code, created_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6)",
                    "iiiiti", order_id, o.member_id, product, shown, cp.code[0] ? cp.code : NULL, o.created_at);
        if (n >= 0)
            n = db_exec(c, "UPDATE reco_impressions SET converted_at = $3 WHERE member_id = $1 AND product_id = $2",
                        "iii", o.member_id, product, o.created_at);
        return n < 0 ? (int)n : 0;
    }
}

int attribution_report(struct db_conn *c, int64_t from, int64_t to, struct attribution_report *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    rc = db_scalar_i64(c, &out->shown_items,
                       "SELECT COUNT(*) FROM reco_impressions WHERE first_shown_at >= $1 AND first_shown_at < $2", "ii",
                       from, to);
    if (!rc)
        rc = db_scalar_i64(c, &out->shown_members,
                           "SELECT COUNT(DISTINCT member_id) FROM reco_impressions WHERE first_shown_at >= $1 "
                           "AND first_shown_at < $2", "ii", from, to);
    if (!rc)
        rc = db_scalar_i64(c, &out->bought,
                           "SELECT COUNT(*) FROM reco_conversions WHERE created_at >= $1 AND created_at < $2", "ii",
                           from, to);
    if (!rc)
        rc = db_scalar_i64(c, &out->coupons_issued,
                           "SELECT COUNT(coupon_code) FROM reco_conversions WHERE created_at >= $1 AND created_at < $2",
                           "ii", from, to);
    if (!rc)
        rc = coupon_count(c, REWARD_REASON, "used", from, to, &out->coupons_redeemed);
    return rc;
}

int attribution_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    /* an item shown to both: the survivor's row, with the latest showing */
    int64_t n = db_exec(c,
                        "INSERT INTO reco_impressions (member_id, product_id, reason, first_shown_at, shown_at, "
                        "converted_at) SELECT $2, product_id, reason, first_shown_at, shown_at, converted_at "
                        "FROM reco_impressions WHERE member_id = $1 ON CONFLICT (member_id, product_id) DO UPDATE SET "
                        "shown_at = CASE WHEN excluded.shown_at > reco_impressions.shown_at THEN excluded.shown_at "
                        "ELSE reco_impressions.shown_at END",
                        "ii", from, to);
    if (n >= 0)
        n = db_exec(c, "DELETE FROM reco_impressions WHERE member_id = $1", "i", from);
    if (n >= 0)
        n = db_exec(c, "UPDATE reco_conversions SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    return n < 0 ? (int)n : 0;
}
