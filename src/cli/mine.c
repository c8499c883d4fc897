/*
** mine.c -- the command `o2o mine rules`: association rules of a basket file
** or of the orders in the database, printed as a table, CSV or JSON.
*/
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/assoc.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/tz.h"
#include "core/util.h"
#include "db/db.h"
#include "insight/insight.h"
#include "org/settings.h"

static const char *mine_usage =
    "usage: o2o mine rules [--input FILE | --db URL [--since YYYY-MM-DD]] [--supp S] [--conf C]\n"
    "                      [--minlen N] [--maxlen N] [--sort lift|confidence|support|none] [--limit N]\n"
    "                      [--format table|csv|json]\n"
    "  FILE: one basket per line, items separated by commas (R arules' basket format);\n"
    "  without it, the paid orders in the database (default $O2O_DB or sqlite:data/o2o.db),\n"
    "  one basket per order, its products the items\n"
    "  defaults as in arules: --supp 0.1 --conf 0.8 --minlen 1 --maxlen 10; --sort lift\n";

static int parse_double(const char *s, double *out)
{
    char *end;
    double v;
    if (!s || !*s)
        return -1;
    v = strtod(s, &end);
    if (*end || v < 0 || v > 1)
        return -1;
    *out = v;
    return 0;
}

/* ---- output: written by hand into one buffer (printf of doubles would cost
** more than the mining) ---- */

struct out {
    char *p;
    size_t len, cap;
};

static void out_need(struct out *o, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = 2 * (o->len + n) + (128u << 10);
        o->p = xrealloc(o->p, o->cap);
    }
}

static void out_mem(struct out *o, const char *s, size_t n)
{
    out_need(o, n);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void out_str(struct out *o, const char *s)
{
    out_mem(o, s, strlen(s));
}

static void out_pad(struct out *o, size_t from, size_t width)
{
    size_t used = o->len - from;
    if (used < width) {
        out_need(o, width - used);
        memset(o->p + o->len, ' ', width - used);
        o->len += width - used;
    }
}

/* v in decimal at d; returns the length. */
static size_t fmt_u64(char *d, uint64_t v)
{
    char t[24];
    size_t n = 0, k = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        d[k++] = t[--n];
    return k;
}

/* v >= 0 with `places` decimals (0..9), rounded half up; returns the length. */
static size_t fmt_fixed(char *d, double v, int places)
{
    uint64_t scale = 1, x, frac;
    size_t n;
    for (int i = 0; i < places; i++)
        scale *= 10;
    x = (uint64_t)(v * (double)scale + 0.5);
    n = fmt_u64(d, x / scale);
    if (!places)
        return n;
    d[n++] = '.';
    frac = x % scale;
    for (int i = places - 1; i >= 0; i--, frac /= 10)
        d[n + (size_t)i] = (char)('0' + frac % 10);
    return n + (size_t)places;
}

/* A column: a separator, then v right-aligned in width (tables) or as is (CSV). */
static void col(struct out *o, int csv, size_t width, double v, int places)
{
    char t[48];
    size_t n = fmt_fixed(t, v, places);
    out_mem(o, csv ? "," : " ", 1);
    if (!csv && n < width) {
        out_need(o, width - n);
        memset(o->p + o->len, ' ', width - n);
        o->len += width - n;
    }
    out_mem(o, t, n);
}

/* Labels in alphabetical order within an itemset, as arules prints them. */
static const struct baskets *rank_of_b;
static int cmp_label(const void *a, const void *b)
{
    return strcmp(rank_of_b->labels[*(const uint32_t *)a], rank_of_b->labels[*(const uint32_t *)b]);
}

static void out_itemset(struct out *o, const struct baskets *b, const uint32_t *rank, const uint32_t *v, int n,
                        int csv)
{
    uint32_t s[64];
    if (n > 64)
        n = 64;
    memcpy(s, v, (size_t)n * sizeof *s);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && rank[s[j - 1]] > rank[s[j]]; j--) {
            uint32_t x = s[j];
            s[j] = s[j - 1];
            s[j - 1] = x;
        }
    out_str(o, csv ? "\"{" : "{");
    for (int i = 0; i < n; i++) {
        const char *l = b->labels[s[i]];
        if (i)
            out_mem(o, ",", 1);
        if (csv && strchr(l, '"')) {
            for (; *l; l++)
                out_mem(o, *l == '"' ? "\"\"" : l, *l == '"' ? 2 : 1);
        } else {
            out_str(o, l);
        }
    }
    out_str(o, csv ? "}\"" : "}");
}

