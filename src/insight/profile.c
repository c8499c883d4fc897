/*
** profile.c -- member purchase profiles. Owns tables member_profiles and
** member_store_spend, kept by the insight job one paid order at a time.
** Scores are quintiles against every member with a profile (thresholds
** cached for a minute). No HTTP or JSON here. Tests: tests/e2e/test_insight.py
*/
#include "insight/profile.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "sales/order_read.h"

#define DAY_MS 86400000LL
#define THRESHOLDS_TTL_MS 60000

int profile_add_order(struct db_conn *c, int64_t order_id)
{
    struct order_fact o;
    int64_t ch[PROFILE_CHANNELS] = {0}, store = 0, n;
    int rc = order_fact_get(c, order_id, &o);
    if (rc)
        return rc;
    if (!o.member_id || (strcmp(o.status, "paid") && strcmp(o.status, "completed")))
        return 0;
    for (int i = 0; i < PROFILE_CHANNELS; i++)
        ch[i] = !strcmp(o.channel, sales_channels[i]);
    n = db_exec(c,
                "INSERT INTO member_profiles (member_id, orders, spend, first_at, last_at, pos, web, app, miniprogram, "
                "phone, marketplace, updated_at) VALUES ($1, 1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10) "
                "ON CONFLICT (member_id) DO UPDATE SET orders = member_profiles.orders + 1, "
                "spend = member_profiles.spend + excluded.spend, "
                "first_at = CASE WHEN excluded.first_at < member_profiles.first_at THEN excluded.first_at "
                "ELSE member_profiles.first_at END, "
                "last_at = CASE WHEN excluded.last_at > member_profiles.last_at THEN excluded.last_at "
                "ELSE member_profiles.last_at END, "
                "pos = member_profiles.pos + excluded.pos, web = member_profiles.web + excluded.web, "
                "app = member_profiles.app + excluded.app, "
                "miniprogram = member_profiles.miniprogram + excluded.miniprogram, "
                "phone = member_profiles.phone + excluded.phone, "
                "marketplace = member_profiles.marketplace + excluded.marketplace, updated_at = excluded.updated_at",
                "iiiiiiiiii", o.member_id, o.total - o.refunded, o.created_at, ch[0], ch[1], ch[2], ch[3], ch[4], ch[5],
                now_ms());
    if (n < 0)
        return (int)n;
    /* her store: where she bought at the till or picked up */
    if (!strcmp(o.mode, "carry_out"))
        store = o.location_id;
    else if (!strcmp(o.mode, "pickup"))
        store = o.pickup_id;
    if (!store)
        return 0;
    n = db_exec(c,
                "INSERT INTO member_store_spend (member_id, location_id, orders, spend, last_at) "
                "VALUES ($1, $2, 1, $3, $4) ON CONFLICT (member_id, location_id) DO UPDATE SET "
                "orders = member_store_spend.orders + 1, spend = member_store_spend.spend + excluded.spend, "
                "last_at = CASE WHEN excluded.last_at > member_store_spend.last_at THEN excluded.last_at "
                "ELSE member_store_spend.last_at END",
                "iiii", o.member_id, store, o.total - o.refunded, o.created_at);
    return n < 0 ? (int)n : 0;
}

/* ---- scores ---- */

static struct {
    pthread_mutex_t mu;
    int64_t at;
    int64_t thr[3][4]; /* last_at, orders, spend: the values at 20, 40, 60, 80% */
} q = {PTHREAD_MUTEX_INITIALIZER, 0, {{0}}};

static int quintiles(struct db_conn *c, int64_t now)
{
    static const char *const sql[3] = {
        "SELECT last_at FROM member_profiles ORDER BY last_at LIMIT 1 OFFSET $1",
        "SELECT orders FROM member_profiles ORDER BY orders LIMIT 1 OFFSET $1",
        "SELECT spend FROM member_profiles ORDER BY spend LIMIT 1 OFFSET $1",
    };
    int64_t n = 0, thr[3][4];
    int rc = 0;
    pthread_mutex_lock(&q.mu);
    if (q.at && now - q.at < THRESHOLDS_TTL_MS) {
        pthread_mutex_unlock(&q.mu);
        return 0;
    }
    pthread_mutex_unlock(&q.mu);
    rc = db_scalar_i64(c, &n, "SELECT COUNT(*) FROM member_profiles", NULL);
    for (int k = 0; k < 3 && !rc; k++)
        for (int i = 0; i < 4 && !rc; i++)
            rc = db_scalar_i64(c, &thr[k][i], sql[k], "i", n * (i + 1) / 5 < n ? n * (i + 1) / 5 : n - 1);
    if (rc)
        return rc;
    pthread_mutex_lock(&q.mu);
    memcpy(q.thr, thr, sizeof thr);
    q.at = now;
    pthread_mutex_unlock(&q.mu);
    return 0;
}

