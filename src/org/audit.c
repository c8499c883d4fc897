/*
** audit.c -- the audit_log table. Owns table audit_log.
*/
#include "org/audit.h"

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
