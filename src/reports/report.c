/*
** report.c -- daily and monthly reports of a store, a region or the chain
** (see report.h). Owns tables reports and report_subscriptions; the figures
** come from order.c, points.c and member.c. No HTTP or JSON here.
** Tests: tests/e2e/test_reports.py
*/
#include "reports/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/netaddr.h"
#include "core/strmap.h"
#include "core/tz.h"
#include "core/util.h"
#include "member/member.h"
#include "member/points.h"
#include "org/location.h"
#include "org/outbox.h"
#include "org/settings.h"
#include "sales/order_read.h"

/* ---- scope ---- */

struct stores {
    struct location *v;
    int n, cap;
};

static int store_cb(const struct location *l, void *arg)
{
    struct stores *s = arg;
    XGROW(s->v, s->n, s->cap);
    s->v[s->n++] = *l;
    return 0;
}

/* The stores of a region (its whole subtree) or of the chain (region_id 0). */
static int scope_stores(struct db_conn *c, int64_t region_id, struct stores *out)
{
    struct principal p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    p.role = ROLE_OWNER;
    p.scope = region_id ? SCOPE_REGION : SCOPE_CHAIN;
    p.scope_id = region_id;
    return location_list(c, &p, "store", store_cb, out);
}

static bool valid_date(const char *d, int64_t *midnight_utc)
{
    return strlen(d) == 10 && d[4] == '-' && d[7] == '-' && !parse_iso8601(d, midnight_utc);
}

/* [start, end) in UTC of a local day in a time zone. */
static void local_day(const char *tz, int64_t midnight_utc, int64_t *start, int64_t *end)
{
    *start = tz_local_midnight(tz, midnight_utc);
    *end = tz_local_midnight(tz, midnight_utc + 86400000LL);
}

int report_scope_check(struct db_conn *c, const struct principal *who, const char *scope, const char *code)
{
    if (!strcmp(scope, "store")) {
        struct location l;
        if (location_get_by_code(c, code, &l) || strcmp(l.kind, "store"))
            return err_set(O2O_ENOTFOUND, "unknown_location", "store", "no store %.40s", code);
        return scope_check_location(c, who, l.id);
    }
    if (!strcmp(scope, "region")) {
        struct region r;
        if (region_get_by_code(c, code, &r))
            return err_set(O2O_ENOTFOUND, "unknown_region", "region", "no region %.40s", code);
        return scope_check_region(c, who, r.id);
    }
    if (who->scope != SCOPE_CHAIN)
        return err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "the chain's report is for the chain's staff");
    return 0;
}

/* ---- a day ---- */

struct day_acc {
    struct daily_report *r;
    struct strmap skus, members;
    struct report_sku *sku;
    struct report_customer *cust;
    int nsku, csku, ncust, ccust;
};

static struct report_kv *kv(struct report_kv *v, int *n, const char *key)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(v[i].key, key))
            return &v[i];
    if (*n == 8)
        return NULL;
    memset(&v[*n], 0, sizeof v[*n]);
    str_copy(v[*n].key, sizeof v[*n].key, key);
    return &v[(*n)++];
}

static int on_channel(const char *channel, int64_t orders, int64_t sales, void *arg)
{
    struct day_acc *a = arg;
    struct report_kv *x = kv(a->r->channels, &a->r->nchannels, channel);
    if (x)
        x->count += orders, x->amount += sales;
    return 0;
}

static int on_tender(const char *tender, int64_t n, int64_t amount, void *arg)
{
    struct day_acc *a = arg;
    struct report_kv *x = kv(a->r->tenders, &a->r->ntenders, tender);
    if (x)
        x->count += n, x->amount += amount;
    return 0;
}

static int on_sku(const char *code, const char *name, int64_t qty, int64_t amount, void *arg)
{
    struct day_acc *a = arg;
    int64_t at;
    if (!strmap_get(&a->skus, code, &at)) {
        XGROW(a->sku, a->nsku, a->csku);
        at = a->nsku++;
        memset(&a->sku[at], 0, sizeof a->sku[at]);
        str_copy(a->sku[at].code, sizeof a->sku[at].code, code);
        str_copy(a->sku[at].name, sizeof a->sku[at].name, name);
        strmap_put(&a->skus, code, at);
    }
    a->sku[at].qty += qty;
    a->sku[at].amount += amount;
    return 0;
}

