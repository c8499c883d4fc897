/*
** assoc.c -- frequent itemsets by Eclat and the rules they make (see assoc.h
** for the semantics). Pure computation over baskets in memory: no I/O.
** Tests: tests/unit/test_assoc.c (the published Groceries figure, and every
** rule checked against an independent brute-force count).
*/
#include "analytics/assoc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/mem.h"

#define MAX_LEN 64 /* longest itemset the miner will make, plus room */

/* ---- the frequent itemsets found, as a prefix tree ---- */

/* Node i is the itemset of its parent plus `item`; the children of a node are
** one block of nodes in ascending item order, so an itemset is found by walking
** down from the root with a binary search per item. */
struct node {
    uint32_t item;            /* recoded */
    uint32_t parent;          /* node number, NO_NODE for a single item */
    uint32_t child, nchild;   /* the block of children */
    int64_t count;
};
#define NO_NODE UINT32_MAX

struct tree {
    struct node *v;
    size_t n, cap;
    uint32_t nroots;          /* nodes 0 .. nroots-1: the frequent single items */
    struct arena *mem;
};

/* Append a block of n nodes under parent; returns the first one's number. */
static uint32_t tree_block(struct tree *t, uint32_t parent, uint32_t n)
{
    uint32_t first = (uint32_t)t->n;
    if (t->n + n > t->cap) {
        size_t cap = 2 * (t->n + n) + 1024;
        t->v = arena_grow(t->mem, t->v, t->cap * sizeof *t->v, cap * sizeof *t->v);
        t->cap = cap;
    }
    t->n += n;
    if (parent != NO_NODE) {
        t->v[parent].child = first;
        t->v[parent].nchild = n;
    } else {
        t->nroots = n;
    }
    return first;
}

/* The count of the itemset v (n items, ascending), or -1 if it is not frequent. */
static int64_t tree_count(const struct tree *t, const uint32_t *v, int n)
{
    uint32_t lo, cnt, at;
    /* every frequent item is a root, and root number = item number */
    if (n < 1 || v[0] >= t->nroots)
        return -1;
    at = v[0];
    for (int i = 1; i < n; i++) {
        uint32_t a, z;
        lo = t->v[at].child;
        cnt = t->v[at].nchild;
        a = lo;
        z = lo + cnt;
        while (z - a > 8) {
            uint32_t mid = a + (z - a) / 2;
            if (t->v[mid].item < v[i])
                a = mid + 1;
            else
                z = mid;
        }
        /* the item, if there, is in [a, z] */
        while (a < lo + cnt && t->v[a].item < v[i])
            a++;
        if (a == lo + cnt || t->v[a].item != v[i])
            return -1;
        at = a;
    }
    return t->v[at].count;
}

/* ---- the miner: depth-first, by occurrence delivery ---- */

/* An extension of the current prefix: an item, the number of baskets holding
** prefix + item, and those baskets (their numbers, in its depth's buffer). */
struct ext {
    uint32_t item;
    int64_t count;
    size_t off;
};

