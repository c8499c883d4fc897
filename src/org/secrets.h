/*
** secrets.h -- the server's own keys (HMAC keys for receipt tokens and member
** codes), made at random once and kept in the database so that every process
** and every restart signs alike.
*/
#ifndef O2O_ORG_SECRETS_H
#define O2O_ORG_SECRETS_H

#include "db/db.h"

#define SECRET_BYTES 32

/* Make sure the key named name exists (a transaction body; run once at start). */
int secret_init(struct db_conn *c, const char *name);
/* The key named name (read once per process, then cached). O2O_EDB when missing. */
int secret_key(struct db_conn *c, const char *name, unsigned char key[SECRET_BYTES]);

#endif