static int on_member(int64_t id, const char *name, const char *phone, int64_t orders, int64_t spend, void *arg)
{
    struct day_acc *a = arg;
    char key[24];
    int64_t at;
    snprintf(key, sizeof key, "%" PRId64, id);
    if (!strmap_get(&a->members, key, &at)) {
        XGROW(a->cust, a->ncust, a->ccust);
        at = a->ncust++;
        memset(&a->cust[at], 0, sizeof a->cust[at]);
        a->cust[at].member_id = id;
        str_copy(a->cust[at].name, sizeof a->cust[at].name, name);
        str_copy(a->cust[at].phone, sizeof a->cust[at].phone, phone);
        strmap_put(&a->members, key, at);
    }
    a->cust[at].orders += orders;
    a->cust[at].spend += spend;
    return 0;
}

static int cmp_sku(const void *x, const void *y)
{
    const struct report_sku *a = x, *b = y;
    if (a->qty != b->qty)
        return a->qty < b->qty ? 1 : -1;
    return strcmp(a->code, b->code);
}

static int cmp_cust(const void *x, const void *y)
{
    const struct report_customer *a = x, *b = y;
    if (a->spend != b->spend)
        return a->spend < b->spend ? 1 : -1;
    return a->member_id < b->member_id ? -1 : a->member_id > b->member_id;
}

/* Add one store's (or the whole chain's, loc 0) day to the report. */
static int add_day(struct db_conn *c, struct day_acc *a, int64_t loc, int64_t start, int64_t end,
                   struct report_store *line)
{
    static const struct order_period_cbs cbs = {on_channel, on_tender, on_sku, on_member};
    struct daily_report *r = a->r;
    struct order_period p;
    int64_t issued = 0, redeemed = 0, members = 0;
    int rc = order_period_figures(c, loc, start, end, &cbs, a, &p);
    if (!rc)
        rc = points_period_totals(c, loc, start, end, &issued, &redeemed);
    if (!rc)
        rc = member_count_new(c, loc, start, end, &members);
    if (rc)
        return rc;
    r->orders += p.orders;
    r->sales += p.sales;
    r->returns += p.returns;
    r->returns_amount += p.returns_amount;
    r->pickups_waiting += p.pickups_waiting;
    r->points_issued += issued;
    r->points_redeemed += redeemed;
    r->new_members += members;
    if (line) {
        line->orders = p.orders;
        line->sales = p.sales;
        line->returns_amount = p.returns_amount;
    }
    return 0;
}

/* A store's line of the chain's report: its orders, sales and returns only. */
static int store_line(struct db_conn *c, int64_t loc, int64_t start, int64_t end, struct report_store *line)
{
    static const struct order_period_cbs none = {NULL, NULL, NULL, NULL};
    struct order_period p;
    int rc = order_period_figures(c, loc, start, end, &none, NULL, &p);
    if (!rc) {
        line->orders = p.orders;
        line->sales = p.sales;
        line->returns_amount = p.returns_amount;
    }
    return rc;
}

