/*
** friends.h -- the relationship graph between members: friends, referrals and
** households, for "friends bought" recommendations. A relation is asked by one
** member and made when the other accepts; until then nothing of either is shown
** to the other.
*/
#ifndef O2O_MEMBER_FRIENDS_H
#define O2O_MEMBER_FRIENDS_H

#include <stdint.h>

#include "db/db.h"

struct relation {
    int64_t member_id, other_id;
    char kind[12];            /* friend | referral | household */
    char status[12];          /* asked (she asked the other) | invited (the other asked her) | accepted */
    int64_t created_at;
};

/* member_id asks other_id to be related. Asking again changes nothing; asking
** someone who asked her first accepts. *status: asked or accepted. */
int friends_ask(struct db_conn *c, int64_t member_id, int64_t other_id, const char *kind, char status[12]);
/* member_id accepts other_id's request. O2O_ENOTFOUND (no_request) when there is none. */
int friends_accept(struct db_conn *c, int64_t member_id, int64_t other_id);
/* Either side ends a relation or a request. O2O_ENOTFOUND when there is none. */
int friends_remove(struct db_conn *c, int64_t member_id, int64_t other_id);
/* Her relations and requests (asked, invited, accepted). */
int friends_list(struct db_conn *c, int64_t member_id, int (*cb)(const struct relation *r, void *arg), void *arg);
/* Up to max accepted relations' ids; *n how many. */
int friends_ids(struct db_conn *c, int64_t member_id, int max, int64_t *ids, int *n);

/* A merge (transaction body): what belonged to member `from` becomes `to`'s. */
/* (A relation between the two is dropped: nobody is her own friend; of two sides
** with one person, the stronger status stays.) */
int friends_move_member(struct db_conn *c, int64_t from, int64_t to);
#endif
