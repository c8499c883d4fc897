/*
** util.c -- shared helpers of the API layer: JSON input parsing with field
** paths, path and query parameters, and the deferred write machinery
** (api_write) with idempotency keys.
*/
#include "api/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/tz.h"
#include "core/util.h"
#include "core/workq.h"
#include "org/idem.h"
#include "org/location.h"
#include "org/settings.h"

#define MODULE_NAME "api"

static struct app *APP;

void api_init(struct app *app)
{
    APP = app;
}

struct app *api_app(void)
{
    return APP;
}

struct db_conn *api_reader(void)
{
    return db_reader(APP->db);
}

/* ---- JSON input ---- */

int jin_str(json_t *o, const char *key, bool required, char *out, size_t cap)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    http_body_declares(key); /* test builds: the route must declare it */
    size_t n;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(O2O_EINVAL, "missing_field", key, "%s is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(O2O_EINVAL, "wrong_type", key, "%s must be a string", key);
    n = json_string_length(v);
    if (n >= cap)
        return err_set(O2O_EINVAL, "too_long", key, "%s is longer than %zu characters", key, cap - 1);
    if (memchr(json_string_value(v), 0, n))
        return err_set(O2O_EINVAL, "wrong_type", key, "%s contains a NUL character", key);
    if (required && n == 0)
        return err_set(O2O_EINVAL, "missing_field", key, "%s must not be empty", key);
    memcpy(out, json_string_value(v), n);
    out[n] = 0;
    return 0;
}

int jin_i64(json_t *o, const char *key, bool required, int64_t min, int64_t max, int64_t *out, bool *present)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    http_body_declares(key); /* test builds: the route must declare it */
    json_int_t x;
    if (present)
        *present = false;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(O2O_EINVAL, "missing_field", key, "%s is required", key);
        return 0;
    }
    if (!json_is_integer(v))
        return err_set(O2O_EINVAL, "wrong_type", key, "%s must be an integer", key);
    x = json_integer_value(v);
    if (x < min || x > max)
        return err_set(O2O_EINVAL, "out_of_range", key, "%s must be within %lld..%lld", key, (long long)min,
                       (long long)max);
    *out = x;
    if (present)
        *present = true;
    return 0;
}

int jin_f64(json_t *o, const char *key, bool required, double min, double max, double *out, bool *present)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    http_body_declares(key); /* test builds: the route must declare it */
    double x;
    if (present)
        *present = false;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(O2O_EINVAL, "missing_field", key, "%s is required", key);
        return 0;
    }
    if (!json_is_number(v))
        return err_set(O2O_EINVAL, "wrong_type", key, "%s must be a number", key);
    x = json_number_value(v);
    if (!isfinite(x) || x < min || x > max)
        return err_set(O2O_EINVAL, "out_of_range", key, "%s must be within %g..%g", key, min, max);
    *out = x;
    if (present)
        *present = true;
    return 0;
}

int jin_bool(json_t *o, const char *key, bool *out, bool *present)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    http_body_declares(key); /* test builds: the route must declare it */
    if (present)
        *present = false;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return err_set(O2O_EINVAL, "wrong_type", key, "%s must be true or false", key);
    *out = json_is_true(v);
    if (present)
        *present = true;
    return 0;
}

int jin_time(json_t *o, const char *key, int64_t *out, bool *present)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    http_body_declares(key); /* test builds: the route must declare it */
    if (present)
        *present = false;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = json_integer_value(v);
    } else if (!json_is_string(v) || parse_iso8601(json_string_value(v), out)) {
        return err_set(O2O_EINVAL, "wrong_type", key, "%s must be an ISO-8601 time or epoch milliseconds", key);
    }
    if (present)
        *present = true;
    return 0;
}

int api_param_id(struct http_req *rq, int idx, const char *what, int64_t *out)
{
    if (parse_i64(rq->params[idx], 1, INT64_MAX, out))
        return err_set(O2O_ENOTFOUND, NULL, NULL, "no %s with id '%.40s'", what, rq->params[idx]);
    return 0;
}

int api_query_int(struct http_req *rq, const char *name, int64_t min, int64_t max, int64_t dflt, int64_t *out)
{
    const char *v = http_query(rq, name);
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (parse_i64(v, min, max, out))
        return err_set(O2O_EINVAL, "out_of_range", name, "%s must be an integer within %lld..%lld", name,
                       (long long)min, (long long)max);
    return 0;
}

json_t *jtime(int64_t ms)
{
    char buf[32];
    if (!ms)
        return json_null();
    fmt_iso8601(buf, ms);
    return json_string(buf);
}

json_t *jstr_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* ---- writes ---- */

struct write_job {
    struct db_job job;            /* must be first */
    struct http_pending *pending;
    api_write_fn fn;
    void *arg;
    struct principal who;
    int ok_status;
    void (*then)(void *arg);      /* after the commit, before arg is freed */
    api_render_fn render;         /* the answer is a view rendered after the commit */
    char scope[48];
    char *key;                    /* Idempotency-Key or NULL */
    char fingerprint[65];
    char rid[24];
    int status;                   /* answer */
    char *body;
    json_t *out;                  /* answer not yet rendered (no idempotency key) */
    bool replayed;
};

