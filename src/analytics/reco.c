/*
** reco.c -- the recommendation model (see reco.h). Built in one pass per
** structure over baskets in memory, all in one arena; queried with per-thread
** scratch so that concurrent queries share the model read-only.
** Tests: tests/unit/test_reco.c; quality: o2o eval recommendations.
*/
#include "analytics/reco.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/mem.h"

#define DAY_MS 86400000.0
#define STORE_TOP 200       /* popular items kept per store */
#define CHAIN_TOP 500       /* and for the chain */
/* weights of the blend (tuned with o2o eval recommendations on Online Retail) */
#define W_TOGETHER 1.0
#define W_AGAIN 1.0
#define W_POPULAR 0.25

struct nb {
    uint32_t item;
    float score;
};

struct hist {
    uint32_t item;
    float weight;             /* purchases, each decayed to the model's time */
};

struct top {
    uint32_t item;
    float score;
};

/* Scratch of one query: dense per-item arrays, cleared item by item after use.
** Queries take one from the model's pool (concurrent queries, one model). */
struct scratch {
    float *together, *again, *popular;
    uint32_t *by;             /* the history item that gave most of `together` */
    uint8_t *mark;
    uint32_t *cand;
    uint32_t ncand;
    struct scratch *next;
};

struct reco_model {
    struct arena mem;
    uint32_t nitems, nmembers, nstores;
    int64_t now;
    uint32_t *nb_start;       /* nitems + 1 */
    struct nb *nb;
    uint32_t *h_start;        /* nmembers + 1 */
    struct hist *h;
    uint32_t *st_start;       /* nstores + 1 */
    struct top *st;
    struct top *chain;
    uint32_t nchain;
    pthread_mutex_t mu;       /* guards pool */
    struct scratch *pool;     /* query scratch not in use */
};

static void *alloc(struct reco_model *m, size_t n)
{
    return arena_alloc(&m->mem, n ? n : 1);
}

static double decay(int64_t at, int64_t now, double half_life_ms)
{
    return at >= now ? 1.0 : exp2(-(double)(now - at) / half_life_ms);
}

