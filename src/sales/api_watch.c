/*
** api_watch.c -- clients long-polling an order's timeline (GET /v1/orders/{id}/events
** with wait=S): the watchers, and the turn (api_watch_tick, run back to back by a
** thread of app/) that answers them when their order moves (woken by whoever
** moved it: api_watch_notify) or their time is up. It polls too, for changes made
** by other processes and by jobs. Below every handler that moves an order
** (orders, payments, tracking), above none.
*/
#include "api/api.h"
#include "sales/handlers.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/mem.h"
#include "core/util.h"
#include "sales/order.h"

/* ---- watchers: clients long-polling an order's timeline ---- */

struct watcher {
    struct http_pending *pending;
    int64_t order_id, after, deadline;
    bool woken;
    struct watcher *next;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct watcher *list;
    bool open, stop;          /* open: someone runs the turns, so clients may wait */
    int64_t last_poll;
} watch = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, false, false, 0};

#define WATCH_POLL_MS 500         /* also catches changes made by other processes and jobs */

static void watch_answer(struct watcher *w)
{
    json_t *events = json_array();
    int64_t seq = w->after;
    int rc = order_events(api_reader(), w->order_id, w->after, api_event_cb, events);
    if (!rc && json_array_size(events))
        seq = json_integer_value(json_object_get(json_array_get(events, json_array_size(events) - 1), "seq"));
    {
        json_t *v = json_pack("{s:I, s:I, s:o}", "order_id", (json_int_t)w->order_id, "seq", (json_int_t)seq, "events",
                              events);
        http_complete_json(w->pending, 200, v);
    }
    free(w);
}

static bool any_woken(void)
{
    for (struct watcher *w = watch.list; w; w = w->next)
        if (w->woken)
            return true;
    return false;
}

void api_watch_tick(void *arg)
{
    struct watcher *done = NULL, **pp;
    int64_t now;
    bool poll;
    (void)arg;
    pthread_mutex_lock(&watch.mu);
    if (!watch.stop && !any_woken())
        cond_wait_ms(&watch.cv, &watch.mu, 100);
    now = now_ms();
    poll = now - watch.last_poll >= WATCH_POLL_MS;
    if (poll)
        watch.last_poll = now;
    for (pp = &watch.list; *pp;) {
        struct watcher *w = *pp;
        bool ready = watch.stop || w->woken || now >= w->deadline;
        if (!ready && poll) {
            int64_t seq = 0;
            pthread_mutex_unlock(&watch.mu);
            ready = !order_seq(api_reader(), w->order_id, &seq) && seq > w->after;
            pthread_mutex_lock(&watch.mu);
        }
        if (ready) {
            *pp = w->next;
            w->next = done;
            done = w;
        } else {
            pp = &w->next;
        }
    }
    pthread_mutex_unlock(&watch.mu);
    while (done) {
        struct watcher *w = done;
        done = w->next;
        watch_answer(w);
    }
}

void api_watch_open(void)
{
    pthread_mutex_lock(&watch.mu);
    watch.open = true;
    watch.stop = false;
    pthread_mutex_unlock(&watch.mu);
}

void api_watch_close(void)
{
    pthread_mutex_lock(&watch.mu);
    watch.open = false;
    watch.stop = true;
    pthread_cond_broadcast(&watch.cv);
    pthread_mutex_unlock(&watch.mu);
    api_watch_tick(NULL); /* everyone still waiting gets what there is */
}

void api_watch_notify(int64_t order_id)
{
    bool any = false;
    pthread_mutex_lock(&watch.mu);
    for (struct watcher *w = watch.list; w; w = w->next)
        if (w->order_id == order_id)
            any = w->woken = true;
    if (any) /* nobody else to wake: most orders have no watcher */
        pthread_cond_signal(&watch.cv);
    pthread_mutex_unlock(&watch.mu);
}

int api_orders_events(struct http_req *rq)
{
    int64_t id, after, wait, seq = 0;
    json_t *events;
    struct watcher *w;
    int rc = api_param_id(rq, 0, "order", &id);
    if (!rc)
        rc = scope_check_order(api_reader(), &rq->who, id);
    if (!rc)
        rc = api_query_int(rq, "after", 0, INT64_MAX, 0, &after);
    if (!rc)
        rc = api_query_int(rq, "wait", 0, 60, 0, &wait);
    if (!rc)
        rc = order_seq(api_reader(), id, &seq);
    if (rc)
        return rc;
    if (seq > after || !wait || !watch.open) {
        events = json_array();
        rc = order_events(api_reader(), id, after, api_event_cb, events);
        if (rc) {
            json_decref(events);
            return rc;
        }
        return http_reply_json(rq, 200, json_pack("{s:I, s:I, s:o}", "order_id", (json_int_t)id, "seq",
                                                  (json_int_t)(seq > after ? seq : after), "events", events));
    }
    w = xcalloc(1, sizeof *w);
    w->order_id = id;
    w->after = after;
    w->deadline = now_ms() + wait * 1000;
    w->pending = http_defer(rq);
    pthread_mutex_lock(&watch.mu);
    w->next = watch.list;
    watch.list = w;
    pthread_mutex_unlock(&watch.mu);
    return 0;
}

