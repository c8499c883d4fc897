/*
** recommend.h -- recommendations for a member: the model of
** analytics/reco.c built from the paid orders in the database, and queries
** that add what she bought since, her tags and life stages, and leave out what
** she should not be offered (not launched, not in stock at the store she is in,
** more of a durable item she just bought).
*/
#ifndef O2O_INSIGHT_RECOMMEND_H
#define O2O_INSIGHT_RECOMMEND_H

#include <stdint.h>

#include "db/db.h"

struct reco_state; /* a built model with its catalog; read-only, shared by queries */

/* Build from the orders and the catalog (minutes of work for a big chain: run it
** on a thread of its own, with its own reader). */
int recommend_build(struct db_conn *c, int64_t now, struct reco_state **out);
void recommend_free(struct reco_state *s);
int64_t recommend_built_at(const struct reco_state *s);
int64_t recommend_orders(const struct reco_state *s); /* orders learnt from */

enum recommend_context { RECOMMEND_LOGIN, RECOMMEND_CHECKOUT, RECOMMEND_STORE };

struct recommendation {
    int64_t product_id;
    char product[65];
    char name[257];
    int64_t price;            /* the lowest price of its SKUs, fen */
    double score;
    char reason[24];          /* bought_together | buy_again | popular_at_store | popular | brand_you_like |
                                 category_you_like | life_stage | friends_bought */
    char because[96];         /* a product code, a store code or a tag */
    char because_name[257];   /* that product's or store's name, "" otherwise */
};

#define RECOMMEND_MAX 100

/* Up to limit (<= RECOMMEND_MAX) items for a member (0: anybody) in a context;
** store_id places her (0: none; required for RECOMMEND_STORE). */
int recommend_for(struct db_conn *c, const struct reco_state *s, int64_t member_id, enum recommend_context ctx,
                  int64_t store_id, int limit, int64_t now, struct recommendation *out, int *n);

#endif
