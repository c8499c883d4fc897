/*
** insight.h -- keeping customer insight up to date: paid orders of members
** are queued in the transaction that pays them and folded into tags, life
** stages and profiles by a background job, off the till's path.
*/
#ifndef O2O_DOMAIN_INSIGHT_H
#define O2O_DOMAIN_INSIGHT_H

#include <stdint.h>

#include "analytics/assoc.h"
#include "db/db.h"

/* Orders folded per run at most (the job runner runs more while a backlog lasts). */
#define INSIGHT_BATCH 2000

/* Queue a paid order for the insight job (once). */
int insight_enqueue(struct db_conn *c, int64_t order_id);
/* The job: evaluate life-stage rules not yet run over the history, then fold
** up to a batch of queued orders into tags and profiles. *count: orders folded. */
int insight_refresh(struct db_conn *c, int64_t now, int64_t *count);
/* Orders waiting. */
int insight_backlog(struct db_conn *c, int64_t *queued);

/* Association rules of the paid orders placed since `since` (one basket per order,
** its products the items). b must be initialised (baskets_init); the caller
** frees b and r (assoc_result_free) after a success. */
int insight_mine_rules(struct db_conn *c, int64_t since, const struct assoc_params *p, struct baskets *b,
                       struct assoc_result *r);

/* After a merge (transaction body): the tags and profiles of both are dropped and
** every order now the survivor's is queued, so the insight job folds her whole
** history again (tags, life stages, profile, store spend). */
int insight_rebuild_member(struct db_conn *c, int64_t survivor, int64_t merged);
#endif
