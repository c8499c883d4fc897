/*
** api_order_view.c -- an order as the API answers it: the whole order (lines grouped
** under their fulfilments, payments, refunds, routing decisions, the timeline),
** the view a store taking goods back may read of an order it never touched, and
** the answer of a write made from its reference. Reads through sales/order.h.
*/
#include "api/api.h"
#include "sales/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "sales/order.h"
#include "sales/routing.h"

/* ---- rendering ---- */

static int line_cb(const struct order_line *l, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "line", (json_int_t)l->line_no,
                                         "sku", l->sku_code, "name", l->name, "qty", (json_int_t)l->qty, "unit_price",
                                         (json_int_t)l->unit_price, "discount", (json_int_t)l->discount, "amount",
                                         (json_int_t)l->amount, "returned_qty", (json_int_t)l->returned_qty,
                                         "fulfilment_id",
                                         l->fulfilment_id ? json_integer(l->fulfilment_id) : json_null()));
    return 0;
}

static json_t *render_fulfilment(const struct fulfilment *f)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)f->id, "kind", f->kind,
                          "location", f->location_code, "status", f->status, "to_location",
                          jstr_or_null(f->to_location_code), "carrier", jstr_or_null(f->carrier), "tracking_no",
                          jstr_or_null(f->tracking_no), "pickup_until", jtime(f->pickup_expires_at), "reason",
                          jstr_or_null(f->reason));
    json_object_set_new(o, "lines", json_array());
    return o;
}

static int ful_cb(const struct fulfilment *f, void *arg)
{
    json_array_append_new(arg, render_fulfilment(f));
    return 0;
}

static int pay_cb(const struct payment *p, void *arg)
{
    json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)p->id, "tender", p->tender,
                          "amount", (json_int_t)p->amount, "refunded", (json_int_t)p->refunded, "status", p->status,
                          "reference", jstr_or_null(p->reference), "out_trade_no", jstr_or_null(p->out_trade_no),
                          "created_at", jtime(p->created_at));
    if (p->points)
        json_object_set_new(o, "points", json_integer(p->points));
    if (p->payer[0])
        json_object_set_new(o, "payer", json_string(p->payer));
    if (p->gateway[0]) {
        json_object_set_new(o, "gateway", json_string(p->gateway));
        json_object_set_new(o, "expires_at", jtime(p->expires_at));
    }
    json_array_append_new(arg, o);
    return 0;
}

static int refund_cb(const struct refund *r, void *arg)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:o, s:s, s:o}", "id", (json_int_t)r->id, "payment_id",
                          (json_int_t)r->payment_id, "tender", r->tender, "amount", (json_int_t)r->amount, "status",
                          r->status, "out_refund_no", r->out_refund_no, "reference", jstr_or_null(r->reference),
                          "reason", r->reason, "created_at", jtime(r->created_at));
    if (r->points)
        json_object_set_new(o, "points", json_integer(r->points));
    json_array_append_new(arg, o);
    return 0;
}

json_t *api_render_event(const struct order_event *e)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq", (json_int_t)e->seq, "kind", e->kind, "detail", e->detail,
                          "actor", e->actor, "at", jtime(e->created_at));
    if (e->fulfilment_id)
        json_object_set_new(o, "fulfilment_id", json_integer(e->fulfilment_id));
    return o;
}

int api_event_cb(const struct order_event *e, void *arg)
{
    json_array_append_new(arg, api_render_event(e));
    return 0;
}

static int decision_cb(const struct route_decision *d, void *arg)
{
    json_t *cands = json_array();
    for (int i = 0; i < d->ncand; i++) {
        const struct route_candidate *cd = &d->cand[i];
        json_array_append_new(cands, json_pack("{s:s, s:o, s:i, s:s}", "location", cd->code, "distance_km",
                                               cd->has_distance ? json_real((double)(int64_t)(cd->distance_m / 10.0) / 100.0)
                                                                : json_null(),
                                               "lines_available", cd->lines_covered, "verdict", cd->verdict));
    }
    json_array_append_new(arg, json_pack("{s:s, s:s, s:o, s:o}", "rule", d->rule, "summary", d->summary, "at",
                                         jtime(d->created_at), "candidates", cands));
    return 0;
}

