/*
** reach.h -- how a member is reached: the medium she prefers (SMS, WeChat, e-mail)
** and the one tried when it fails, her consent per purpose, her quiet hours; and
** a message of the chain's queued for her accordingly.
*/
#ifndef O2O_MEMBER_REACH_H
#define O2O_MEMBER_REACH_H

#include <stdint.h>

#include "db/db.h"
#include "org/outbox.h"

/* Queue n for the member (a transaction body helper): by her medium when she has
** its address (her phone, her WeChat openid, her e-mail), else by SMS; with her
** fallback; marketing only with her consent to it and service only with hers
** (auth codes need none; a refused message is kept as failed, with its reason);
** held past quiet hours (hers for service and marketing, the chain's for
** marketing; never an auth code), and refused when it would be stale by then.
** *id: the outbox message (may be NULL). */
int member_notify(struct db_conn *c, int64_t member_id, const struct notice *n, int64_t now, int64_t *id);

/* A message to a phone that is no member's (or not yet): by SMS, at once. */
int phone_notify(struct db_conn *c, const char *phone, const struct notice *n, int64_t *id);

#endif
