/*
** tags.h -- what a member buys, as weighted tags that fade with time
** (brand:CODE, category:CODE, price:budget|mid|premium), and life stages
** (life:NAME) given by rules the chain writes as data.
*/
#ifndef O2O_INSIGHT_TAGS_H
#define O2O_INSIGHT_TAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct member_tag {
    char tag[96];
    double weight;            /* as of the time asked for (decayed) */
    int64_t updated_at;       /* the last purchase that added to it */
};

struct life_rule {
    int64_t id;
    char name[65];            /* the tag is life:<name> */
    char categories[512];     /* category codes, comma-separated */
    int64_t min_purchases, window_days;
    int64_t evaluated_at;     /* 0 until the history has been evaluated */
    int64_t created_at, updated_at;
};

/* Add one paid order to its member's brand, category and price tags: each tag
** of the order gains 1, on top of its weight decayed to the order's time. */
int tags_add_order(struct db_conn *c, int64_t order_id);
/* The member's tags, strongest first, weights decayed to now (at most limit). */
int tags_list(struct db_conn *c, int64_t member_id, int64_t now, int limit,
              int (*cb)(const struct member_tag *t, void *arg), void *arg);
/* Members holding a tag (e.g. life:new_parent): how many. */
/* Does the member carry the tag (any weight)? */
int tags_has(struct db_conn *c, int64_t member_id, const char *tag, bool *has);
int tags_count_members(struct db_conn *c, const char *tag, int64_t *out);

/* Life-stage rules. put creates or replaces a rule by name (its history is then
** evaluated again by the insight job); categories must exist. */
int life_rule_put(struct db_conn *c, struct life_rule *r);
int life_rule_delete(struct db_conn *c, const char *name);
int life_rules_list(struct db_conn *c, int (*cb)(const struct life_rule *r, void *arg), void *arg);
/* Apply every rule to these members' purchases (after new orders); the rules are
** read once for all of them. */
int life_rules_for_members(struct db_conn *c, const int64_t *member_ids, int n);
/* Evaluate rules whose history has not been: every member's purchases. */
int life_rules_evaluate_pending(struct db_conn *c, int64_t *tagged);

/* Drop a member's tags (insight folds her orders again after a merge). */
int tags_forget(struct db_conn *c, int64_t member_id);
#endif
