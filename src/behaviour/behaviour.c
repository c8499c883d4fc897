/*
** behaviour.c -- funnels and paths over the stored events (see behaviour.h).
** Reads events through events_scan() into columns, then counts in memory with
** analytics/funnel.c and analytics/paths.c. No SQL of its own, no HTTP/JSON.
** Tests: tests/e2e/test_events.py
*/
#include "behaviour/behaviour.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/paths.h"
#include "behaviour/events.h"
#include "core/mem.h"
#include "core/strmap.h"
#include "core/tz.h"
#include "core/util.h"
#include "org/location.h"

#define MAX_NAMES 65000

struct loader {
    struct db_conn *c;
    const struct funnel_query *q;      /* funnels; NULL for paths */
    int64_t store_filter[FUNNEL_MAX_STEPS][BEHAVIOUR_MAX_WHERE];
    struct strmap users, names, groups;
    char **group_key;
    int64_t *group_starts;             /* step-1 events per group */
    int ngroups, group_cap;
    uint32_t *user;
    int64_t *ts;
    uint16_t *cls, *grp;
    size_t n, cap;
    int64_t events;
    uint32_t nusers;
    int nnames;
    char **name_of;
    bool scoped;                       /* only events at the stores in allowed[] count */
    int64_t *allowed;                  /* sorted location ids */
    size_t nallowed, allowed_cap;
};

static void loader_free(struct loader *l)
{
    strmap_free(&l->users);
    strmap_free(&l->names);
    strmap_free(&l->groups);
    for (int i = 0; i < l->ngroups; i++)
        free(l->group_key[i]);
    for (int i = 0; i < l->nnames; i++)
        free(l->name_of[i]);
    free(l->group_key);
    free(l->group_starts);
    free(l->name_of);
    free(l->user);
    free(l->ts);
    free(l->cls);
    free(l->grp);
    free(l->allowed);
}

static int allow_cb(const struct location *loc, void *arg)
{
    struct loader *l = arg;
    XGROW(l->allowed, l->nallowed, l->allowed_cap);
    l->allowed[l->nallowed++] = loc->id;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Analytics are scoped like reports: staff below the chain see the events at
** the stores in their scope (web and app events name no store: not theirs). */
static int set_scope(struct loader *l, const struct principal *who)
{
    int rc;
    if (!who || who->role == ROLE_NONE || (who->scope == SCOPE_CHAIN && who->role != ROLE_MEMBER))
        return 0;
    l->scoped = true;
    if (who->scope == SCOPE_SELF)
        return 0;
    rc = location_list(l->c, who, "", allow_cb, l);
    if (!rc && l->nallowed)
        qsort(l->allowed, l->nallowed, sizeof *l->allowed, cmp_id);
    return rc;
}

static bool in_scope(const struct loader *l, int64_t location_id)
{
    return !l->scoped ||
           (location_id && l->nallowed &&
            bsearch(&location_id, l->allowed, l->nallowed, sizeof *l->allowed, cmp_id) != NULL);
}

static uint32_t user_of(struct loader *l, const struct event_row *r)
{
    char key[80];
    int64_t v;
    if (r->member_id)
        snprintf(key, sizeof key, "m%" PRId64, r->member_id);
    else
        snprintf(key, sizeof key, "d%s", r->device);
    if (strmap_get(&l->users, key, &v))
        return (uint32_t)v;
    strmap_put(&l->users, key, l->nusers);
    return l->nusers++;
}

static void push(struct loader *l, uint32_t u, int64_t ts, uint16_t cls, uint16_t grp)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        l->user = xrealloc(l->user, l->cap * sizeof *l->user);
        l->ts = xrealloc(l->ts, l->cap * sizeof *l->ts);
        l->cls = xrealloc(l->cls, l->cap * sizeof *l->cls);
        l->grp = xrealloc(l->grp, l->cap * sizeof *l->grp);
    }
    l->user[l->n] = u;
    l->ts[l->n] = ts;
    l->cls[l->n] = cls;
    l->grp[l->n] = grp;
    l->n++;
}