static int cmp_top(const void *a, const void *b)
{
    const struct top *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static int cmp_nb(const void *a, const void *b)
{
    const struct nb *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* (key, item, weight) triples, for grouping purchases by member or by store */
struct triple {
    uint32_t key, item;
    float w;
};

static int cmp_triple(const void *a, const void *b)
{
    const struct triple *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* Sum the weights of equal (key, item) in sorted triples; returns the new count. */
static size_t merge_triples(struct triple *t, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o && t[o - 1].key == t[i].key && t[o - 1].item == t[i].item)
            t[o - 1].w += t[i].w;
        else
            t[o++] = t[i];
    }
    return o;
}

struct reco_model *reco_build(const struct reco_input *in, const struct reco_params *p)
{
    struct reco_model *m = xcalloc(1, sizeof *m);
    struct arena tmp;
    int k = p->neighbours > 0 ? p->neighbours : 50;
    int min_together = p->min_together > 0 ? p->min_together : 2;
    double half_life = (double)(p->half_life_days > 0 ? p->half_life_days : 90) * DAY_MS;
    int64_t nocc = in->start[in->nbaskets];
    uint32_t *cnt, *by_item_start, *by_item, *acc, *touched, *fill, *seen;
    struct triple *tr;
    size_t ntr = 0;

    arena_init(&m->mem);
    arena_init(&tmp);
    pthread_mutex_init(&m->mu, NULL);
    m->nitems = in->nitems;
    m->nmembers = in->nmembers;
    m->nstores = in->nstores;
    m->now = p->now;

    /* baskets of each item (an item repeated in a basket counts once) */
    cnt = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *cnt);
    seen = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *seen); /* basket number + 1 */
    for (int64_t b = 0; b < in->nbaskets; b++)
        for (int64_t i = in->start[b]; i < in->start[b + 1]; i++) {
            uint32_t it = in->items[i];
            if (seen[it] != (uint32_t)b + 1) {
                seen[it] = (uint32_t)b + 1;
                cnt[it]++;
            }
        }
    by_item_start = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *by_item_start);
    for (uint32_t i = 0; i < in->nitems; i++)
        by_item_start[i + 1] = by_item_start[i] + cnt[i];
    by_item = arena_alloc(&tmp, ((size_t)by_item_start[in->nitems] + 1) * sizeof *by_item);
    fill = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *fill);
    memcpy(fill, by_item_start, (size_t)in->nitems * sizeof *fill);
    memset(seen, 0, ((size_t)in->nitems + 1) * sizeof *seen);
    for (int64_t b = 0; b < in->nbaskets; b++)
        for (int64_t i = in->start[b]; i < in->start[b + 1]; i++) {
            uint32_t it = in->items[i];
            if (seen[it] != (uint32_t)b + 1) {
                seen[it] = (uint32_t)b + 1;
                by_item[fill[it]++] = (uint32_t)b;
            }
        }

    /* neighbours: for each item, count the items of its baskets */
    acc = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *acc);
    touched = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *touched);
    m->nb_start = alloc(m, ((size_t)in->nitems + 1) * sizeof *m->nb_start);
    {
        size_t cap = (size_t)in->nitems * (size_t)k + 1;
        struct nb *cand = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *cand);
        m->nb = alloc(m, cap * sizeof *m->nb); /* address space: only what is written is touched */
        memset(seen, 0, ((size_t)in->nitems + 1) * sizeof *seen);
        for (uint32_t a = 0; a < in->nitems; a++) {
            uint32_t nt = 0, nc = 0;
            for (uint32_t x = by_item_start[a]; x < by_item_start[a + 1]; x++) {
                uint32_t b = by_item[x];
                /* one count per basket even if an item repeats in it */
                for (int64_t i = in->start[b]; i < in->start[b + 1]; i++) {
                    uint32_t it = in->items[i];
                    if (it == a || seen[it] == b + 1)
                        continue;
                    seen[it] = b + 1;
                    if (acc[it]++ == 0)
                        touched[nt++] = it;
                }
            }
            for (uint32_t t = 0; t < nt; t++) {
                uint32_t it = touched[t];
                if (acc[it] >= (uint32_t)min_together) {
                    cand[nc].item = it;
                    cand[nc].score = (float)(acc[it] / sqrt((double)cnt[a] * (double)cnt[it]));
                    nc++;
                }
                acc[it] = 0;
            }
            qsort(cand, nc, sizeof *cand, cmp_nb);
            if (nc > (uint32_t)k)
                nc = (uint32_t)k;
            memcpy(m->nb + m->nb_start[a], cand, nc * sizeof *cand);
            m->nb_start[a + 1] = m->nb_start[a] + nc;
            /* the seen marks are basket numbers: reset them for the next item */
            for (uint32_t x = by_item_start[a]; x < by_item_start[a + 1]; x++) {
                uint32_t b = by_item[x];
                for (int64_t i = in->start[b]; i < in->start[b + 1]; i++)
                    seen[in->items[i]] = 0;
            }
        }
    }

    /* what each member bought, each purchase decayed to now */
    tr = arena_alloc(&tmp, ((size_t)nocc + 1) * sizeof *tr);
    for (int64_t b = 0; b < in->nbaskets; b++) {
        if (in->member[b] == RECO_NONE)
            continue;
        for (int64_t i = in->start[b]; i < in->start[b + 1]; i++) {
            tr[ntr].key = in->member[b];
            tr[ntr].item = in->items[i];
            tr[ntr].w = (float)decay(in->at[b], p->now, half_life);
            ntr++;
        }
    }
    qsort(tr, ntr, sizeof *tr, cmp_triple);
    ntr = merge_triples(tr, ntr);
    m->h_start = alloc(m, ((size_t)in->nmembers + 1) * sizeof *m->h_start);
    m->h = alloc(m, (ntr + 1) * sizeof *m->h);
    for (size_t i = 0; i < ntr; i++) {
        m->h[i].item = tr[i].item;
        m->h[i].weight = tr[i].w;
        m->h_start[tr[i].key + 1]++;
    }
    for (uint32_t u = 0; u < in->nmembers; u++)
        m->h_start[u + 1] += m->h_start[u];

    /* what sells lately, per store and in the chain */
    ntr = 0;
    for (int64_t b = 0; b < in->nbaskets; b++) {
        float w = (float)decay(in->at[b], p->now, half_life);
        for (int64_t i = in->start[b]; i < in->start[b + 1]; i++) {
            tr[ntr].key = in->store[b] == RECO_NONE ? in->nstores : in->store[b];
            tr[ntr].item = in->items[i];
            tr[ntr].w = w;
            ntr++;
        }
    }
    qsort(tr, ntr, sizeof *tr, cmp_triple);
    ntr = merge_triples(tr, ntr);
    {
        float *chain = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *chain);
        struct top *all = arena_alloc(&tmp, ((size_t)in->nitems + 1) * sizeof *all);
        size_t i = 0, out = 0;
        m->st_start = alloc(m, ((size_t)in->nstores + 2) * sizeof *m->st_start);
        m->st = alloc(m, ((size_t)in->nstores * STORE_TOP + 1) * sizeof *m->st);
        for (uint32_t s = 0; s <= in->nstores; s++) {
            size_t from = i, n;
            while (i < ntr && tr[i].key == s) {
                chain[tr[i].item] += tr[i].w;
                i++;
            }
            if (s == in->nstores)
                break;
            n = i - from;
            for (size_t j = 0; j < n; j++) {
                all[j].item = tr[from + j].item;
                all[j].score = tr[from + j].w;
            }
            qsort(all, n, sizeof *all, cmp_top);
            if (n > STORE_TOP)
                n = STORE_TOP;
            memcpy(m->st + out, all, n * sizeof *all);
            out += n;
            m->st_start[s + 1] = (uint32_t)out;
        }
        for (uint32_t it = 0; it < in->nitems; it++) {
            all[it].item = it;
            all[it].score = chain[it];
        }
        qsort(all, in->nitems, sizeof *all, cmp_top);
        m->nchain = in->nitems < CHAIN_TOP ? in->nitems : CHAIN_TOP;
        m->chain = alloc(m, ((size_t)m->nchain + 1) * sizeof *m->chain);
        memcpy(m->chain, all, m->nchain * sizeof *all);
    }
    arena_free(&tmp);
    return m;
}