int report_daily(struct db_conn *c, const char *scope, const char *code, const char *date, struct daily_report *out)
{
    struct day_acc a;
    struct stores st = {0};
    int64_t midnight, start, end;
    int rc = 0;
    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    a.r = out;
    if (!valid_date(date, &midnight))
        return err_set(O2O_EINVAL, "wrong_type", "date", "date is YYYY-MM-DD");
    str_copy(out->scope, sizeof out->scope, scope);
    str_copy(out->date, sizeof out->date, date);
    if (!strcmp(scope, "store")) {
        struct location l;
        if (location_get_by_code(c, code, &l) || strcmp(l.kind, "store"))
            return err_set(O2O_ENOTFOUND, "unknown_location", "store", "no store %.40s", code);
        str_copy(out->code, sizeof out->code, l.code);
        str_copy(out->name, sizeof out->name, l.name);
        str_copy(out->timezone, sizeof out->timezone, l.timezone);
        local_day(l.timezone, midnight, &start, &end);
        rc = add_day(c, &a, l.id, start, end, NULL);
        out->from = start;
        out->to = end;
    } else {
        int64_t region_id = 0;
        if (!strcmp(scope, "region")) {
            struct region r;
            if (region_get_by_code(c, code, &r))
                return err_set(O2O_ENOTFOUND, "unknown_region", "region", "no region %.40s", code);
            region_id = r.id;
            str_copy(out->code, sizeof out->code, r.code);
            str_copy(out->name, sizeof out->name, r.name);
        } else if (strcmp(scope, "chain")) {
            return err_set(O2O_EINVAL, "out_of_range", "scope", "scope is store, region or chain");
        }
        if ((rc = settings_str(c, "timezone", "Asia/Shanghai", out->timezone, sizeof out->timezone)) ||
            (rc = scope_stores(c, region_id, &st)))
            return rc;
        local_day(out->timezone, midnight, &out->from, &out->to);
        out->stores = xcalloc((size_t)st.n + 1, sizeof *out->stores);
        out->nstores = st.n;
        for (int i = 0; i < st.n && !rc; i++) {
            str_copy(out->stores[i].code, sizeof out->stores[i].code, st.v[i].code);
            str_copy(out->stores[i].name, sizeof out->stores[i].name, st.v[i].name);
            local_day(st.v[i].timezone, midnight, &start, &end);
            /* the chain's totals count every order once (deliveries too), below; its
            ** store lines are each store's own day */
            rc = region_id ? add_day(c, &a, st.v[i].id, start, end, &out->stores[i])
                           : store_line(c, st.v[i].id, start, end, &out->stores[i]);
        }
        if (!rc && !region_id)
            rc = add_day(c, &a, 0, out->from, out->to, NULL);
        free(st.v);
    }
    if (!rc) {
        if (a.nsku)
            qsort(a.sku, (size_t)a.nsku, sizeof *a.sku, cmp_sku);
        for (int i = 0; i < a.nsku && out->ntop < REPORT_TOP; i++)
            if (a.sku[i].qty > 0)
                out->top[out->ntop++] = a.sku[i];
        if (a.ncust)
            qsort(a.cust, (size_t)a.ncust, sizeof *a.cust, cmp_cust);
        for (int i = 0; i < a.ncust && i < REPORT_TOP; i++)
            out->customers[out->ncustomers++] = a.cust[i];
    }
    strmap_free(&a.skus);
    strmap_free(&a.members);
    free(a.sku);
    free(a.cust);
    if (rc)
        daily_report_free(out);
    return rc;
}

void daily_report_free(struct daily_report *r)
{
    free(r->stores);
    r->stores = NULL;
    r->nstores = 0;
}

/* ---- months ---- */

struct msku {
    char month[8];
    struct report_sku s;
};

struct month_acc {
    const char *tz;
    struct monthly_report *r;
    struct strmap months, seen, skus;   /* month -> row; "month|member"; "month|sku" -> index */
    struct msku *sku;
    int nsku, csku;
    char from[8], to[8];
};

static struct month_row *month_of(struct month_acc *a, int64_t at, char month[8])
{
    char day[11];
    int64_t i;
    tz_local_day(a->tz, at, day);
    memcpy(month, day, 7);
    month[7] = 0;
    if ((a->from[0] && strcmp(month, a->from) < 0) || (a->to[0] && strcmp(month, a->to) > 0))
        return NULL;
    if (!strmap_get(&a->months, month, &i)) {
        struct monthly_report *r = a->r;
        r->months = xrealloc(r->months, (size_t)(r->n + 1) * sizeof *r->months);
        memset(&r->months[r->n], 0, sizeof r->months[r->n]);
        str_copy(r->months[r->n].month, sizeof r->months[r->n].month, month);
        i = r->n++;
        strmap_put(&a->months, month, i);
    }
    return &a->r->months[i];
}

static int on_month_order(int64_t at, int64_t member, int kept, int64_t net, void *arg)
{
    struct month_acc *a = arg;
    char month[8], key[48];
    int64_t v;
    struct month_row *m = month_of(a, at, month);
    if (!m)
        return 0;
    m->sales += net;
    if (!kept)
        return 0;
    m->orders++;
    snprintf(key, sizeof key, "%s|%" PRId64, month, member);
    if (member && !strmap_get(&a->seen, key, &v)) {
        strmap_put(&a->seen, key, 1);
        m->customers++;
    }
    return 0;
}