/* Does a props text ("k=v" lines) hold name=value? */
static bool props_has(const char *props, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    for (const char *p = props; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == nl + 1 + vl && !memcmp(p, name, nl) && p[nl] == '=' && !memcmp(p + nl + 1, value, vl))
            return true;
        p += len + (e ? 1 : 0);
    }
    return false;
}

static bool filter_match(const struct behaviour_filter *f, int64_t store_id, const struct event_row *r)
{
    const char *k = f->key;
    if (!strcmp(k, "store"))
        return r->location_id == store_id;
    if (!strcmp(k, "channel"))
        return !strcmp(r->channel, f->value);
    if (!strcmp(k, "item"))
        return !strcmp(r->item, f->value);
    if (!strcmp(k, "category"))
        return !strcmp(r->category, f->value);
    if (!strcmp(k, "element"))
        return !strcmp(r->element, f->value);
    if (!strcmp(k, "label"))
        return !strcmp(r->label, f->value);
    if (!strcmp(k, "page"))
        return !strcmp(r->page, f->value);
    return !strncmp(k, "props.", 6) && props_has(r->props, k + 6, f->value);
}

static int group_of(struct loader *l, const char *key)
{
    int64_t v;
    if (strmap_get(&l->groups, key, &v))
        return (int)v;
    if (l->ngroups == 65535)
        return -1;
    if (l->ngroups == l->group_cap) {
        l->group_cap = l->group_cap ? l->group_cap * 2 : 64;
        l->group_key = xrealloc(l->group_key, (size_t)l->group_cap * sizeof *l->group_key);
        l->group_starts = xrealloc(l->group_starts, (size_t)l->group_cap * sizeof *l->group_starts);
    }
    l->group_key[l->ngroups] = xstrdup(key);
    l->group_starts[l->ngroups] = 0;
    strmap_put(&l->groups, key, l->ngroups);
    return l->ngroups++;
}

static int funnel_row(const struct event_row *r, void *arg)
{
    struct loader *l = arg;
    const struct funnel_query *q = l->q;
    unsigned mask = 0;
    int g = 0;
    uint32_t u;
    if (!in_scope(l, r->location_id))
        return 0;
    u = user_of(l, r);
    l->events++;
    for (int k = 0; k < q->nsteps; k++) {
        const struct behaviour_step *st = &q->steps[k];
        bool ok = !strcmp(r->name, st->name);
        for (int w = 0; ok && w < st->nwhere; w++)
            ok = filter_match(&st->where[w], l->store_filter[k][w], r);
        if (ok)
            mask |= 1u << k;
    }
    if (r->ts >= q->to)
        mask &= ~1u;          /* chains start within the period only */
    if (!mask)
        return 0;
    if (q->by != BY_NONE) {
        char key[65];
        struct location loc;
        if (q->by == BY_CHANNEL)
            str_copy(key, sizeof key, r->channel);
        else if (q->by == BY_DAY)
            tz_local_day(q->tz, r->ts, key);
        else if (!r->location_id || location_cached(l->c, r->location_id, &loc))
            key[0] = 0;
        else
            str_copy(key, sizeof key, loc.code);
        if ((g = group_of(l, key)) < 0)
            return err_set(O2O_EINVAL, "out_of_range", "by", "more than 65,535 groups");
        if (mask & 1)
            l->group_starts[g]++;
    }
    push(l, u, r->ts, (uint16_t)mask, (uint16_t)g);
    return 0;
}

static int check_filter(struct loader *l, const struct behaviour_filter *f, int64_t *store_id)
{
    struct db_conn *c = l->c;
    static const char *keys[] = {"channel", "store", "item", "category", "element", "label", "page"};
    struct location loc;
    *store_id = 0;
    if (!strncmp(f->key, "props.", 6) && f->key[6])
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(f->key, keys[i])) {
            if (i != 1)
                return 0;
            if (location_get_by_code(c, f->value, &loc))
                return err_set(O2O_ENOTFOUND, "unknown_location", "steps", "no store %s", f->value);
            if (!in_scope(l, loc.id))
                return err_set(O2O_EFORBIDDEN, "out_of_scope", "steps", "store %s is outside your scope", f->value);
            *store_id = loc.id;
            return 0;
        }
    return err_set(O2O_EINVAL, "out_of_range", "steps",
                   "a step filters on channel, store, item, category, element, label, page or props.NAME, not %s",
                   f->key);
}

