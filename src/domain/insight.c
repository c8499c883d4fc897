/*
** insight.c -- the insight queue and the job that empties it. Owns table
** insight_queue; each folded order also goes past attribution.c (rewards for
** bought recommendations). No HTTP or JSON here. Tests: tests/e2e/test_insight.py
*/
#include "domain/insight.h"

#include <stdlib.h>

#include "core/mem.h"
#include "core/util.h"
#include "domain/attribution.h"
#include "domain/order.h"
#include "domain/profile.h"
#include "domain/tags.h"

#define BATCH INSIGHT_BATCH

int insight_enqueue(struct db_conn *c, int64_t order_id)
{
    int64_t n = db_exec(c, "INSERT INTO insight_queue (order_id, queued_at) VALUES ($1, $2) "
                           "ON CONFLICT (order_id) DO NOTHING", "ii", order_id, now_ms());
    return n < 0 ? (int)n : 0;
}

int insight_backlog(struct db_conn *c, int64_t *queued)
{
    return db_scalar_i64(c, queued, "SELECT COUNT(*) FROM insight_queue", NULL);
}

int insight_refresh(struct db_conn *c, int64_t now, int64_t *count)
{
    struct db_stmt *s = NULL;
    int64_t *ids = xmalloc(BATCH * sizeof *ids), *members = xmalloc(BATCH * sizeof *members), tagged = 0;
    int n = 0, nm = 0;
    int rc = life_rules_evaluate_pending(c, &tagged);
    (void)now;
    *count = 0;
    if (!rc)
        rc = db_query(c, &s, "SELECT order_id FROM insight_queue ORDER BY order_id LIMIT $1", "i", (int64_t)BATCH);
    while (rc == DB_ROW && n < BATCH) {
        ids[n++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    rc = rc < 0 ? rc : 0;
    for (int i = 0; i < n && !rc; i++) {
        struct order o;
        int64_t del;
        rc = order_get(c, ids[i], &o);
        if (!rc)
            rc = tags_add_order(c, ids[i]);
        if (!rc)
            rc = profile_add_order(c, ids[i]);
        if (!rc) {
            bool rewarded = false;
            rc = attribution_on_order(c, ids[i], &rewarded);
        }
        if (rc)
            break;
        if (o.member_id) {
            int seen = 0;
            for (int k = 0; k < nm && !seen; k++)
                seen = members[k] == o.member_id;
            if (!seen)
                members[nm++] = o.member_id;
        }
        del = db_exec(c, "DELETE FROM insight_queue WHERE order_id = $1", "i", ids[i]);
        rc = del < 0 ? (int)del : 0;
    }
    /* life stages of the members who just bought */
    if (!rc)
        rc = life_rules_for_members(c, members, nm);
    if (!rc)
        *count = n;
    free(ids);
    free(members);
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

static int enqueue_cb(int64_t order_id, void *arg)
{
    return insight_enqueue(arg, order_id);
}

int insight_rebuild_member(struct db_conn *c, int64_t survivor, int64_t merged)
{
    int rc = tags_forget(c, survivor);
    if (!rc)
        rc = tags_forget(c, merged);
    if (!rc)
        rc = profile_forget(c, survivor);
    if (!rc)
        rc = profile_forget(c, merged);
    if (!rc)
        rc = order_member_ids(c, survivor, enqueue_cb, c);
    return rc;
}