static void scratch_free(struct scratch *x)
{
    free(x->together);
    free(x->again);
    free(x->popular);
    free(x->by);
    free(x->mark);
    free(x->cand);
    free(x);
}

void reco_free(struct reco_model *m)
{
    if (!m)
        return;
    while (m->pool) {
        struct scratch *x = m->pool;
        m->pool = x->next;
        scratch_free(x);
    }
    pthread_mutex_destroy(&m->mu);
    arena_free(&m->mem);
    free(m);
}

int reco_history_size(const struct reco_model *m, uint32_t member)
{
    return member < m->nmembers ? (int)(m->h_start[member + 1] - m->h_start[member]) : 0;
}

int reco_neighbours(const struct reco_model *m, uint32_t item, struct reco_item *out, int n)
{
    int k = 0;
    if (item >= m->nitems)
        return 0;
    for (uint32_t x = m->nb_start[item]; x < m->nb_start[item + 1] && k < n; x++, k++) {
        out[k].item = m->nb[x].item;
        out[k].score = m->nb[x].score;
        out[k].reason = RECO_BOUGHT_TOGETHER;
        out[k].because = item;
    }
    return k;
}

/* ---- queries ---- */

static struct scratch *scratch_take(struct reco_model *m)
{
    struct scratch *x;
    pthread_mutex_lock(&m->mu);
    x = m->pool;
    if (x)
        m->pool = x->next;
    pthread_mutex_unlock(&m->mu);
    if (x)
        return x;
    x = xcalloc(1, sizeof *x);
    x->together = xcalloc(m->nitems, sizeof *x->together);
    x->again = xcalloc(m->nitems, sizeof *x->again);
    x->popular = xcalloc(m->nitems, sizeof *x->popular);
    x->by = xcalloc(m->nitems, sizeof *x->by);
    x->mark = xcalloc(m->nitems, sizeof *x->mark);
    x->cand = xcalloc(m->nitems, sizeof *x->cand);
    return x;
}

static void scratch_give(struct reco_model *m, struct scratch *x)
{
    pthread_mutex_lock(&m->mu);
    x->next = m->pool;
    m->pool = x;
    pthread_mutex_unlock(&m->mu);
}

static void candidate(struct scratch *x, uint32_t item)
{
    if (!x->mark[item]) {
        x->mark[item] = 1;
        x->cand[x->ncand++] = item;
    }
}

