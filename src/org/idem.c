/*
** idem.c -- the idempotency table. A claim inserts a placeholder row in the same
** transaction as the work, so two concurrent requests with one key cannot both
** run: on PostgreSQL the second waits on the unique index and then sees the
** first's row; on SQLite the writer is serial. Owns table idempotency.
*/
#include "org/idem.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"

static int read_stored(struct db_conn *c, const char *scope, const char *key, const char *fingerprint,
                       bool *found, int *status, char **body)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT fingerprint, status, body FROM idempotency WHERE scope = $1 AND key = $2",
                      "tt", scope, key);
    *found = false;
    if (rc == DB_ROW) {
        *found = true;
        if (strcmp(db_col_text(s, 0), fingerprint)) {
            db_done(s);
            return err_set(O2O_EIDEM, NULL, "Idempotency-Key",
                           "this Idempotency-Key was used for a different request");
        }
        *status = (int)db_col_i64(s, 1);
        *body = xstrdup(db_col_text(s, 2));
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int idem_peek(struct db_conn *c, const char *scope, const char *key, const char *fingerprint, bool *found,
              int *status, char **body)
{
    int rc = read_stored(c, scope, key, fingerprint, found, status, body);
    if (!rc && *found && *status == 0) {
        /* claimed by a request still in flight */
        free(*body);
        *body = NULL;
        *found = false;
    }
    return rc;
}

int idem_claim(struct db_conn *c, const char *scope, const char *key, const char *fingerprint, bool *replay,
               int *status, char **body)
{
    int64_t n;
    *replay = false;
    if (strlen(key) > 128)
        return err_set(O2O_EINVAL, NULL, "Idempotency-Key", "Idempotency-Key is longer than 128 characters");
    n = db_exec(c,
                "INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at) "
                "VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (scope, key) DO NOTHING",
                "ttti", scope, key, fingerprint, now_ms());
    if (n < 0)
        return (int)n;
    if (n == 1)
        return 0;
    return read_stored(c, scope, key, fingerprint, replay, status, body);
}

int idem_store(struct db_conn *c, const char *scope, const char *key, int status, const char *body)
{
    int64_t n = db_exec(c, "UPDATE idempotency SET status = $3, body = $4 WHERE scope = $1 AND key = $2", "ttit",
                        scope, key, (int64_t)status, body);
    return n < 0 ? (int)n : 0;
}