/* 1 + the thresholds strictly below v: ties at the bottom do not lift a score */
static int score(const int64_t thr[4], int64_t v)
{
    int s = 1;
    for (int i = 0; i < 4; i++)
        s += thr[i] < v;
    return s;
}

static const char *segment_of(int r, int f)
{
    if (r >= 4 && f >= 4)
        return "champions";
    if (r >= 3 && f >= 4)
        return "loyal";
    if (r >= 4 && f == 1)
        return "new";
    if (r >= 4)
        return "potential_loyalist";
    if (r <= 2 && f >= 3)
        return "at_risk";
    if (r <= 2)
        return "hibernating";
    return "needs_attention";
}

int profile_get(struct db_conn *c, int64_t member_id, int64_t now, struct profile *out)
{
    struct db_stmt *s = NULL;
    int64_t thr[3][4], span;
    int rc = db_query(c, &s,
                      "SELECT orders, spend, first_at, last_at, pos, web, app, miniprogram, phone, marketplace "
                      "FROM member_profiles WHERE member_id = $1",
                      "i", member_id);
    memset(out, 0, sizeof *out);
    out->member_id = member_id;
    if (rc == DB_ROW) {
        out->orders = db_col_i64(s, 0);
        out->spend = db_col_i64(s, 1);
        out->first_at = db_col_i64(s, 2);
        out->last_at = db_col_i64(s, 3);
        for (int i = 0; i < PROFILE_CHANNELS; i++)
            out->channel[i] = db_col_i64(s, 4 + i);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "no_profile", NULL, "member %" PRId64 " has not bought anything yet", member_id);
    rc = db_query(c, &s,
                  "SELECT l.code FROM member_store_spend x JOIN locations l ON l.id = x.location_id "
                  "WHERE x.member_id = $1 ORDER BY x.spend DESC, x.last_at DESC LIMIT 1",
                  "i", member_id);
    if (rc == DB_ROW)
        str_copy(out->favourite_store, sizeof out->favourite_store, db_col_text(s, 0));
    db_done(s);
    if (rc < 0 || (rc = quintiles(c, now)))
        return rc;
    pthread_mutex_lock(&q.mu);
    memcpy(thr, q.thr, sizeof thr);
    pthread_mutex_unlock(&q.mu);
    out->r = score(thr[0], out->last_at);
    out->f = score(thr[1], out->orders);
    out->m = score(thr[2], out->spend);
    str_copy(out->segment, sizeof out->segment, segment_of(out->r, out->f));
    span = now - out->first_at;
    if (span < 90 * DAY_MS)
        span = 90 * DAY_MS;
    out->annual_value = (int64_t)((double)out->spend * (365.0 * DAY_MS) / (double)span);
    return 0;
}

int profile_core_customers(struct db_conn *c, int64_t location_id, int64_t now, int64_t days, int limit,
                           int (*cb)(const struct core_customer *x, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct core_customer x;
    int rc = db_query(c, &s,
                      "SELECT x.member_id, m.name, x.orders, x.spend, x.last_at FROM member_store_spend x "
                      "JOIN members m ON m.id = x.member_id WHERE x.location_id = $1 AND x.last_at >= $2 "
                      "ORDER BY x.spend DESC, x.member_id LIMIT $3",
                      "iii", location_id, now - days * DAY_MS, (int64_t)limit);
    while (rc == DB_ROW) {
        memset(&x, 0, sizeof x);
        x.member_id = db_col_i64(s, 0);
        str_copy(x.name, sizeof x.name, db_col_text(s, 1));
        x.orders = db_col_i64(s, 2);
        x.spend = db_col_i64(s, 3);
        x.last_at = db_col_i64(s, 4);
        rc = cb(&x, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int profile_forget(struct db_conn *c, int64_t member_id)
{
    int64_t n = db_exec(c, "DELETE FROM member_profiles WHERE member_id = $1", "i", member_id);
    if (n >= 0)
        n = db_exec(c, "DELETE FROM member_store_spend WHERE member_id = $1", "i", member_id);
    return n < 0 ? (int)n : 0;
}
