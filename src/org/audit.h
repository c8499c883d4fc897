/*
** audit.h -- append-only audit trail of sensitive changes (merges, adjustments, keys).
*/
#ifndef O2O_ORG_AUDIT_H
#define O2O_ORG_AUDIT_H

#include "core/principal.h"
#include "db/db.h"

int audit_add(struct db_conn *c, const struct principal *who, const char *action, const char *subject,
              const char *detail);

#endif
