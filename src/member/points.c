/*
** points.c -- the points ledger. Owns table point_entries and the column
** members.points, which it keeps equal to the ledger's sum in the same
** transaction; earn entries carry the amount spent, the base of the tiers.
** A credit is a lot with `remaining` and `expires_at`; debits consume lots
** oldest-expiry first. The balance check is a conditional update
** (points >= n), never read-then-write, so concurrent redemptions cannot
** overdraw. Also owns table tier_sweep: the passes that recompute every
** member's tier. No HTTP or JSON here. Tests: tests/unit/test_points.c
*/
#include "member/points.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "member/member.h"
#include "org/audit.h"
#include "org/settings.h"

#define DAY_MS (24LL * 3600 * 1000)

static void read_entry(struct db_stmt *s, struct points_entry *e)
{
    memset(e, 0, sizeof *e);
    e->id = db_col_i64(s, 0);
    e->member_id = db_col_i64(s, 1);
    str_copy(e->kind, sizeof e->kind, db_col_text(s, 2));
    e->points = db_col_i64(s, 3);
    e->remaining = db_col_i64(s, 4);
    e->expires_at = db_col_i64(s, 5);
    str_copy(e->channel, sizeof e->channel, db_col_text(s, 6));
    e->location_id = db_col_i64(s, 7);
    str_copy(e->reason, sizeof e->reason, db_col_text(s, 8));
    str_copy(e->ref, sizeof e->ref, db_col_text(s, 9));
    e->created_at = db_col_i64(s, 10);
}

#define ENTRY_COLS \
    "id, member_id, kind, points, remaining, expires_at, channel, location_id, reason, ref, created_at FROM point_entries"

static int get_entry(struct db_conn *c, int64_t id, struct points_entry *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " ENTRY_COLS " WHERE id = $1", "i", id);
    if (rc == DB_ROW)
        read_entry(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, NULL, NULL, "no ledger entry %" PRId64, id);
    if (rc < 0)
        return rc;
    return points_balance(c, out->member_id, &out->balance);
}