static int on_month_line(int64_t at, const char *sku, const char *name, int64_t qty, int64_t amount, void *arg)
{
    struct month_acc *a = arg;
    char month[8], key[80];
    int64_t i;
    if (!month_of(a, at, month))
        return 0;
    snprintf(key, sizeof key, "%s|%s", month, sku);
    if (!strmap_get(&a->skus, key, &i)) {
        XGROW(a->sku, a->nsku, a->csku);
        i = a->nsku++;
        memset(&a->sku[i], 0, sizeof a->sku[i]);
        memcpy(a->sku[i].month, month, 8);
        str_copy(a->sku[i].s.code, sizeof a->sku[i].s.code, sku);
        str_copy(a->sku[i].s.name, sizeof a->sku[i].s.name, name);
        strmap_put(&a->skus, key, i);
    }
    a->sku[i].s.qty += qty;
    a->sku[i].s.amount += amount;
    return 0;
}

static int cmp_msku(const void *x, const void *y)
{
    return cmp_sku(&((const struct msku *)x)->s, &((const struct msku *)y)->s);
}

static int cmp_month(const void *x, const void *y)
{
    return strcmp(((const struct month_row *)x)->month, ((const struct month_row *)y)->month);
}

int report_monthly(struct db_conn *c, const char *scope, const char *code, const char *from, const char *to,
                   struct monthly_report *out)
{
    struct month_acc a;
    struct stores st = {0};
    int64_t start = 946684800000LL, end = now_ms() + 86400000LL, region_id = 0;
    int rc = 0;
    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    for (int k = 0; k < 2; k++) {
        const char *m = k ? to : from;
        if (m && *m && !is_month(m))
            return err_set(O2O_EINVAL, "wrong_type", k ? "to" : "from", "months are YYYY-MM");
    }
    str_copy(a.from, sizeof a.from, from ? from : "");
    str_copy(a.to, sizeof a.to, to ? to : "");
    a.r = out;
    str_copy(out->scope, sizeof out->scope, scope);
    if (!strcmp(scope, "store")) {
        struct location l;
        if (location_get_by_code(c, code, &l) || strcmp(l.kind, "store"))
            return err_set(O2O_ENOTFOUND, "unknown_location", "store", "no store %.40s", code);
        str_copy(out->code, sizeof out->code, l.code);
        str_copy(out->name, sizeof out->name, l.name);
        str_copy(out->timezone, sizeof out->timezone, l.timezone);
        st.v = xmalloc(sizeof *st.v);
        st.v[0] = l;
        st.n = 1;
    } else {
        if (!strcmp(scope, "region")) {
            struct region r;
            if (region_get_by_code(c, code, &r))
                return err_set(O2O_ENOTFOUND, "unknown_region", "region", "no region %.40s", code);
            region_id = r.id;
            str_copy(out->code, sizeof out->code, r.code);
            str_copy(out->name, sizeof out->name, r.name);
            rc = scope_stores(c, region_id, &st);
        } else if (strcmp(scope, "chain")) {
            return err_set(O2O_EINVAL, "out_of_range", "scope", "scope is store, region or chain");
        }
        if (!rc)
            rc = settings_str(c, "timezone", "Asia/Shanghai", out->timezone, sizeof out->timezone);
        if (rc) {
            free(st.v);
            return rc;
        }
    }
    a.tz = out->timezone;
    if (!strcmp(scope, "chain")) {
        rc = order_period_rows(c, 0, start, end, on_month_order, &a);
        if (!rc)
            rc = order_period_lines(c, 0, start, end, on_month_line, &a);
    } else {
        for (int i = 0; i < st.n && !rc; i++) {
            rc = order_period_rows(c, st.v[i].id, start, end, on_month_order, &a);
            if (!rc)
                rc = order_period_lines(c, st.v[i].id, start, end, on_month_line, &a);
        }
    }
    free(st.v);
    if (!rc) {
        /* best sellers: every (month, SKU) by quantity, handed to its month's top list */
        if (a.nsku)
            qsort(a.sku, (size_t)a.nsku, sizeof *a.sku, cmp_msku);
        for (int i = 0; i < a.nsku; i++) {
            int64_t m;
            struct month_row *row;
            if (a.sku[i].s.qty <= 0 || !strmap_get(&a.months, a.sku[i].month, &m))
                continue;
            row = &out->months[m];
            if (row->ntop < REPORT_MONTH_TOP)
                row->top[row->ntop++] = a.sku[i].s;
        }
    }
    if (out->n)
        qsort(out->months, (size_t)out->n, sizeof *out->months, cmp_month);
    strmap_free(&a.months);
    strmap_free(&a.seen);
    strmap_free(&a.skus);
    free(a.sku);
    if (rc)
        monthly_report_free(out);
    return rc;
}

