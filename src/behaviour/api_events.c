/*
** api_events.c -- HTTP handlers for behaviour events: the batch intake
** (POST /v1/events), the web snippet that feeds it (/o2o.js), and funnels and
** paths over what was recorded.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "behaviour/behaviour.h"
#include "behaviour/events.h"
#include "behaviour/handlers.h"
#include "core/mem.h"
#include "core/util.h"
#include "core/workq.h"
#include "org/settings.h"

extern const char asset_o2o_js[];
extern const size_t asset_o2o_js_len;

int api_snippet(struct http_req *rq)
{
    http_add_header(rq, "cache-control", "public, max-age=300");
    return http_reply(rq, 200, "application/javascript; charset=utf-8", asset_o2o_js, asset_o2o_js_len);
}

/* ---- intake ---- */

struct batch_arg {
    int n;
    struct event_in ev[];
};

/* Other properties as key=value lines: names of letters, digits and '_', values
** strings, numbers or booleans. */
static int props_text(json_t *o, char *out, size_t cap)
{
    const char *k;
    json_t *v;
    size_t at = 0;
    out[0] = 0;
    if (!o || json_is_null(o))
        return 0;
    if (!json_is_object(o))
        return err_set(O2O_EINVAL, "wrong_type", "props", "props must be an object");
    json_object_foreach(o, k, v) {
        char val[256];
        int w;
        if (!*k || strlen(k) > 32 || strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                                         strlen(k))
            return err_set(O2O_EINVAL, "out_of_range", "props", "property names are letters, digits and '_'");
        if (json_is_string(v) && json_string_length(v) < sizeof val && !strpbrk(json_string_value(v), "\n\r") &&
            strlen(json_string_value(v)) == json_string_length(v))
            str_copy(val, sizeof val, json_string_value(v));
        else if (json_is_integer(v))
            snprintf(val, sizeof val, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            snprintf(val, sizeof val, "%.17g", json_real_value(v));
        else if (json_is_boolean(v))
            str_copy(val, sizeof val, json_is_true(v) ? "true" : "false");
        else
            return err_set(O2O_EINVAL, "wrong_type", "props",
                           "props.%.32s must be a one-line string (under 256 bytes), a number or a boolean", k);
        w = snprintf(out + at, cap - at, "%s%s=%s", at ? "\n" : "", k, val);
        if (w < 0 || (size_t)w >= cap - at)
            return err_set(O2O_EINVAL, "too_long", "props", "props are longer than %zu bytes", cap - 1);
        at += (size_t)w;
    }
    return 0;
}

static int read_event(json_t *o, const struct principal *who, const char *dflt_channel, int64_t now,
                      struct event_in *e)
{
    bool present;
    json_t *id = json_object_get(o, "id");
    int rc = 0;
    if (!json_is_object(o))
        return err_set(O2O_EINVAL, "wrong_type", "", "an event is an object");
    memset(e, 0, sizeof *e);
    str_copy(e->channel, sizeof e->channel, dflt_channel);
    if (json_is_integer(id))
        snprintf(e->key, sizeof e->key, "%lld", (long long)json_integer_value(id));
    else
        rc = jin_str(o, "id", false, e->key, sizeof e->key);
    if (!rc)
        rc = jin_str(o, "name", true, e->name, sizeof e->name);
    if (!rc)
        rc = jin_str(o, "channel", false, e->channel, sizeof e->channel);
    if (!rc)
        rc = jin_str(o, "device_id", false, e->device, sizeof e->device);
    if (!rc)
        rc = jin_i64(o, "member_id", false, 1, INT64_MAX, &e->member_id, NULL);
    if (!rc)
        rc = jin_str(o, "store", false, e->store, sizeof e->store);
    if (!rc)
        rc = jin_str(o, "item", false, e->item, sizeof e->item);
    if (!rc)
        rc = jin_str(o, "category", false, e->category, sizeof e->category);
    if (!rc)
        rc = jin_str(o, "element", false, e->element, sizeof e->element);
    if (!rc)
        rc = jin_str(o, "label", false, e->label, sizeof e->label);
    if (!rc && !e->label[0])
        rc = jin_str(o, "query", false, e->label, sizeof e->label);
    if (!rc)
        rc = jin_str(o, "page", false, e->page, sizeof e->page);
    if (!rc)
        rc = jin_i64(o, "value", false, -100000000000LL, 100000000000LL, &e->value, &e->has_value);
    if (!rc)
        rc = props_text(json_object_get(o, "props"), e->props, sizeof e->props);
    e->ts = now;
    if (!rc)
        rc = jin_time(o, "ts", &e->ts, &present);
    if (rc)
        return rc;
    /* whose events: a member sends her own; anonymous senders send a device's;
    ** channels and staff may name the member */
    if (who->role == ROLE_MEMBER) {
        if (e->member_id && e->member_id != who->id)
            return err_set(O2O_EFORBIDDEN, "out_of_scope", "member_id", "a member sends her own events only");
        e->member_id = who->id;
    } else if (who->role == ROLE_PUBLIC && e->member_id) {
        return err_set(O2O_EUNAUTH, "missing_token", "member_id", "a member's events need her token or a channel key");
    }
    return event_check(e, now);
}

static int store_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct batch_arg *a = arg;
    int stored = 0, rc = events_store(c, a->ev, a->n, now_ms(), &stored);
    (void)who;
    if (!rc)
        *out = json_pack("{s:i, s:i, s:i}", "received", a->n, "stored", stored, "duplicates", a->n - stored);
    return rc;
}

