/*
** profile.h -- a member's purchase profile: orders, spend, first and last
** purchase, channel mix, favourite store, recency/frequency/monetary scores
** and segment, value; and the core customers of a store.
*/
#ifndef O2O_INSIGHT_PROFILE_H
#define O2O_INSIGHT_PROFILE_H

#include "org/channel.h"

#include <stdint.h>

#include "db/db.h"

#define PROFILE_CHANNELS SALES_CHANNELS /* as sales_channels lists them */

struct profile {
    int64_t member_id;
    int64_t orders, spend;            /* paid orders, fen */
    int64_t first_at, last_at;
    int64_t channel[PROFILE_CHANNELS];
    char favourite_store[65];         /* most spend (sales and pickups), "" if none */
    int r, f, m;                      /* 1..5 against the chain's members (quintiles) */
    char segment[24];                 /* champions, loyal, potential_loyalist, new, at_risk,
                                         hibernating, needs_attention */
    int64_t annual_value;             /* fen a year since her first purchase (at least 90 days) */
};


/* Add one paid order to its member's profile and store spend. */
int profile_add_order(struct db_conn *c, int64_t order_id);
/* O2O_ENOTFOUND when she has bought nothing yet. */
int profile_get(struct db_conn *c, int64_t member_id, int64_t now, struct profile *out);

struct core_customer {
    int64_t member_id;
    char name[129];
    int64_t orders, spend, last_at;
};
/* A store's core customers: most spend there, having bought there within `days`. */
int profile_core_customers(struct db_conn *c, int64_t location_id, int64_t now, int64_t days, int limit,
                           int (*cb)(const struct core_customer *x, void *arg), void *arg);

/* Drop a member's profile and store spend (insight folds her orders again after a merge). */
int profile_forget(struct db_conn *c, int64_t member_id);
#endif