void monthly_report_free(struct monthly_report *r)
{
    free(r->months);
    r->months = NULL;
    r->n = 0;
}

/* ---- stored reports ---- */

int report_save(struct db_conn *c, const char *scope, const char *code, const char *date, const char *body,
                int64_t *id)
{
    struct db_stmt *s = NULL;
    int64_t scope_id = 0;
    const char *kind = !strcmp(scope, "store") ? "location" : scope;
    char payload[32];
    int rc;
    *id = 0;
    rc = db_query(c, &s,
                  "INSERT INTO reports (kind, scope, code, day, body, created_at) VALUES ('daily', $1, $2, $3, $4, $5) "
                  "ON CONFLICT (kind, scope, code, day) DO NOTHING RETURNING id",
                  "tttti", scope, code, date, body, now_ms());
    if (rc == DB_ROW)
        *id = db_col_i64(s, 0);
    db_done(s);
    if (rc < 0 || !*id)
        return rc < 0 ? rc : 0; /* built already (by another process) */
    /* its subscribers: staff whose scope is exactly this one */
    if (!strcmp(scope, "store")) {
        struct location l;
        if ((rc = location_get_by_code(c, code, &l)))
            return rc;
        scope_id = l.id;
    } else if (!strcmp(scope, "region")) {
        struct region r;
        if ((rc = region_get_by_code(c, code, &r)))
            return rc;
        scope_id = r.id;
    }
    snprintf(payload, sizeof payload, "report:%" PRId64, *id);
    {
        char channel[8][8], target[8][257];
        int n = 0;
        int64_t after = 0;
        /* in pages, so that outbox_add does not run while the query is open */
        for (;;) {
            int64_t last = after;
            n = 0;
            rc = db_query(c, &s,
                          "SELECT rs.id, rs.channel, rs.target FROM report_subscriptions rs JOIN staff st ON "
                          "st.id = rs.staff_id WHERE rs.id > $1 AND st.active = 1 AND st.scope_kind = $2 AND "
                          "COALESCE(st.scope_id, 0) = $3 AND (st.role = 'owner' OR st.role = 'region_manager' OR "
                          "st.role = 'store_manager') ORDER BY rs.id LIMIT 8",
                          "iti", after, kind, scope_id);
            while (rc == DB_ROW && n < 8) {
                last = db_col_i64(s, 0);
                str_copy(channel[n], sizeof channel[n], db_col_text(s, 1));
                str_copy(target[n], sizeof target[n], db_col_text(s, 2));
                n++;
                rc = db_step(s);
            }
            db_done(s);
            if (rc < 0)
                return rc;
            for (int i = 0; i < n; i++)
                if ((rc = outbox_add(c, channel[i], target[i], payload)))
                    return rc;
            if (n < 8)
                break;
            after = last;
        }
    }
    return 0;
}

int report_stored(struct db_conn *c, const char *scope, const char *code, const char *date, char **body)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT body FROM reports WHERE kind = 'daily' AND scope = $1 AND code = $2 AND day = $3", "ttt",
                      scope, code, date);
    *body = NULL;
    if (rc == DB_ROW)
        *body = xstrdup(db_col_text(s, 0));
    db_done(s);
    if (rc < 0)
        return rc;
    return *body ? 0 : O2O_ENOTFOUND;
}

int report_body(struct db_conn *c, int64_t id, char scope[8], char code[65], char date[11], char **body)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT scope, code, day, body FROM reports WHERE id = $1", "i", id);
    *body = NULL;
    if (rc == DB_ROW) {
        str_copy(scope, 8, db_col_text(s, 0));
        str_copy(code, 65, db_col_text(s, 1));
        str_copy(date, 11, db_col_text(s, 2));
        *body = xstrdup(db_col_text(s, 3));
    }
    db_done(s);
    if (rc < 0)
        return rc;
    return *body ? 0 : err_set(O2O_ENOTFOUND, "unknown_report", NULL, "no report %" PRId64, id);
}