/* An earlier entry with the same idempotency key, if any (*found). */
static int find_replay(struct db_conn *c, const struct points_op *op, struct points_entry *out, bool *found)
{
    int64_t id = 0;
    int rc;
    *found = false;
    if (!op->idem_key[0])
        return 0;
    rc = db_scalar_i64(c, &id, "SELECT id FROM point_entries WHERE member_id = $1 AND idem_key = $2", "it",
                       op->member_id, op->idem_key);
    if (rc == O2O_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    rc = get_entry(c, id, out);
    if (!rc) {
        *found = true;
        out->replayed = true;
    }
    return rc;
}

/* The few member fields the ledger needs, and a check that she is active. */
struct who_earns {
    char tier[24];
};

static int active_member(struct db_conn *c, int64_t id, struct who_earns *m, const char *field)
{
    struct db_stmt *s = NULL;
    char status[12] = "";
    int64_t into = 0;
    int rc = db_query(c, &s, "SELECT status, merged_into, tier FROM members WHERE id = $1", "i", id);
    if (rc == DB_ROW) {
        str_copy(status, sizeof status, db_col_text(s, 0));
        into = db_col_i64(s, 1);
        str_copy(m->tier, sizeof m->tier, db_col_text(s, 2));
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_member", field, "no member with id %" PRId64, id);
    if (strcmp(status, "active"))
        return err_set(O2O_ECONFLICT, "member_merged", field, "member %" PRId64 " was merged into %" PRId64, id, into);
    return 0;
}

/* Append a ledger entry; *out describes it (all but the balance). */
static int insert_entry(struct db_conn *c, int64_t member, const char *kind, int64_t points, int64_t remaining,
                        int64_t expires_at, const struct points_op *op, struct points_entry *out)
{
    int64_t now = now_ms();
    int rc;
    memset(out, 0, sizeof *out);
    rc = db_scalar_i64(c, &out->id,
                       "INSERT INTO point_entries (member_id, kind, points, amount, remaining, expires_at, channel, "
                       "location_id, reason, ref, idem_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                       "$10, $11, $12) RETURNING id",
                       "itiiiItIttti", member, kind, points,
                       !strcmp(kind, "earn") || op->amount < 0 ? op->amount : (int64_t)0,
                       remaining, expires_at, op->channel, op->location_id, op->reason, op->ref,
                       op->idem_key[0] ? op->idem_key : NULL, now);
    if (rc)
        return rc;
    out->member_id = member;
    str_copy(out->kind, sizeof out->kind, kind);
    out->points = points;
    out->remaining = remaining;
    out->expires_at = expires_at;
    str_copy(out->channel, sizeof out->channel, op->channel);
    out->location_id = op->location_id;
    str_copy(out->reason, sizeof out->reason, op->reason);
    str_copy(out->ref, sizeof out->ref, op->ref);
    out->created_at = now;
    return 0;
}

/* Change a member's balance by delta and read the new balance. */
static int add_balance(struct db_conn *c, int64_t member, int64_t delta, int64_t *balance)
{
    int64_t n = db_exec(c, "UPDATE members SET points = points + $2, updated_at = $3 WHERE id = $1", "iii", member,
                        delta, now_ms());
    if (n < 0)
        return (int)n;
    return points_balance(c, member, balance);
}

/* The earn rule: whole CNY x points_per_yuan x the tier's multiplier. */
static int amount_to_points(struct db_conn *c, const char *tier, int64_t amount, int64_t *out)
{
    int64_t per_yuan = 1, pct = 100;
    int rc = settings_i64(c, "points_per_yuan", 1, &per_yuan);
    if (!rc)
        rc = tier_earn_pct(c, tier, &pct);
    if (!rc)
        *out = amount / 100 * per_yuan * pct / 100;
    return rc;
}

/* Add a lot of n points to a member. */
static int credit(struct db_conn *c, int64_t member, const char *kind, int64_t n, const struct points_op *op,
                  struct points_entry *out)
{
    int64_t months = 24, expires;
    int rc = settings_i64(c, "points_expiry_months", 24, &months);
    if (rc)
        return rc;
    expires = months > 0 ? now_ms() + months * 3044LL * DAY_MS / 100 : 0; /* months of 30.44 days */
    rc = insert_entry(c, member, kind, n, n, expires, op, out);
    return rc ? rc : add_balance(c, member, n, &out->balance);
}

/* Take n points from a member: conditional balance update, then consume lots oldest-expiry first. */
static int debit(struct db_conn *c, int64_t member, const char *kind, int64_t n, const struct points_op *op,
                 const char *field, struct points_entry *out)
{
    struct db_stmt *s = NULL;
    int64_t left = n, ch, bal = 0;
    int rc;
    ch = db_exec(c, "UPDATE members SET points = points - $2, updated_at = $3 WHERE id = $1 AND points >= $2", "iii",
                 member, n, now_ms());
    if (ch < 0)
        return (int)ch;
    points_balance(c, member, &bal);
    if (ch == 0)
        return err_set(O2O_ECONFLICT, "insufficient_points", field,
                       "balance is %" PRId64 " points, %" PRId64 " requested", bal, n);
    while (left > 0) {
        int64_t lot = 0, rem = 0, take;
        rc = db_query(c, &s,
                      "SELECT id, remaining FROM point_entries WHERE member_id = $1 AND remaining > 0 "
                      "ORDER BY COALESCE(expires_at, 9223372036854775807), id LIMIT 1",
                      "i", member);
        if (rc == DB_ROW) {
            lot = db_col_i64(s, 0);
            rem = db_col_i64(s, 1);
        }
        db_done(s);
        if (rc < 0)
            return rc;
        if (rc == DB_DONE)
            return err_set(O2O_EDB, "ledger_mismatch", NULL, "ledger lots do not cover the balance of member %" PRId64,
                           member);
        take = rem < left ? rem : left;
        ch = db_exec(c, "UPDATE point_entries SET remaining = remaining - $2 WHERE id = $1", "ii", lot, take);
        if (ch < 0)
            return (int)ch;
        left -= take;
    }
    rc = insert_entry(c, member, kind, -n, 0, 0, op, out);
    out->balance = bal;
    return rc;
}

int points_for_amount(struct db_conn *c, int64_t member_id, int64_t amount, int64_t *out)
{
    struct who_earns m;
    int rc = active_member(c, member_id, &m, "member_id");
    return rc ? rc : amount_to_points(c, m.tier, amount, out);
}

static int check_op(const struct points_op *op, bool allow_zero_points)
{
    if (op->points < 0 || (!allow_zero_points && op->points == 0))
        return err_set(O2O_EINVAL, NULL, "points", "points must be a positive integer");
    if (op->points > 100000000)
        return err_set(O2O_EINVAL, NULL, "points", "points must be at most 100000000");
    if (op->amount < 0 || op->amount > 100000000000LL)
        return err_set(O2O_EINVAL, NULL, "amount", "amount must be 0..100000000000 fen");
    return 0;
}

int points_earn(struct db_conn *c, const struct points_op *op, struct points_entry *out)
{
    struct who_earns m;
    int64_t n = op->points;
    bool found;
    int rc = check_op(op, true);
    if (rc)
        return rc;
    if (!op->points && !op->amount)
        return err_set(O2O_EINVAL, NULL, "amount", "give the amount spent (fen) or the points to earn");
    rc = active_member(c, op->member_id, &m, "member_id");
    if (!rc)
        rc = find_replay(c, op, out, &found);
    if (rc || found)
        return rc;
    /* the points of this purchase use the tier she had; the tier then follows the spend */
    if (!n && (rc = amount_to_points(c, m.tier, op->amount, &n)))
        return rc;
    if (n > 0)
        rc = credit(c, op->member_id, "earn", n, op, out);
    else if (!(rc = insert_entry(c, op->member_id, "earn", 0, 0, 0, op, out)))
        rc = points_balance(c, op->member_id, &out->balance); /* too small to earn: still spend */
    if (!rc && op->amount) {
        /* the tier follows the 12-month spend; most purchases leave it where it is */
        int64_t spend = 0;
        char tier[24];
        rc = points_spend_12m(c, op->member_id, &spend);
        if (!rc)
            rc = tier_for_spend(c, spend, tier);
        if (!rc && strcmp(tier, m.tier))
            rc = member_set_tier(c, op->member_id, tier);
    }
    return rc;
}

int points_refund(struct db_conn *c, const struct points_op *op, struct points_entry *out)
{
    struct who_earns m;
    bool found;
    int rc = check_op(op, false);
    if (!rc)
        rc = active_member(c, op->member_id, &m, "member_id");
    if (!rc)
        rc = find_replay(c, op, out, &found);
    if (rc || found)
        return rc;
    return credit(c, op->member_id, "adjust", op->points, op, out);
}

int points_reverse(struct db_conn *c, const struct points_op *op, struct points_entry *out)
{
    struct who_earns m;
    struct points_op back = *op;
    int64_t bal = 0, n;
    bool found;
    int rc = check_op(op, true);
    if (!rc)
        rc = active_member(c, op->member_id, &m, "member_id");
    if (!rc)
        rc = find_replay(c, op, out, &found);
    if (rc || found)
        return rc;
    rc = points_balance(c, op->member_id, &bal);
    if (rc)
        return rc;
    n = op->points < bal ? op->points : bal;
    back.amount = -op->amount;     /* the returned spend leaves the 12-month figure */
    if (n > 0)
        rc = debit(c, op->member_id, "adjust", n, &back, "points", out);
    else if (!(rc = insert_entry(c, op->member_id, "adjust", 0, 0, 0, &back, out)))
        out->balance = bal;
    return rc ? rc : points_refresh_tier(c, op->member_id);
}

int points_spend_12m(struct db_conn *c, int64_t member_id, int64_t *out)
{
    return db_scalar_i64(c, out,
                         "SELECT COALESCE(SUM(amount), 0) FROM point_entries WHERE member_id = $1 AND created_at > $2",
                         "ii", member_id, now_ms() - 365LL * DAY_MS);
}

/* ---- tiers for everyone ---- */

struct tier_batch {
    int64_t ids[TIER_BATCH];
    char tiers[TIER_BATCH][24];
    bool changed[TIER_BATCH];
    int n;
};

static int batch_cb(int64_t id, const char *tier, void *arg)
{
    struct tier_batch *b = arg;
    b->ids[b->n] = id;
    str_copy(b->tiers[b->n++], sizeof b->tiers[0], tier);
    return 0;
}

int points_refresh_tiers(struct db_conn *c, int64_t now, int64_t *count)
{
    struct tier_batch *b = NULL;
    struct db_stmt *s = NULL;
    int64_t next = 0, started = 0, changed_at = 0, n;
    int rc, i = 0;
    *count = 0;
    rc = db_query(c, &s, "SELECT next_member, pass_started FROM tier_sweep WHERE id = 1", NULL);
    if (rc == DB_ROW) {
        next = db_col_i64(s, 0);
        started = db_col_i64(s, 1);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    rc = settings_i64(c, "tiers_changed_at", 0, &changed_at);
    if (rc)
        return rc;
    if (!next) {
        /* a pass starts once a day (the 12-month window moves) and after the thresholds change */
        if (now - started < DAY_MS && changed_at <= started)
            return 0;
        started = now;
    }
    b = xcalloc(1, sizeof *b);
    rc = member_tier_batch(c, next, TIER_BATCH, batch_cb, b);
    if (!rc && b->n)
        rc = db_query(c, &s,
                      "SELECT member_id, COALESCE(SUM(amount), 0) FROM point_entries WHERE member_id > $1 "
                      "AND member_id <= $2 AND created_at > $3 GROUP BY member_id ORDER BY member_id",
                      "iii", next, b->ids[b->n - 1], now - 365LL * DAY_MS);
    else
        rc = rc ? rc : DB_DONE;
    /* members without a row spent nothing: the lowest tier */
    while (rc == DB_ROW || (rc == DB_DONE && i < b->n)) {
        int64_t id = rc == DB_ROW ? db_col_i64(s, 0) : INT64_MAX, spend = rc == DB_ROW ? db_col_i64(s, 1) : 0;
        for (; i < b->n && b->ids[i] <= id; i++) {
            char tier[24];
            int r2 = tier_for_spend(c, b->ids[i] == id ? spend : 0, tier);
            if (!r2 && strcmp(tier, b->tiers[i])) {
                str_copy(b->tiers[i], sizeof b->tiers[i], tier);
                b->changed[i] = true;
                (*count)++;
            }
        }
        if (rc != DB_ROW)
            break;
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0) {
        free(b);
        return rc;
    }
    rc = 0;
    for (i = 0; i < b->n && !rc; i++)
        if (b->changed[i])
            rc = member_set_tier(c, b->ids[i], b->tiers[i]);
    next = b->n == TIER_BATCH ? b->ids[b->n - 1] : 0;
    free(b);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE tier_sweep SET next_member = $1, pass_started = $2 WHERE id = 1", "ii", next, started);
    return n < 0 ? (int)n : 0;
}

int points_refresh_tier(struct db_conn *c, int64_t member_id)
{
    int64_t spend = 0;
    char tier[24];
    int rc = points_spend_12m(c, member_id, &spend);
    if (!rc)
        rc = tier_for_spend(c, spend, tier);
    return rc ? rc : member_set_tier(c, member_id, tier);
}

int points_move_ledger(struct db_conn *c, int64_t from, int64_t to)
{
    char prefix[32];
    int64_t bal = 0, n;
    int rc = points_balance(c, from, &bal);
    if (rc)
        return rc;
    /* idempotency keys stay unique per member: the moved ones get a prefix */
    snprintf(prefix, sizeof prefix, "m%" PRId64 ":", from);
    n = db_exec(c, "UPDATE point_entries SET member_id = $1, idem_key = $3 || idem_key WHERE member_id = $2 "
                   "AND idem_key IS NOT NULL",
                "iit", to, from, prefix);
    if (n >= 0)
        n = db_exec(c, "UPDATE point_entries SET member_id = $1 WHERE member_id = $2", "ii", to, from);
    if (n >= 0)
        n = db_exec(c, "UPDATE members SET points = points + $2, updated_at = $3 WHERE id = $1", "iii", to, bal, now_ms());
    if (n >= 0)
        n = db_exec(c, "UPDATE members SET points = 0, updated_at = $2 WHERE id = $1", "ii", from, now_ms());
    if (n < 0)
        return (int)n;
    return points_refresh_tier(c, to);
}

int points_redeem(struct db_conn *c, const struct points_op *op, struct points_entry *out)
{
    struct who_earns m;
    bool found;
    int rc = check_op(op, false);
    if (rc)
        return rc;
    rc = active_member(c, op->member_id, &m, "member_id");
    if (!rc)
        rc = find_replay(c, op, out, &found);
    if (rc || found)
        return rc;
    return debit(c, op->member_id, "redeem", op->points, op, "points", out);
}

int points_adjust(struct db_conn *c, const struct principal *who, const struct points_op *op, struct points_entry *out)
{
    struct who_earns m;
    bool found;
    char subject[48], detail[200];
    int rc;
    if (op->points == 0 || op->points > 100000000 || op->points < -100000000)
        return err_set(O2O_EINVAL, NULL, "points", "points must be a non-zero integer within +-100000000");
    if (!op->reason[0])
        return err_set(O2O_EINVAL, NULL, "reason", "an adjustment needs a reason");
    rc = active_member(c, op->member_id, &m, "member_id");
    if (!rc)
        rc = find_replay(c, op, out, &found);
    if (rc || found)
        return rc;
    if (op->points > 0)
        rc = credit(c, op->member_id, "adjust", op->points, op, out);
    else
        rc = debit(c, op->member_id, "adjust", -op->points, op, "points", out);
    if (rc)
        return rc;
    snprintf(subject, sizeof subject, "member:%" PRId64, op->member_id);
    snprintf(detail, sizeof detail, "%+" PRId64 " points: %s", op->points, op->reason);
    return audit_add(c, who, "points.adjust", subject, detail);
}

int points_transfer(struct db_conn *c, const struct points_op *op, struct points_entry *out)
{
    struct who_earns from, to;
    struct points_entry in;
    bool found;
    struct points_op in_op;
    int rc = check_op(op, false);
    if (rc)
        return rc;
    if (op->to_member_id == op->member_id)
        return err_set(O2O_EINVAL, NULL, "to", "cannot transfer points to the same member");
    rc = active_member(c, op->member_id, &from, "member_id");
    if (!rc)
        rc = active_member(c, op->to_member_id, &to, "to");
    if (!rc)
        rc = find_replay(c, op, out, &found);
    if (rc || found)
        return rc;
    rc = debit(c, op->member_id, "transfer_out", op->points, op, "points", out);
    if (rc)
        return rc;
    in_op = *op;
    in_op.idem_key[0] = 0;
    snprintf(in_op.ref, sizeof in_op.ref, "from member %" PRId64, op->member_id);
    return credit(c, op->to_member_id, "transfer_in", op->points, &in_op, &in);
}

int points_expire_due(struct db_conn *c, int64_t now, int64_t *count)
{
    struct db_stmt *s = NULL;
    int64_t lots[256][3];
    int n = 0, rc;
    struct points_op op;
    *count = 0;
    for (;;) {
        n = 0;
        rc = db_query(c, &s,
                      "SELECT id, member_id, remaining FROM point_entries WHERE remaining > 0 AND expires_at IS NOT NULL "
                      "AND expires_at <= $1 ORDER BY expires_at, id LIMIT 256",
                      "i", now);
        while (rc == DB_ROW) {
            lots[n][0] = db_col_i64(s, 0);
            lots[n][1] = db_col_i64(s, 1);
            lots[n][2] = db_col_i64(s, 2);
            n++;
            rc = db_step(s);
        }
        db_done(s);
        if (rc < 0)
            return rc;
        if (!n)
            return 0;
        for (int i = 0; i < n; i++) {
            struct points_entry e;
            int64_t ch;
            ch = db_exec(c, "UPDATE point_entries SET remaining = 0 WHERE id = $1 AND remaining = $2", "ii", lots[i][0],
                         lots[i][2]);
            if (ch < 0)
                return (int)ch;
            if (ch == 0)
                continue;
            ch = db_exec(c, "UPDATE members SET points = points - $2, updated_at = $3 WHERE id = $1", "iii", lots[i][1],
                         lots[i][2], now_ms());
            if (ch < 0)
                return (int)ch;
            memset(&op, 0, sizeof op);
            str_copy(op.channel, sizeof op.channel, "system");
            snprintf(op.reason, sizeof op.reason, "lot %" PRId64 " expired", lots[i][0]);
            rc = insert_entry(c, lots[i][1], "expire", -lots[i][2], 0, 0, &op, &e);
            if (rc)
                return rc;
            (*count)++;
        }
    }
}

int points_balance(struct db_conn *c, int64_t member_id, int64_t *out)
{
    int rc = db_scalar_i64(c, out, "SELECT points FROM members WHERE id = $1", "i", member_id);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ENOTFOUND, "unknown_member", NULL, "no member with id %" PRId64, member_id);
    return rc;
}

int points_ledger_sum(struct db_conn *c, int64_t member_id, int64_t *out)
{
    return db_scalar_i64(c, out, "SELECT COALESCE(SUM(points), 0) FROM point_entries WHERE member_id = $1", "i",
                         member_id);
}

int points_history(struct db_conn *c, int64_t member_id, int64_t before_id, int limit,
                   int (*cb)(const struct points_entry *e, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct points_entry e;
    int rc = db_query(c, &s, "SELECT " ENTRY_COLS " WHERE member_id = $1 AND (id < $2 OR $2 = 0) ORDER BY id DESC LIMIT $3",
                      "iii", member_id, before_id, (int64_t)limit);
    while (rc == DB_ROW) {
        read_entry(s, &e);
        rc = cb(&e, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int points_period_totals(struct db_conn *c, int64_t loc, int64_t start, int64_t end, int64_t *issued,
                         int64_t *redeemed)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT COALESCE(SUM(CASE WHEN kind = 'earn' THEN points ELSE 0 END), 0), "
                      "COALESCE(SUM(CASE WHEN kind = 'redeem' THEN -points ELSE 0 END), 0) FROM point_entries "
                      "WHERE id IN (SELECT id FROM point_entries WHERE location_id = $1 AND created_at >= $2 AND "
                      "created_at < $3 UNION ALL SELECT id FROM point_entries WHERE $1 = 0 AND created_at >= $2 AND "
                      "created_at < $3)",
                      "iii", loc, start, end);
    *issued = *redeemed = 0;
    if (rc == DB_ROW) {
        *issued = db_col_i64(s, 0);
        *redeemed = db_col_i64(s, 1);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