static int job_run(struct db_conn *c, void *a)
{
    struct write_job *w = a;
    json_t *out = NULL;
    int rc;
    free(w->body);
    w->body = NULL;
    json_decref(w->out);
    w->out = NULL;
    w->replayed = false;
    if (w->key) {
        bool replay = false;
        int st = 0;
        char *body = NULL;
        rc = idem_claim(c, w->scope, w->key, w->fingerprint, &replay, &st, &body);
        if (rc)
            return rc;
        if (replay) {
            w->status = st;
            w->body = body;
            w->replayed = true;
            return 0;
        }
    }
    err_clear();
    rc = w->fn(c, w->arg, &w->who, &out);
    if (rc) {
        json_decref(out);
        return rc;
    }
    if (!out && err_last()->rc) {
        /* commit, yet answer with the recorded error (e.g. a counted failed attempt) */
        size_t len;
        w->status = http_status_of(err_last()->rc);
        w->body = http_error_body(err_last()->rc, w->rid, &len);
        return 0;
    }
    w->status = w->ok_status;
    if (!w->key) {
        /* rendered in job_done, off the storage writer's thread */
        w->out = out ? out : json_object();
        return 0;
    }
    w->body = out ? json_dumps(out, JSON_COMPACT) : xstrdup("{}");
    json_decref(out);
    if (!w->body)
        return err_set(O2O_ENOMEM, NULL, NULL, "cannot render the answer");
    return idem_store(c, w->scope, w->key, w->status, w->body);
}

/* Render the view of a reference (a worker thread, its own reader). */
static char *render_view(api_render_fn render, const char *ref_text, const char *rid, int *status, size_t *len)
{
    json_t *ref = json_loads(ref_text, 0, NULL), *out = NULL;
    char *body;
    int rc;
    err_clear();
    rc = ref ? render(db_reader(APP->db), ref, &out) : err_set(O2O_EDB, NULL, NULL, "unreadable stored answer");
    json_decref(ref);
    if (rc) {
        *status = http_status_of(rc);
        return http_error_body(rc, rid, len);
    }
    body = out ? json_dumps(out, JSON_COMPACT) : NULL;
    json_decref(out);
    if (!body) {
        err_set(O2O_EDB, NULL, NULL, "a view could not be rendered as JSON");
        *status = 500;
        return http_error_body(O2O_EDB, rid, len);
    }
    *len = strlen(body);
    return body;
}

static void finish_write(struct write_job *w);

static void view_run(void *arg)
{
    struct write_job *w = arg;
    int status = w->status;
    size_t len = 0;
    char *body = render_view(w->render, w->body, w->rid, &status, &len);
    free(w->body);
    w->body = body;
    w->status = status;
    finish_write(w);
}

static void finish_write(struct write_job *w)
{
    /* what follows the commit (a cache marked stale, watchers woken) happens before
    ** the client hears of it: its next request sees the change */
    if (w->then && !w->replayed)
        w->then(w->arg);
    http_complete(w->pending, w->status, w->body, strlen(w->body), w->replayed);
    json_decref(w->out);
    free(w->arg);
    free(w->key);
    free(w);
}

static void job_done(struct db_job *j)
{
    struct write_job *w = (struct write_job *)j;
    if (j->rc) {
        err_restore(&j->err);
        free(w->body);
        http_complete_error(w->pending, j->rc);
    } else {
        if (w->out) {
            w->body = json_dumps(w->out, JSON_COMPACT);
            if (!w->body)
                w->body = xstrdup("{}");
        }
        if (w->render && w->status < 300) {
            /* the storage writer only wrote: the view is read and rendered on a worker */
            workq_submit(APP->work, view_run, w);
            return;
        }
        finish_write(w);
        return;
    }
    json_decref(w->out);
    free(w->arg);
    free(w->key);
    free(w);
}

int api_write(struct http_req *rq, api_write_fn fn, void *arg, int ok_status)
{
    return api_write_then(rq, fn, arg, ok_status, NULL);
}

int api_write_then(struct http_req *rq, api_write_fn fn, void *arg, int ok_status, void (*then)(void *arg))
{
    return api_write_view(rq, fn, arg, ok_status, then, NULL);
}