/* The whole order: header, lines grouped under their fulfilments too, payments,
** refunds, routing decisions and the timeline. */
int api_render_order(struct db_conn *c, int64_t id, json_t **out)
{
    struct order o;
    json_t *v, *lines = json_array(), *fuls = json_array(), *pays = json_array(), *refunds = json_array(),
               *events = json_array(), *routing = json_array();
    int rc = order_get(c, id, &o);
    if (!rc)
        rc = order_lines(c, id, line_cb, lines);
    if (!rc)
        rc = order_fulfilments(c, id, ful_cb, fuls);
    if (!rc)
        rc = order_payments(c, id, pay_cb, pays);
    if (!rc)
        rc = order_refunds(c, id, refund_cb, refunds);
    if (!rc)
        rc = order_events(c, id, 0, api_event_cb, events);
    if (!rc)
        rc = routing_decisions(c, id, decision_cb, routing);
    if (rc) {
        json_decref(lines);
        json_decref(fuls);
        json_decref(pays);
        json_decref(refunds);
        json_decref(events);
        json_decref(routing);
        return rc;
    }
    /* each fulfilment lists its line numbers */
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *l = json_array_get(lines, i);
        json_int_t fid = json_integer_value(json_object_get(l, "fulfilment_id"));
        for (size_t k = 0; k < json_array_size(fuls); k++) {
            json_t *f = json_array_get(fuls, k);
            if (json_integer_value(json_object_get(f, "id")) == fid)
                json_array_append_new(json_object_get(f, "lines"), json_integer(json_integer_value(json_object_get(l, "line"))));
        }
    }
    v = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "id",
                  (json_int_t)o.id, "channel", o.channel, "fulfilment", o.mode, "status", o.status, "member_id",
                  o.member_id ? json_integer(o.member_id) : json_null(), "location", jstr_or_null(o.location_code),
                  "pickup_store", jstr_or_null(o.pickup_code), "subtotal", (json_int_t)o.subtotal, "discount",
                  (json_int_t)o.discount, "total", (json_int_t)o.total, "paid", (json_int_t)o.paid, "due",
                  (json_int_t)(o.status[0] == 'p' && !strcmp(o.status, "placed") ? o.total - o.paid : 0), "refunded",
                  (json_int_t)o.refunded, "points_earned", (json_int_t)o.points_earned, "coupon",
                  jstr_or_null(o.coupon), "pay_by", jtime(!strcmp(o.status, "placed") ? o.pay_by : 0), "created_at",
                  jtime(o.created_at), "updated_at", jtime(o.updated_at));
    if (o.address[0] || o.has_geo) {
        json_t *a = json_pack("{s:s}", "text", o.address);
        if (o.has_geo) {
            json_object_set_new(a, "lat", json_real(o.lat));
            json_object_set_new(a, "lon", json_real(o.lon));
        }
        json_object_set_new(v, "address", a);
    }
    if (o.contact_phone[0])
        json_object_set_new(v, "contact_phone", json_string(o.contact_phone));
    if (o.note[0])
        json_object_set_new(v, "note", json_string(o.note));
    json_object_set_new(v, "seq", json_integer(o.seq));
    if (!strcmp(o.channel, "pos")) {
        json_t *r = NULL;
        if (!api_receipt_info(c, o.id, &r))
            json_object_set_new(v, "receipt", r);
    }
    json_object_set_new(v, "lines", lines);
    json_object_set_new(v, "fulfilments", fuls);
    json_object_set_new(v, "payments", pays);
    json_object_set_new(v, "refunds", refunds);
    json_object_set_new(v, "routing", routing);
    json_object_set_new(v, "timeline", events);
    *out = v;
    return 0;
}

/* What a store taking goods back reads of an order it never touched: the lines
** and what can still come back, not the customer, payments or timeline. */
int api_render_returnable(struct db_conn *c, int64_t id, json_t **out)
{
    struct returnable *r = xcalloc(1, sizeof *r);
    json_t *lines;
    int rc = order_returnable(c, id, r);
    if (rc) {
        free(r);
        return rc;
    }
    lines = json_array();
    for (int i = 0; i < r->nlines; i++) {
        const struct order_line *l = &r->line[i];
        json_array_append_new(lines, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I}", "line", (json_int_t)l->line_no,
                                               "sku", l->sku_code, "name", l->name, "qty", (json_int_t)l->qty,
                                               "amount", (json_int_t)l->amount, "returned_qty",
                                               (json_int_t)l->returned_qty, "returnable", (json_int_t)r->left[i]));
    }
    *out = json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:o}", "id", (json_int_t)r->order.id, "channel",
                     r->order.channel, "status", r->order.status, "total", (json_int_t)r->order.total, "refunded",
                     (json_int_t)r->order.refunded, "created_at", jtime(r->order.created_at), "return_until",
                     jtime(r->closes_at), "lines", lines);
    free(r);
    return 0;
}

int api_order_view(struct db_conn *c, json_t *ref, json_t **out)
{
    const char *k;
    json_t *v;
    json_int_t id = json_integer_value(json_object_get(ref, "order_id"));
    int rc = json_is_true(json_object_get(ref, "limited")) ? api_render_returnable(c, id, out)
                                                           : api_render_order(c, id, out);
    if (rc)
        return rc;
    json_object_foreach(ref, k, v) {
        if (strcmp(k, "order_id") && strcmp(k, "limited"))
            json_object_set(*out, k, v);
    }
    return 0;
}

