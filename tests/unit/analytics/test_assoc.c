/*
** test_assoc.c -- association rules: the published Groceries figure (463 rules
** at support 0.006, confidence 0.25, minlen 2), every rule within the
** thresholds, and the whole rule set equal to one derived by brute force
** (every subset of every basket counted) on Groceries and on generated
** baskets; arules' empty left-hand sides; bad parameters.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analytics/assoc.h"
#include "core/err.h"
#include "core/strmap.h"

static const char *groceries(void)
{
    static char path[512];
    const char *dir = getenv("O2O_DATA_DIR");
    snprintf(path, sizeof path, "%s/groceries.csv", dir && *dir ? dir : "../shared/data");
    return access(path, R_OK) ? NULL : path;
}

/* ---- brute force: count every subset (up to maxlen items) of every basket ---- */

static void key_of(char *out, size_t cap, const uint32_t *v, int n, int64_t rhs)
{
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%u,", v[i]);
    if (rhs >= 0 && o < cap)
        snprintf(out + o, cap - o, "=>%lld", (long long)rhs);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void count_subsets(struct strmap *m, const uint32_t *v, int n, int from, uint32_t *cur, int k, int maxlen)
{
    char key[256];
    int64_t c = 0;
    if (k) {
        key_of(key, sizeof key, cur, k, -1);
        strmap_get(m, key, &c);
        strmap_put(m, key, c + 1);
    }
    if (k == maxlen)
        return;
    for (int i = from; i < n; i++) {
        cur[k] = v[i];
        count_subsets(m, v, n, i + 1, cur, k + 1, maxlen);
    }
}

static int64_t counted(const struct strmap *m, const uint32_t *v, int n)
{
    char key[256];
    int64_t c = 0;
    key_of(key, sizeof key, v, n, -1);
    return strmap_get(m, key, &c) ? c : 0;
}

/* The rules by brute force, as "lhs=>rhs" keys with their count; returns how many. */
static size_t brute_rules(const struct baskets *b, const struct assoc_params *p, struct strmap *rules)
{
    struct strmap sets = {0};
    int64_t minc = 0;
    size_t n = 0;
    uint32_t v[64], cur[64];
    while ((double)minc < p->supp * (double)b->n * (1 - 1e-12))
        minc++;
    if (minc < 1)
        minc = 1;
    for (int64_t t = 0; t < b->n; t++) {
        int k = (int)(b->start[t + 1] - b->start[t]);
        memcpy(v, b->items + b->start[t], (size_t)k * sizeof *v);
        qsort(v, (size_t)k, sizeof *v, cmp_u32);
        count_subsets(&sets, v, k, 0, cur, 0, p->maxlen);
    }
    for (size_t s = 0; s < sets.cap; s++) {
        const char *key = sets.keys[s];
        uint32_t items[64], lhs[64];
        int k = 0;
        if (!key || sets.vals[s] < minc)
            continue;
        for (const char *q = key; *q; q = strchr(q, ',') + 1)
            items[k++] = (uint32_t)strtoul(q, NULL, 10);
        if (k == 1 && p->minlen <= 1 && (double)sets.vals[s] / (double)b->n >= p->conf * (1 - 1e-12)) {
            char rk[64];
            key_of(rk, sizeof rk, NULL, 0, items[0]); /* arules: {} => {y} */
            strmap_put(rules, rk, sets.vals[s]);
            n++;
        }
        if (k < 2 || k < p->minlen)
            continue;
        for (int r = 0; r < k; r++) {
            int nl = 0;
            char rk[256];
            for (int j = 0; j < k; j++)
                if (j != r)
                    lhs[nl++] = items[j];
            if ((double)sets.vals[s] / (double)counted(&sets, lhs, nl) < p->conf * (1 - 1e-12))
                continue;
            key_of(rk, sizeof rk, lhs, nl, items[r]);
            strmap_put(rules, rk, sets.vals[s]);
            n++;
        }
    }
    strmap_free(&sets);
    return n;
}

/* The miner's rules equal the brute-force ones, count for count. */
static void check_against_brute_force(const struct baskets *b, const struct assoc_params *p)
{
    struct assoc_result r;
    struct strmap want = {0};
    size_t n = brute_rules(b, p, &want);
    assert_int_equal(assoc_mine(b, p, &r), 0);
    assert_true(n > 0);
    assert_int_equal(r.nrules, n);
    for (size_t i = 0; i < r.nrules; i++) {
        char key[256];
        uint32_t lhs[64];
        int64_t c = -1;
        memcpy(lhs, r.rules[i].lhs, (size_t)r.rules[i].nlhs * sizeof *lhs);
        qsort(lhs, (size_t)r.rules[i].nlhs, sizeof *lhs, cmp_u32);
        key_of(key, sizeof key, lhs, r.rules[i].nlhs, r.rules[i].rhs);
        assert_true(strmap_get(&want, key, &c));
        assert_int_equal(c, r.rules[i].count);
    }
    assoc_result_free(&r);
    strmap_free(&want);
}

/* ---- tests ---- */

static void test_assoc__groceries_gives_the_published_463_rules(void **state)
{
    struct baskets b;
    struct assoc_result r;
    struct assoc_params p = {0.006, 0.25, 2, 10};
    const char *path = groceries();
    int herbs = 0;
    (void)state;
    if (!path)
        skip();
    baskets_init(&b);
    assert_int_equal(baskets_read_file(&b, path), 0);
    assert_int_equal(b.n, 9835);
    assert_int_equal(b.nitems, 169);
    assert_int_equal(b.start[b.n], 43367);
    assert_int_equal(assoc_mine(&b, &p, &r), 0);
    assert_int_equal(r.min_count, 60); /* 0.006 x 9835 = 59.01 */
    assert_int_equal(r.nrules, 463);
    for (size_t i = 0; i < r.nrules; i++) {
        const struct assoc_rule *x = &r.rules[i];
        assert_true(x->support >= 0.006 && x->count >= 60);
        assert_true(x->confidence >= 0.25);
        assert_true(x->nlhs >= 1 && x->nlhs + 1 <= 10);
        assert_true(x->lift > 0);
        /* the rule the retail literature quotes first: {herbs} => {root vegetables} */
        if (x->nlhs == 1 && !strcmp(b.labels[x->lhs[0]], "herbs") && !strcmp(b.labels[x->rhs], "root vegetables")) {
            herbs = 1;
            assert_int_equal(x->count, 69);
            assert_true(x->confidence > 0.43124 && x->confidence < 0.43126);
            assert_true(x->lift > 3.9564 && x->lift < 3.9566);
        }
    }
    assert_true(herbs);
    /* sorted by lift, that rule leads */
    assoc_sort(&r, ASSOC_BY_LIFT);
    assert_string_equal(b.labels[r.rules[0].lhs[0]], "herbs");
    for (size_t i = 1; i < r.nrules; i++)
        assert_true(r.rules[i - 1].lift >= r.rules[i].lift);
    assoc_result_free(&r);
    /* the labels are kept as they are, trailing spaces included (as in arules) */
    {
        int64_t id;
        assert_true(strmap_get(&b.ids, "cream cheese ", &id));
        assert_false(strmap_get(&b.ids, "cream cheese", &id));
    }
    baskets_free(&b);
}

static void test_assoc__groceries_equals_brute_force(void **state)
{
    struct baskets b;
    struct assoc_params p = {0.005, 0.2, 2, 4};
    const char *path = groceries();
    (void)state;
    if (!path)
        skip();
    baskets_init(&b);
    assert_int_equal(baskets_read_file(&b, path), 0);
    check_against_brute_force(&b, &p);
    p.supp = 0.002;
    p.conf = 0.5;
    p.maxlen = 3;
    check_against_brute_force(&b, &p);
    baskets_free(&b);
}

/* Deterministic baskets with planted patterns (no shared data needed). */
static void generated(struct baskets *b, int n, int items, uint64_t seed)
{
    char label[16];
    baskets_init(b);
    for (int t = 0; t < n; t++) {
        int k = 1 + (int)(seed % 7);
        baskets_begin(b);
        for (int i = 0; i < k; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            /* skewed: low numbers are common */
            snprintf(label, sizeof label, "i%llu", (unsigned long long)((seed >> 33) % (uint64_t)items *
                                                                       ((seed >> 20) % (uint64_t)items) / items));
            baskets_add(b, baskets_item(b, label));
        }
        if (seed % 5 == 0) { /* bought together */
            baskets_add(b, baskets_item(b, "formula"));
            baskets_add(b, baskets_item(b, "diapers"));
            if (seed % 3 == 0)
                baskets_add(b, baskets_item(b, "wipes"));
        }
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    }
}

static void test_assoc__generated_baskets_equal_brute_force(void **state)
{
    struct baskets b;
    struct assoc_params p = {0.01, 0.1, 1, 4};
    (void)state;
    generated(&b, 3000, 40, 42);
    check_against_brute_force(&b, &p);
    p.minlen = 3;
    p.conf = 0.3;
    check_against_brute_force(&b, &p);
    p.minlen = 2;
    p.maxlen = 2;
    p.supp = 0.003;
    check_against_brute_force(&b, &p);
    baskets_free(&b);
}

static void test_assoc__empty_left_hand_sides_and_limits(void **state)
{
    struct baskets b;
    struct assoc_result r;
    struct assoc_params p = {0.4, 0.5, 1, 10};
    const char *rows[] = {"bread,milk", "bread,diapers,beer,eggs", "milk,diapers,beer,cola", "bread,milk,diapers,beer",
                          "bread,milk,diapers,cola"};
    size_t empty = 0;
    (void)state;
    baskets_init(&b);
    for (int t = 0; t < 5; t++) {
        char line[64], *tok, *save = NULL;
        snprintf(line, sizeof line, "%s", rows[t]);
        baskets_begin(&b);
        for (tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            baskets_add(&b, baskets_item(&b, tok));
        baskets_add(&b, baskets_item(&b, "bread")); /* a repeat counts once */
    }
    assert_int_equal(assoc_mine(&b, &p, &r), 0);
    assert_int_equal(r.min_count, 2);
    /* {} => {bread}, {milk}, {diapers}: items in at least half of the baskets (beer: 3/5 too) */
    for (size_t i = 0; i < r.nrules; i++)
        if (r.rules[i].nlhs == 0) {
            empty++;
            assert_true(r.rules[i].confidence >= 0.5);
            assert_true(r.rules[i].coverage == 1.0);
        }
    assert_int_equal(empty, 4);
    /* {diapers} => {beer}: 3 of 4 */
    {
        int found = 0;
        for (size_t i = 0; i < r.nrules; i++)
            if (r.rules[i].nlhs == 1 && !strcmp(b.labels[r.rules[i].lhs[0]], "diapers") &&
                !strcmp(b.labels[r.rules[i].rhs], "beer")) {
                found = 1;
                assert_int_equal(r.rules[i].count, 3);
                assert_true(r.rules[i].confidence == 0.75);
                assert_true(r.rules[i].lift > 1.2499 && r.rules[i].lift < 1.2501); /* 0.75 / 0.6 */
            }
        assert_true(found);
    }
    assoc_result_free(&r);
    /* maxlen 1: only the empty left-hand sides */
    p.maxlen = 1;
    assert_int_equal(assoc_mine(&b, &p, &r), 0);
    assert_int_equal(r.nrules, 4);
    assoc_result_free(&r);
    /* parameters out of range */
    p.maxlen = 10;
    p.supp = 1.5;
    assert_int_equal(assoc_mine(&b, &p, &r), O2O_EINVAL);
    p.supp = 0.1;
    p.minlen = 3;
    p.maxlen = 2;
    assert_int_equal(assoc_mine(&b, &p, &r), O2O_EINVAL);
    baskets_free(&b);
    /* a file that is not there */
    baskets_init(&b);
    assert_int_equal(baskets_read_file(&b, "/nonexistent/baskets.csv"), O2O_ENOTFOUND);
    baskets_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assoc__groceries_gives_the_published_463_rules),
        cmocka_unit_test(test_assoc__groceries_equals_brute_force),
        cmocka_unit_test(test_assoc__generated_baskets_equal_brute_force),
        cmocka_unit_test(test_assoc__empty_left_hand_sides_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
