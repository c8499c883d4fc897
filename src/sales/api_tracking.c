/*
** api_tracking.c -- carrier tracking: when a delivery ships with a configured
** carrier, o2o subscribes its tracking number (on an I/O worker); the carrier's
** signed pushes to POST /v1/carriers/{name}/events land on the order's timeline,
** and "delivered" completes the shipment.
*/
#include "api/api.h"
#include "sales/handlers.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"
#include "core/workq.h"
#include "sales/order.h"
#include "ship/carrier.h"

#define MODULE_NAME "tracking"

struct sub {
    int64_t order_id;
    char carrier[33], tracking_no[65];
    char detail[400];
};

static int note_body(struct db_conn *c, void *arg)
{
    struct sub *s = arg;
    return order_note(c, s->order_id, "tracking_subscribed", s->detail, "system");
}

static void subscribe(void *arg)
{
    struct sub *s = arg;
    char callback[400];
    int rc;
    snprintf(callback, sizeof callback, "%s/v1/carriers/%s/events", api_app()->public_url, s->carrier);
    rc = carrier_subscribe(api_app()->carriers, s->carrier, s->tracking_no, callback);
    if (rc) {
        log_warn("subscribing %s %s: %s", s->carrier, s->tracking_no, err_last()->msg);
        snprintf(s->detail, sizeof s->detail, "%s could not subscribe %s: %.150s", s->carrier, s->tracking_no,
                 err_last()->msg);
    } else {
        snprintf(s->detail, sizeof s->detail, "%s will push the events of %s", s->carrier, s->tracking_no);
    }
    if (db_txn(api_app()->db, note_body, s))
        log_error("order %" PRId64 ": %s", s->order_id, err_last()->msg);
    else
        api_watch_notify(s->order_id);
    free(s);
}

void api_tracking_subscribe(int64_t order_id, const char *carrier, const char *tracking_no)
{
    struct sub *s;
    if (!carrier_tracked(api_app()->carriers, carrier))
        return;
    s = xcalloc(1, sizeof *s);
    s->order_id = order_id;
    str_copy(s->carrier, sizeof s->carrier, carrier);
    str_copy(s->tracking_no, sizeof s->tracking_no, tracking_no);
    workq_submit(api_app()->io, subscribe, s);
}

#define MAX_EVENTS 100

struct push {
    struct db_job job;            /* must be first */
    struct http_pending *pending;
    char carrier[33], tracking_no[65];
    int n;
    struct tracking_event ev[MAX_EVENTS];
    int fresh;
    bool found;
    int64_t order_id;
};

static int push_run(struct db_conn *c, void *arg)
{
    struct push *p = arg;
    p->fresh = 0;
    for (int i = 0; i < p->n; i++) {
        bool found, fresh;
        int rc = order_tracking(c, p->carrier, p->tracking_no, &p->ev[i], &found, &fresh, &p->order_id);
        if (rc)
            return rc;
        p->found = found;
        p->fresh += fresh;
    }
    return 0;
}

static void push_done(struct db_job *j)
{
    struct push *p = (struct push *)j;
    char *body;
    int status = 200;
    if (j->rc) {
        err_restore(&j->err);
        http_complete_error(p->pending, j->rc);
        free(p);
        return;
    } else {
        /* an unknown number is acknowledged (logged) so the carrier stops pushing it */
        json_t *v = json_pack("{s:b, s:b, s:i}", "ok", 1, "known", p->found, "new_events", p->fresh);
        body = v ? json_dumps(v, JSON_COMPACT) : NULL;
        json_decref(v);
        if (!p->found)
            log_warn("%s pushed events for unknown tracking number %s", p->carrier, p->tracking_no);
        if (p->order_id && p->fresh)
            api_watch_notify(p->order_id);
    }
    http_complete(p->pending, status, body, body ? strlen(body) : 0, false);
    free(p);
}

int api_carrier_events(struct http_req *rq)
{
    struct push *p;
    json_t *root, *events;
    const char *name = rq->params[0];
    int rc = carrier_verify(api_app()->carriers, name, http_header(rq, "x-timestamp"), http_header(rq, "x-signature"),
                            rq->body, rq->body_len);
    if (rc)
        return rc;
    root = json_loadb(rq->body, rq->body_len, 0, NULL);
    events = json_object_get(root, "events");
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "tracking_no")) || !json_is_array(events) ||
        json_array_size(events) > MAX_EVENTS) {
        json_decref(root);
        return err_set(O2O_EINVAL, "malformed_push", NULL, "a push is {tracking_no, events: [...]} (at most %d)",
                       MAX_EVENTS);
    }
    p = xcalloc(1, sizeof *p);
    str_copy(p->carrier, sizeof p->carrier, name);
    str_copy(p->tracking_no, sizeof p->tracking_no, json_string_value(json_object_get(root, "tracking_no")));
    for (size_t i = 0; i < json_array_size(events) && !rc; i++) {
        json_t *e = json_array_get(events, i);
        struct tracking_event *t = &p->ev[p->n++];
        char field[32];
        snprintf(field, sizeof field, "events[%zu]", i);
        rc = json_is_object(e) ? 0 : err_set(O2O_EINVAL, "wrong_type", field, "each event is an object");
        if (!rc)
            rc = jin_str(e, "status", true, t->status, sizeof t->status);
        if (!rc)
            rc = jin_str(e, "location", false, t->location, sizeof t->location);
        if (!rc)
            rc = jin_str(e, "description", false, t->description, sizeof t->description);
        if (!rc) {
            bool has = false;
            rc = jin_time(e, "time", &t->at, &has);
            if (!rc && !has)
                rc = err_set(O2O_EINVAL, "missing_field", "time", "each event has its time");
        }
    }
    json_decref(root);
    if (rc) {
        free(p);
        return rc;
    }
    api_submit(rq, &p->pending, &p->job, push_run, push_done, p);
    return 0;
}
