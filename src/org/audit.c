/*
** audit.c -- the audit_log table. Owns table audit_log.
*/
#include "org/audit.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

int audit_add(struct db_conn *c, const struct principal *who, const char *action, const char *subject,
              const char *detail)
{
    char tag[48];
    int64_t n;
    principal_tag(who, tag);
    n = db_exec(c, "INSERT INTO audit_log (actor, action, subject, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
                "tttti", tag, action, subject, detail ? detail : "", now_ms());
    return n < 0 ? (int)n : 0;
}

int audit_list(struct db_conn *c, const char *action, int64_t before, int limit,
               int (*cb)(const struct audit_entry *e, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    char prefix[50];
    int rc;
    /* "points." matches the actions of a kind; "points.adjust" that one */
    snprintf(prefix, sizeof prefix, "%.46s%s", action ? action : "", action && *action && !strchr(action, '.') ? "." : "");
    rc = db_query(c, &s,
                  "SELECT id, actor, action, subject, detail, created_at FROM audit_log "
                  "WHERE (CAST($1 AS BIGINT) = 0 OR id < $1) AND ($2 = '' OR action = $2 OR "
                  "(substr($2, length($2), 1) = '.' AND substr(action, 1, length($2)) = $2)) "
                  "ORDER BY id DESC LIMIT $3",
                  "iti", before, prefix, (int64_t)limit);
    while (rc == DB_ROW) {
        struct audit_entry e;
        memset(&e, 0, sizeof e);
        e.id = db_col_i64(s, 0);
        str_copy(e.actor, sizeof e.actor, db_col_text(s, 1));
        str_copy(e.action, sizeof e.action, db_col_text(s, 2));
        str_copy(e.subject, sizeof e.subject, db_col_text(s, 3));
        str_copy(e.detail, sizeof e.detail, db_col_text(s, 4));
        e.created_at = db_col_i64(s, 5);
        if ((rc = cb(&e, arg)) != 0)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
