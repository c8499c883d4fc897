/*
** visits.c -- zone and store visits, footfall and routes from sightings (see
** visits.h): one pass in time order with each person's open store visit and an
** open-addressing table of (person, zone) visits. Tests: tests/unit/test_visits.c.
*/
#include "analytics/visits.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct pz {                   /* one person's visit to one zone */
    uint64_t key;             /* person * nzones + zone + 1; 0: empty slot */
    int64_t first, last;
};

struct open_visit {           /* one person's current store visit */
    int64_t first, last;
    uint16_t route[VISITS_MAX_ROUTE];
    int len;
    int seen;
};

struct routes {
    struct route_count *tab;  /* open addressing on the zone sequence */
    size_t cap, n;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static uint64_t route_hash(const uint16_t *z, int len)
{
    uint64_t h = (uint64_t)len;
    for (int i = 0; i < len && i < VISITS_MAX_ROUTE; i++)
        h = mix(h * 31 + z[i] + 1);
    return h;
}

static void route_add(struct routes *r, const uint16_t *z, int len)
{
    size_t i;
    int m = len < VISITS_MAX_ROUTE ? len : VISITS_MAX_ROUTE;
    if (2 * (r->n + 1) > r->cap) {
        struct routes bigger = {xcalloc(r->cap ? r->cap * 2 : 64, sizeof *r->tab), r->cap ? r->cap * 2 : 64, 0};
        for (size_t k = 0; k < r->cap; k++)
            if (r->tab[k].len) {
                size_t j = route_hash(r->tab[k].zones, r->tab[k].len) & (bigger.cap - 1);
                while (bigger.tab[j].len)
                    j = (j + 1) & (bigger.cap - 1);
                bigger.tab[j] = r->tab[k];
                bigger.n++;
            }
        free(r->tab);
        *r = bigger;
    }
    for (i = route_hash(z, len) & (r->cap - 1); r->tab[i].len; i = (i + 1) & (r->cap - 1))
        if (r->tab[i].len == len && !memcmp(r->tab[i].zones, z, (size_t)m * sizeof *z)) {
            r->tab[i].count++;
            return;
        }
    memcpy(r->tab[i].zones, z, (size_t)m * sizeof *z);
    r->tab[i].len = len;
    r->tab[i].count = 1;
    r->n++;
}

static int cmp_route(const void *a, const void *b)
{
    const struct route_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->zones, y->zones, sizeof x->zones);
}

static void close_visit(struct visit_stats *out, struct routes *r, struct open_visit *v)
{
    out->store_visits++;
    out->store_dwell_ms += v->last - v->first;
    route_add(r, v->route, v->len);
    v->len = 0;
}

void visits_count(const struct sighting_columns *s, int64_t gap, struct visit_stats *out)
{
    struct open_visit *open = xcalloc((size_t)s->npersons + 1, sizeof *open);
    size_t cap = 64, used = 0;
    struct pz *tab;
    struct routes routes = {0};
    while (cap < 2 * (s->n + 1))
        cap *= 2;
    tab = xcalloc(cap, sizeof *tab);
    memset(out, 0, sizeof *out);
    out->zones = xcalloc((size_t)s->nzones + 1, sizeof *out->zones);
    for (size_t i = 0; i < s->n; i++) {
        uint32_t p = s->person[i];
        uint16_t z = s->zone[i];
        int64_t t = s->ts[i];
        struct open_visit *v = &open[p];
        uint64_t key = (uint64_t)p * s->nzones + z + 1;
        size_t h = mix(key) & (cap - 1);
        /* the store visit */
        if (v->seen && t - v->last > gap)
            close_visit(out, &routes, v);
        if (!v->seen) {
            v->seen = 1;
            out->store_visitors++;
        }
        if (!v->len) {
            v->first = t;
        }
        if (!v->len || (v->len <= VISITS_MAX_ROUTE && v->route[v->len - 1] != z)) {
            if (v->len < VISITS_MAX_ROUTE)
                v->route[v->len] = z;
            v->len++;
        }
        v->last = t;
        /* the zone visit */
        while (tab[h].key && tab[h].key != key)
            h = (h + 1) & (cap - 1);
        if (!tab[h].key) {
            tab[h].key = key;
            tab[h].first = tab[h].last = t;
            out->zones[z].visits++;
            out->zones[z].visitors++;
            out->zones[z].hourly[s->hour[i] % 24]++;
            used++;
        } else if (t - tab[h].last > gap) {
            out->zones[z].dwell_ms += tab[h].last - tab[h].first;
            tab[h].first = tab[h].last = t;
            out->zones[z].visits++;
            out->zones[z].hourly[s->hour[i] % 24]++;
        } else {
            tab[h].last = t;
        }
    }
    for (size_t h = 0; h < cap; h++)
        if (tab[h].key)
            out->zones[(tab[h].key - 1) % s->nzones].dwell_ms += tab[h].last - tab[h].first;
    for (uint32_t p = 0; p < s->npersons; p++)
        if (open[p].len)
            close_visit(out, &routes, &open[p]);
    out->routes = xcalloc(routes.n + 1, sizeof *out->routes);
    for (size_t k = 0; k < routes.cap; k++)
        if (routes.tab[k].len)
            out->routes[out->nroutes++] = routes.tab[k];
    qsort(out->routes, (size_t)out->nroutes, sizeof *out->routes, cmp_route);
    (void)used;
    free(routes.tab);
    free(tab);
    free(open);
}

void visit_stats_free(struct visit_stats *v)
{
    free(v->zones);
    free(v->routes);
    memset(v, 0, sizeof *v);
}
