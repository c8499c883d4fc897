/*
** eval.c -- the command `o2o eval recommendations`: offline quality of the
** recommender on till sales in the Online Retail layout, split in time. The
** model learns from every invoice before the split; each customer who bought
** before and after it is a test case, her relevant items those she bought
** after. recall@k and NDCG@k against a popularity baseline (the k items in
** the most invoices before the split, the same for everyone).
** Cleaning: cancellations (C...), non-positive quantities or prices and rows
** without a customer are left out.
*/
#include "cli/cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/reco.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/strmap.h"
#include "core/util.h"
#include "core/xzfile.h"

static const char *eval_usage =
    "usage: o2o eval recommendations --input FILE[.xz] --split YYYY-MM-DD [--k N]\n"
    "  FILE: till sales with InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID\n";

struct inv {
    uint32_t customer;
    int64_t at;
    int64_t from, to;         /* its items in the item list */
};

struct data {
    struct strmap items, customers, invoices;
    uint32_t nitems, ncustomers;
    struct inv *inv;
    uint32_t ninv;
    size_t cap_inv;
    uint32_t *it;             /* item per row, grouped by invoice afterwards */
    uint32_t *row_inv;
    size_t nrows, cap_rows;
};

static uint32_t intern(struct strmap *m, uint32_t *n, const char *key)
{
    int64_t v;
    if (strmap_get(m, key, &v))
        return (uint32_t)v;
    strmap_put(m, key, *n);
    return (*n)++;
}

static int load(const char *path, struct data *d)
{
    struct xzfile *x = xz_open(path);
    struct csv c;
    int ci[6], rc = 0;
    const char *names[6] = {"InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"};
    if (!x)
        return err_set(O2O_ENOTFOUND, "no_input", "input", "cannot read %s", path);
    csv_init(&c, xz_stream(x));
    if (csv_next(&c) != 1) {
        rc = err_set(O2O_EINVAL, NULL, "input", "%s has no header", path);
        goto done;
    }
    for (int i = 0; i < 6; i++)
        if ((ci[i] = csv_index(&c, names[i])) < 0) {
            rc = err_set(O2O_EINVAL, NULL, "input", "%s has no column %s", path, names[i]);
            goto done;
        }
    for (int r; (r = csv_next(&c)) != 0;) {
        int64_t at, qty;
        uint32_t inv;
        char *end;
        double price;
        if (r < 0 || c.nfields < 8)
            continue;
        if (c.field[ci[0]][0] == 'C' || !c.field[ci[5]][0] || parse_iso8601(c.field[ci[3]], &at))
            continue;
        qty = strtoll(c.field[ci[2]], &end, 10);
        price = strtod(c.field[ci[4]], NULL);
        if (qty <= 0 || price <= 0)
            continue;
        inv = intern(&d->invoices, &d->ninv, c.field[ci[0]]);
        if (inv >= d->cap_inv) {
            d->cap_inv = 2 * d->cap_inv + 1024;
            d->inv = xrealloc(d->inv, d->cap_inv * sizeof *d->inv);
        }
        d->inv[inv].customer = intern(&d->customers, &d->ncustomers, c.field[ci[5]]);
        d->inv[inv].at = at;
        if (d->nrows == d->cap_rows) {
            d->cap_rows = 2 * d->cap_rows + 65536;
            d->it = xrealloc(d->it, d->cap_rows * sizeof *d->it);
            d->row_inv = xrealloc(d->row_inv, d->cap_rows * sizeof *d->row_inv);
        }
        d->it[d->nrows] = intern(&d->items, &d->nitems, c.field[ci[1]]);
        d->row_inv[d->nrows++] = inv;
    }
done:
    csv_free(&c);
    xz_close(x);
    return rc;
}

