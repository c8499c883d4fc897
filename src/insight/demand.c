/*
** demand.c -- demand by category x size x price band per month, with trends,
** forecasts and their backtest (see demand.h). Lines come from order.c; the
** forecasting is analytics/forecast.c. No SQL of its own, no HTTP/JSON.
** Tests: tests/e2e/test_demand.py, tests/unit/test_forecast.c
*/
#include "insight/demand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"
#include "core/mem.h"
#include "core/strmap.h"
#include "core/tz.h"
#include "core/util.h"
#include "org/settings.h"
#include "sales/order_read.h"

#define MIN_TRAIN 2   /* a forecast needs at least this many months before it */

struct row {
    char month[8];
    char key[128];    /* category \t size \t band */
    int64_t units, revenue;
};

struct acc {
    const char *tz;
    int64_t mid, premium;
    char from[8], to[8];
    struct strmap idx;  /* month|key -> row */
    struct row *rows;
    int n, cap;
};

static int on_line(int64_t at, const char *category, const char *size, int64_t price, int64_t qty, int64_t amount,
                   void *arg)
{
    struct acc *a = arg;
    char day[11], key[200], k2[220];
    const char *band = price >= a->premium ? "premium" : price >= a->mid ? "mid" : "budget";
    int64_t i;
    tz_local_day(a->tz, at, day);
    day[7] = 0;
    if ((a->from[0] && strcmp(day, a->from) < 0) || (a->to[0] && strcmp(day, a->to) > 0))
        return 0;
    snprintf(key, sizeof key, "%.64s\t%.32s\t%s", category, size, band);
    snprintf(k2, sizeof k2, "%s|%s", day, key);
    if (!strmap_get(&a->idx, k2, &i)) {
        XGROW(a->rows, a->n, a->cap);
        i = a->n++;
        memset(&a->rows[i], 0, sizeof a->rows[i]);
        str_copy(a->rows[i].month, sizeof a->rows[i].month, day);
        str_copy(a->rows[i].key, sizeof a->rows[i].key, key);
        strmap_put(&a->idx, k2, i);
    }
    a->rows[i].units += qty;
    a->rows[i].revenue += amount;
    return 0;
}

static void month_add(const char *m, int k, char out[8])
{
    unsigned y = (unsigned)strtoul(m, NULL, 10), mo = (unsigned)strtoul(m + 5, NULL, 10) - 1 + (unsigned)k;
    y += mo / 12;
    mo %= 12;
    snprintf(out, 8, "%04u-%02u", y % 10000, (mo + 1) % 100);
}

static int cmp_series(const void *x, const void *y)
{
    const struct demand_series *a = x, *b = y;
    int c;
    if (a->total_units != b->total_units)
        return a->total_units < b->total_units ? 1 : -1;
    if ((c = strcmp(a->category, b->category)))
        return c;
    if ((c = strcmp(a->size, b->size)))
        return c;
    return strcmp(a->band, b->band);
}

