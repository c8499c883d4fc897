/*
** insight.h -- keeping customer insight up to date: a background job reads the
** order feed (order_feed.h) after its own cursor and folds members' paid orders
** into tags, life stages and profiles, off the till's path; a return, or a merge,
** makes it fold the member's history again.
*/
#ifndef O2O_INSIGHT_INSIGHT_H
#define O2O_INSIGHT_INSIGHT_H

#include <stdint.h>

#include "analytics/assoc.h"
#include "db/db.h"

/* Orders folded per run at most (the job runner runs more while a backlog lasts). */
#define INSIGHT_BATCH 2000

/* The job (transaction body): evaluate life-stage rules not yet run over the
** history, then apply up to a batch of feed rows after the cursor and move it.
** *count: rows applied. */
int insight_refresh(struct db_conn *c, int64_t now, int64_t *count);
/* Feed rows written and not yet applied (holes counted too: an upper bound). */
int insight_lag(struct db_conn *c, int64_t *rows);

/* Association rules of the paid orders placed since `since` (one basket per order,
** its products the items). b must be initialised (baskets_init); the caller
** frees b and r (assoc_result_free) after a success. */
int insight_mine_rules(struct db_conn *c, int64_t since, const struct assoc_params *p, struct baskets *b,
                       struct assoc_result *r);
#endif
