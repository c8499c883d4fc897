/*
** api.h -- what the thin resource handlers share: the application context, JSON
** input helpers that record the offending field, and api_write(), which runs a
** write as a transaction body on the storage thread (with Idempotency-Key
** handling) and answers the request when it commits.
*/
#ifndef O2O_API_API_H
#define O2O_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "http/http.h"

struct workq;
struct gateways;
struct carriers;

struct app {
    struct db *db;
    struct workq *work;       /* CPU-heavy jobs (password hashing) */
    struct workq *io;         /* blocking calls to gateways */
    struct workq *heavy;      /* heavy reads (analytics, reports, rules): few threads, low CPU priority */
    bool dev;                 /* development mode: SMS codes are also logged */
    int64_t started_at;
    struct gateways *gateways; /* WeChat Pay / Alipay, as configured (never NULL) */
    struct carriers *carriers; /* carriers that push tracking, as configured (never NULL) */
    struct messengers *messengers; /* SMS / WeChat providers, as configured (never NULL) */
    char public_url[256];     /* how customers reach this server, e.g. for receipt QR codes */
};

/* Set once at start; read-only afterwards. */
void api_init(struct app *app);
struct app *api_app(void);

/* The named shapes the routes' declarations refer to (schemas.c). */
struct http_schema_def;
const struct http_schema_def *api_schemas(size_t *n);

/* Rate limits (api/limits.c): the precheck hook for http_config.precheck, run
** before a body is read; the event intake's limit per device; start and stop. */
int api_precheck(struct http_req *rq);
int api_limit_device(const char *device);
void api_limits_start(void);
void api_limits_stop(void);

/* This thread's read connection. */
struct db_conn *api_reader(void);

/* ---- JSON input: each returns 0 or O2O_EINVAL with the field recorded ---- */
int jin_str(json_t *o, const char *key, bool required, char *out, size_t cap);
/* present may be NULL; out is left alone when absent. */
int jin_i64(json_t *o, const char *key, bool required, int64_t min, int64_t max, int64_t *out, bool *present);
int jin_f64(json_t *o, const char *key, bool required, double min, double max, double *out, bool *present);
int jin_bool(json_t *o, const char *key, bool *out, bool *present);
/* A time: ISO-8601 string or epoch milliseconds. */
int jin_time(json_t *o, const char *key, int64_t *out, bool *present);
/* A period bound in a body: as jin_time, but a date is that local day's start in tz. */
int jin_bound(json_t *o, const char *key, const char *tz, int64_t *out, bool *present);

/* An error about element i of a list in the body: its field becomes list[i].field. */
int api_error_at(int rc, const char *list, size_t i);

/* Path parameter idx as a positive id; O2O_ENOTFOUND when not a number. */
int api_param_id(struct http_req *rq, int idx, const char *what, int64_t *out);
/* The time zone a request's dates are days of: her store's for staff of a store,
** otherwise the chain's (setting timezone). */
int api_scope_tz(struct http_req *rq, char tz[64]);
/* A period bound in the query: a date (YYYY-MM-DD) is that local day's start in
** tz, a time is that instant; dflt when absent. */
int api_query_time(struct http_req *rq, const char *name, const char *tz, int64_t dflt, int64_t *out);
/* Query integer in [min,max] with a default. */
int api_query_int(struct http_req *rq, const char *name, int64_t min, int64_t max, int64_t dflt, int64_t *out);


/* ---- JSON output helpers ---- */
json_t *jtime(int64_t ms);                /* ISO-8601 string, null for 0 */
json_t *jstr_or_null(const char *s);      /* null for "" */
/* {items, next_cursor}: the last item's id when the page is full (limit items), else null; takes items. */
json_t *api_page(json_t *items, int64_t limit);

/* ---- writes ---- */
/* A write body: runs in the transaction, builds *out (new reference) for the answer.
** A body that must commit yet answer with an error (a counted failed attempt)
** returns 0 with *out left NULL after err_set(). */
typedef int (*api_write_fn)(struct db_conn *c, void *arg, const struct principal *who, json_t **out);
/* Run fn(arg) as a write and answer with ok_status and its JSON when it commits.
** arg is malloc'd by the caller and freed here (it must hold no other allocations).
** Honours Idempotency-Key on routes flagged HTTP_IDEMPOTENT. Returns 0 (deferred). */
int api_write(struct http_req *rq, api_write_fn fn, void *arg, int ok_status);
/* A job run on demand as of a time: the body "as_of" (ISO-8601 or epoch ms, default
** now) becomes fn's argument (an int64_t *). */
int api_write_as_of(struct http_req *rq, api_write_fn fn);
/* The same, then then(arg) on the storage thread once the write has committed and
** before the answer goes (not for a replay): e.g. to wake clients waiting for a
** change, or to mark a cache stale so that the client's next request sees it. */
int api_write_then(struct http_req *rq, api_write_fn fn, void *arg, int ok_status, void (*then)(void *arg));
/* The same for a write whose answer is a view: fn returns a small reference (e.g.
** {"order_id": 7}), which the Idempotency-Key stores; after the commit, off the
** storage writer, render(reader, reference, &answer) reads the view. Replays render
** the current view of the same reference. */
typedef int (*api_render_fn)(struct db_conn *c, json_t *ref, json_t **out);
int api_write_view(struct http_req *rq, api_write_fn fn, void *arg, int ok_status, void (*then)(void *arg),
                   api_render_fn render);
/* A heavy read (a funnel, paths, a report, association rules): deferred into
** *pending and run as fn(arg) on the heavy pool, below the tills' priority. While
** API_HEAVY_WAITING wait already, O2O_ERETRY (503 busy, Retry-After) and nothing
** is queued (the caller frees arg). */
#define API_HEAVY_WAITING 16
int api_heavy(struct http_req *rq, struct http_pending **pending, void (*fn)(void *arg), void *arg);
/* Defer rq into *pending (where done() finds it), then queue job with run/done. */
void api_submit(struct http_req *rq, struct http_pending **pending, struct db_job *job, db_txn_fn run,
                void (*done)(struct db_job *), void *arg);





#endif