/* The reports stored for days from `since` on, as "scope|code|day" (one query
** per pass of report_due, not one per store). */
static int load_stored(struct db_conn *c, const char *since, struct strmap *done)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT scope, code, day FROM reports WHERE kind = 'daily' AND day >= $1", "t", since);
    while (rc == DB_ROW) {
        char key[96];
        snprintf(key, sizeof key, "%s|%s|%s", db_col_text(s, 0), db_col_text(s, 1), db_col_text(s, 2));
        strmap_put(done, key, 1);
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

static bool is_stored(const struct strmap *done, const char *scope, const char *code, const char *date)
{
    char key[96];
    int64_t v;
    snprintf(key, sizeof key, "%s|%s|%s", scope, code, date);
    return strmap_get(done, key, &v);
}

/* Build one due report and remember it as stored. */
struct due {
    struct strmap done;
    int (*cb)(const char *scope, const char *code, const char *date, void *arg);
    void *arg;
};

static int build(struct due *d, const char *scope, const char *code, const char *date)
{
    char key[96];
    int rc = d->cb(scope, code, date, d->arg);
    snprintf(key, sizeof key, "%s|%s|%s", scope, code, date);
    if (!rc)
        strmap_put(&d->done, key, 1);
    return rc;
}

/* The latest local day of a store whose closing time has passed, and the local
** day it was created (its first report is for that day). */
static void closed_day(const struct location *l, int64_t now, char day[11], char created[11])
{
    int close = 21 * 60, local = tz_local_minute(l->timezone, now);
    parse_hhmm(l->closes_at, &close);
    /* closing at 24:00: the day ends at midnight, so today is never closed yet */
    tz_local_day(l->timezone, now - (local < close ? 86400000LL : 0), day);
    tz_local_day(l->timezone, l->created_at, created);
}

struct regions {
    struct region *v;
    int n, cap;
};

static int region_cb(const struct region *r, void *arg)
{
    struct regions *rs = arg;
    XGROW(rs->v, rs->n, rs->cap);
    rs->v[rs->n++] = *r;
    return 0;
}

/* A region's or the chain's report is due for the earliest day its stores have
** all closed (among stores that have had a day yet), once every store that
** existed that day has its own report for it. */
static int scope_due(struct due *du, const struct stores *st, int64_t now, const char *scope, const char *code)
{
    char day[11] = "", d[11], created[11];
    for (int i = 0; i < st->n; i++) {
        closed_day(&st->v[i], now, d, created);
        if (strcmp(d, created) >= 0 && (!day[0] || strcmp(d, day) < 0))
            str_copy(day, sizeof day, d);
    }
    if (!day[0] || is_stored(&du->done, scope, code, day))
        return 0;
    for (int i = 0; i < st->n; i++) {
        closed_day(&st->v[i], now, d, created);
        if (strcmp(created, day) > 0)
            continue; /* opened after that day */
        if (strcmp(d, day) < 0 || !is_stored(&du->done, "store", st->v[i].code, day))
            return 0;
    }
    return build(du, scope, code, day);
}

int report_due(struct db_conn *c, int64_t now,
               int (*cb)(const char *scope, const char *code, const char *date, void *arg), void *arg)
{
    struct stores all = {0};
    struct regions rs = {0};
    struct due du = {{0}, cb, arg};
    char since[11] = "";
    int rc = scope_stores(c, 0, &all);
    for (int i = 0; i < all.n && !rc; i++) {
        char day[11], created[11];
        closed_day(&all.v[i], now, day, created);
        if (!since[0] || strcmp(day, since) < 0)
            str_copy(since, sizeof since, day);
    }
    if (!rc && since[0])
        rc = load_stored(c, since, &du.done);
    for (int i = 0; i < all.n && !rc; i++) {
        char day[11], created[11];
        closed_day(&all.v[i], now, day, created);
        if (strcmp(day, created) >= 0 && !is_stored(&du.done, "store", all.v[i].code, day))
            rc = build(&du, "store", all.v[i].code, day);
    }
    if (!rc)
        rc = region_list(c, region_cb, &rs);
    for (int r = 0; r < rs.n && !rc; r++) {
        struct stores st;
        if ((rc = scope_stores(c, rs.v[r].id, &st)))
            break;
        rc = scope_due(&du, &st, now, "region", rs.v[r].code);
        free(st.v);
    }
    if (!rc)
        rc = scope_due(&du, &all, now, "chain", "");
    strmap_free(&du.done);
    free(rs.v);
    free(all.v);
    return rc;
}

/* ---- subscriptions ---- */

/* A webhook that names an internal address (or localhost) outright is refused
** when it is given, unless the chain allows that network; a name that resolves
** to one is refused when the delivery connects (net/httpc.c). */
static int check_webhook_host(struct db_conn *c, const char *url)
{
    const char *h = strstr(url, "://") + 3, *end, *at;
    char host[256], allowed[256];
    struct netlist l;
    struct addr a;
    size_t n;
    int rc;
    end = h + strcspn(h, "/?#");
    at = memchr(h, '@', (size_t)(end - h));
    if (at)
        h = at + 1;
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        n = close ? (size_t)(close - h) + 1 : (size_t)(end - h);
    } else {
        n = strcspn(h, ":/?#");
    }
    if (n == 0 || n >= sizeof host)
        return err_set(O2O_EINVAL, "out_of_range", "webhook", "a webhook is an http(s) URL with a host");
    memcpy(host, h, n);
    host[n] = 0;
    if (addr_parse(&a, host, n) && strcasecmp(host, "localhost") && strcasecmp(host, "localhost."))
        return 0; /* a name: checked when the delivery connects */
    if (addr_parse(&a, host, n))
        addr_parse(&a, "127.0.0.1", 9);
    if (!addr_is_internal(&a))
        return 0;
    rc = settings_str(c, "webhook_allowed_networks", "", allowed, sizeof allowed);
    if (rc)
        return rc;
    if (!netlist_parse(&l, allowed, host)) {
        bool ok = netlist_has(&l, &a);
        netlist_free(&l);
        if (ok)
            return 0;
    }
    return err_set(O2O_EINVAL, "internal_target", "webhook",
                   "a webhook may not reach a loopback, private or link-local address (setting "
                   "webhook_allowed_networks allows a network)");
}

