/*
** test_reco.c -- the recommendation model on hand-made baskets: neighbours by
** shared baskets, bought-together and buy-again reasons, recent purchases
** weighing more, store and chain popularity for newcomers, caller boosts and
** filters.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analytics/reco.h"

enum { FORMULA, DIAPERS, WIPES, BAG, TEE, SCARF, NITEMS };

#define DAY 86400000LL
#define NOW (1700000000000LL)

struct fixture {
    int64_t start[64];
    uint32_t items[256], member[64], store[64];
    int64_t at[64];
    int n, nocc;
};

static void basket(struct fixture *f, uint32_t member, uint32_t store, int64_t days_ago, int n, ...)
{
    va_list ap;
    f->start[f->n] = f->nocc;
    f->member[f->n] = member;
    f->store[f->n] = store;
    f->at[f->n] = NOW - days_ago * DAY;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        f->items[f->nocc++] = (uint32_t)va_arg(ap, int);
    va_end(ap);
    f->n++;
    f->start[f->n] = f->nocc;
}

static struct reco_model *model(struct fixture *f)
{
    struct reco_input in = {NITEMS, 6, 2, f->n, f->start, f->items, f->member, f->store, f->at};
    struct reco_params p = {10, 2, NOW, 90};
    return reco_build(&in, &p);
}

/* Parents buy formula with diapers and wipes; fashion buyers bags with scarves. */
static void chain(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    basket(f, 0, 0, 10, 2, FORMULA, DIAPERS);
    basket(f, 1, 0, 12, 3, FORMULA, DIAPERS, WIPES);
    basket(f, 1, 0, 40, 2, DIAPERS, WIPES);
    basket(f, 2, 1, 5, 2, BAG, SCARF);
    basket(f, 3, 1, 6, 2, BAG, SCARF);
    basket(f, RECO_NONE, 1, 1, 1, TEE);
    basket(f, RECO_NONE, 1, 2, 1, TEE);
    basket(f, RECO_NONE, 1, 3, 2, TEE, BAG);
}

static int find(const struct reco_item *v, int n, uint32_t item)
{
    for (int i = 0; i < n; i++)
        if (v[i].item == item)
            return i;
    return -1;
}

static void test_reco__neighbours_come_from_shared_baskets(void **state)
{
    struct fixture f;
    struct reco_item nb[10];
    struct reco_model *m;
    int n;
    (void)state;
    chain(&f);
    m = model(&f);
    n = reco_neighbours(m, DIAPERS, nb, 10);
    /* diapers share 2 baskets with formula and 2 with wipes; bags none (and once is not enough) */
    assert_int_equal(n, 2);
    assert_int_not_equal(find(nb, n, FORMULA), -1);
    assert_int_not_equal(find(nb, n, WIPES), -1);
    assert_int_equal(find(nb, n, BAG), -1);
    /* cosine: 2 / sqrt(3 x 2) for formula, 2 / sqrt(3 x 2) for wipes */
    assert_true(nb[0].score > 0.816 && nb[0].score < 0.817);
    n = reco_neighbours(m, TEE, nb, 10);
    assert_int_equal(n, 0); /* bag and tee met once only */
    reco_free(m);
}

