/*
** recommend.c -- recommendations from the orders in the database (see
** recommend.h). Reads through order.c, catalog.c, inventory.c, tags.c and
** settings.c; owns no table. No HTTP or JSON here.
** Tests: tests/e2e/test_recommend.py
*/
#include "insight/recommend.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/reco.h"
#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/strmap.h"
#include "core/util.h"
#include "insight/tags.h"
#include "member/friends.h"
#include "org/location.h"
#include "org/settings.h"
#include "sales/order_read.h"
#include "stock/inventory.h"

#define DAY_MS 86400000LL
#define MAX_DEPTH 6          /* category ancestors kept per product */

struct reco_state {
    struct reco_model *model;
    int64_t built_at, orders;
    uint32_t nprod;
    int64_t *prod_id, *price, *launch_at, *brand;
    int64_t (*cats)[MAX_DEPTH];
    uint8_t *ncats;
    char **code, **name;
    uint32_t *prod_idx;       /* product id -> index + 1 */
    int64_t max_prod;
    uint32_t *member_idx;     /* member id -> index + 1 */
    int64_t max_member;
    uint32_t *store_idx;      /* location id -> index + 1 */
    int64_t *store_id;        /* index -> location id */
    int64_t max_store;
    uint32_t nmembers, nstores;
    struct strmap brand_ids, cat_ids; /* code -> id */
    /* products by brand id and by category id (a product under its category and
    ** each ancestor): key k holds by_x[x_start[k] .. x_start[k + 1]) */
    uint32_t *brand_start, *by_brand, *cat_start, *by_cat;
    int64_t max_brand, max_cat;
};

/* ---- building ---- */

struct build {
    struct reco_state *s;
    struct db_conn *c;
    size_t cap;
    /* baskets */
    int64_t *start, nb, nocc, cap_b, cap_o;
    uint32_t *items, *member, *store;
    int64_t *at, last_order;
};

static uint32_t *grow_idx(uint32_t *v, int64_t *max, int64_t id)
{
    if (id > *max) {
        int64_t n = id * 2 + 16;
        v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
        memset(v + *max + 1, 0, (size_t)(n - *max) * sizeof *v);
        *max = n;
    }
    return v;
}

static int on_brand(const struct brand *b, void *arg)
{
    strmap_put(&((struct reco_state *)arg)->brand_ids, b->code, b->id);
    return 0;
}

static int on_category(const struct category *x, void *arg)
{
    strmap_put(&((struct reco_state *)arg)->cat_ids, x->code, x->id);
    return 0;
}

static int on_product(const struct product *p, void *arg)
{
    struct build *b = arg;
    struct reco_state *s = b->s;
    uint32_t i = s->nprod;
    if (i == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        s->prod_id = xrealloc(s->prod_id, b->cap * sizeof *s->prod_id);
        s->price = xrealloc(s->price, b->cap * sizeof *s->price);
        s->launch_at = xrealloc(s->launch_at, b->cap * sizeof *s->launch_at);
        s->brand = xrealloc(s->brand, b->cap * sizeof *s->brand);
        s->cats = xrealloc(s->cats, b->cap * sizeof *s->cats);
        s->ncats = xrealloc(s->ncats, b->cap * sizeof *s->ncats);
        s->code = xrealloc(s->code, b->cap * sizeof *s->code);
        s->name = xrealloc(s->name, b->cap * sizeof *s->name);
    }
    s->prod_id[i] = p->id;
    s->price[i] = 0;
    s->launch_at[i] = p->launch_at;
    s->brand[i] = p->brand_id;
    s->ncats[i] = 0;
    s->cats[i][0] = p->category_id;
    s->ncats[i] = p->category_id ? 1 : 0;
    s->code[i] = xstrdup(p->code);
    s->name[i] = xstrdup(p->name);
    s->prod_idx = grow_idx(s->prod_idx, &s->max_prod, p->id);
    s->prod_idx[p->id] = i + 1;
    s->nprod++;
    return 0;
}

static int on_price(int64_t product_id, int64_t price, void *arg)
{
    struct reco_state *s = arg;
    if (product_id <= s->max_prod && s->prod_idx[product_id])
        s->price[s->prod_idx[product_id] - 1] = price;
    return 0;
}

