/*
** api_presence.c -- HTTP handlers for in-store positioning: a store's zones, the
** sightings intake (Wi-Fi probes, beacons, the app), what a store's sightings
** add up to, and place-and-time message rules.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/mem.h"
#include "core/util.h"
#include "core/workq.h"
#include "org/location.h"
#include "presence/handlers.h"
#include "presence/presence.h"

static int store_in_scope(struct http_req *rq, struct location *l)
{
    int rc = location_get_by_code(api_reader(), rq->params[0], l);
    if (rc)
        return err_set(O2O_ENOTFOUND, "unknown_location", NULL, "no store %.40s", rq->params[0]);
    return scope_check_location(api_reader(), &rq->who, l->id);
}

static json_t *render_zone(const struct zone *z)
{
    return json_pack("{s:s, s:s, s:o, s:o}", "code", z->code, "name", z->name, "brand", jstr_or_null(z->brand),
                     "category", jstr_or_null(z->category));
}

static int zone_put_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct zone *z = arg;
    int rc = zone_put(c, z);
    (void)who;
    if (!rc)
        *out = render_zone(z);
    return rc;
}

int api_zones_put(struct http_req *rq)
{
    struct location l;
    struct zone *z;
    int rc = store_in_scope(rq, &l);
    if (rc)
        return rc;
    z = xcalloc(1, sizeof *z);
    z->location_id = l.id;
    if (strlen(rq->params[1]) >= sizeof z->code)
        rc = err_set(O2O_EINVAL, "too_long", "code", "a zone code is at most %zu characters", sizeof z->code - 1);
    str_copy(z->code, sizeof z->code, rq->params[1]);
    if (!rc)
        rc = jin_str(rq->json, "name", false, z->name, sizeof z->name);
    if (!rc)
        rc = jin_str(rq->json, "brand", false, z->brand, sizeof z->brand);
    if (!rc)
        rc = jin_str(rq->json, "category", false, z->category, sizeof z->category);
    if (rc) {
        free(z);
        return rc;
    }
    return api_write(rq, zone_put_body, z, 200);
}

static int zone_cb(const struct zone *z, void *arg)
{
    json_array_append_new(arg, render_zone(z));
    return 0;
}

int api_zones_list(struct http_req *rq)
{
    struct location l;
    json_t *a;
    int rc = store_in_scope(rq, &l);
    if (rc)
        return rc;
    a = json_array();
    if ((rc = zone_list(api_reader(), l.id, zone_cb, a))) {
        json_decref(a);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:s, s:o}", "store", l.code, "zones", a));
}

/* ---- sightings ---- */

struct sightings_arg {
    int n;
    struct sighting_in s[];
};

static int sightings_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct sightings_arg *a = arg;
    struct presence_result r;
    int rc = presence_store(c, a->s, a->n, now_ms(), &r);
    (void)who;
    if (!rc)
        *out = json_pack("{s:i, s:i, s:i, s:i, s:i}", "received", a->n, "stored", r.stored, "duplicates",
                         r.duplicates, "messages_sent", r.messages_sent, "messages_held", r.messages_held);
    return rc;
}

static int read_sighting(json_t *o, int64_t now, struct sighting_in *s)
{
    int rc;
    memset(s, 0, sizeof *s);
    if (!json_is_object(o))
        return err_set(O2O_EINVAL, "wrong_type", NULL, "a sighting is an object");
    str_copy(s->source, sizeof s->source, "wifi");
    s->ts = now;
    if ((rc = jin_str(o, "device_id", false, s->device, sizeof s->device)) ||
        (rc = jin_i64(o, "member_id", false, 1, INT64_MAX, &s->member_id, NULL)) ||
        (rc = jin_str(o, "store", true, s->store, sizeof s->store)) ||
        (rc = jin_str(o, "zone", true, s->zone, sizeof s->zone)) ||
        (rc = jin_i64(o, "rssi", true, -150, 20, &s->rssi, NULL)) ||
        (rc = jin_str(o, "source", false, s->source, sizeof s->source)) || (rc = jin_time(o, "ts", &s->ts, NULL)))
        return rc;
    if (!s->device[0] == !s->member_id)
        return err_set(O2O_EINVAL, "missing_field", "device_id", "a sighting names a device_id or a member_id");
    if (strcmp(s->source, "wifi") && strcmp(s->source, "beacon") && strcmp(s->source, "app"))
        return err_set(O2O_EINVAL, "out_of_range", "source", "source is wifi, beacon or app");
    if (s->ts < 946684800000LL || s->ts > now + 86400000LL)
        return err_set(O2O_EINVAL, "out_of_range", "ts", "ts is before 2000 or more than a day ahead");
    return 0;
}

