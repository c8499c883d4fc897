/*
** friends.h -- the relationship graph between members: declared friends,
** referrals and households, for "friends bought" recommendations.
*/
#ifndef O2O_DOMAIN_FRIENDS_H
#define O2O_DOMAIN_FRIENDS_H

#include <stdint.h>

#include "db/db.h"

struct relation {
    int64_t member_id, other_id;
    char kind[12];            /* friend | referral | household */
    int64_t created_at;
};

/* Relate two active members (both ways). Relating them again changes nothing. */
int friends_add(struct db_conn *c, int64_t member_id, int64_t other_id, const char *kind);
/* O2O_ENOTFOUND when they are not related. */
int friends_remove(struct db_conn *c, int64_t member_id, int64_t other_id);
int friends_list(struct db_conn *c, int64_t member_id, int (*cb)(const struct relation *r, void *arg), void *arg);
/* Up to max related members' ids; *n how many. */
int friends_ids(struct db_conn *c, int64_t member_id, int max, int64_t *ids, int *n);

#endif
