/*
** access.h -- who may act on a member, and how: the one place of these rules.
** A member acts on herself; staff act on any member, but give points outside the
** earn rule, correct balances and merge only as managers or service agents and
** only for members whose home store is in their scope; channel keys never give
** or merge, and a till's (POS) key sees a member, changes her or spends her
** points only after she identified herself at that till (identify.h); it may
** credit her purchases by the earn rule. Called by every handler that names a member.
*/
#ifndef O2O_MEMBER_ACCESS_H
#define O2O_MEMBER_ACCESS_H

#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

/* What is done to the member. */
enum member_act {
    MEMBER_SEE,     /* read her details, points, coupons, tags, profile, recommendations, relations */
    MEMBER_CHANGE,  /* change her details and consents, her relations */
    MEMBER_EARN,    /* credit points by the earn rule (a purchase) */
    MEMBER_SPEND,   /* spend her points */
    MEMBER_GIVE,    /* points outside the earn rule; corrections of her balance */
    MEMBER_MERGE    /* merge her into another member or another into her; move her points to another member */
};

/* 0 if who may do act on member_id; O2O_EUNAUTH for the anonymous, O2O_EFORBIDDEN
** (code out_of_scope or role_forbidden) otherwise. A member that does not exist
** passes (the caller's read answers 404). */
int access_member(struct db_conn *c, const struct principal *who, int64_t member_id, enum member_act act);

#endif