int demand_report(struct db_conn *c, const char *from, const char *to, struct demand_report *out)
{
    struct acc a;
    struct strmap series = {0};
    char first[8] = "", last[8] = "";
    double *y, ape_ses = 0, ape_sn = 0;
    int n_ses = 0, n_sn = 0, rc;
    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if ((from && *from && !is_month(from)) || (to && *to && !is_month(to)))
        return err_set(O2O_EINVAL, "wrong_type", from && *from && !is_month(from) ? "from" : "to",
                       "months are YYYY-MM");
    str_copy(a.from, sizeof a.from, from ? from : "");
    str_copy(a.to, sizeof a.to, to ? to : "");
    if ((rc = settings_str(c, "timezone", "Asia/Shanghai", out->timezone, sizeof out->timezone)) ||
        (rc = settings_i64(c, "price_band_mid_fen", 20000, &a.mid)) ||
        (rc = settings_i64(c, "price_band_premium_fen", 100000, &a.premium)))
        return rc;
    a.tz = out->timezone;
    rc = order_demand_lines(c, 946684800000LL, now_ms() + 86400000LL, on_line, &a);
    if (rc)
        goto out;
    for (int i = 0; i < a.n; i++) {
        if (!first[0] || strcmp(a.rows[i].month, first) < 0)
            str_copy(first, sizeof first, a.rows[i].month);
        if (!last[0] || strcmp(a.rows[i].month, last) > 0)
            str_copy(last, sizeof last, a.rows[i].month);
    }
    if (a.from[0])
        str_copy(first, sizeof first, a.from);
    if (a.to[0])
        str_copy(last, sizeof last, a.to);
    if (!first[0] || strcmp(first, last) > 0)
        goto out;
    /* every month from the first to the last, even those without sales */
    for (char m[8] = ""; out->nmonths < 1200;) {
        month_add(first, out->nmonths, m);
        out->months = xrealloc(out->months, (size_t)(out->nmonths + 1) * sizeof *out->months);
        memcpy(out->months[out->nmonths++], m, 8);
        if (!strcmp(m, last))
            break;
    }
    month_add(last, 1, out->next);
    /* a series per category x size x band */
    for (int i = 0; i < a.n; i++) {
        int64_t s;
        int mi = -1;
        struct demand_series *d;
        for (int k = 0; k < out->nmonths; k++)
            if (!strcmp(out->months[k], a.rows[i].month))
                mi = k;
        if (mi < 0)
            continue;
        if (!strmap_get(&series, a.rows[i].key, &s)) {
            char *t1, *t2;
            out->s = xrealloc(out->s, (size_t)(out->n + 1) * sizeof *out->s);
            d = &out->s[out->n];
            memset(d, 0, sizeof *d);
            d->units = xcalloc((size_t)out->nmonths, sizeof *d->units);
            d->revenue = xcalloc((size_t)out->nmonths, sizeof *d->revenue);
            t1 = strchr(a.rows[i].key, '\t');
            t2 = strchr(t1 + 1, '\t');
            snprintf(d->category, sizeof d->category, "%.*s", (int)(t1 - a.rows[i].key), a.rows[i].key);
            snprintf(d->size, sizeof d->size, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
            str_copy(d->band, sizeof d->band, t2 + 1);
            s = out->n++;
            strmap_put(&series, a.rows[i].key, s);
        }
        d = &out->s[s];
        d->units[mi] += a.rows[i].units;
        d->revenue[mi] += a.rows[i].revenue;
        d->total_units += a.rows[i].units;
        d->total_revenue += a.rows[i].revenue;
    }
    y = xmalloc((size_t)out->nmonths * sizeof *y);
    for (int i = 0; i < out->n; i++) {
        struct demand_series *d = &out->s[i];
        double s1 = 0, s2 = 0;
        int n1 = 0, n2 = 0;
        for (int k = 0; k < out->nmonths; k++)
            y[k] = (double)d->units[k];
        d->trend = forecast_trend(y, out->nmonths, 6);
        d->ses = forecast_next(y, out->nmonths, FORECAST_SES, &d->alpha);
        d->snaive = forecast_next(y, out->nmonths, FORECAST_SEASONAL_NAIVE, NULL);
        forecast_backtest(y, out->nmonths, FORECAST_SES, MIN_TRAIN, &s1, &n1);
        forecast_backtest(y, out->nmonths, FORECAST_SEASONAL_NAIVE, MIN_TRAIN, &s2, &n2);
        d->points = n1;
        d->mape_ses = n1 ? 100 * s1 / n1 : -1;
        d->mape_snaive = n2 ? 100 * s2 / n2 : -1;
        ape_ses += s1;
        ape_sn += s2;
        n_ses += n1;
        n_sn += n2;
    }
    free(y);
    out->mape_ses = n_ses ? 100 * ape_ses / n_ses : -1;
    out->mape_snaive = n_sn ? 100 * ape_sn / n_sn : -1;
    out->points = n_ses;
    if (out->n)
        qsort(out->s, (size_t)out->n, sizeof *out->s, cmp_series);
out:
    strmap_free(&a.idx);
    strmap_free(&series);
    free(a.rows);
    if (rc)
        demand_report_free(out);
    return rc;
}

void demand_report_free(struct demand_report *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->s[i].units);
        free(r->s[i].revenue);
    }
    free(r->s);
    free(r->months);
    memset(r, 0, sizeof *r);
}