static int cmp_group(const void *a, const void *b, void *arg)
{
    const struct loader *l = arg;
    int x = *(const int *)a, y = *(const int *)b;
    if (l->q->by == BY_DAY)
        return strcmp(l->group_key[x], l->group_key[y]);
    if (l->group_starts[x] != l->group_starts[y])
        return l->group_starts[x] < l->group_starts[y] ? 1 : -1;
    return strcmp(l->group_key[x], l->group_key[y]);
}

int behaviour_funnel(struct db_conn *c, const struct funnel_query *q, struct funnel_answer *out)
{
    struct loader l;
    struct funnel_spec sp;
    uint16_t *masks;
    int rc = 0, *order;
    memset(out, 0, sizeof *out);
    memset(&l, 0, sizeof l);
    if (q->nsteps < 1 || q->nsteps > FUNNEL_MAX_STEPS)
        return err_set(O2O_EINVAL, "out_of_range", "steps", "a funnel has 1 to %d steps", FUNNEL_MAX_STEPS);
    if (q->window_ms <= 0)
        return err_set(O2O_EINVAL, "out_of_range", "window", "the window must be positive");
    if (q->to <= q->from)
        return err_set(O2O_EINVAL, "out_of_range", "to", "to must be after from");
    l.c = c;
    l.q = q;
    rc = set_scope(&l, &q->who);
    for (int k = 0; k < q->nsteps && !rc; k++)
        for (int w = 0; w < q->steps[k].nwhere && !rc; w++)
            rc = check_filter(&l, &q->steps[k].where[w], &l.store_filter[k][w]);
    if (rc) {
        loader_free(&l);
        return rc;
    }
    rc = events_scan(c, q->from, q->to + q->window_ms, funnel_row, &l);
    if (rc) {
        loader_free(&l);
        return rc;
    }
    out->events = l.events;
    out->users = l.nusers;
    if (l.n) {
        struct event_columns ev = {l.n, l.user, l.ts, l.cls, l.nusers};
        masks = xmalloc((1 << 16) * sizeof *masks);
        for (uint32_t m = 0; m < 1 << 16; m++)
            masks[m] = (uint16_t)m;   /* each event's class is the set of steps it matches */
        memset(&sp, 0, sizeof sp);
        sp.masks = masks;
        sp.nsteps = q->nsteps;
        sp.window = q->window_ms;
        funnel_count(&ev, &sp, q->threads, out->reached);
        if (q->by != BY_NONE && l.ngroups) {
            order = xmalloc((size_t)l.ngroups * sizeof *order);
            for (int i = 0; i < l.ngroups; i++)
                order[i] = i;
            qsort_r(order, (size_t)l.ngroups, sizeof *order, cmp_group, &l);
            out->ngroups = l.ngroups < BEHAVIOUR_MAX_GROUPS ? l.ngroups : BEHAVIOUR_MAX_GROUPS;
            out->groups_left_off = l.ngroups - out->ngroups;
            out->groups = xcalloc((size_t)out->ngroups, sizeof *out->groups);
            sp.group = l.grp;
            for (int i = 0; i < out->ngroups; i++) {
                str_copy(out->groups[i].key, sizeof out->groups[i].key, l.group_key[order[i]]);
                sp.start_group = (uint16_t)order[i];
                if (l.group_starts[order[i]])
                    funnel_count(&ev, &sp, q->threads, out->groups[i].reached);
            }
            free(order);
        }
        free(masks);
    }
    loader_free(&l);
    return 0;
}

void funnel_answer_free(struct funnel_answer *a)
{
    free(a->groups);
    memset(a, 0, sizeof *a);
}