int report_subscribe(struct db_conn *c, int64_t staff_id, const char *channel, const char *target,
                     struct report_subscription *out)
{
    struct db_stmt *s = NULL;
    int rc;
    if (!strcmp(channel, "email")) {
        const char *at = strchr(target, '@');
        if (!at || at == target || !strchr(at, '.') || strpbrk(target, " \r\n<>,;") || strlen(target) > 254)
            return err_set(O2O_EINVAL, "out_of_range", "email", "not an e-mail address");
    } else if (!strcmp(channel, "webhook")) {
        if ((strncmp(target, "https://", 8) && strncmp(target, "http://", 7)) || strpbrk(target, " \r\n") ||
            strlen(target) > 256)
            return err_set(O2O_EINVAL, "out_of_range", "webhook", "a webhook is an http(s) URL");
        if ((rc = check_webhook_host(c, target)))
            return rc;
    } else {
        return err_set(O2O_EINVAL, "out_of_range", "channel", "channel is email or webhook");
    }
    rc = db_query(c, &s,
                  "INSERT INTO report_subscriptions (staff_id, channel, target, created_at) VALUES ($1, $2, $3, $4) "
                  "ON CONFLICT (staff_id, channel, target) DO UPDATE SET created_at = report_subscriptions.created_at "
                  "RETURNING id",
                  "itti", staff_id, channel, target, now_ms());
    memset(out, 0, sizeof *out);
    if (rc == DB_ROW) {
        out->id = db_col_i64(s, 0);
        out->staff_id = staff_id;
        str_copy(out->channel, sizeof out->channel, channel);
        str_copy(out->target, sizeof out->target, target);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int report_unsubscribe(struct db_conn *c, int64_t staff_id, int64_t id)
{
    int64_t n = db_exec(c, "DELETE FROM report_subscriptions WHERE id = $1 AND staff_id = $2", "ii", id, staff_id);
    if (n < 0)
        return (int)n;
    return n ? 0 : err_set(O2O_ENOTFOUND, "unknown_subscription", NULL, "no subscription %" PRId64 " of yours", id);
}

int report_subscriptions(struct db_conn *c, int64_t staff_id,
                         int (*cb)(const struct report_subscription *s, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct report_subscription x;
    int rc = db_query(c, &s,
                      "SELECT id, channel, target FROM report_subscriptions WHERE staff_id = $1 ORDER BY id", "i",
                      staff_id);
    while (rc == DB_ROW) {
        memset(&x, 0, sizeof x);
        x.id = db_col_i64(s, 0);
        x.staff_id = staff_id;
        str_copy(x.channel, sizeof x.channel, db_col_text(s, 1));
        str_copy(x.target, sizeof x.target, db_col_text(s, 2));
        rc = cb(&x, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
