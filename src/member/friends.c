/*
** friends.c -- member relations. Owns table member_relations (a row for each
** side: asked, invited or accepted; only accepted ones feed recommendations).
** No HTTP or JSON here. Tests: tests/e2e/test_recommend.py
*/
#include "member/friends.h"

#include <inttypes.h>
#include <string.h>

#include "core/util.h"
#include "member/member.h"

static int active(struct db_conn *c, int64_t id, const char *field)
{
    struct member m;
    if (member_get(c, id, &m))
        return err_set(O2O_ENOTFOUND, "unknown_member", field, "no member %" PRId64, id);
    if (strcmp(m.status, "active"))
        return err_set(O2O_ECONFLICT, "member_merged", field, "member %" PRId64 " was merged", id);
    return 0;
}

int friends_ask(struct db_conn *c, int64_t member_id, int64_t other_id, const char *kind, char status[12])
{
    char mine[12] = "";
    int64_t now = now_ms(), n;
    struct db_stmt *s = NULL;
    int rc;
    if (strcmp(kind, "friend") && strcmp(kind, "referral") && strcmp(kind, "household"))
        return err_set(O2O_EINVAL, "out_of_range", "kind", "kind must be friend, referral or household");
    if (member_id == other_id)
        return err_set(O2O_EINVAL, "out_of_range", "member_id", "a member is not her own friend");
    if ((rc = active(c, member_id, NULL)) || (rc = active(c, other_id, "member_id")))
        return rc;
    rc = db_query(c, &s, "SELECT status FROM member_relations WHERE member_id = $1 AND other_id = $2", "ii",
                  member_id, other_id);
    if (rc == DB_ROW)
        str_copy(mine, sizeof mine, db_col_text(s, 0));
    db_done(s);
    if (rc < 0)
        return rc;
    if (!strcmp(mine, "invited")) {
        /* she was asked already: asking back is accepting */
        str_copy(status, 12, "accepted");
        return friends_accept(c, member_id, other_id);
    }
    if (mine[0]) {
        str_copy(status, 12, mine);
        return 0; /* asked or accepted already */
    }
    n = db_exec(c, "INSERT INTO member_relations (member_id, other_id, kind, status, created_at) VALUES ($1, $2, $3, 'asked', $4)",
                "iiti", member_id, other_id, kind, now);
    if (n >= 0)
        n = db_exec(c,
                    "INSERT INTO member_relations (member_id, other_id, kind, status, created_at) VALUES ($1, $2, $3, 'invited', $4) "
                    "ON CONFLICT (member_id, other_id) DO NOTHING",
                    "iiti", other_id, member_id, kind, now);
    if (n < 0)
        return (int)n;
    str_copy(status, 12, "asked");
    return 0;
}

int friends_accept(struct db_conn *c, int64_t member_id, int64_t other_id)
{
    int64_t n = db_exec(c,
                        "UPDATE member_relations SET status = 'accepted' WHERE member_id = $1 AND other_id = $2 "
                        "AND status = 'invited'",
                        "ii", member_id, other_id);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ENOTFOUND, "no_request", NULL, "member %" PRId64 " has not asked %" PRId64, other_id,
                       member_id);
    n = db_exec(c, "UPDATE member_relations SET status = 'accepted' WHERE member_id = $2 AND other_id = $1", "ii",
                member_id, other_id);
    return n < 0 ? (int)n : 0;
}

int friends_remove(struct db_conn *c, int64_t member_id, int64_t other_id)
{
    int64_t n = db_exec(c,
                        "DELETE FROM member_relations WHERE (member_id = $1 AND other_id = $2) "
                        "OR (member_id = $2 AND other_id = $1)",
                        "ii", member_id, other_id);
    if (n < 0)
        return (int)n;
    return n ? 0 : err_set(O2O_ENOTFOUND, "not_related", NULL, "members %" PRId64 " and %" PRId64 " are not related",
                           member_id, other_id);
}

int friends_list(struct db_conn *c, int64_t member_id, int (*cb)(const struct relation *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct relation r;
    int rc = db_query(c, &s,
                      "SELECT member_id, other_id, kind, created_at, status FROM member_relations WHERE member_id = $1 "
                      "ORDER BY other_id",
                      "i", member_id);
    while (rc == DB_ROW) {
        memset(&r, 0, sizeof r);
        r.member_id = db_col_i64(s, 0);
        r.other_id = db_col_i64(s, 1);
        str_copy(r.kind, sizeof r.kind, db_col_text(s, 2));
        r.created_at = db_col_i64(s, 3);
        str_copy(r.status, sizeof r.status, db_col_text(s, 4));
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int friends_ids(struct db_conn *c, int64_t member_id, int max, int64_t *ids, int *n)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT other_id FROM member_relations WHERE member_id = $1 AND status = 'accepted' "
                      "ORDER BY other_id LIMIT $2",
                      "ii", member_id, (int64_t)max);
    *n = 0;
    while (rc == DB_ROW && *n < max) {
        ids[(*n)++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int friends_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    int64_t n = db_exec(c,
                        "DELETE FROM member_relations WHERE (member_id = $1 AND other_id = $2) "
                        "OR (member_id = $2 AND other_id = $1)",
                        "ii", from, to);
    /* her sides, then the others' sides of her; of two with one person the stronger status stays */
    if (n >= 0)
        n = db_exec(c,
                    "INSERT INTO member_relations (member_id, other_id, kind, status, created_at) SELECT $2, other_id, "
                    "kind, status, created_at FROM member_relations WHERE member_id = $1 "
                    "ON CONFLICT (member_id, other_id) DO UPDATE SET status = CASE WHEN member_relations.status = "
                    "'accepted' OR excluded.status = 'accepted' THEN 'accepted' ELSE member_relations.status END",
                    "ii", from, to);
    if (n >= 0)
        n = db_exec(c,
                    "INSERT INTO member_relations (member_id, other_id, kind, status, created_at) SELECT member_id, $2, "
                    "kind, status, created_at FROM member_relations WHERE other_id = $1 "
                    "ON CONFLICT (member_id, other_id) DO UPDATE SET status = CASE WHEN member_relations.status = "
                    "'accepted' OR excluded.status = 'accepted' THEN 'accepted' ELSE member_relations.status END",
                    "ii", from, to);
    if (n >= 0)
        n = db_exec(c, "DELETE FROM member_relations WHERE member_id = $1 OR other_id = $1", "i", from);
    return n < 0 ? (int)n : 0;
}