struct miner {
    int64_t minc;
    int maxlen;
    uint32_t m;               /* frequent items, numbered least frequent first */
    const uint32_t *items;    /* the baskets reduced to frequent items, ascending */
    const int64_t *start;
    const uint32_t *end;      /* per position: the end of its basket */
    int64_t *cnt;             /* per item: a counter, zero between uses */
    uint32_t *touched[MAX_LEN];
    struct ext *exts[MAX_LEN];
    uint32_t *occ[MAX_LEN];   /* per depth: the baskets of its extensions */
    size_t cap[MAX_LEN];
    uint32_t prefix[MAX_LEN];
    struct tree *found;
    struct arena *mem;
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort a short array (a basket, a rule's left-hand side); long ones by qsort. */
static void sort_u32(uint32_t *v, size_t n)
{
    if (n > 24) {
        qsort(v, n, sizeof *v, cmp_u32);
        return;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint32_t x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
}

/* Put the nt touched items in ascending order: by scanning the counters when
** they are dense among the items after `from`, else by sorting. */
static void order_touched(const struct miner *w, uint32_t *touched, uint32_t nt, uint32_t from)
{
    if ((size_t)nt * 8 >= (size_t)(w->m - from)) {
        uint32_t k = 0;
        for (uint32_t i = from; i < w->m && k < nt; i++)
            if (w->cnt[i])
                touched[k++] = i;
    } else {
        sort_u32(touched, nt);
    }
}

/* The prefix has depth items; occ holds, for each of the nocc baskets holding it,
** the position of its last item (NULL at the root: every basket, from its start).
** Every frequent prefix + item is recorded and, below maxlen, extended in turn:
** the baskets of each candidate come from walking the prefix's baskets once
** (LCM's occurrence delivery), so the work follows the data. */
static void mine(struct miner *w, int depth, uint32_t parent, const uint32_t *occ, int64_t nocc)
{
    uint32_t first;
    uint32_t *touched = w->touched[depth], nt = 0, ne = 0;
    struct ext *ex = w->exts[depth];
    size_t need = 0;
    int deeper = depth + 2 <= w->maxlen;
#define TAIL_BEGIN(k) (occ ? (int64_t)occ[k] + 1 : w->start[k])
#define TAIL_END(k) (occ ? (int64_t)w->end[occ[k]] : w->start[(k) + 1])
    for (int64_t k = 0; k < nocc; k++)
        for (int64_t i = TAIL_BEGIN(k), e = TAIL_END(k); i < e; i++)
            if (w->cnt[w->items[i]]++ == 0)
                touched[nt++] = w->items[i];
    order_touched(w, touched, nt, depth ? w->prefix[depth - 1] + 1 : 0);
    for (uint32_t k = 0; k < nt; k++) {
        uint32_t i = touched[k];
        if (w->cnt[i] >= w->minc) {
            ex[ne].item = i;
            ex[ne].count = w->cnt[i];
            ex[ne].off = need;
            need += (size_t)w->cnt[i];
            ne++;
        }
        w->cnt[i] = 0;
    }
    if (deeper && ne > 1) {
        /* deliver each basket's position of the item to its extension (the
        ** counters serve as cursors); the last extension is never grown */
        if (need > w->cap[depth]) {
            /* what it held is not needed any more: no copy */
            w->occ[depth] = arena_alloc(w->mem, 2 * need * sizeof(uint32_t));
            w->cap[depth] = 2 * need;
        }
        for (uint32_t k = 0; k + 1 < ne; k++)
            w->cnt[ex[k].item] = (int64_t)ex[k].off + 1;
        for (int64_t k = 0; k < nocc; k++)
            for (int64_t i = TAIL_BEGIN(k), e = TAIL_END(k); i < e; i++) {
                int64_t *c = &w->cnt[w->items[i]];
                if (*c)
                    w->occ[depth][(*c)++ - 1] = (uint32_t)i;
            }
        for (uint32_t k = 0; k + 1 < ne; k++)
            w->cnt[ex[k].item] = 0;
    }
#undef TAIL_BEGIN
#undef TAIL_END
    first = tree_block(w->found, parent, ne);
    for (uint32_t k = 0; k < ne; k++) {
        struct node *x = &w->found->v[first + k];
        x->item = ex[k].item;
        x->parent = parent;
        x->child = x->nchild = 0;
        x->count = ex[k].count;
    }
    for (uint32_t k = 0; k < ne; k++) {
        w->prefix[depth] = ex[k].item;
        if (deeper && k + 1 < ne)
            mine(w, depth + 1, first + k, w->occ[depth] + ex[k].off, ex[k].count);
    }
}

/* ---- rules ---- */

struct rule_buf {
    struct assoc_rule *v;
    size_t n, cap;
    uint32_t *items;
    size_t nitems, cap_items;
    struct arena *mem;
};

static void add_rule(struct rule_buf *r, const uint32_t *lhs, int nlhs, uint32_t rhs, int64_t count,
                     int64_t lhs_count, int64_t rhs_count, int64_t n)
{
    struct assoc_rule *x;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        r->v = arena_grow(r->mem, r->v, r->cap * sizeof *r->v, cap * sizeof *r->v);
        r->cap = cap;
    }
    if (r->nitems + (size_t)nlhs > r->cap_items) {
        size_t cap = 2 * (r->cap_items + (size_t)nlhs) + 256;
        r->items = arena_grow(r->mem, r->items, r->cap_items * sizeof *r->items, cap * sizeof *r->items);
        r->cap_items = cap;
    }
    x = &r->v[r->n++];
    if (nlhs)
        memcpy(r->items + r->nitems, lhs, (size_t)nlhs * sizeof *lhs);
    x->lhs = (const uint32_t *)(uintptr_t)r->nitems; /* an offset until the items stop moving */
    r->nitems += (size_t)nlhs;
    x->nlhs = nlhs;
    x->rhs = rhs;
    x->count = count;
    x->support = (double)count / (double)n;
    x->coverage = (double)lhs_count / (double)n;
    x->confidence = (double)count / (double)lhs_count;
    x->lift = x->confidence / ((double)rhs_count / (double)n);
}

/* least frequent first, then by id */
static int cmp_by_count(const void *a, const void *b, void *arg)
{
    const int64_t *cnt = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (cnt[x] != cnt[y])
        return cnt[x] < cnt[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

int assoc_mine(const struct baskets *b, const struct assoc_params *p, struct assoc_result *out)
{
    struct arena *mem;
    struct miner w;
    struct tree found;
    struct rule_buf rb;
    int64_t *cnt, *start, minc, total = 0;
    uint32_t *rec, *orig, *items, *end;
    double conf_min = p->conf * (1 - 1e-12);

    memset(out, 0, sizeof *out);
    if (!(p->supp >= 0 && p->supp <= 1))
        return err_set(O2O_EINVAL, NULL, "supp", "support must be 0..1");
    if (!(p->conf >= 0 && p->conf <= 1))
        return err_set(O2O_EINVAL, NULL, "conf", "confidence must be 0..1");
    if (p->minlen < 1 || p->maxlen < p->minlen || p->maxlen > MAX_LEN - 2)
        return err_set(O2O_EINVAL, NULL, "maxlen", "need 1 <= minlen <= maxlen <= %d", MAX_LEN - 2);
    minc = (int64_t)ceil(p->supp * (double)b->n * (1 - 1e-12));
    if (minc < 1)
        minc = 1;
    out->baskets = b->n;
    out->min_count = minc;
    mem = xmalloc(sizeof *mem);
    arena_init(mem);
    out->mem = mem;
    memset(&found, 0, sizeof found);
    memset(&rb, 0, sizeof rb);
    memset(&w, 0, sizeof w);
    found.mem = rb.mem = w.mem = mem;
    w.minc = minc;
    w.maxlen = p->maxlen;
    w.found = &found;

    /* frequent items, least frequent first, renumbered 0..m-1 in that order */
    cnt = arena_alloc(mem, ((size_t)b->nitems + 1) * sizeof *cnt);
    for (int64_t i = 0; i < b->start[b->n]; i++)
        cnt[b->items[i]]++;
    orig = arena_alloc(mem, ((size_t)b->nitems + 1) * sizeof *orig);
    rec = arena_alloc(mem, ((size_t)b->nitems + 1) * sizeof *rec);
    for (uint32_t i = 0; i < b->nitems; i++) {
        rec[i] = UINT32_MAX;
        if (cnt[i] >= minc)
            orig[w.m++] = i;
    }
    qsort_r(orig, w.m, sizeof *orig, cmp_by_count, cnt);
    for (uint32_t r = 0; r < w.m; r++) {
        rec[orig[r]] = r;
        total += cnt[orig[r]];
    }

    /* the baskets reduced to their frequent items, renumbered and ascending */
    {
        int64_t o = 0;
        if (total >= UINT32_MAX) {
            assoc_result_free(out);
            return err_set(O2O_ETOOBIG, NULL, "input", "more than 4 billion item occurrences");
        }
        items = arena_alloc(mem, ((size_t)total + 1) * sizeof *items);
        end = arena_alloc(mem, ((size_t)total + 1) * sizeof *end);
        start = arena_alloc(mem, ((size_t)b->n + 1) * sizeof *start);
        for (int64_t t = 0; t < b->n; t++) {
            int64_t s0 = o;
            start[t] = o;
            for (int64_t i = b->start[t]; i < b->start[t + 1]; i++)
                if (rec[b->items[i]] != UINT32_MAX)
                    items[o++] = rec[b->items[i]];
            sort_u32(items + s0, (size_t)(o - s0));
            for (int64_t i = s0; i < o; i++)
                end[i] = (uint32_t)o;
        }
        start[b->n] = o;
    }
    w.items = items;
    w.start = start;
    w.end = end;
    w.cnt = arena_alloc(mem, ((size_t)w.m + 1) * sizeof *w.cnt);
    for (int d = 0; d <= p->maxlen; d++) {
        w.touched[d] = arena_alloc(mem, ((size_t)w.m + 1) * sizeof(uint32_t));
        w.exts[d] = arena_alloc(mem, ((size_t)w.m + 1) * sizeof(struct ext));
    }
    if (w.m)
        mine(&w, 0, NO_NODE, NULL, b->n);
    out->itemsets = (int64_t)found.n;

    /* rules: every item of a frequent itemset on the right in turn */
    for (size_t i = 0; i < found.n; i++) {
        uint32_t v[MAX_LEN], sub[MAX_LEN], lhs[MAX_LEN];
        int k = 0;
        for (uint32_t x = (uint32_t)i; x != NO_NODE; x = found.v[x].parent)
            k++;
        if (k < 2 || k < p->minlen || k > p->maxlen)
            continue;
        {
            int j = k;
            for (uint32_t x = (uint32_t)i; x != NO_NODE; x = found.v[x].parent)
                v[--j] = found.v[x].item;
        }
        for (int r = 0; r < k; r++) {
            int64_t cs;
            int n = 0;
            for (int j = 0; j < k; j++)
                if (j != r)
                    sub[n++] = v[j];
            /* without its last item it is its parent */
            cs = r == k - 1 ? found.v[found.v[i].parent].count : n == 1 ? cnt[orig[sub[0]]] : tree_count(&found, sub, n);
            if (cs <= 0 || (double)found.v[i].count / (double)cs < conf_min)
                continue;
            for (int j = 0; j < n; j++)
                lhs[j] = orig[sub[j]];
            sort_u32(lhs, (size_t)n);
            add_rule(&rb, lhs, n, orig[v[r]], found.v[i].count, cs, cnt[orig[v[r]]], b->n);
        }
    }
    if (p->minlen <= 1)
        for (uint32_t r = 0; r < w.m; r++)
            if ((double)cnt[orig[r]] / (double)b->n >= conf_min)
                add_rule(&rb, NULL, 0, orig[r], cnt[orig[r]], b->n, cnt[orig[r]], b->n);
    for (size_t i = 0; i < rb.n; i++)
        rb.v[i].lhs = rb.items + (size_t)(uintptr_t)rb.v[i].lhs;
    out->rules = rb.v;
    out->nrules = rb.n;

    return 0;
}

static int cmp_rules(const void *pa, const void *pb, void *arg)
{
    const struct assoc_rule *a = pa, *b = pb;
    enum assoc_order by = *(const enum assoc_order *)arg;
    double x[3] = {a->lift, a->confidence, a->support}, y[3] = {b->lift, b->confidence, b->support};
    int first = by == ASSOC_BY_LIFT ? 0 : by == ASSOC_BY_CONFIDENCE ? 1 : 2;
    if (x[first] != y[first])
        return x[first] > y[first] ? -1 : 1;
    for (int i = 0; i < 3; i++)
        if (x[i] != y[i])
            return x[i] > y[i] ? -1 : 1;
    if (a->nlhs != b->nlhs)
        return a->nlhs < b->nlhs ? -1 : 1;
    for (int i = 0; i < a->nlhs; i++)
        if (a->lhs[i] != b->lhs[i])
            return a->lhs[i] < b->lhs[i] ? -1 : 1;
    return a->rhs < b->rhs ? -1 : a->rhs > b->rhs;
}

void assoc_sort(struct assoc_result *r, enum assoc_order by)
{
    if (r->nrules < 2)
        return;
    qsort_r(r->rules, r->nrules, sizeof *r->rules, cmp_rules, &by);
}

void assoc_result_free(struct assoc_result *r)
{
    if (r->mem)
        arena_free(r->mem);
    free(r->mem);
    memset(r, 0, sizeof *r);
}
