/*
** reco.h -- a recommendation model in memory, built from baskets: items
** bought together (cosine similarity of their baskets, top neighbours per
** item), what each member bought and when, and what sells at each store and
** in the chain lately. A query blends, for one member: items bought together
** with what she bought (recent purchases weigh more), items she buys again,
** what is popular at her store, and boosts the caller adds (tags, life stage,
** friends); every item comes with the reason that weighed most.
*/
#ifndef O2O_ANALYTICS_RECO_H
#define O2O_ANALYTICS_RECO_H

#include <stdbool.h>
#include <stdint.h>

#define RECO_NONE UINT32_MAX

/* Baskets to learn from: items, and per basket its member, store and time. */
struct reco_input {
    uint32_t nitems, nmembers, nstores;
    int64_t nbaskets;
    const int64_t *start;     /* basket b holds items[start[b] .. start[b + 1]) */
    const uint32_t *items;
    const uint32_t *member;   /* per basket: member number, or RECO_NONE */
    const uint32_t *store;    /* per basket: store number, or RECO_NONE */
    const int64_t *at;        /* per basket: epoch ms */
};

struct reco_params {
    int neighbours;           /* kept per item (default 50) */
    int min_together;         /* baskets two items must share to be neighbours (default 2) */
    int64_t now;              /* popularity and recency are as of this time */
    int64_t half_life_days;   /* of a purchase's weight (default 90) */
};

enum reco_reason {
    RECO_BOUGHT_TOGETHER,     /* because: the item of hers it goes with */
    RECO_BUY_AGAIN,           /* she buys it regularly */
    RECO_POPULAR_AT_STORE,    /* because: the store */
    RECO_POPULAR,             /* in the whole chain */
    RECO_BOOST                /* the caller's: because is its reason code */
};

struct reco_item {
    uint32_t item;
    double score;
    enum reco_reason reason;
    uint32_t because;
};

struct reco_query {
    uint32_t member;          /* RECO_NONE: nobody known */
    uint32_t store;           /* RECO_NONE: the chain */
    int limit;
    int64_t now;
    bool again;               /* may recommend what she bought before */
    /* purchases the model has not seen yet (since it was built): weight 1 each */
    const uint32_t *recent;
    int nrecent;
    /* optional extra score per item and its reason code (e.g. tags, friends) */
    const float *boost;
    const uint32_t *boost_reason;
    /* optional filter: false leaves the item out (not launched, out of stock...) */
    bool (*allowed)(uint32_t item, void *arg);
    void *arg;
};

struct reco_model;

/* Build a model; the input can be freed afterwards. */
struct reco_model *reco_build(const struct reco_input *in, const struct reco_params *p);
void reco_free(struct reco_model *m);
/* Up to q->limit items, best first; returns how many. Thread-safe on one model. */
int reco_recommend(const struct reco_model *m, const struct reco_query *q, struct reco_item *out);
/* The neighbours of an item, best first (up to n): for "bought together" lists. */
int reco_neighbours(const struct reco_model *m, uint32_t item, struct reco_item *out, int n);
/* Items a member bought (distinct), for tests and explanations. */
int reco_history_size(const struct reco_model *m, uint32_t member);

#endif