int api_write_view(struct http_req *rq, api_write_fn fn, void *arg, int ok_status, void (*then)(void *arg),
                   api_render_fn render)
{
    struct write_job *w;
    const char *key = (rq->route->flags & HTTP_IDEMPOTENT) ? rq->idem_key : NULL;
    char fp_src[64];
    if (key && (!*key || strlen(key) > 128)) {
        free(arg);
        return err_set(O2O_EINVAL, "bad_idempotency_key", "Idempotency-Key",
                       "Idempotency-Key must be 1..128 characters");
    }
    w = xcalloc(1, sizeof *w);
    w->fn = fn;
    w->arg = arg;
    w->who = rq->who;
    w->ok_status = ok_status;
    w->then = then;
    w->render = render;
    str_copy(w->rid, sizeof w->rid, rq->rid);
    if (key) {
        /* fingerprint: method, path and body */
        {
            size_t n = strlen(rq->method) + strlen(rq->path) + rq->body_len + 4;
            char *src = xmalloc(n);
            size_t o = 0;
            memcpy(src + o, rq->method, strlen(rq->method));
            o += strlen(rq->method);
            src[o++] = ' ';
            memcpy(src + o, rq->path, strlen(rq->path));
            o += strlen(rq->path);
            src[o++] = '\n';
            memcpy(src + o, rq->body, rq->body_len);
            o += rq->body_len;
            sha256_hex(w->fingerprint, src, o);
            free(src);
        }
        principal_tag(&rq->who, fp_src);
        str_copy(w->scope, sizeof w->scope, fp_src);
        w->key = xstrdup(key);
        /* fast path: a replay of a finished request is answered from the reader */
        {
            bool found = false;
            int st = 0;
            char *body = NULL;
            int rc = idem_peek(api_reader(), w->scope, w->key, w->fingerprint, &found, &st, &body);
            if (rc || found) {
                if (!rc && render && st < 300) {
                    size_t len = 0;
                    char *view = render_view(render, body, rq->rid, &st, &len);
                    http_add_header(rq, "idempotent-replayed", "true");
                    http_reply(rq, st, "application/json", view, len);
                    free(view);
                } else if (!rc) {
                    http_add_header(rq, "idempotent-replayed", "true");
                    http_reply(rq, st, "application/json", body, strlen(body));
                }
                free(body);
                free(w->arg);
                free(w->key);
                free(w);
                return rc;
            }
        }
    }
    w->pending = http_defer(rq);
    w->job.run = job_run;
    w->job.done = job_done;
    w->job.arg = w;
    db_submit(APP->db, &w->job);
    return 0;
}

int api_heavy(struct http_req *rq, struct http_pending **pending, void (*fn)(void *arg), void *arg)
{
    struct workq *q = APP->heavy ? APP->heavy : APP->work;
    if (workq_waiting(q) >= API_HEAVY_WAITING)
        return err_retry_after(err_set(O2O_ERETRY, "busy", NULL, "too many heavy reads are waiting; retry shortly"),
                               2);
    *pending = http_defer(rq); /* before the job can possibly finish */
    workq_submit(q, fn, arg);
    return 0;
}

void api_submit(struct http_req *rq, struct http_pending **pending, struct db_job *job, db_txn_fn run,
                void (*done)(struct db_job *), void *arg)
{
    *pending = http_defer(rq); /* before the job can possibly finish */
    job->run = run;
    job->done = done;
    job->arg = arg;
    db_submit(APP->db, job);
}

int api_scope_tz(struct http_req *rq, char tz[64])
{
    struct location l;
    if (rq->who.scope == SCOPE_LOCATION && rq->who.role != ROLE_MEMBER &&
        !location_cached(api_reader(), rq->who.scope_id, &l) && l.timezone[0]) {
        str_copy(tz, 64, l.timezone);
        return 0;
    }
    return settings_str(api_reader(), "timezone", "UTC", tz, 64);
}

int api_query_time(struct http_req *rq, const char *name, const char *tz, int64_t dflt, int64_t *out)
{
    const char *v = http_query(rq, name);
    *out = dflt;
    if (v && *v && tz_parse_bound(tz, v, out))
        return err_set(O2O_EINVAL, "wrong_type", name, "%s is a date (YYYY-MM-DD, a local day) or an ISO-8601 time",
                       name);
    return 0;
}

int jin_bound(json_t *o, const char *key, const char *tz, int64_t *out, bool *present)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (v && json_is_string(v)) {
        if (tz_parse_bound(tz, json_string_value(v), out))
            return err_set(O2O_EINVAL, "wrong_type", key,
                           "%s must be a date (YYYY-MM-DD, a local day), an ISO-8601 time or epoch milliseconds", key);
        if (present)
            *present = true;
        return 0;
    }
    return jin_time(o, key, out, present);
}

int api_error_at(int rc, const char *list, size_t i)
{
    struct err_rec e;
    char field[200];
    err_save(&e);
    snprintf(field, sizeof field, "%s[%zu]%s%s", list, i, e.field[0] ? "." : "", e.field);
    str_copy(e.field, sizeof e.field, field);
    err_restore(&e);
    return rc;
}

int api_write_as_of(struct http_req *rq, api_write_fn fn)
{
    int64_t *as_of = xmalloc(sizeof *as_of);
    bool present = false;
    int rc = jin_time(rq->json, "as_of", as_of, &present);
    if (rc) {
        free(as_of);
        return rc;
    }
    if (!present)
        *as_of = now_ms();
    return api_write(rq, fn, as_of, 200);
}

json_t *api_page(json_t *items, int64_t limit)
{
    size_t n = json_array_size(items);
    json_t *last = n ? json_object_get(json_array_get(items, n - 1), "id") : NULL;
    return json_pack("{s:o, s:o}", "items", items, "next_cursor",
                     (int64_t)n == limit && last ? json_integer(json_integer_value(last)) : json_null());
}