static void print_rules(const struct baskets *b, const struct assoc_result *r, size_t limit, const char *format)
{
    struct out o = {NULL, 0, 0};
    uint32_t *byname = xmalloc(((size_t)b->nitems + 1) * sizeof *byname);
    uint32_t *rank = xmalloc(((size_t)b->nitems + 1) * sizeof *rank);
    size_t n = limit && limit < r->nrules ? limit : r->nrules;
    int csv = !strcmp(format, "csv");
    for (uint32_t i = 0; i < b->nitems; i++)
        byname[i] = i;
    rank_of_b = b;
    qsort(byname, b->nitems, sizeof *byname, cmp_label);
    for (uint32_t i = 0; i < b->nitems; i++)
        rank[byname[i]] = i;
    if (!strcmp(format, "json")) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct assoc_rule *x = &r->rules[i];
            json_t *l = json_array();
            for (int k = 0; k < x->nlhs; k++)
                json_array_append_new(l, json_string(b->labels[x->lhs[k]]));
            json_array_append_new(a, json_pack("{s:o, s:s, s:f, s:f, s:f, s:f, s:I}", "lhs", l, "rhs",
                                               b->labels[x->rhs], "support", x->support, "confidence",
                                               x->confidence, "coverage", x->coverage, "lift", x->lift, "count",
                                               (json_int_t)x->count));
        }
        json_dumpf(a, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(a);
    } else {
        if (csv)
            out_str(&o, "lhs,rhs,support,confidence,coverage,lift,count\n");
        else
            out_str(&o, "lhs                                                 rhs                         support "
                        "confidence   coverage     lift    count\n");
        for (size_t i = 0; i < n; i++) {
            const struct assoc_rule *x = &r->rules[i];
            size_t at = o.len;
            out_itemset(&o, b, rank, x->lhs, x->nlhs, csv);
            if (csv) {
                out_mem(&o, ",", 1);
            } else {
                out_pad(&o, at, 48);
                out_str(&o, " => ");
            }
            at = o.len;
            out_itemset(&o, b, rank, &x->rhs, 1, csv);
            if (!csv)
                out_pad(&o, at, 24);
            col(&o, csv, 10, x->support, 6);
            col(&o, csv, 10, x->confidence, 6);
            col(&o, csv, 10, x->coverage, 6);
            col(&o, csv, 8, x->lift, 4);
            col(&o, csv, 8, (double)x->count, 0);
            out_mem(&o, "\n", 1);
            if (o.len > (64u << 10)) {
                fwrite(o.p, 1, o.len, stdout);
                o.len = 0;
            }
        }
        fwrite(o.p, 1, o.len, stdout);
    }
    free(o.p);
    free(byname);
    free(rank);
}

/* Rules of the orders in a database (the baskets are filled here, the rules mined). */
static int rules_from_db(const char *url, const char *since_text, const struct assoc_params *p, struct baskets *b,
                         struct assoc_result *r)
{
    struct db *db = NULL;
    int64_t since = 0;
    char tz[64];
    int rc = db_open(&db, url, 1);
    if (rc)
        return rc;
    rc = db_check_schema(db);
    /* --since DATE is that local day of the chain */
    if (!rc)
        rc = settings_str(db_reader(db), "timezone", "UTC", tz, sizeof tz);
    if (!rc && since_text && tz_parse_bound(tz, since_text, &since))
        rc = err_set(O2O_EINVAL, NULL, "since", "--since is YYYY-MM-DD (a local day) or an ISO-8601 time");
    if (!rc)
        rc = insight_mine_rules(db_reader(db), since, p, b, r);
    db_close(db);
    return rc;
}

int cli_mine(int argc, char **argv)
{
    struct assoc_params p = {0.1, 0.8, 1, 10};
    struct baskets b;
    struct assoc_result r;
    const char *input = NULL, *sort = "lift", *format = "table", *url = getenv("O2O_DB"), *since = NULL;
    int64_t limit = 0, n, ignored = 0;
    int64_t t0 = mono_us();
    int rc;
    if (cli_help(argc, argv, mine_usage))
        return 0;
    if (argc < 3 || strcmp(argv[2], "rules")) {
        fputs(mine_usage, stderr);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = !v;
        if (!bad && !strcmp(a, "--input"))
            input = v;
        else if (!bad && !strcmp(a, "--db"))
            url = v;
        else if (!bad && !strcmp(a, "--since"))
            bad = parse_iso8601(v, &ignored) != 0, since = v;
        else if (!bad && !strcmp(a, "--supp"))
            bad = parse_double(v, &p.supp);
        else if (!bad && !strcmp(a, "--conf"))
            bad = parse_double(v, &p.conf);
        else if (!bad && !strcmp(a, "--minlen"))
            bad = parse_i64(v, 1, 60, &n) || ((p.minlen = (int)n), 0);
        else if (!bad && !strcmp(a, "--maxlen"))
            bad = parse_i64(v, 1, 60, &n) || ((p.maxlen = (int)n), 0);
        else if (!bad && !strcmp(a, "--limit"))
            bad = parse_i64(v, 0, INT64_MAX, &limit);
        else if (!bad && !strcmp(a, "--sort"))
            bad = strcmp(v, "lift") && strcmp(v, "confidence") && strcmp(v, "support") && strcmp(v, "none"),
            sort = v;
        else if (!bad && !strcmp(a, "--format"))
            bad = strcmp(v, "table") && strcmp(v, "csv") && strcmp(v, "json"), format = v;
        else
            bad = 1;
        if (bad) {
            fprintf(stderr, "o2o mine: bad option %s%s%s\n%s", a, v ? " " : "", v ? v : "", mine_usage);
            return 2;
        }
        i++;
    }
    baskets_init(&b);
    if (input) {
        rc = baskets_read_file(&b, input);
        if (!rc)
            rc = assoc_mine(&b, &p, &r);
    } else {
        rc = rules_from_db(url ? url : "sqlite:data/o2o.db", since, &p, &b, &r);
    }
    if (rc) {
        fprintf(stderr, "o2o mine: %s\n", err_last()->msg);
        baskets_free(&b);
        return rc == O2O_EINVAL ? 2 : 1;
    }
    if (strcmp(sort, "none"))
        assoc_sort(&r, !strcmp(sort, "lift") ? ASSOC_BY_LIFT : !strcmp(sort, "confidence") ? ASSOC_BY_CONFIDENCE
                                                                                            : ASSOC_BY_SUPPORT);
    print_rules(&b, &r, (size_t)limit, format);
    fprintf(stderr,
            "%lld baskets, %u items; support %g = %lld baskets: %lld frequent itemsets; confidence %g: %zu rules "
            "(%.1f ms)\n",
            (long long)b.n, b.nitems, p.supp, (long long)r.min_count, (long long)r.itemsets, p.conf, r.nrules,
            (double)(mono_us() - t0) / 1000.0);
    assoc_result_free(&r);
    baskets_free(&b);
    return 0;
}