static void test_reco__bought_together_and_buy_again(void **state)
{
    struct fixture f;
    struct reco_item r[6];
    struct reco_query q;
    struct reco_model *m;
    int n, i;
    (void)state;
    chain(&f);
    basket(&f, 4, 0, 3, 1, FORMULA);
    basket(&f, 4, 0, 33, 1, FORMULA);
    m = model(&f);
    memset(&q, 0, sizeof q);
    q.member = 4;
    q.store = RECO_NONE;
    q.limit = 3;
    q.now = NOW;
    q.again = false;
    n = reco_recommend(m, &q, r);
    assert_true(n >= 1);
    /* she bought formula (twice): diapers go with it, and say so */
    assert_int_equal(r[0].item, DIAPERS);
    assert_int_equal(r[0].reason, RECO_BOUGHT_TOGETHER);
    assert_int_equal(r[0].because, FORMULA);
    assert_int_equal(find(r, n, FORMULA), -1); /* not again unless asked */
    /* with repeats allowed, formula comes first: she buys it again and again */
    q.again = true;
    n = reco_recommend(m, &q, r);
    assert_int_equal(r[0].item, FORMULA);
    assert_int_equal(r[0].reason, RECO_BUY_AGAIN);
    /* and diapers still lead what is new to her */
    i = find(r, n, DIAPERS);
    assert_int_equal(i, 1);
    reco_free(m);
}

static bool no_diapers(uint32_t item, void *arg)
{
    (void)arg;
    return item != DIAPERS;
}

static void test_reco__recent_purchases_weigh_more_and_filters_apply(void **state)
{
    struct fixture f;
    struct reco_item r[6];
    struct reco_query q;
    struct reco_model *m;
    int n;
    (void)state;
    chain(&f);
    /* member 5 bought a bag two years ago and formula last week */
    basket(&f, 5, 0, 730, 1, BAG);
    basket(&f, 5, 0, 7, 1, FORMULA);
    m = model(&f);
    memset(&q, 0, sizeof q);
    q.member = 5;
    q.store = RECO_NONE;
    q.limit = 6;
    q.now = NOW;
    n = reco_recommend(m, &q, r);
    assert_true(find(r, n, DIAPERS) >= 0 && find(r, n, SCARF) >= 0);
    assert_true(find(r, n, DIAPERS) < find(r, n, SCARF));
    q.allowed = no_diapers;
    n = reco_recommend(m, &q, r);
    assert_int_equal(find(r, n, DIAPERS), -1);
    assert_true(find(r, n, WIPES) >= 0);
    reco_free(m);
}

static void test_reco__newcomers_get_what_sells_and_boosts(void **state)
{
    struct fixture f;
    struct reco_item r[6];
    struct reco_query q;
    struct reco_model *m;
    float boost[NITEMS] = {0};
    uint32_t why[NITEMS] = {0};
    int n;
    (void)state;
    chain(&f);
    m = model(&f);
    memset(&q, 0, sizeof q);
    q.member = RECO_NONE;
    q.store = 1;
    q.limit = 2;
    q.now = NOW;
    n = reco_recommend(m, &q, r);
    /* store 1 sold tees and bags lately: tee three times, bag three times but earlier */
    assert_int_equal(n, 2);
    assert_int_equal(r[0].item, TEE);
    assert_int_equal(r[0].reason, RECO_POPULAR_AT_STORE);
    assert_int_equal(r[0].because, 1);
    assert_int_equal(r[1].item, BAG);
    /* in store 0 it is the baby aisle */
    q.store = 0;
    n = reco_recommend(m, &q, r);
    assert_int_equal(r[0].item, DIAPERS);
    /* the chain as a whole, for nobody in particular */
    q.store = RECO_NONE;
    n = reco_recommend(m, &q, r);
    assert_int_equal(r[0].reason, RECO_POPULAR);
    /* a boost from the caller (say, friends bought it) wins with its reason */
    boost[SCARF] = 2.0f;
    why[SCARF] = 7;
    q.boost = boost;
    q.boost_reason = why;
    n = reco_recommend(m, &q, r);
    assert_int_equal(r[0].item, SCARF);
    assert_int_equal(r[0].reason, RECO_BOOST);
    assert_int_equal(r[0].because, 7);
    reco_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reco__neighbours_come_from_shared_baskets),
        cmocka_unit_test(test_reco__bought_together_and_buy_again),
        cmocka_unit_test(test_reco__recent_purchases_weigh_more_and_filters_apply),
        cmocka_unit_test(test_reco__newcomers_get_what_sells_and_boosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