struct pair {
    uint32_t customer, item;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static const uint32_t *by_pop;

static int cmp_pop(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (by_pop[x] != by_pop[y])
        return by_pop[x] > by_pop[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

struct metrics {
    double recall, ndcg;
};

/* recall@k and NDCG@k of one list against the relevant set (marks) */
static struct metrics score(const uint32_t *rec, int n, const uint8_t *rel, int nrel, int k)
{
    struct metrics m = {0, 0};
    double idcg = 0;
    int hits = 0;
    for (int i = 0; i < n && i < k; i++)
        if (rel[rec[i]]) {
            hits++;
            m.ndcg += 1.0 / log2(i + 2.0);
        }
    for (int i = 0; i < nrel && i < k; i++)
        idcg += 1.0 / log2(i + 2.0);
    m.recall = nrel ? (double)hits / nrel : 0;
    m.ndcg = idcg > 0 ? m.ndcg / idcg : 0;
    return m;
}

int cli_eval(int argc, char **argv)
{
    struct data d;
    const char *input = NULL;
    int64_t split = 0, k = 10, t0 = mono_us();
    int rc;
    if (cli_help(argc, argv, eval_usage))
        return 0;
    memset(&d, 0, sizeof d);
    if (argc < 3 || strcmp(argv[2], "recommendations")) {
        fputs(eval_usage, stderr);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = !v;
        if (!bad && !strcmp(a, "--input"))
            input = v;
        else if (!bad && !strcmp(a, "--split"))
            bad = parse_iso8601(v, &split) != 0;
        else if (!bad && !strcmp(a, "--k"))
            bad = parse_i64(v, 1, 1000, &k);
        else
            bad = 1;
        if (bad) {
            fprintf(stderr, "o2o eval: bad option %s%s%s\n%s", a, v ? " " : "", v ? v : "", eval_usage);
            return 2;
        }
        i++;
    }
    if (!input || !split) {
        fprintf(stderr, "o2o eval: --input and --split are required\n%s", eval_usage);
        return 2;
    }
    rc = load(input, &d);
    if (rc) {
        fprintf(stderr, "o2o eval: %s\n", err_last()->msg);
        return rc == O2O_ENOTFOUND ? 1 : 2;
    }
    {
        /* baskets before the split (the history), items after it per customer (the truth) */
        int64_t *start = xcalloc(d.ninv + 2, sizeof *start), nb = 0, nocc = 0;
        uint32_t *items = xmalloc((d.nrows + 1) * sizeof *items), *member = xmalloc((d.ninv + 1) * sizeof *member);
        uint32_t *store = xmalloc((d.ninv + 1) * sizeof *store);
        int64_t *at = xmalloc((d.ninv + 1) * sizeof *at), *cnt = xcalloc(d.ninv + 1, sizeof *cnt);
        uint8_t *before = xcalloc(d.ncustomers + 1, 1);
        uint32_t *pop = xcalloc(d.nitems + 1, sizeof *pop), *top = xmalloc((size_t)k * sizeof *top);
        struct reco_input in;
        struct reco_params p = {50, 2, split, 90};
        struct reco_model *model;
        struct reco_item *rec = xmalloc((size_t)k * sizeof *rec);
        uint32_t *recid = xmalloc((size_t)k * sizeof *recid);
        uint8_t *rel = xcalloc(d.nitems + 1, 1);
        uint32_t *relv = xmalloc((d.nitems + 1) * sizeof *relv);
        size_t *rows_of = xcalloc(d.ninv + 2, sizeof *rows_of), *rows = xmalloc((d.nrows + 1) * sizeof *rows);
        struct metrics sum_m = {0, 0}, sum_p = {0, 0};
        int64_t users = 0, build_us, query_us = 0;
        /* rows grouped by invoice (counting sort) */
        for (size_t r = 0; r < d.nrows; r++)
            cnt[d.row_inv[r]]++;
        for (size_t i = 0; i < d.ninv; i++)
            rows_of[i + 1] = rows_of[i] + (size_t)cnt[i];
        memset(cnt, 0, (d.ninv + 1) * sizeof *cnt);
        for (size_t r = 0; r < d.nrows; r++)
            rows[rows_of[d.row_inv[r]] + (size_t)cnt[d.row_inv[r]]++] = r;
        for (size_t i = 0; i < d.ninv; i++) {
            if (d.inv[i].at >= split)
                continue;
            before[d.inv[i].customer] = 1;
            member[nb] = d.inv[i].customer;
            store[nb] = RECO_NONE;
            at[nb] = d.inv[i].at;
            start[nb] = nocc;
            for (size_t x = rows_of[i]; x < rows_of[i + 1]; x++)
                items[nocc++] = d.it[rows[x]];
            nb++;
        }
        start[nb] = nocc;
        in.nitems = d.nitems;
        in.nmembers = d.ncustomers;
        in.nstores = 0;
        in.nbaskets = nb;
        in.start = start;
        in.items = items;
        in.member = member;
        in.store = store;
        in.at = at;
        build_us = mono_us();
        model = reco_build(&in, &p);
        build_us = mono_us() - build_us;
        /* the popularity baseline: the items on the most invoices before the split */
        for (int64_t bi = 0; bi < nb; bi++)
            for (int64_t i = start[bi]; i < start[bi + 1]; i++)
                pop[items[i]]++;
        {
            uint32_t *order = xmalloc((d.nitems + 1) * sizeof *order);
            for (uint32_t it = 0; it < d.nitems; it++)
                order[it] = it;
            by_pop = pop;
            qsort(order, d.nitems, sizeof *order, cmp_pop);
            for (int j = 0; j < k; j++)
                top[j] = j < (int)d.nitems ? order[j] : 0;
            free(order);
        }
        /* what each customer bought after the split: (customer, item) pairs, grouped */
        {
            size_t np = 0, i = 0;
            struct pair *pr = xmalloc((d.nrows + 1) * sizeof *pr);
            for (size_t r = 0; r < d.nrows; r++)
                if (d.inv[d.row_inv[r]].at >= split) {
                    pr[np].customer = d.inv[d.row_inv[r]].customer;
                    pr[np].item = d.it[r];
                    np++;
                }
            qsort(pr, np, sizeof *pr, cmp_pair);
            while (i < np) {
                uint32_t u = pr[i].customer;
                int nrel = 0, n;
                struct reco_query q;
                int64_t q0;
                for (; i < np && pr[i].customer == u; i++)
                    if (!rel[pr[i].item]) {
                        rel[pr[i].item] = 1;
                        relv[nrel++] = pr[i].item;
                    }
                if (before[u]) {
                    memset(&q, 0, sizeof q);
                    q.member = u;
                    q.store = RECO_NONE;
                    q.limit = (int)k;
                    q.now = split;
                    q.again = true;
                    q0 = mono_us();
                    n = reco_recommend(model, &q, rec);
                    query_us += mono_us() - q0;
                    for (int j = 0; j < n; j++)
                        recid[j] = rec[j].item;
                    {
                        struct metrics ma = score(recid, n, rel, nrel, (int)k), mb = score(top, (int)k, rel, nrel, (int)k);
                        sum_m.recall += ma.recall;
                        sum_m.ndcg += ma.ndcg;
                        sum_p.recall += mb.recall;
                        sum_p.ndcg += mb.ndcg;
                    }
                    users++;
                }
                for (int j = 0; j < nrel; j++)
                    rel[relv[j]] = 0;
            }
            free(pr);
        }
        if (users) {
            printf("%lld invoices (%lld before the split), %u items, %u customers; %lld test customers\n",
                   (long long)d.ninv, (long long)nb, d.nitems, d.ncustomers, (long long)users);
            printf("%-14s %10s %10s\n", "k = 10", "recall", "NDCG");
            printf("%-14s %10.4f %10.4f\n", "o2o", sum_m.recall / users, sum_m.ndcg / users);
            printf("%-14s %10.4f %10.4f\n", "popularity", sum_p.recall / users, sum_p.ndcg / users);
            printf("%-14s %9.2fx %9.2fx\n", "ratio", sum_p.recall > 0 ? sum_m.recall / sum_p.recall : 0,
                   sum_p.ndcg > 0 ? sum_m.ndcg / sum_p.ndcg : 0);
            fprintf(stderr, "model built in %.0f ms; %.1f us per recommendation; %.1f s in all\n",
                    build_us / 1000.0, (double)query_us / (double)users, (double)(mono_us() - t0) / 1e6);
        } else {
            fprintf(stderr, "o2o eval: no customer bought both before and after the split\n");
            rc = O2O_EINVAL;
        }
        reco_free(model);
        free(start);
        free(items);
        free(member);
        free(store);
        free(at);
        free(cnt);
        free(before);
        free(pop);
        free(top);
        free(rec);
        free(recid);
        free(rel);
        free(relv);
        free(rows_of);
        free(rows);
    }
    strmap_free(&d.items);
    strmap_free(&d.customers);
    strmap_free(&d.invoices);
    free(d.inv);
    free(d.it);
    free(d.row_inv);
    return rc ? 1 : 0;
}