int api_events_create(struct http_req *rq)
{
    json_t *list = json_object_get(rq->json, "events"), *v;
    struct batch_arg *a;
    char channel[16] = "web";
    int64_t now = now_ms();
    size_t i;
    int rc = 0;
    if (!list)
        return err_set(O2O_EINVAL, "missing_field", "events", "events is required: a list of events");
    if (!json_is_array(list))
        return err_set(O2O_EINVAL, "wrong_type", "events", "events must be a list of events");
    if (json_array_size(list) == 0 || json_array_size(list) > EVENTS_MAX_BATCH)
        return err_set(O2O_EINVAL, "out_of_range", "events", "a batch has 1 to %d events", EVENTS_MAX_BATCH);
    if (rq->who.role == ROLE_CHANNEL && rq->who.channel[0])
        str_copy(channel, sizeof channel, rq->who.channel);
    rc = jin_str(rq->json, "channel", false, channel, sizeof channel);
    if (rc)
        return rc;
    a = xmalloc(sizeof *a + json_array_size(list) * sizeof a->ev[0]);
    a->n = (int)json_array_size(list);
    json_array_foreach(list, i, v) {
        if ((rc = read_event(v, &rq->who, channel, now, &a->ev[i])))
            break;
    }
    if (rc) {
        free(a);
        return api_error_at(rc, "events", i);
    }
    /* an anonymous sender's batches are limited per device too (each distinct device takes one) */
    for (int k = 0; !rc && rq->who.role == ROLE_PUBLIC && !rq->trusted && k < a->n; k++)
        if (a->ev[k].device[0] && (k == 0 || strcmp(a->ev[k].device, a->ev[k - 1].device)))
            rc = api_limit_device(a->ev[k].device);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, store_body, a, 200);
}

/* ---- funnels and paths ---- */

/* A time of the body (ISO-8601 or epoch ms) with a default. */
static int body_time(json_t *o, const char *name, const char *tz, int64_t dflt, int64_t *out)
{
    *out = dflt;
    return jin_bound(o, name, tz, out, NULL);
}

static int span_of(json_t *o, const char *key, int64_t dflt, int64_t *ms)
{
    json_t *v = json_object_get(o, key);
    *ms = dflt;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= 3650LL * 86400) {
        *ms = json_integer_value(v) * 1000;
        return 0;
    }
    if (json_is_string(v) && !parse_span_ms(json_string_value(v), ms))
        return 0;
    return err_set(O2O_EINVAL, "out_of_range", key, "%s is a span such as 7d, 12h, 30m or seconds", key);
}

