/*
** assoc.h -- frequent itemsets and association rules ("bought together").
**
** Semantics are those of R's arules (apriori by Borgelt), the reference of the
** retail literature:
**   - support(X) = baskets containing X / all baskets; X is frequent when
**     support(X) >= supp;
**   - a rule is X => {y} with one item on the right, made of a frequent
**     itemset X u {y} whose size (items on both sides) is within
**     [minlen, maxlen]; confidence = support(X u {y}) / support(X) >= conf;
**     coverage = support(X); lift = confidence / support({y});
**   - with minlen 1, rules with an empty left-hand side ({} => {y}, confidence
**     = support(y)) are included, as arules does.
** The miner is Eclat: items in ascending order of frequency, pairs counted in
** one pass over the baskets (a triangular matrix), longer itemsets by
** intersecting the baskets of their prefixes, held as bit sets when the
** baskets are few enough and as sorted basket-number lists otherwise.
*/
#ifndef O2O_ANALYTICS_ASSOC_H
#define O2O_ANALYTICS_ASSOC_H

#include <stddef.h>
#include <stdint.h>

#include "analytics/baskets.h"

struct assoc_params {
    double supp;              /* minimum support, 0..1 */
    double conf;              /* minimum confidence, 0..1 */
    int minlen;               /* minimum items in a rule (arules' default 1) */
    int maxlen;               /* maximum items in a rule (arules' default 10) */
};

struct assoc_rule {
    const uint32_t *lhs;      /* item ids (of the baskets' dictionary), ascending */
    int nlhs;
    uint32_t rhs;
    int64_t count;            /* baskets with every item of the rule */
    double support, confidence, coverage, lift;
};

struct assoc_result {
    int64_t baskets;          /* N */
    int64_t min_count;        /* the support threshold in baskets */
    int64_t itemsets;         /* frequent itemsets of 1..maxlen items */
    struct assoc_rule *rules;
    size_t nrules;
    void *mem;                /* the arena holding everything above */
};

enum assoc_order { ASSOC_BY_LIFT, ASSOC_BY_CONFIDENCE, ASSOC_BY_SUPPORT };

/* Mine the rules of baskets b. O2O_EINVAL for parameters out of range (nothing
** to free then); otherwise free the result with assoc_result_free. */
int assoc_mine(const struct baskets *b, const struct assoc_params *p, struct assoc_result *out);
/* Order rules by the measure, descending; ties by the other measures, then by items. */
void assoc_sort(struct assoc_result *r, enum assoc_order by);
void assoc_result_free(struct assoc_result *r);

#endif
