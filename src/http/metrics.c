/*
** metrics.c -- request counters by route and status, and a latency histogram
** by route, in Prometheus text format. Lock-free (relaxed atomics).
*/
#include "http/http_int.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/mem.h"

static const int statuses[] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409,
                               413, 414, 417, 422, 429, 431, 500, 501, 503, 505};
#define NSTATUS ((int)(sizeof statuses / sizeof statuses[0]))
static const double bounds_ms[] = {0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000};
#define NBOUNDS ((int)(sizeof bounds_ms / sizeof bounds_ms[0]))

struct route_metrics {
    _Atomic uint64_t by_status[NSTATUS + 1]; /* last: other statuses */
    _Atomic uint64_t hist[NBOUNDS + 1];      /* last: +Inf */
    _Atomic uint64_t sum_us;
};

static struct route_metrics *rm;  /* nroutes + 1 (last: unmatched) */
static size_t nrm;
static _Atomic int64_t conns_now;                      /* open connections */
static _Atomic uint64_t conns_refused[REFUSED_COUNT_]; /* refused at accept, by reason */

void metrics_conn_open(int delta)
{
    atomic_fetch_add_explicit(&conns_now, delta, memory_order_relaxed);
}

void metrics_conn_refused(enum conn_refusal why)
{
    atomic_fetch_add_explicit(&conns_refused[why], 1, memory_order_relaxed);
}

void metrics_init(size_t nroutes)
{
    nrm = nroutes + 1;
    rm = xcalloc(nrm, sizeof *rm);
}

void metrics_free(void)
{
    free(rm);
    rm = NULL;
}

void metrics_record(int route_index, int status, int64_t dur_us)
{
    struct route_metrics *m;
    int s = NSTATUS, b = 0;
    if (!rm)
        return;
    m = &rm[route_index >= 0 && (size_t)route_index < nrm - 1 ? (size_t)route_index : nrm - 1];
    for (int i = 0; i < NSTATUS; i++)
        if (statuses[i] == status)
            s = i;
    while (b < NBOUNDS && dur_us > bounds_ms[b] * 1000)
        b++;
    atomic_fetch_add_explicit(&m->by_status[s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->hist[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (uint64_t)dur_us, memory_order_relaxed);
}

void http_metrics_text(void *vb, const struct http_route *routes, size_t n)
{
    struct buf *b = vb;
    if (!rm)
        return;
    buf_addf(b,
             "# HELP o2o_http_connections Open HTTP connections.\n# TYPE o2o_http_connections gauge\n"
             "o2o_http_connections %lld\n"
             "# HELP o2o_http_connections_refused_total Connections refused at accept: the process or the client "
             "address had too many open.\n# TYPE o2o_http_connections_refused_total counter\n"
             "o2o_http_connections_refused_total{reason=\"server_full\"} %llu\n"
             "o2o_http_connections_refused_total{reason=\"client_full\"} %llu\n",
             (long long)atomic_load(&conns_now), (unsigned long long)atomic_load(&conns_refused[REFUSED_SERVER_FULL]),
             (unsigned long long)atomic_load(&conns_refused[REFUSED_CLIENT_FULL]));
    buf_adds(b, "# HELP o2o_http_requests_total HTTP requests by route and status.\n"
                "# TYPE o2o_http_requests_total counter\n");
    for (size_t i = 0; i < nrm; i++) {
        const char *method = i < n ? routes[i].method : "other";
        const char *pat = i < n ? routes[i].pattern : "unmatched";
        for (int s = 0; s <= NSTATUS; s++) {
            uint64_t v = atomic_load_explicit(&rm[i].by_status[s], memory_order_relaxed);
            if (!v)
                continue;
            if (s < NSTATUS)
                buf_addf(b, "o2o_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                         method, pat, statuses[s], (unsigned long long)v);
            else
                buf_addf(b, "o2o_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %llu\n",
                         method, pat, (unsigned long long)v);
        }
    }
    buf_adds(b, "# HELP o2o_http_request_duration_seconds Request latency by route.\n"
                "# TYPE o2o_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < nrm; i++) {
        const char *method = i < n ? routes[i].method : "other";
        const char *pat = i < n ? routes[i].pattern : "unmatched";
        uint64_t cum = 0;
        for (int k = 0; k <= NBOUNDS; k++)
            cum += atomic_load_explicit(&rm[i].hist[k], memory_order_relaxed);
        if (!cum)
            continue;
        cum = 0;
        for (int k = 0; k <= NBOUNDS; k++) {
            cum += atomic_load_explicit(&rm[i].hist[k], memory_order_relaxed);
            if (k < NBOUNDS)
                buf_addf(b,
                         "o2o_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} "
                         "%llu\n",
                         method, pat, bounds_ms[k] / 1000, (unsigned long long)cum);
            else
                buf_addf(b,
                         "o2o_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} "
                         "%llu\n",
                         method, pat, (unsigned long long)cum);
        }
        buf_addf(b, "o2o_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", method,
                 pat, (double)atomic_load(&rm[i].sum_us) / 1e6);
        buf_addf(b, "o2o_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n", method,
                 pat, (unsigned long long)cum);
    }
}
