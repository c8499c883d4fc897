/*
** accounts.c -- staff accounts and API keys as managers see them (accounts.h).
** Writes staff (active), sessions (ended with the account) and api_keys (active);
** reads the locations and regions their scopes name.
*/
#include "identity/accounts.h"

#include <string.h>

#include "core/err.h"
#include "core/util.h"

#define STAFF_COLS                                                                                             \
    "s.id, s.username, s.name, s.role, s.scope_kind, COALESCE(l.code, r.code, ''), COALESCE(s.scope_id, 0), "  \
    "s.active, s.created_at, s.phone, s.email FROM staff s "                                                   \
    "LEFT JOIN locations l ON s.scope_kind = 'location' AND l.id = s.scope_id "                                \
    "LEFT JOIN regions r ON s.scope_kind = 'region' AND r.id = s.scope_id "                                    \
    "LEFT JOIN regions lr ON lr.id = l.region_id "

static void read_staff(struct db_stmt *s, struct staff_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(s, 0);
    str_copy(r->username, sizeof r->username, db_col_text(s, 1));
    str_copy(r->name, sizeof r->name, db_col_text(s, 2));
    str_copy(r->role, sizeof r->role, db_col_text(s, 3));
    str_copy(r->scope_kind, sizeof r->scope_kind, db_col_text(s, 4));
    str_copy(r->scope, sizeof r->scope, db_col_text(s, 5));
    r->scope_id = db_col_i64(s, 6);
    r->active = db_col_i64(s, 7) != 0;
    r->created_at = db_col_i64(s, 8);
    str_copy(r->phone, sizeof r->phone, db_col_text(s, 9));
    str_copy(r->email, sizeof r->email, db_col_text(s, 10));
}

int staff_list(struct db_conn *c, int64_t loc, int64_t region_id, int64_t after, int limit,
               int (*cb)(const struct staff_row *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT " STAFF_COLS
                      "WHERE s.id > $3 AND (CAST($1 AS BIGINT) = 0 OR (s.scope_kind = 'location' AND s.scope_id = $1)) "
                      "AND (CAST($2 AS BIGINT) = 0 OR COALESCE(r.path, lr.path, '') LIKE "
                      "(SELECT rp.path FROM regions rp WHERE rp.id = $2) || '%') ORDER BY s.id LIMIT $4",
                      "iiii", loc, region_id, after, (int64_t)(limit > 0 && limit <= ACCOUNTS_MAX ? limit : 100));
    while (rc == DB_ROW) {
        struct staff_row r;
        read_staff(s, &r);
        if ((rc = cb(&r, arg)) != 0)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int staff_row_get(struct db_conn *c, int64_t id, struct staff_row *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " STAFF_COLS "WHERE s.id = $1", "i", id);
    if (rc == DB_ROW)
        read_staff(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_staff", NULL, "no staff account %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int staff_set_contact(struct db_conn *c, int64_t id, const char *phone, const char *email)
{
    int64_t n = db_exec(c,
                        "UPDATE staff SET phone = COALESCE($2, phone), email = COALESCE($3, email) WHERE id = $1",
                        "itt", id, phone, email);
    return n < 0 ? (int)n : 0;
}

int staff_managers_of(struct db_conn *c, int64_t location_id, int (*cb)(const struct staff_row *r, void *arg),
                      void *arg)
{
    struct staff_row rows[8];
    struct db_stmt *s = NULL;
    int n = 0, rc = db_query(c, &s,
                             "SELECT " STAFF_COLS "WHERE s.active = 1 AND s.role = 'store_manager' AND "
                             "s.scope_kind = 'location' AND s.scope_id = $1 ORDER BY s.id LIMIT 8",
                             "i", location_id);
    while (rc == DB_ROW && n < 8) {
        read_staff(s, &rows[n++]);
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (!n) {
        /* nobody runs the store itself: the managers of its region and the regions above */
        rc = db_query(c, &s,
                      "SELECT " STAFF_COLS "WHERE s.active = 1 AND s.role = 'region_manager' AND s.scope_kind = 'region' "
                      "AND (SELECT rl.path FROM locations x JOIN regions rl ON rl.id = x.region_id WHERE x.id = $1) "
                      "LIKE r.path || '%' ORDER BY LENGTH(r.path) DESC, s.id LIMIT 8",
                      "i", location_id);
        while (rc == DB_ROW && n < 8) {
            read_staff(s, &rows[n++]);
            rc = db_step(s);
        }
        db_done(s);
        if (rc < 0)
            return rc;
    }
    for (int i = 0; i < n; i++)
        if ((rc = cb(&rows[i], arg)))
            return rc;
    return 0;
}

int staff_set_active(struct db_conn *c, int64_t id, bool active)
{
    int64_t n = db_exec(c, "UPDATE staff SET active = $2 WHERE id = $1", "ii", id, (int64_t)active);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ENOTFOUND, "unknown_staff", NULL, "no staff account %lld", (long long)id);
    if (!active) {
        n = db_exec(c, "DELETE FROM sessions WHERE kind = 'staff' AND subject_id = $1", "i", id);
        if (n < 0)
            return (int)n;
    }
    return 0;
}

#define KEY_COLS                                                                                               \
    "k.id, k.prefix, k.name, k.channel, COALESCE(l.code, ''), k.active, k.created_at FROM api_keys k "        \
    "LEFT JOIN locations l ON l.id = k.location_id LEFT JOIN regions lr ON lr.id = l.region_id "

static void read_key(struct db_stmt *s, struct key_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(s, 0);
    str_copy(r->prefix, sizeof r->prefix, db_col_text(s, 1));
    str_copy(r->name, sizeof r->name, db_col_text(s, 2));
    str_copy(r->channel, sizeof r->channel, db_col_text(s, 3));
    str_copy(r->location, sizeof r->location, db_col_text(s, 4));
    r->active = db_col_i64(s, 5) != 0;
    r->created_at = db_col_i64(s, 6);
}

int key_list(struct db_conn *c, int64_t loc, int64_t region_id, int64_t after, int limit,
             int (*cb)(const struct key_row *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT " KEY_COLS "WHERE k.id > $3 AND (CAST($1 AS BIGINT) = 0 OR k.location_id = $1) "
                      "AND (CAST($2 AS BIGINT) = 0 OR COALESCE(lr.path, '') LIKE "
                      "(SELECT rp.path FROM regions rp WHERE rp.id = $2) || '%') ORDER BY k.id LIMIT $4",
                      "iiii", loc, region_id, after, (int64_t)(limit > 0 && limit <= ACCOUNTS_MAX ? limit : 100));
    while (rc == DB_ROW) {
        struct key_row r;
        read_key(s, &r);
        if ((rc = cb(&r, arg)) != 0)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int key_revoke(struct db_conn *c, int64_t id, struct key_row *out)
{
    struct db_stmt *s = NULL;
    int64_t n = db_exec(c, "UPDATE api_keys SET active = 0 WHERE id = $1", "i", id);
    int rc;
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ENOTFOUND, "unknown_key", NULL, "no API key %lld", (long long)id);
    rc = db_query(c, &s, "SELECT " KEY_COLS "WHERE k.id = $1", "i", id);
    if (rc == DB_ROW)
        read_key(s, out);
    db_done(s);
    return rc < 0 ? rc : 0;
}