int api_presence_create(struct http_req *rq)
{
    json_t *list = json_object_get(rq->json, "sightings"), *v;
    struct sightings_arg *a;
    int64_t now = now_ms();
    size_t i;
    int rc = 0;
    if (!list)
        return err_set(O2O_EINVAL, "missing_field", "sightings", "sightings is required: a list of sightings");
    if (!json_is_array(list))
        return err_set(O2O_EINVAL, "wrong_type", "sightings", "sightings is a list of sightings");
    if (!json_array_size(list) || json_array_size(list) > PRESENCE_MAX_BATCH)
        return err_set(O2O_EINVAL, "out_of_range", "sightings", "sightings is a list of 1 to %d sightings",
                       PRESENCE_MAX_BATCH);
    a = xmalloc(sizeof *a + json_array_size(list) * sizeof a->s[0]);
    a->n = (int)json_array_size(list);
    json_array_foreach(list, i, v) {
        if ((rc = read_sighting(v, now, &a->s[i]))) {
            rc = api_error_at(rc, "sightings", i);
            break;
        }
    }
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, sightings_body, a, 200);
}

/* ---- what a store's sightings add up to ---- */

struct report_job {
    struct http_pending *pending;
    char rid[40];
    int64_t location_id, from, to, window, routes;
    char store[65];
};

static json_t *minutes(int64_t ms, int64_t n)
{
    return json_real(n ? (double)(int64_t)((double)ms / (double)n / 60000.0 * 10 + 0.5) / 10 : 0.0);
}

static void report_work(void *arg)
{
    struct report_job *j = arg;
    struct presence_report r;
    json_t *zones, *brands, *routes, *hourly, *o;
    int rc;
    err_clear();
    rc = presence_report(db_reader(api_app()->db), j->location_id, j->from, j->to, j->window, (int)j->routes, &r);
    if (rc) {
        http_complete_error(j->pending, rc);
        free(j);
        return;
    }
    zones = json_array();
    brands = json_object();
    routes = json_array();
    hourly = json_array();
    for (int z = 0; z < r.nzones; z++) {
        const struct zone_report *x = &r.zones[z];
        json_t *h = json_array();
        for (int k = 0; k < 24; k++)
            json_array_append_new(h, json_integer(x->v.hourly[k]));
        json_array_append_new(zones, json_pack("{s:s, s:s, s:o, s:o, s:I, s:I, s:o}", "zone", x->zone.code, "name",
                                               x->zone.name, "brand", jstr_or_null(x->zone.brand), "category",
                                               jstr_or_null(x->zone.category), "visits", (json_int_t)x->v.visits,
                                               "visitors", (json_int_t)x->v.visitors, "avg_dwell_min",
                                               minutes(x->v.dwell_ms, x->v.visits)));
        json_array_append_new(hourly, json_pack("{s:s, s:o}", "zone", x->zone.code, "visits_by_hour", h));
        if (x->zone.brand[0]) {
            json_t *b = json_object_get(brands, x->zone.brand);
            int64_t visits = x->v.visits, dwell = x->v.dwell_ms;
            if (b) {
                visits += json_integer_value(json_object_get(b, "visits"));
                dwell += json_integer_value(json_object_get(b, "dwell_ms"));
            }
            json_object_set_new(brands, x->zone.brand, json_pack("{s:I, s:I}", "visits", (json_int_t)visits,
                                                                 "dwell_ms", (json_int_t)dwell));
        }
    }
    {
        const char *k;
        json_t *v, *list = json_array();
        json_object_foreach(brands, k, v) {
            int64_t visits = json_integer_value(json_object_get(v, "visits"));
            json_array_append_new(list, json_pack("{s:s, s:I, s:o}", "brand", k, "visits", (json_int_t)visits,
                                                  "avg_dwell_min",
                                                  minutes(json_integer_value(json_object_get(v, "dwell_ms")), visits)));
        }
        json_decref(brands);
        brands = list;
    }
    for (int i = 0; i < r.nroutes; i++)
        json_array_append_new(routes, json_pack("{s:s, s:I}", "route", r.routes[i].path, "count",
                                                (json_int_t)r.routes[i].count));
    o = json_pack("{s:s, s:o, s:o, s:I, s:{s:I, s:I, s:o}, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
                  "store", j->store, "from", jtime(j->from), "to", jtime(j->to), "sightings", (json_int_t)r.sightings,
                  "store_visits", "visits", (json_int_t)r.store_visits, "visitors", (json_int_t)r.store_visitors,
                  "avg_dwell_min", minutes(r.store_dwell_ms, r.store_visits), "zones", zones, "brands", brands,
                  "routes", routes, "hourly", hourly, "online_to_offline", "online_members", (json_int_t)r.o2o[0],
                  "then_visited", (json_int_t)r.o2o[1], "then_bought", (json_int_t)r.o2o[2], "window_s",
                  (json_int_t)(j->window / 1000), "identified_visitors", (json_int_t)r.identified_visitors,
                  "visitors_who_bought_same_day", (json_int_t)r.visitors_who_bought);
    presence_report_free(&r);
    http_complete_json(j->pending, 200, o);
    free(j);
}

