/*
** points.c -- the points ledger. Owns table point_entries and keeps
** members.points equal to the ledger's sum in the same transaction.
** A credit is a lot with `remaining` and `expires_at`; debits consume lots
** oldest-expiry first. The balance check is a conditional update
** (points >= n), never read-then-write, so concurrent redemptions cannot
** overdraw. No HTTP or JSON here. Tests: tests/unit/test_points.c
*/
#include "domain/points.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "domain/audit.h"
#include "domain/member.h"

#define DAY_MS (24LL * 3600 * 1000)

static int setting_i64(struct db_conn *c, const char *key, int64_t dflt, int64_t *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT value FROM settings WHERE key = $1", "t", key);
    *out = dflt;
    if (rc == DB_ROW && parse_i64(db_col_text(s, 0), 0, INT64_MAX / 4, out))
        *out = dflt;
    db_done(s);
    return rc < 0 ? rc : 0;
}

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

static int active_member(struct db_conn *c, int64_t id, struct member *m, const char *field)
{
    int rc = member_get(c, id, m);
    if (rc)
        return err_set(O2O_ENOTFOUND, "unknown_member", field, "no member with id %" PRId64, id);
    if (strcmp(m->status, "active"))
        return err_set(O2O_ECONFLICT, "member_merged", field, "member %" PRId64 " was merged into %" PRId64, id,
                       m->merged_into);
    return 0;
}

static int insert_entry(struct db_conn *c, int64_t member, const char *kind, int64_t points, int64_t remaining,
                        int64_t expires_at, const struct points_op *op, int64_t *id)
{
    return db_scalar_i64(c, id,
                         "INSERT INTO point_entries (member_id, kind, points, remaining, expires_at, channel, "
                         "location_id, reason, ref, idem_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                         "$9, $10, $11) RETURNING id",
                         "itiiItIttti", member, kind, points, remaining, expires_at, op->channel, op->location_id,
                         op->reason, op->ref, op->idem_key[0] ? op->idem_key : NULL, now_ms());
}

/* Add a lot of n points to a member. */
static int credit(struct db_conn *c, int64_t member, const char *kind, int64_t n, const struct points_op *op,
                  int64_t *entry_id)
{
    int64_t months = 24, expires, ch;
    int rc = setting_i64(c, "points_expiry_months", 24, &months);
    if (rc)
        return rc;
    expires = months > 0 ? now_ms() + months * 3044LL * DAY_MS / 100 : 0; /* months of 30.44 days */
    rc = insert_entry(c, member, kind, n, n, expires, op, entry_id);
    if (rc)
        return rc;
    ch = db_exec(c, "UPDATE members SET points = points + $2, updated_at = $3 WHERE id = $1", "iii", member, n,
                 now_ms());
    return ch < 0 ? (int)ch : 0;
}

/* Take n points from a member: conditional balance update, then consume lots oldest-expiry first. */
static int debit(struct db_conn *c, int64_t member, const char *kind, int64_t n, const struct points_op *op,
                 const char *field, int64_t *entry_id)
{
    struct db_stmt *s = NULL;
    int64_t left = n, ch, bal = 0;
    int rc;
    ch = db_exec(c, "UPDATE members SET points = points - $2, updated_at = $3 WHERE id = $1 AND points >= $2", "iii",
                 member, n, now_ms());
    if (ch < 0)
        return (int)ch;
    if (ch == 0) {
        points_balance(c, member, &bal);
        return err_set(O2O_ECONFLICT, "insufficient_points", field,
                       "balance is %" PRId64 " points, %" PRId64 " requested", bal, n);
    }
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
    return insert_entry(c, member, kind, -n, 0, 0, op, entry_id);
}

int points_for_amount(struct db_conn *c, int64_t member_id, int64_t amount, int64_t *out)
{
    struct db_stmt *s = NULL;
    int64_t per_yuan = 1, pct = 100;
    int rc = setting_i64(c, "points_per_yuan", 1, &per_yuan);
    if (rc)
        return rc;
    rc = db_query(c, &s, "SELECT t.earn_pct FROM members m JOIN tiers t ON t.code = m.tier WHERE m.id = $1", "i",
                  member_id);
    if (rc == DB_ROW)
        pct = db_col_i64(s, 0);
    db_done(s);
    if (rc < 0)
        return rc;
    *out = amount / 100 * per_yuan * pct / 100;
    return 0;
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
    struct member m;
    int64_t n = op->points, id = 0, ch;
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
    if (!n) {
        rc = points_for_amount(c, op->member_id, op->amount, &n);
        if (rc)
            return rc;
    }
    if (op->amount) {
        ch = db_exec(c, "INSERT INTO member_spend (member_id, amount, channel, location_id, created_at) VALUES ($1, $2, $3, $4, $5)",
                     "iitIi", op->member_id, op->amount, op->channel, op->location_id, now_ms());
        if (ch < 0)
            return (int)ch;
    }
    if (n > 0) {
        rc = credit(c, op->member_id, "earn", n, op, &id);
    } else {
        /* a purchase too small to earn still counts for the tier; record a zero entry */
        rc = insert_entry(c, op->member_id, "earn", 0, 0, 0, op, &id);
    }
    if (rc)
        return rc;
    if (op->amount && (rc = member_refresh_tier(c, op->member_id)))
        return rc;
    return get_entry(c, id, out);
}

int points_redeem(struct db_conn *c, const struct points_op *op, struct points_entry *out)
{
    struct member m;
    int64_t id = 0;
    bool found;
    int rc = check_op(op, false);
    if (rc)
        return rc;
    rc = active_member(c, op->member_id, &m, "member_id");
    if (!rc)
        rc = find_replay(c, op, out, &found);
    if (rc || found)
        return rc;
    rc = debit(c, op->member_id, "redeem", op->points, op, "points", &id);
    return rc ? rc : get_entry(c, id, out);
}

int points_adjust(struct db_conn *c, const struct principal *who, const struct points_op *op, struct points_entry *out)
{
    struct member m;
    int64_t id = 0;
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
    if (op->points > 0) {
        rc = credit(c, op->member_id, "adjust", op->points, op, &id);
    } else {
        rc = debit(c, op->member_id, "adjust", -op->points, op, "points", &id);
    }
    if (rc)
        return rc;
    snprintf(subject, sizeof subject, "member:%" PRId64, op->member_id);
    snprintf(detail, sizeof detail, "%+" PRId64 " points: %s", op->points, op->reason);
    rc = audit_add(c, who, "points.adjust", subject, detail);
    return rc ? rc : get_entry(c, id, out);
}

int points_transfer(struct db_conn *c, const struct points_op *op, struct points_entry *out)
{
    struct member from, to;
    int64_t out_id = 0, in_id = 0;
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
    rc = debit(c, op->member_id, "transfer_out", op->points, op, "points", &out_id);
    if (rc)
        return rc;
    in_op = *op;
    in_op.idem_key[0] = 0;
    snprintf(in_op.ref, sizeof in_op.ref, "from member %" PRId64, op->member_id);
    rc = credit(c, op->to_member_id, "transfer_in", op->points, &in_op, &in_id);
    return rc ? rc : get_entry(c, out_id, out);
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
            int64_t id = 0, ch;
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
            rc = insert_entry(c, lots[i][1], "expire", -lots[i][2], 0, 0, &op, &id);
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
