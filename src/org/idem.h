/*
** idem.h -- idempotency keys: a retried POST with the same key returns the
** first answer and changes nothing.
*/
#ifndef O2O_ORG_IDEM_H
#define O2O_ORG_IDEM_H

#include <stdbool.h>

#include "db/db.h"

/* Within the write's transaction, before doing the work: claim (scope, key).
** If an earlier request holds it, *replay is set and *status and *body (owned) are its
** answer; a different fingerprint gives O2O_EIDEM. */
int idem_claim(struct db_conn *c, const char *scope, const char *key, const char *fingerprint, bool *replay,
               int *status, char **body);
/* Store the answer of a claimed key (same transaction, after the work). */
int idem_store(struct db_conn *c, const char *scope, const char *key, int status, const char *body);
/* Quick check outside a transaction (loop thread): 0 and *found with the stored answer. */
int idem_peek(struct db_conn *c, const char *scope, const char *key, const char *fingerprint, bool *found,
              int *status, char **body);

#endif