/* The ancestors of each product's category (parent ids from the category list). */
struct parents {
    int64_t *parent;
    int64_t max;
};

static int on_parent(const struct category *x, void *arg)
{
    struct parents *p = arg;
    if (x->id > p->max) {
        int64_t n = x->id * 2 + 16;
        p->parent = xrealloc(p->parent, (size_t)(n + 1) * sizeof *p->parent);
        memset(p->parent + p->max + 1, 0, (size_t)(n - p->max) * sizeof *p->parent);
        p->max = n;
    }
    p->parent[x->id] = x->parent_id;
    return 0;
}

static int on_row(int64_t order_id, int64_t member_id, int64_t store_id, int64_t at, int64_t product_id, void *arg)
{
    struct build *b = arg;
    struct reco_state *s = b->s;
    if (product_id > s->max_prod || !s->prod_idx[product_id])
        return 0;
    if (order_id != b->last_order) {
        if (b->nb + 2 > b->cap_b) {
            b->cap_b = 2 * b->cap_b + 1024;
            b->start = xrealloc(b->start, (size_t)b->cap_b * sizeof *b->start);
            b->member = xrealloc(b->member, (size_t)b->cap_b * sizeof *b->member);
            b->store = xrealloc(b->store, (size_t)b->cap_b * sizeof *b->store);
            b->at = xrealloc(b->at, (size_t)b->cap_b * sizeof *b->at);
        }
        b->start[b->nb] = b->nocc;
        b->member[b->nb] = RECO_NONE;
        b->store[b->nb] = RECO_NONE;
        if (member_id > 0) {
            s->member_idx = grow_idx(s->member_idx, &s->max_member, member_id);
            if (!s->member_idx[member_id])
                s->member_idx[member_id] = ++s->nmembers;
            b->member[b->nb] = s->member_idx[member_id] - 1;
        }
        if (store_id > 0) {
            s->store_idx = grow_idx(s->store_idx, &s->max_store, store_id);
            if (!s->store_idx[store_id]) {
                s->store_id = xrealloc(s->store_id, ((size_t)s->nstores + 1) * sizeof *s->store_id);
                s->store_id[s->nstores] = store_id;
                s->store_idx[store_id] = ++s->nstores;
            }
            b->store[b->nb] = s->store_idx[store_id] - 1;
        }
        b->at[b->nb] = at;
        b->nb++;
        b->last_order = order_id;
        s->orders++;
    }
    if (b->nocc == b->cap_o) {
        b->cap_o = 2 * b->cap_o + 4096;
        b->items = xrealloc(b->items, (size_t)b->cap_o * sizeof *b->items);
    }
    b->items[b->nocc++] = s->prod_idx[product_id] - 1;
    b->start[b->nb] = b->nocc;
    return 0;
}

/* Counting sort of (key, product) pairs into start/items; keys 1..max. */
static void csr(uint32_t **start, uint32_t **items, int64_t max, const struct reco_state *s, int by_brand)
{
    uint32_t *st = xcalloc((size_t)max + 2, sizeof *st), *fill, *it;
    size_t total = 0;
    for (uint32_t i = 0; i < s->nprod; i++)
        for (int k = 0; k < (by_brand ? 1 : s->ncats[i]); k++) {
            int64_t key = by_brand ? s->brand[i] : s->cats[i][k];
            if (key > 0 && key <= max)
                st[key + 1]++, total++;
        }
    for (int64_t k = 0; k <= max; k++)
        st[k + 1] += st[k];
    fill = xmalloc(((size_t)max + 1) * sizeof *fill);
    memcpy(fill, st, ((size_t)max + 1) * sizeof *fill);
    it = xmalloc((total + 1) * sizeof *it);
    for (uint32_t i = 0; i < s->nprod; i++)
        for (int k = 0; k < (by_brand ? 1 : s->ncats[i]); k++) {
            int64_t key = by_brand ? s->brand[i] : s->cats[i][k];
            if (key > 0 && key <= max)
                it[fill[key]++] = i;
        }
    free(fill);
    *start = st;
    *items = it;
}

