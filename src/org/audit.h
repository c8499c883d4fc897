/*
** audit.h -- append-only audit trail of sensitive changes (merges, adjustments,
** returns, stock corrections, accounts, keys, settings) and its reading.
*/
#ifndef O2O_ORG_AUDIT_H
#define O2O_ORG_AUDIT_H

#include "core/principal.h"
#include "db/db.h"

int audit_add(struct db_conn *c, const struct principal *who, const char *action, const char *subject,
              const char *detail);

struct audit_entry {
    int64_t id;
    char actor[48], action[48], subject[129], detail[513];
    int64_t created_at;
};
/* Newest first, ids below before (0: from the newest); action "" for every one,
** or "points." for every action of a kind. */
int audit_list(struct db_conn *c, const char *action, int64_t before, int limit,
               int (*cb)(const struct audit_entry *e, void *arg), void *arg);

#endif