static int read_step(json_t *v, struct behaviour_step *st)
{
    json_t *where;
    const char *k;
    json_t *x;
    int rc;
    memset(st, 0, sizeof *st);
    if (json_is_string(v)) {
        if (json_string_length(v) >= sizeof st->name || !json_string_length(v))
            return err_set(O2O_EINVAL, "out_of_range", "steps", "a step names an event");
        str_copy(st->name, sizeof st->name, json_string_value(v));
        return 0;
    }
    if (!json_is_object(v))
        return err_set(O2O_EINVAL, "wrong_type", "steps", "a step is an event name or {\"name\", \"where\"}");
    if ((rc = jin_str(v, "name", true, st->name, sizeof st->name)))
        return rc;
    where = json_object_get(v, "where");
    if (!where || json_is_null(where))
        return 0;
    if (!json_is_object(where) || json_object_size(where) > BEHAVIOUR_MAX_WHERE)
        return err_set(O2O_EINVAL, "wrong_type", "where", "where is an object of up to %d property: value pairs",
                       BEHAVIOUR_MAX_WHERE);
    json_object_foreach(where, k, x) {
        struct behaviour_filter *f = &st->where[st->nwhere++];
        if (strlen(k) >= sizeof f->key)
            return err_set(O2O_EINVAL, "too_long", "where", "a property name is too long");
        str_copy(f->key, sizeof f->key, k);
        if (json_is_string(x) && json_string_length(x) < sizeof f->value)
            str_copy(f->value, sizeof f->value, json_string_value(x));
        else if (json_is_integer(x))
            snprintf(f->value, sizeof f->value, "%lld", (long long)json_integer_value(x));
        else
            return err_set(O2O_EINVAL, "wrong_type", "where", "where.%.32s must be a string or an integer", k);
    }
    return 0;
}

static json_t *render_steps(const struct funnel_query *q, const int64_t *reached)
{
    json_t *a = json_array();
    for (int k = 0; k < q->nsteps; k++) {
        double conv = k == 0 ? 1 : reached[k - 1] ? (double)reached[k] / (double)reached[k - 1] : 0;
        double overall = reached[0] ? (double)reached[k] / (double)reached[0] : 0;
        json_array_append_new(a, json_pack("{s:s, s:I, s:f, s:f}", "name", q->steps[k].name, "users",
                                           (json_int_t)reached[k], "conversion",
                                           (double)(int64_t)(conv * 10000 + 0.5) / 10000, "overall",
                                           (double)(int64_t)(overall * 10000 + 0.5) / 10000));
    }
    return a;
}

struct funnel_job {
    struct http_pending *pending;
    char rid[40];
    struct funnel_query q;
};

static void finish(struct http_pending *p, int rc, json_t *o)
{
    if (rc) {
        http_complete_error(p, rc);
        return;
    }
    http_complete_json(p, 200, o);
}

static void funnel_work(void *arg)
{
    static const char *bys[] = {NULL, "channel", "store", "day"};
    struct funnel_job *j = arg;
    struct funnel_answer a;
    json_t *o = NULL;
    int rc;
    err_clear();
    rc = behaviour_funnel(db_reader(api_app()->db), &j->q, &a);
    if (!rc) {
        o = json_pack("{s:o, s:o, s:I, s:I, s:I, s:o}", "from", jtime(j->q.from), "to", jtime(j->q.to), "window_s",
                      (json_int_t)(j->q.window_ms / 1000), "events", (json_int_t)a.events, "users",
                      (json_int_t)a.users, "steps", render_steps(&j->q, a.reached));
        if (j->q.by != BY_NONE) {
            json_t *g = json_array();
            for (int i = 0; i < a.ngroups; i++)
                json_array_append_new(g, json_pack("{s:s, s:o}", "key", a.groups[i].key, "steps",
                                                   render_steps(&j->q, a.groups[i].reached)));
            json_object_set_new(o, "by", json_string(bys[j->q.by]));
            json_object_set_new(o, "groups", g);
            json_object_set_new(o, "groups_left_off", json_integer(a.groups_left_off));
        }
        funnel_answer_free(&a);
    }
    finish(j->pending, rc, o);
    free(j);
}

