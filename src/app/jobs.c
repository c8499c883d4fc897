/*
** jobs.c -- leased background jobs: release expired reservations (every run) and
** expire due points lots, cancel unpaid orders, expire pickups, recompute
** tiers (a daily pass, and after the thresholds change), fold paid orders into
** customer insight. Owns table job_leases. No HTTP or JSON here.
** Tests: tests/e2e (reservations expire by themselves), tests/unit/test_inventory.c.
*/
#include "app/jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "insight/insight.h"
#include "member/points.h"
#include "sales/order.h"
#include "stock/inventory.h"

int job_lease(struct db_conn *c, const char *name, const char *holder, int64_t ttl_ms, bool *got)
{
    int64_t now = now_ms();
    int64_t n = db_exec(c,
                        "INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, $3) "
                        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until "
                        "WHERE job_leases.until < $4 OR job_leases.holder = excluded.holder",
                        "ttii", name, holder, now + ttl_ms, now);
    if (n < 0)
        return (int)n;
    *got = n == 1;
    return 0;
}

int job_record(struct db_conn *c, const char *name, const char *result)
{
    int64_t n = db_exec(c, "UPDATE job_leases SET last_run = $2, last_result = $3 WHERE name = $1", "tit", name,
                        now_ms(), result);
    return n < 0 ? (int)n : 0;
}

struct run {
    const char *name;
    const char *holder;
    int (*fn)(struct db_conn *c, int64_t now, int64_t *count);
    int64_t count;            /* what the last run did */
};

static int run_body(struct db_conn *c, void *arg)
{
    struct run *r = arg;
    bool got = false;
    int64_t count = 0;
    char result[64];
    int rc = job_lease(c, r->name, r->holder, 60000, &got);
    if (rc || !got)
        return rc;
    rc = r->fn(c, now_ms(), &count);
    if (rc)
        return rc;
    r->count = count;
    snprintf(result, sizeof result, "%" PRId64 " done", count);
    return job_record(c, r->name, result);
}

int jobs_run_due(struct db *db, const char *holder)
{
    struct run runs[] = {
        {"expire_reservations", holder, inventory_expire_reservations, 0},
        {"expire_points", holder, points_expire_due, 0},
        {"cancel_unpaid_orders", holder, order_expire_unpaid, 0},
        {"expire_pickups", holder, order_expire_pickups, 0},
        {"refresh_tiers", holder, points_refresh_tiers, 0},
        {"insight_refresh", holder, insight_refresh, 0},
    };
    struct run *insight = &runs[sizeof runs / sizeof runs[0] - 1];
    int64_t t0 = mono_us();
    int first = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        int rc = db_txn(db, run_body, &runs[i]);
        if (rc && !first)
            first = rc;
    }
    /* a backlog of paid orders (a busy hour, an import): more batches, each its own
    ** transaction so that sales go on between them, for up to a second */
    while (!first && insight->count >= INSIGHT_BATCH && mono_us() - t0 < 1000000)
        first = db_txn(db, run_body, insight);
    return first;
}