static void index_products(struct reco_state *s)
{
    for (uint32_t i = 0; i < s->nprod; i++) {
        if (s->brand[i] > s->max_brand)
            s->max_brand = s->brand[i];
        for (int k = 0; k < s->ncats[i]; k++)
            if (s->cats[i][k] > s->max_cat)
                s->max_cat = s->cats[i][k];
    }
    csr(&s->brand_start, &s->by_brand, s->max_brand, s, 1);
    csr(&s->cat_start, &s->by_cat, s->max_cat, s, 0);
}

int recommend_build(struct db_conn *c, int64_t now, struct reco_state **out)
{
    struct reco_state *s = xcalloc(1, sizeof *s);
    struct build b;
    struct parents par = {NULL, 0};
    int rc;
    int64_t after = 0;
    memset(&b, 0, sizeof b);
    b.s = s;
    b.c = c;
    b.last_order = -1;
    s->built_at = now;
    rc = brand_list(c, on_brand, s);
    if (!rc)
        rc = category_list(c, on_category, s);
    if (!rc)
        rc = category_list(c, on_parent, &par);
    /* the catalog, a page at a time */
    while (!rc) {
        uint32_t before = s->nprod;
        rc = product_list(c, "", "", NULL, 0, after, 1000, on_product, &b);
        if (rc || s->nprod == before)
            break;
        after = s->prod_id[s->nprod - 1];
    }
    for (uint32_t i = 0; i < s->nprod && !rc; i++) {
        int64_t cat = s->cats[i][0];
        while (cat && cat <= par.max && par.parent[cat] && s->ncats[i] < MAX_DEPTH) {
            cat = par.parent[cat];
            s->cats[i][s->ncats[i]++] = cat;
        }
    }
    free(par.parent);
    if (!rc)
        index_products(s);
    if (!rc)
        rc = catalog_min_prices(c, on_price, s);
    if (!rc)
        rc = order_reco_rows(c, 0, on_row, &b); /* every paid order: old ones weigh little */
    if (!rc) {
        struct reco_input in;
        struct reco_params p = {50, 2, now, 90};
        if (!b.start)
            b.start = xcalloc(1, sizeof *b.start);
        in.nitems = s->nprod;
        in.nmembers = s->nmembers;
        in.nstores = s->nstores;
        in.nbaskets = b.nb;
        in.start = b.start;
        in.items = b.items;
        in.member = b.member;
        in.store = b.store;
        in.at = b.at;
        s->model = reco_build(&in, &p);
    }
    free(b.start);
    free(b.items);
    free(b.member);
    free(b.store);
    free(b.at);
    if (rc) {
        recommend_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void recommend_free(struct reco_state *s)
{
    if (!s)
        return;
    reco_free(s->model);
    for (uint32_t i = 0; i < s->nprod; i++) {
        free(s->code[i]);
        free(s->name[i]);
    }
    free(s->code);
    free(s->name);
    free(s->prod_id);
    free(s->price);
    free(s->launch_at);
    free(s->brand);
    free(s->cats);
    free(s->ncats);
    free(s->brand_start);
    free(s->by_brand);
    free(s->cat_start);
    free(s->by_cat);
    free(s->prod_idx);
    free(s->member_idx);
    free(s->store_idx);
    free(s->store_id);
    strmap_free(&s->brand_ids);
    strmap_free(&s->cat_ids);
    free(s);
}

int64_t recommend_built_at(const struct reco_state *s)
{
    return s->built_at;
}

int64_t recommend_orders(const struct reco_state *s)
{
    return s->orders;
}

/* ---- queries ---- */

#define MAX_TAGS 16
#define MAX_RECENT 200
#define MAX_DURABLE 64

enum { WHY_BRAND = 1, WHY_CATEGORY, WHY_LIFE, WHY_FRIENDS };

#define MAX_FRIENDS 20
#define FRIENDS_DAYS 90
#define MAX_FRIEND_ITEMS 256

struct ask {
    const struct reco_state *s;
    int64_t now;
    /* her tags turned into boosts */
    int ntags;
    char tag[MAX_TAGS][96];
    int64_t tag_id[MAX_TAGS][32]; /* brand id, category id, or a life rule's category ids */
    int ntag_ids[MAX_TAGS];
    int kind[MAX_TAGS];
    double weight[MAX_TAGS];
    /* what she bought lately */
    uint32_t recent[MAX_RECENT];
    int nrecent;
    int64_t durable_cat[MAX_DURABLE];    /* categories she bought a durable item of */
    int ndurable;
    int64_t durable_ids[MAX_DURABLE];    /* the durable categories of the settings */
    int ndurable_ids;
    char durable_list[256];
    struct life_rule rules[16];
    int nrules;
    /* what her friends bought lately: product index, how many friends */
    uint32_t fitem[MAX_FRIEND_ITEMS];
    int fcount[MAX_FRIEND_ITEMS], nfitems;
    int64_t friend_now;
    uint32_t fseen[MAX_FRIEND_ITEMS];      /* this friend's items, counted once */
    int nfseen;
};

static int on_tag(const struct member_tag *t, void *arg)
{
    struct ask *a = arg;
    const char *colon = strchr(t->tag, ':');
    int64_t id;
    int k = a->ntags;
    if (!colon || k == MAX_TAGS)
        return 0;
    a->ntag_ids[k] = 0;
    if (!strncmp(t->tag, "brand:", 6) && strmap_get(&a->s->brand_ids, colon + 1, &id)) {
        a->kind[k] = WHY_BRAND;
        a->tag_id[k][a->ntag_ids[k]++] = id;
    } else if (!strncmp(t->tag, "category:", 9) && strmap_get(&a->s->cat_ids, colon + 1, &id)) {
        a->kind[k] = WHY_CATEGORY;
        a->tag_id[k][a->ntag_ids[k]++] = id;
    } else if (!strncmp(t->tag, "life:", 5)) {
        a->kind[k] = WHY_LIFE;
        for (int r = 0; r < a->nrules; r++) {
            char buf[512], *save = NULL;
            if (strcmp(a->rules[r].name, colon + 1))
                continue;
            str_copy(buf, sizeof buf, a->rules[r].categories);
            for (char *tok = strtok_r(buf, ",", &save); tok && a->ntag_ids[k] < 32; tok = strtok_r(NULL, ",", &save))
                if (strmap_get(&a->s->cat_ids, tok, &id))
                    a->tag_id[k][a->ntag_ids[k]++] = id;
        }
    } else {
        return 0;
    }
    if (!a->ntag_ids[k])
        return 0;
    str_copy(a->tag[k], sizeof a->tag[k], t->tag);
    a->weight[k] = t->weight;
    a->ntags++;
    return 0;
}

static int on_rule(const struct life_rule *r, void *arg)
{
    struct ask *a = arg;
    if (a->nrules < 16)
        a->rules[a->nrules++] = *r;
    return 0;
}

static bool in_cats(const struct reco_state *s, uint32_t it, int64_t cat)
{
    for (int k = 0; k < s->ncats[it]; k++)
        if (s->cats[it][k] == cat)
            return true;
    return false;
}

static int on_recent(int64_t product_id, int64_t category_id, int64_t at, void *arg)
{
    struct ask *a = arg;
    const struct reco_state *s = a->s;
    uint32_t it;
    (void)category_id;
    if (product_id > s->max_prod || !s->prod_idx[product_id])
        return 0;
    it = s->prod_idx[product_id] - 1;
    if (at >= s->built_at && a->nrecent < MAX_RECENT)
        a->recent[a->nrecent++] = it;
    /* a durable item (its category or an ancestor is durable): no more of its kind */
    for (int d = 0; d < a->ndurable_ids && a->ndurable < MAX_DURABLE && s->ncats[it]; d++)
        if (in_cats(s, it, a->durable_ids[d])) {
            int seen = 0;
            for (int i = 0; i < a->ndurable && !seen; i++)
                seen = a->durable_cat[i] == s->cats[it][0];
            if (!seen)
                a->durable_cat[a->ndurable++] = s->cats[it][0];
            break;
        }
    return 0;
}

static int on_friend_product(int64_t product_id, int64_t category_id, int64_t at, void *arg)
{
    struct ask *a = arg;
    const struct reco_state *s = a->s;
    uint32_t it;
    int i;
    (void)category_id;
    (void)at;
    if (product_id > s->max_prod || !s->prod_idx[product_id])
        return 0;
    it = s->prod_idx[product_id] - 1;
    for (i = 0; i < a->nfseen; i++)
        if (a->fseen[i] == it)
            return 0;
    if (a->nfseen < MAX_FRIEND_ITEMS)
        a->fseen[a->nfseen++] = it;
    for (i = 0; i < a->nfitems; i++)
        if (a->fitem[i] == it)
            break;
    if (i == a->nfitems) {
        if (a->nfitems == MAX_FRIEND_ITEMS)
            return 0;
        a->fitem[a->nfitems] = it;
        a->fcount[a->nfitems++] = 0;
    }
    a->fcount[i]++;
    return 0;
}

static int friends_count(const struct ask *a, uint32_t it)
{
    for (int i = 0; i < a->nfitems; i++)
        if (a->fitem[i] == it)
            return a->fcount[i];
    return 0;
}

static bool allowed(uint32_t it, void *arg)
{
    struct ask *a = arg;
    const struct reco_state *s = a->s;
    if (s->launch_at[it] > a->now)
        return false;
    for (int i = 0; i < a->ndurable; i++)
        if (s->cats[it][0] == a->durable_cat[i])
            return false; /* she has one */
    return true;
}

int recommend_for(struct db_conn *c, const struct reco_state *s, int64_t member_id, enum recommend_context ctx,
                  int64_t store_id, int limit, int64_t now, struct recommendation *out, int *n)
{
    struct ask *a = xcalloc(1, sizeof *a);
    struct reco_query q;
    struct reco_item *r;
    float *boost = NULL;
    uint32_t *why = NULL;
    int64_t durable_days = 180;
    int got, rc = 0;
    *n = 0;
    if (limit < 1 || limit > RECOMMEND_MAX)
        limit = RECOMMEND_MAX;
    a->s = s;
    a->now = now;
    memset(&q, 0, sizeof q);
    q.member = RECO_NONE;
    q.store = RECO_NONE;
    if (member_id > 0 && member_id <= s->max_member && s->member_idx[member_id])
        q.member = s->member_idx[member_id] - 1;
    if (store_id > 0 && store_id <= s->max_store && s->store_idx[store_id])
        q.store = s->store_idx[store_id] - 1;
    rc = settings_i64(c, "durable_days", 180, &durable_days);
    if (!rc)
        rc = settings_str(c, "durable_categories", "", a->durable_list, sizeof a->durable_list);
    if (!rc) {
        char buf[256], *save = NULL;
        int64_t id;
        str_copy(buf, sizeof buf, a->durable_list);
        for (char *tok = strtok_r(buf, ",", &save); tok && a->ndurable_ids < MAX_DURABLE;
             tok = strtok_r(NULL, ",", &save))
            if (strmap_get(&s->cat_ids, tok, &id))
                a->durable_ids[a->ndurable_ids++] = id;
    }
    if (!rc && member_id > 0) {
        /* what she bought since the model was built, and durable items lately */
        int64_t since = now - durable_days * DAY_MS;
        rc = order_member_products(c, member_id, since < s->built_at ? since : s->built_at, on_recent, a);
        if (!rc)
            rc = life_rules_list(c, on_rule, a);
        if (!rc)
            rc = tags_list(c, member_id, now, MAX_TAGS, on_tag, a);
        if (!rc) {
            /* friends bought: what the people related to her bought lately */
            int64_t ids[MAX_FRIENDS];
            int nf = 0;
            rc = friends_ids(c, member_id, MAX_FRIENDS, ids, &nf);
            for (int i = 0; i < nf && !rc; i++) {
                a->nfseen = 0;
                rc = order_member_products(c, ids[i], now - FRIENDS_DAYS * DAY_MS, on_friend_product, a);
            }
        }
    }
    if (rc) {
        free(a);
        return rc;
    }
    if ((a->ntags || a->nfitems) && s->nprod) {
        double top = 0;
        boost = xcalloc(s->nprod, sizeof *boost);
        why = xcalloc(s->nprod, sizeof *why);
        for (int k = 0; k < a->ntags; k++)
            if (a->kind[k] != WHY_LIFE && a->weight[k] > top)
                top = a->weight[k];
        if (top <= 0)
            top = 1;
        /* the products of each liked brand or category, through the model's indexes */
        for (int k = 0; k < a->ntags; k++) {
            /* life stages weigh like a strong tag; brands and categories by affinity */
            float w = (float)(a->kind[k] == WHY_LIFE ? 0.6 : (a->kind[k] == WHY_BRAND ? 0.3 : 0.2) * a->weight[k] / top);
            for (int j = 0; j < a->ntag_ids[k]; j++) {
                int64_t id = a->tag_id[k][j];
                const uint32_t *st = a->kind[k] == WHY_BRAND ? s->brand_start : s->cat_start;
                const uint32_t *items = a->kind[k] == WHY_BRAND ? s->by_brand : s->by_cat;
                if (id <= 0 || id > (a->kind[k] == WHY_BRAND ? s->max_brand : s->max_cat))
                    continue;
                for (uint32_t x = st[id]; x < st[id + 1]; x++)
                    if (w > boost[items[x]]) {
                        boost[items[x]] = w;
                        why[items[x]] = (uint32_t)k;
                    }
            }
        }
        if (a->nfitems) {
            int most = 1;
            for (int i = 0; i < a->nfitems; i++)
                if (a->fcount[i] > most)
                    most = a->fcount[i];
            for (int i = 0; i < a->nfitems; i++) {
                float w = 0.4f * (float)a->fcount[i] / (float)most + 0.2f;
                if (w > boost[a->fitem[i]]) {
                    boost[a->fitem[i]] = w;
                    why[a->fitem[i]] = MAX_TAGS; /* friends */
                }
            }
        }
    }
    q.limit = ctx == RECOMMEND_STORE ? limit * 4 : limit;
    q.now = now;
    q.again = ctx == RECOMMEND_LOGIN;
    q.recent = a->recent;
    q.nrecent = a->nrecent;
    q.boost = boost;
    q.boost_reason = why;
    q.allowed = allowed;
    q.arg = a;
    r = xmalloc(((size_t)q.limit + 1) * sizeof *r);
    got = reco_recommend(s->model, &q, r);
    for (int i = 0; i < got && *n < limit && !rc; i++) {
        struct recommendation *x = &out[*n];
        uint32_t it = r[i].item;
        if (ctx == RECOMMEND_STORE && store_id) {
            int64_t avail = 0;
            rc = inventory_product_available(c, s->prod_id[it], store_id, &avail);
            if (rc || avail <= 0)
                continue;
        }
        memset(x, 0, sizeof *x);
        x->product_id = s->prod_id[it];
        str_copy(x->product, sizeof x->product, s->code[it]);
        str_copy(x->name, sizeof x->name, s->name[it]);
        x->price = s->price[it];
        x->score = r[i].score;
        switch (r[i].reason) {
        case RECO_BOUGHT_TOGETHER:
            str_copy(x->reason, sizeof x->reason, "bought_together");
            if (r[i].because < s->nprod) {
                str_copy(x->because, sizeof x->because, s->code[r[i].because]);
                str_copy(x->because_name, sizeof x->because_name, s->name[r[i].because]);
            }
            break;
        case RECO_BUY_AGAIN:
            str_copy(x->reason, sizeof x->reason, "buy_again");
            break;
        case RECO_POPULAR_AT_STORE: {
            struct location l;
            str_copy(x->reason, sizeof x->reason, "popular_at_store");
            if (r[i].because < s->nstores && !location_cached(c, s->store_id[r[i].because], &l)) {
                str_copy(x->because, sizeof x->because, l.code);
                str_copy(x->because_name, sizeof x->because_name, l.name);
            }
            break;
        }
        case RECO_POPULAR:
            str_copy(x->reason, sizeof x->reason, "popular");
            break;
        case RECO_BOOST: {
            int k = (int)r[i].because;
            if (k == MAX_TAGS) {
                int f = friends_count(a, it);
                str_copy(x->reason, sizeof x->reason, "friends_bought");
                snprintf(x->because, sizeof x->because, "%d friend%s", f, f == 1 ? "" : "s");
                break;
            }
            str_copy(x->reason, sizeof x->reason,
                     a->kind[k] == WHY_LIFE ? "life_stage" : a->kind[k] == WHY_BRAND ? "brand_you_like"
                                                                                     : "category_you_like");
            str_copy(x->because, sizeof x->because, a->tag[k]);
            break;
        }
        }
        (*n)++;
    }
    free(r);
    free(boost);
    free(why);
    free(a);
    return rc;
}