int api_funnel(struct http_req *rq)
{
    struct funnel_job *j = xcalloc(1, sizeof *j);
    json_t *steps = json_object_get(rq->json, "steps"), *v;
    char by[16] = "";
    int64_t now = now_ms();
    size_t i;
    int rc = 0;
    if (!steps)
        rc = err_set(O2O_EINVAL, "missing_field", "steps", "steps is required: a list of 1 to %d steps",
                     FUNNEL_MAX_STEPS);
    else if (!json_is_array(steps))
        rc = err_set(O2O_EINVAL, "wrong_type", "steps", "steps is a list of 1 to %d steps", FUNNEL_MAX_STEPS);
    else if (json_array_size(steps) < 1 || json_array_size(steps) > FUNNEL_MAX_STEPS)
        rc = err_set(O2O_EINVAL, "out_of_range", "steps", "steps is a list of 1 to %d steps", FUNNEL_MAX_STEPS);
    json_array_foreach(steps, i, v) {
        if (rc)
            break;
        if ((rc = read_step(v, &j->q.steps[i])))
            break;
        j->q.nsteps++;
    }
    /* its days (dates given, by=day) are the local days of the scope, or of the zone asked for */
    if (!rc)
        rc = api_scope_tz(rq, j->q.tz);
    if (!rc)
        rc = jin_str(rq->json, "timezone", false, j->q.tz, sizeof j->q.tz);
    if (!rc)
        rc = span_of(rq->json, "window", 7 * 86400000LL, &j->q.window_ms);
    if (!rc)
        rc = body_time(rq->json, "to", j->q.tz, now + 1, &j->q.to);
    if (!rc)
        rc = body_time(rq->json, "from", j->q.tz, j->q.to - 30 * 86400000LL, &j->q.from);
    if (!rc && j->q.to <= j->q.from)
        rc = err_set(O2O_EINVAL, "out_of_range", "to", "to must be after from");
    if (!rc)
        rc = jin_str(rq->json, "by", false, by, sizeof by);
    if (!rc && by[0]) {
        if (!strcmp(by, "channel"))
            j->q.by = BY_CHANNEL;
        else if (!strcmp(by, "store"))
            j->q.by = BY_STORE;
        else if (!strcmp(by, "day"))
            j->q.by = BY_DAY;
        else
            rc = err_set(O2O_EINVAL, "out_of_range", "by", "by is channel, store or day");
    }
    if (rc) {
        free(j);
        return rc;
    }
    j->q.threads = 1;         /* the heavy pool bounds the CPU analytics take */
    j->q.who = rq->who;       /* scoped like reports: a store's manager sees her store's events */
    str_copy(j->rid, sizeof j->rid, rq->rid);
    /* reads every event of the period: on a worker, never on the event loop */
    rc = api_heavy(rq, &j->pending, funnel_work, j);
    if (rc)
        free(j);
    return rc;
}

struct paths_job {
    struct http_pending *pending;
    char rid[40];
    char event[49];
    int64_t from, to, gap, limit;
    struct principal who;
};

static json_t *render_counts(const struct path_count *c, int n, int64_t total)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:I, s:f}", "name", c[i].name, "count", (json_int_t)c[i].count,
                                           "share",
                                           total ? (double)(int64_t)((double)c[i].count * 10000 / (double)total + 0.5) /
                                                       10000
                                                 : 0.0));
    return a;
}

static void paths_work(void *arg)
{
    struct paths_job *j = arg;
    struct path_answer a;
    json_t *o = NULL;
    int rc;
    err_clear();
    rc = behaviour_paths(db_reader(api_app()->db), &j->who, j->event, j->from, j->to, j->gap, (int)j->limit, &a);
    if (!rc) {
        o = json_pack("{s:s, s:o, s:o, s:I, s:I, s:o, s:o}", "event", j->event, "from", jtime(j->from), "to",
                      jtime(j->to), "gap_s", (json_int_t)(j->gap / 1000), "occurrences", (json_int_t)a.occurrences,
                      "next", render_counts(a.next, a.nnext, a.occurrences), "previous",
                      render_counts(a.prev, a.nprev, a.occurrences));
        path_answer_free(&a);
    }
    finish(j->pending, rc, o);
    free(j);
}

int api_paths(struct http_req *rq)
{
    struct paths_job *j = xcalloc(1, sizeof *j);
    const char *ev = http_query(rq, "event"), *gap = http_query(rq, "gap");
    int64_t now = now_ms();
    char tz[64];
    int rc = 0;
    if (!ev || !*ev || strlen(ev) >= sizeof j->event)
        rc = err_set(O2O_EINVAL, "missing_field", "event", "event names the event to look around");
    else
        str_copy(j->event, sizeof j->event, ev);
    j->gap = 30 * 60000;
    if (!rc && gap && *gap && parse_span_ms(gap, &j->gap))
        rc = err_set(O2O_EINVAL, "out_of_range", "gap", "gap is a span such as 30m, 1h or seconds");
    if (!rc)
        rc = api_scope_tz(rq, tz);
    if (!rc)
        rc = api_query_time(rq, "to", tz, now + 1, &j->to);
    if (!rc)
        rc = api_query_time(rq, "from", tz, j->to - 30 * 86400000LL, &j->from);
    if (!rc && j->to <= j->from)
        rc = err_set(O2O_EINVAL, "out_of_range", "to", "to must be after from");
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 100, 10, &j->limit);
    if (rc) {
        free(j);
        return rc;
    }
    str_copy(j->rid, sizeof j->rid, rq->rid);
    j->who = rq->who;
    rc = api_heavy(rq, &j->pending, paths_work, j);
    if (rc)
        free(j);
    return rc;
}