int api_store_presence(struct http_req *rq)
{
    struct report_job *j;
    struct location l;
    const char *w = http_query(rq, "window");
    int64_t now = now_ms(), from, to, routes, window = 7 * 86400000LL;
    int rc = store_in_scope(rq, &l);
    if (!rc)
        rc = api_query_time(rq, "to", l.timezone, now + 1, &to);
    if (!rc)
        rc = api_query_time(rq, "from", l.timezone, to - 86400000LL, &from);
    if (!rc && to <= from)
        rc = err_set(O2O_EINVAL, "out_of_range", "to", "to must be after from");
    if (!rc && w && *w && parse_span_ms(w, &window))
        rc = err_set(O2O_EINVAL, "out_of_range", "window", "window is a span such as 7d or 12h");
    if (!rc)
        rc = api_query_int(rq, "routes", 1, 1000, 20, &routes);
    if (rc)
        return rc;
    j = xcalloc(1, sizeof *j);
    j->location_id = l.id;
    j->from = from;
    j->to = to;
    j->window = window;
    j->routes = routes;
    str_copy(j->store, sizeof j->store, l.code);
    str_copy(j->rid, sizeof j->rid, rq->rid);
    rc = api_heavy(rq, &j->pending, report_work, j);
    if (rc)
        free(j);
    return rc;
}

/* ---- place-and-time rules ---- */

static json_t *render_rule(const struct presence_rule *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:I}", "name", r->name, "tag", r->tag, "store",
                     r->store, "zone", r->zone, "from_hour", (json_int_t)r->from_hour, "to_hour",
                     (json_int_t)r->to_hour, "message", r->message, "per_day", (json_int_t)r->per_day, "sent",
                     (json_int_t)r->sent, "held", (json_int_t)r->held);
}

static int rule_put_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct presence_rule *r = arg;
    int rc = presence_rule_put(c, r);
    (void)who;
    if (!rc)
        *out = render_rule(r);
    return rc;
}

int api_presence_rules_put(struct http_req *rq)
{
    struct presence_rule *r = xcalloc(1, sizeof *r);
    int rc = 0;
    if (!is_code(rq->params[0]) || strlen(rq->params[0]) >= sizeof r->name)
        rc = err_set(O2O_EINVAL, "out_of_range", "name", "a rule name is letters, digits, '-' or '_'");
    str_copy(r->name, sizeof r->name, rq->params[0]);
    r->per_day = 1;
    if (!rc)
        rc = jin_str(rq->json, "tag", true, r->tag, sizeof r->tag);
    if (!rc)
        rc = jin_str(rq->json, "store", true, r->store, sizeof r->store);
    if (!rc)
        rc = jin_str(rq->json, "zone", true, r->zone, sizeof r->zone);
    if (!rc)
        rc = jin_i64(rq->json, "from_hour", true, 0, 23, &r->from_hour, NULL);
    if (!rc)
        rc = jin_i64(rq->json, "to_hour", true, 1, 24, &r->to_hour, NULL);
    if (!rc)
        rc = jin_str(rq->json, "message", true, r->message, sizeof r->message);
    if (!rc)
        rc = jin_i64(rq->json, "per_day", false, 1, 100, &r->per_day, NULL);
    if (rc) {
        free(r);
        return rc;
    }
    return api_write(rq, rule_put_body, r, 200);
}

static int rule_cb(const struct presence_rule *r, void *arg)
{
    json_array_append_new(arg, render_rule(r));
    return 0;
}

int api_presence_rules_list(struct http_req *rq)
{
    json_t *a = json_array();
    int rc = presence_rules_list(api_reader(), rule_cb, a);
    if (rc) {
        json_decref(a);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "rules", a));
}

struct rule_name {
    char name[65];
};

static int rule_delete_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct rule_name *a = arg;
    int rc = presence_rule_delete(c, a->name);
    (void)who;
    if (!rc)
        *out = json_pack("{s:s, s:b}", "name", a->name, "deleted", 1);
    return rc;
}

int api_presence_rules_delete(struct http_req *rq)
{
    struct rule_name *a = xcalloc(1, sizeof *a);
    str_copy(a->name, sizeof a->name, rq->params[0]);
    return api_write(rq, rule_delete_body, a, 200);
}
