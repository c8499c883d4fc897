/*
** insight.c -- keeping insight up to date from the order feed, and the association
** rules of baskets. Owns table insight_cursor (how far the feed has been read); each
** folded order also goes past attribution.c (rewards for bought recommendations).
** No HTTP or JSON here. Tests: tests/e2e/test_insight.py, tests/unit/test_order_feed.c
*/
#define MODULE_NAME "insight/insight"
#include "insight/insight.h"

#include <inttypes.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"
#include "insight/attribution.h"
#include "insight/profile.h"
#include "insight/tags.h"
#include "org/settings.h"
#include "sales/order_feed.h"
#include "sales/order_read.h"

#define BATCH INSIGHT_BATCH

/* One order into her tags, profile and store spend, and past attribution. A row
** naming no order (none is ever deleted) is passed over, not read again for ever. */
static int fold_order(struct db_conn *c, int64_t order_id)
{
    bool rewarded = false;
    struct order_fact o;
    int rc = order_fact_get(c, order_id, &o);
    if (rc == O2O_ENOTFOUND) {
        log_warn("insight: the order feed names order %" PRId64 ", which does not exist", order_id);
        return 0;
    }
    if (!rc)
        rc = tags_add_order(c, order_id);
    if (!rc)
        rc = profile_add_order(c, order_id);
    if (!rc)
        rc = attribution_on_order(c, order_id, &rewarded);
    return rc;
}

/* Her insight again from nothing: every order of hers the feed had brought up to
** seq `upto` (those after it are folded when the cursor reaches them). */
static int refold_member(struct db_conn *c, int64_t member_id, int64_t upto)
{
    int64_t *ids = NULL;
    int n = 0;
    int rc = tags_forget(c, member_id);
    if (!rc)
        rc = profile_forget(c, member_id);
    if (!rc)
        rc = order_feed_member_orders(c, member_id, upto, &ids, &n);
    for (int i = 0; i < n && !rc; i++)
        rc = fold_order(c, ids[i]);
    free(ids);
    return rc;
}

static void touch(int64_t *members, int *nm, int64_t id)
{
    for (int k = 0; k < *nm; k++)
        if (members[k] == id)
            return;
    members[(*nm)++] = id;
}

static int apply(struct db_conn *c, const struct order_feed_row *r)
{
    int rc = 0;
    switch (r->kind) {
    case ORDER_FEED_PAID:
    case ORDER_FEED_CLAIMED:
    case ORDER_FEED_IMPORTED:
        return fold_order(c, r->order_id);
    case ORDER_FEED_RETURNED:
        return refold_member(c, r->member_id, r->seq);
    case ORDER_FEED_MOVED:
        rc = tags_forget(c, r->from_member_id);
        if (!rc)
            rc = profile_forget(c, r->from_member_id);
        if (!rc)
            rc = refold_member(c, r->member_id, r->seq);
        return rc;
    }
    return 0;
}

int insight_refresh(struct db_conn *c, int64_t now, int64_t *count)
{
    struct order_feed_row *rows = xmalloc(BATCH * sizeof *rows);
    int64_t *members = xmalloc(BATCH * sizeof *members), tagged = 0, cursor = 0, gap_s = 30, n64;
    int n = 0, nm = 0;
    int rc = life_rules_evaluate_pending(c, &tagged);
    *count = 0;
    if (!rc)
        rc = settings_i64(c, "order_feed_gap_seconds", 30, &gap_s);
    /* the cursor row is locked first: one reader at a time, whatever the leases say */
    if (!rc) {
        n64 = db_exec(c, "UPDATE insight_cursor SET seq = seq WHERE id = 1", NULL);
        rc = n64 < 0 ? (int)n64 : 0;
    }
    if (!rc)
        rc = db_scalar_i64(c, &cursor, "SELECT seq FROM insight_cursor WHERE id = 1", NULL);
    if (!rc)
        rc = order_feed_read(c, cursor, now, gap_s * 1000, rows, BATCH, &n);
    for (int i = 0; i < n && !rc; i++) {
        rc = apply(c, &rows[i]);
        if (!rc && rows[i].member_id)
            touch(members, &nm, rows[i].member_id);
    }
    if (!rc && n) {
        n64 = db_exec(c, "UPDATE insight_cursor SET seq = $1, updated_at = $2 WHERE id = 1", "ii",
                      rows[n - 1].seq, now);
        rc = n64 < 0 ? (int)n64 : 0;
    }
    /* life stages of the members who just bought (or returned, or were merged into) */
    if (!rc)
        rc = life_rules_for_members(c, members, nm);
    if (!rc)
        *count = n;
    free(rows);
    free(members);
    return rc;
}

int insight_lag(struct db_conn *c, int64_t *rows)
{
    int64_t head = 0, cursor = 0;
    int rc = order_feed_head(c, &head);
    if (!rc)
        rc = db_scalar_i64(c, &cursor, "SELECT seq FROM insight_cursor WHERE id = 1", NULL);
    *rows = rc ? 0 : head - cursor;
    return rc;
}

struct rule_baskets {
    struct baskets *b;
    int64_t last;
};

static int rule_row(int64_t order_id, const char *product, void *arg)
{
    struct rule_baskets *f = arg;
    if (order_id != f->last) {
        baskets_begin(f->b);
        f->last = order_id;
    }
    baskets_add(f->b, baskets_item(f->b, product));
    return 0;
}

int insight_mine_rules(struct db_conn *c, int64_t since, const struct assoc_params *p, struct baskets *b,
                       struct assoc_result *r)
{
    struct rule_baskets f = {b, -1};
    int rc = order_basket_items(c, since, rule_row, &f);
    return rc ? rc : assoc_mine(b, p, r);
}
