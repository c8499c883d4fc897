/*
** member_search.h -- finding a member the way staff ask (member_search.c): any
** part of her name or phone number, or the value of one of her identities (an
** openid, a store card number, an e-mail). Reads members, member_identities and
** member_search (migration 020).
*/
#ifndef O2O_MEMBER_MEMBER_SEARCH_H
#define O2O_MEMBER_MEMBER_SEARCH_H

#include "db/db.h"
#include "member/member.h"

#define MEMBER_SEARCH_MAX 100

/* Active members matching q, at most limit: identity matches first, then names and
** phone numbers holding q, newest first; matched says which ("identity", "phone",
** "text"). O2O_EINVAL for an empty query. */
int member_search(struct db_conn *c, const char *q, const char *default_cc, int limit,
                  int (*cb)(const struct member *m, const char *matched, void *arg), void *arg);
#endif