/* ---- paths ---- */

static int path_row(const struct event_row *r, void *arg)
{
    struct loader *l = arg;
    int64_t v;
    uint32_t u;
    if (!in_scope(l, r->location_id))
        return 0;
    u = user_of(l, r);
    l->events++;
    if (!strmap_get(&l->names, r->name, &v)) {
        if (l->nnames == MAX_NAMES)
            return err_set(O2O_EINVAL, "out_of_range", "event", "more than %d event names", MAX_NAMES);
        if (!(l->nnames & (l->nnames - 1)) || !l->nnames)
            l->name_of = xrealloc(l->name_of, (size_t)(l->nnames ? 2 * l->nnames : 1) * sizeof *l->name_of);
        l->name_of[l->nnames] = xstrdup(r->name);
        strmap_put(&l->names, r->name, l->nnames);
        v = l->nnames++;
    }
    push(l, u, r->ts, (uint16_t)v, 0);
    return 0;
}

static int cmp_count(const void *a, const void *b)
{
    const struct path_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static struct path_count *top(const struct loader *l, const int64_t *cnt, const char *edge, int limit, int *n)
{
    struct path_count *all = xcalloc((size_t)l->nnames + 1, sizeof *all);
    int m = 0;
    for (int i = 0; i <= l->nnames; i++)
        if (cnt[i]) {
            str_copy(all[m].name, sizeof all[m].name, i < l->nnames ? l->name_of[i] : edge);
            all[m++].count = cnt[i];
        }
    qsort(all, (size_t)m, sizeof *all, cmp_count);
    *n = m < limit ? m : limit;
    return all;
}

int behaviour_paths(struct db_conn *c, const struct principal *who, const char *event, int64_t from, int64_t to,
                    int64_t gap_ms, int limit, struct path_answer *out)
{
    struct loader l;
    int64_t v, *next, *prev;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&l, 0, sizeof l);
    if (to <= from)
        return err_set(O2O_EINVAL, "out_of_range", "to", "to must be after from");
    if (gap_ms <= 0)
        return err_set(O2O_EINVAL, "out_of_range", "gap", "the gap must be positive");
    l.c = c;
    rc = set_scope(&l, who);
    /* the events around the period's edges too, so the first and last
    ** occurrences see what came before and after them */
    if (!rc)
        rc = events_scan(c, from - gap_ms, to + gap_ms, path_row, &l);
    if (rc) {
        loader_free(&l);
        return rc;
    }
    if (!strmap_get(&l.names, event, &v)) {
        loader_free(&l);
        out->next = xcalloc(1, sizeof *out->next);
        out->prev = xcalloc(1, sizeof *out->prev);
        return 0;
    }
    {
        struct event_columns ev = {l.n, l.user, l.ts, l.cls, l.nusers};
        /* only occurrences within [from, to) count: the others get another name */
        uint16_t outside = (uint16_t)l.nnames;
        for (size_t i = 0; i < l.n; i++)
            if (l.cls[i] == v && (l.ts[i] < from || l.ts[i] >= to))
                l.cls[i] = outside;
        next = xcalloc((size_t)l.nnames + 3, sizeof *next);
        prev = xcalloc((size_t)l.nnames + 3, sizeof *prev);
        paths_count(&ev, (uint16_t)(l.nnames + 1), (uint16_t)v, gap_ms, &out->occurrences, next, prev);
        /* fold the renamed occurrences back into the name, and the edge counters */
        next[v] += next[outside];
        prev[v] += prev[outside];
        next[outside] = next[l.nnames + 1];
        prev[outside] = prev[l.nnames + 1];
        out->next = top(&l, next, "(end)", limit, &out->nnext);
        out->prev = top(&l, prev, "(start)", limit, &out->nprev);
        free(next);
        free(prev);
    }
    loader_free(&l);
    return 0;
}

void path_answer_free(struct path_answer *a)
{
    free(a->next);
    free(a->prev);
    memset(a, 0, sizeof *a);
}