static int cmp_item(const void *a, const void *b)
{
    const struct reco_item *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

int reco_recommend(const struct reco_model *cm, const struct reco_query *q, struct reco_item *out)
{
    struct reco_model *m = (struct reco_model *)cm; /* only its scratch pool changes */
    struct scratch *sc;
    const struct hist *h = NULL;
    const struct top *pop;
    uint32_t nh = 0, npop;
    float max_t = 0, max_a = 0, max_p = 0;
    struct reco_item *all;
    int n = 0;
    if (q->limit <= 0 || !m->nitems)
        return 0;
    sc = scratch_take(m);
    sc->ncand = 0;
    if (q->member < m->nmembers) {
        h = m->h + m->h_start[q->member];
        nh = m->h_start[q->member + 1] - m->h_start[q->member];
    }
    /* bought together with what she bought, recent purchases weighing more */
    for (uint32_t i = 0; i < nh; i++) {
        float wh = log1pf(h[i].weight);
        for (uint32_t x = m->nb_start[h[i].item]; x < m->nb_start[h[i].item + 1]; x++) {
            uint32_t it = m->nb[x].item;
            float add = wh * m->nb[x].score;
            candidate(sc, it);
            if (add > sc->popular[it]) { /* popular[] holds the best single share until used below */
                sc->popular[it] = add;
                sc->by[it] = h[i].item;
            }
            sc->together[it] += add;
        }
        candidate(sc, h[i].item);
        sc->again[h[i].item] = log1pf(h[i].weight);
    }
    /* what she bought since the model was built counts at full weight */
    for (int i = 0; i < q->nrecent; i++) {
        uint32_t r = q->recent[i];
        if (r >= m->nitems)
            continue;
        for (uint32_t x = m->nb_start[r]; x < m->nb_start[r + 1]; x++) {
            uint32_t it = m->nb[x].item;
            float add = log1pf(1.0f) * m->nb[x].score;
            candidate(sc, it);
            if (add > sc->popular[it]) {
                sc->popular[it] = add;
                sc->by[it] = r;
            }
            sc->together[it] += add;
        }
        candidate(sc, r);
        sc->again[r] += log1pf(1.0f);
    }
    for (uint32_t c = 0; c < sc->ncand; c++) {
        uint32_t it = sc->cand[c];
        sc->popular[it] = 0;
        if (sc->together[it] > max_t)
            max_t = sc->together[it];
        if (sc->again[it] > max_a)
            max_a = sc->again[it];
    }
    /* what sells at her store (or in the chain) */
    if (q->store < m->nstores) {
        pop = m->st + m->st_start[q->store];
        npop = m->st_start[q->store + 1] - m->st_start[q->store];
    } else {
        pop = m->chain;
        npop = m->nchain;
    }
    for (uint32_t i = 0; i < npop; i++) {
        candidate(sc, pop[i].item);
        sc->popular[pop[i].item] = pop[i].score;
        if (pop[i].score > max_p)
            max_p = pop[i].score;
    }
    if (q->boost)
        for (uint32_t it = 0; it < m->nitems; it++)
            if (q->boost[it] > 0)
                candidate(sc, it);
    all = xmalloc(((size_t)sc->ncand + 1) * sizeof *all);
    for (uint32_t c = 0; c < sc->ncand; c++) {
        uint32_t it = sc->cand[c];
        double t = max_t > 0 ? W_TOGETHER * sc->together[it] / max_t : 0;
        double a = max_a > 0 && q->again ? W_AGAIN * sc->again[it] / max_a : 0;
        double p = max_p > 0 ? W_POPULAR * sc->popular[it] / max_p : 0;
        double b = q->boost ? q->boost[it] : 0;
        bool bought = sc->again[it] > 0;
        if ((bought && !q->again) || (q->allowed && !q->allowed(it, q->arg)))
            continue;
        all[n].item = it;
        all[n].score = t + a + p + b;
        if (b >= t && b >= a && b >= p && b > 0) {
            all[n].reason = RECO_BOOST;
            all[n].because = q->boost_reason ? q->boost_reason[it] : 0;
        } else if (a >= t && a >= p && a > 0) {
            all[n].reason = RECO_BUY_AGAIN;
            all[n].because = it;
        } else if (t >= p && t > 0) {
            all[n].reason = RECO_BOUGHT_TOGETHER;
            all[n].because = sc->by[it];
        } else {
            all[n].reason = q->store < m->nstores ? RECO_POPULAR_AT_STORE : RECO_POPULAR;
            all[n].because = q->store;
        }
        n++;
    }
    for (uint32_t c = 0; c < sc->ncand; c++) {
        uint32_t it = sc->cand[c];
        sc->together[it] = sc->again[it] = sc->popular[it] = 0;
        sc->mark[it] = 0;
    }
    qsort(all, (size_t)n, sizeof *all, cmp_item);
    if (n > q->limit)
        n = q->limit;
    memcpy(out, all, (size_t)n * sizeof *out);
    free(all);
    scratch_give(m, sc);
    return n;
}
