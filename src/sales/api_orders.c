/*
** api_orders.c -- /v1/orders and /v1/fulfilments: place an order from any channel,
** pay it, cancel it, return goods in any store, and move fulfilments through
** their steps; also the routing capacities. Thin: parse, check scope, call
** sales/order.c; the answers are rendered by order_view.c, the timeline's
** long-poll is watch.c.
*/
#include "api/api.h"
#include "sales/handlers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "member/access.h"
#include "member/identify.h"
#include "member/member.h"
#include "org/audit.h"
#include "org/channel.h"
#include "org/location.h"
#include "sales/order.h"
#include "sales/routing.h"
#include "ship/carrier.h"

static json_t *order_ref(int64_t id)
{
    return json_pack("{s:I}", "order_id", (json_int_t)id);
}

/* ---- inputs ---- */

/* Prefix the recorded error's field with the array element it came from. */
static int resolve_location(const char *code, const char *field, int64_t *id)
{
    struct location l;
    if (location_cached_by_code(api_reader(), code, &l))
        return err_set(O2O_ENOTFOUND, "unknown_location", field, "no location with code %.64s", code);
    *id = l.id;
    return 0;
}

static int parse_tenders(json_t *arr, struct tender *t, int *n)
{
    char field[40];
    if (!json_is_array(arr))
        return err_set(O2O_EINVAL, "wrong_type", "tenders", "tenders must be an array");
    if (json_array_size(arr) > ORDER_MAX_TENDERS)
        return err_set(O2O_EINVAL, "out_of_range", "tenders", "at most %d tenders", ORDER_MAX_TENDERS);
    *n = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        struct tender *x = &t[(*n)++];
        int rc;
        memset(x, 0, sizeof *x);
        snprintf(field, sizeof field, "tenders[%zu]", i);
        if (!json_is_object(o))
            return err_set(O2O_EINVAL, "wrong_type", field, "each tender is an object");
        rc = jin_str(o, "tender", true, x->tender, sizeof x->tender);
        if (!rc)
            rc = jin_i64(o, "amount", false, 1, 100000000000LL, &x->amount, NULL);
        if (!rc)
            rc = jin_i64(o, "points", false, 1, 100000000, &x->points, NULL);
        if (!rc)
            rc = jin_str(o, "reference", false, x->reference, sizeof x->reference);
        if (rc)
            return api_error_at(rc, "tenders", i);
        if (strcmp(x->tender, "points") && !x->amount)
            return err_set(O2O_EINVAL, "missing_field", field, "amount is required");
    }
    return 0;
}

struct place_arg {
    struct order_input in;
    int64_t id;               /* out, for the watchers */
};

static void notify_place(void *arg)
{
    api_watch_notify(((struct place_arg *)arg)->id);
}

static bool pays_with_points(const struct tender *t, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].tender, "points"))
            return true;
    return false;
}

static int place_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct place_arg *a = arg;
    bool till = !strcmp(a->in.mode, "carry_out");
    int rc;
    if (a->in.location_id && till && (rc = scope_check_location(c, who, a->in.location_id)))
        return rc;
    /* her points are spent only by her, or at a till she identified herself at */
    if (a->in.member_id &&
        (rc = access_member(c, who, a->in.member_id,
                            pays_with_points(a->in.tenders, a->in.ntenders) ? MEMBER_SPEND : MEMBER_EARN)))
        return rc;
    rc = order_place(c, &a->in, &a->id);
    /* the till's sight of her ends with the sale */
    if (!rc && till && a->in.member_id && who->role == ROLE_CHANNEL)
        rc = till_grant_end(c, who->id, a->in.member_id);
    if (!rc)
        *out = order_ref(a->id);
    return rc;
}


int api_orders_create(struct http_req *rq)
{
    struct place_arg *a = xcalloc(1, sizeof *a);
    struct order_input *in = &a->in;
    char loc[65] = "", pickup[65] = "", phone[40] = "";
    json_t *lines, *t;
    bool has_lat = false, has_lon = false;
    int rc;

    rc = jin_str(rq->json, "channel", false, in->channel, sizeof in->channel);
    if (!rc)
        rc = jin_str(rq->json, "fulfilment", false, in->mode, sizeof in->mode);
    if (!rc)
        rc = jin_str(rq->json, "location", false, loc, sizeof loc);
    if (!rc)
        rc = jin_str(rq->json, "pickup_store", false, pickup, sizeof pickup);
    if (!rc)
        rc = jin_i64(rq->json, "member_id", false, 1, INT64_MAX, &in->member_id, NULL);
    if (!rc)
        rc = jin_str(rq->json, "member_phone", false, phone, sizeof phone);
    if (!rc)
        rc = jin_str(rq->json, "address", false, in->address, sizeof in->address);
    if (!rc)
        rc = jin_f64(rq->json, "lat", false, -90, 90, &in->lat, &has_lat);
    if (!rc)
        rc = jin_f64(rq->json, "lon", false, -180, 180, &in->lon, &has_lon);
    if (!rc)
        rc = jin_str(rq->json, "contact_phone", false, in->contact_phone, sizeof in->contact_phone);
    if (!rc)
        rc = jin_str(rq->json, "note", false, in->note, sizeof in->note);
    if (!rc)
        rc = jin_str(rq->json, "coupon", false, in->coupon, sizeof in->coupon);
    if (rc)
        goto fail;
    if (has_lat != has_lon) {
        rc = err_set(O2O_EINVAL, "missing_field", has_lat ? "lon" : "lat", "give both lat and lon");
        goto fail;
    }
    in->has_geo = has_lat;
    lines = json_object_get(rq->json, "lines");
    if (!lines) {
        rc = err_set(O2O_EINVAL, "missing_field", "lines", "lines is required");
        goto fail;
    }
    if (!json_is_array(lines) || json_array_size(lines) < 1 || json_array_size(lines) > ORDER_MAX_LINES) {
        rc = err_set(O2O_EINVAL, json_is_array(lines) ? "out_of_range" : "wrong_type", "lines",
                     "lines must be an array of 1..%d lines", ORDER_MAX_LINES);
        goto fail;
    }
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *l = json_array_get(lines, i);
        char field[40];
        snprintf(field, sizeof field, "lines[%zu]", i);
        if (!json_is_object(l)) {
            rc = err_set(O2O_EINVAL, "wrong_type", field, "each line is an object {sku, qty}");
            goto fail;
        }
        rc = jin_str(l, "sku", true, in->sku[i], sizeof in->sku[0]);
        if (!rc)
            rc = jin_i64(l, "qty", true, 1, 10000, &in->qty[i], NULL);
        if (rc) {
            rc = api_error_at(rc, "lines", i);
            goto fail;
        }
    }
    in->nlines = (int)json_array_size(lines);
    if ((t = json_object_get(rq->json, "tenders")) && !json_is_null(t) &&
        (rc = parse_tenders(t, in->tenders, &in->ntenders)))
        goto fail;

    /* who places it decides the channel, the store and the member */
    if (rq->who.role == ROLE_CHANNEL)
        str_copy(in->channel, sizeof in->channel, rq->who.channel);
    else if (!in->channel[0])
        str_copy(in->channel, sizeof in->channel, sales_channel_default(&rq->who));
    if (rq->who.role == ROLE_MEMBER) {
        if (in->member_id && in->member_id != rq->who.id) {
            rc = err_set(O2O_EFORBIDDEN, "out_of_scope", "member_id", "a member orders for herself");
            goto fail;
        }
        in->member_id = rq->who.id;
        if (!strcmp(in->channel, "pos")) {
            rc = err_set(O2O_EINVAL, NULL, "channel", "members order through web, app or miniprogram");
            goto fail;
        }
    } else if (phone[0] && !in->member_id) {
        struct member m;
        if (member_find_by_identity(api_reader(), "phone", phone, &m)) {
            rc = err_set(O2O_ENOTFOUND, "unknown_member", "member_phone", "no member with phone %s", phone);
            goto fail;
        }
        in->member_id = m.id;
    }
    if (!in->mode[0])
        str_copy(in->mode, sizeof in->mode, !strcmp(in->channel, "pos") ? "carry_out" : "delivery");
    if (loc[0]) {
        if ((rc = resolve_location(loc, "location", &in->location_id)))
            goto fail;
    } else if (rq->who.scope == SCOPE_LOCATION && rq->who.role != ROLE_MEMBER) {
        in->location_id = rq->who.scope_id;
    }
    if (pickup[0] && (rc = resolve_location(pickup, "pickup_store", &in->pickup_id)))
        goto fail;
    if (strcmp(in->mode, "carry_out"))
        in->location_id = 0; /* an online order is sold by the chain, served by its stock points */
    principal_tag(&rq->who, in->actor);
    return api_write_view(rq, place_body, a, 201, notify_place, api_order_view);
fail:
    free(a);
    return rc;
}

/* Her own order, for the member: the code of each pickup that waits for her (staff
** never see it: she shows it at the counter). */
static void add_pickup_codes(json_t *order)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(order, "fulfilments"), i, f)
    {
        char code[8];
        const char *st = json_string_value(json_object_get(f, "status"));
        if (st && !strcmp(st, "ready_for_pickup") &&
            !fulfilment_pickup_code(api_reader(), json_integer_value(json_object_get(f, "id")), code))
            json_object_set_new(f, "pickup_code", json_string(code));
    }
}

int api_orders_get(struct http_req *rq)
{
    int64_t id;
    json_t *out = NULL;
    int rc = api_param_id(rq, 0, "order", &id);
    if (!rc)
        rc = scope_check_order(api_reader(), &rq->who, id);
    if (!rc)
        rc = api_render_order(api_reader(), id, &out);
    if (!rc && rq->who.role == ROLE_MEMBER)
        add_pickup_codes(out);
    return rc ? rc : http_reply_json(rq, 200, out);
}

/* ---- writes on an existing order ---- */

enum order_op { OP_PAY, OP_CANCEL, OP_RETURN };

struct op_arg {
    enum order_op op;
    int64_t id;
    int64_t location_id;
    char actor[48];
    char reason[129];
    int ntenders;
    struct tender tenders[ORDER_MAX_TENDERS];
    struct return_input ret;
};

static void notify_op(void *arg)
{
    api_watch_notify(((struct op_arg *)arg)->id);
}

/* The refunds a return made (ids above `after`): what the store hands back. */
struct new_refunds {
    int64_t after, max;
    json_t *list;
};

static int new_refund_cb(const struct refund *r, void *arg)
{
    struct new_refunds *n = arg;
    if (r->id > n->max)
        n->max = r->id;
    if (n->list && r->id > n->after) {
        json_t *o = json_pack("{s:s, s:I, s:s}", "tender", r->tender, "amount", (json_int_t)r->amount, "status",
                              r->status);
        if (r->points)
            json_object_set_new(o, "points", json_integer(r->points));
        json_array_append_new(n->list, o);
    }
    return 0;
}

/* Staff and a store's till take goods back at a store of theirs, whatever sold
** them: the store must be theirs, the order need not be (then *limited: they
** read what the return needs, not the customer or the payments). Otherwise the
** order must be in the caller's scope, and the store too. */
static bool takes_returns_anywhere(const struct principal *who)
{
    return (who->role & ROLE_STAFF) || (who->role == ROLE_CHANNEL && who->scope != SCOPE_CHAIN);
}

static int order_access(struct db_conn *c, const struct principal *who, const struct op_arg *a, bool *limited)
{
    int rc;
    *limited = false;
    if (a->op == OP_RETURN && takes_returns_anywhere(who)) {
        rc = scope_check_location(c, who, a->location_id);
        if (!rc && scope_check_order(c, who, a->id) == O2O_EFORBIDDEN) {
            err_clear();
            *limited = true;
        }
        return rc;
    }
    rc = scope_check_order(c, who, a->id);
    if (!rc && a->location_id && who->role != ROLE_MEMBER)
        rc = scope_check_location(c, who, a->location_id);
    return rc;
}

int api_orders_returnable(struct http_req *rq)
{
    int64_t id;
    json_t *out = NULL;
    int rc = api_param_id(rq, 0, "order", &id);
    if (!rc && !takes_returns_anywhere(&rq->who))
        rc = scope_check_order(api_reader(), &rq->who, id);
    if (!rc)
        rc = api_render_returnable(api_reader(), id, &out);
    return rc ? rc : http_reply_json(rq, 200, out);
}

static int op_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct op_arg *a = arg;
    struct return_result ret = {0};
    struct new_refunds nr = {0, 0, NULL};
    bool limited = false;
    int rc = order_access(c, who, a, &limited);
    if (!rc && a->op == OP_PAY && pays_with_points(a->tenders, a->ntenders)) {
        struct order o;
        rc = order_get(c, a->id, &o);
        if (!rc && o.member_id)
            rc = access_member(c, who, o.member_id, MEMBER_SPEND);
    }
    if (rc)
        return rc;
    switch (a->op) {
    case OP_PAY: rc = order_pay(c, a->id, a->tenders, a->ntenders, a->location_id, a->actor); break;
    case OP_CANCEL: rc = order_cancel(c, a->id, a->reason, a->actor); break;
    case OP_RETURN:
        rc = order_refunds(c, a->id, new_refund_cb, &nr);
        if (!rc)
            rc = order_return(c, a->id, &a->ret, &ret);
        nr.after = nr.max;
        nr.list = json_array();
        if (!rc)
            rc = order_refunds(c, a->id, new_refund_cb, &nr);
        break;
    }
    if (!rc)
        *out = order_ref(a->id);
    if (!rc && limited)
        json_object_set_new(*out, "limited", json_true());
    if (!rc && a->op == OP_RETURN) {
        /* the order, and what this return did */
        json_object_set_new(*out, "return_id", json_integer(ret.id));
        json_object_set_new(*out, "return",
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "id", (json_int_t)ret.id, "amount",
                                      (json_int_t)ret.amount, "refunded", (json_int_t)ret.refunded, "points_reversed",
                                      (json_int_t)ret.points_reversed, "withheld", (json_int_t)ret.withheld,
                                      "refunds", nr.list));
    }
    json_decref(nr.list);
    if (!rc && a->op != OP_PAY) { /* money goes back: on the audit trail */
        char subject[40], detail[160];
        snprintf(subject, sizeof subject, "order:%lld", (long long)a->id);
        if (a->op == OP_RETURN)
            snprintf(detail, sizeof detail, "return %lld: %lld fen refunded at location %lld; %.80s",
                     (long long)ret.id, (long long)ret.refunded, (long long)a->location_id, a->reason);
        else
            snprintf(detail, sizeof detail, "cancelled; %.120s", a->reason);
        rc = audit_add(c, who, a->op == OP_RETURN ? "order.return" : "order.cancel", subject, detail);
    }
    return rc;
}

static int order_op(struct http_req *rq, enum order_op op)
{
    struct op_arg *a = xcalloc(1, sizeof *a);
    char loc[65] = "";
    int rc = api_param_id(rq, 0, "order", &a->id);
    a->op = op;
    principal_tag(&rq->who, a->actor);
    if (!rc)
        rc = jin_str(rq->json, "location", false, loc, sizeof loc);
    if (!rc)
        rc = jin_str(rq->json, "reason", false, a->reason, sizeof a->reason);
    if (!rc && loc[0])
        rc = resolve_location(loc, "location", &a->location_id);
    else if (!rc && rq->who.scope == SCOPE_LOCATION && rq->who.role != ROLE_MEMBER)
        a->location_id = rq->who.scope_id;
    if (!rc && op == OP_PAY) {
        json_t *t = json_object_get(rq->json, "tenders");
        rc = t ? parse_tenders(t, a->tenders, &a->ntenders)
               : err_set(O2O_EINVAL, "missing_field", "tenders", "tenders is required");
        if (!rc && !a->ntenders)
            rc = err_set(O2O_EINVAL, "missing_field", "tenders", "give at least one tender");
        if (!rc && rq->who.role == ROLE_MEMBER)
            for (int i = 0; i < a->ntenders && !rc; i++)
                if (strcmp(a->tenders[i].tender, "points"))
                    rc = err_set(O2O_EFORBIDDEN, "out_of_scope", "tenders",
                                 "members pay with points here; other tenders come from the till or a gateway");
    }
    if (!rc && op == OP_RETURN) {
        json_t *lines = json_object_get(rq->json, "lines");
        if (!a->location_id)
            rc = err_set(O2O_EINVAL, "missing_field", "location", "say which store takes the goods back");
        else if (!lines)
            rc = err_set(O2O_EINVAL, "missing_field", "lines", "lines is required");
        else if (!json_is_array(lines) || json_array_size(lines) < 1 || json_array_size(lines) > RETURN_MAX_LINES)
            rc = err_set(O2O_EINVAL, "wrong_type", "lines", "lines must be an array of {line, qty}");
        for (size_t i = 0; !rc && i < json_array_size(lines); i++) {
            json_t *l = json_array_get(lines, i);
            char field[40];
            snprintf(field, sizeof field, "lines[%zu]", i);
            if (!json_is_object(l)) {
                rc = err_set(O2O_EINVAL, "wrong_type", field, "each line is an object {line, qty}");
                break;
            }
            rc = jin_i64(l, "line", true, 1, ORDER_MAX_LINES, &a->ret.line_no[i], NULL);
            if (!rc)
                rc = jin_i64(l, "qty", true, 1, 10000, &a->ret.qty[i], NULL);
            if (rc)
                rc = api_error_at(rc, "lines", i);
        }
        if (!rc) {
            a->ret.nlines = (int)json_array_size(lines);
            a->ret.location_id = a->location_id;
            str_copy(a->ret.reason, sizeof a->ret.reason, a->reason);
            str_copy(a->ret.actor, sizeof a->ret.actor, a->actor);
        }
    }
    if (!rc) {
        bool limited;
        rc = order_access(api_reader(), &rq->who, a, &limited);
    }
    if (rc) {
        free(a);
        return rc;
    }
    return api_write_view(rq, op_body, a, op == OP_RETURN ? 201 : 200, notify_op, api_order_view);
}

int api_orders_pay(struct http_req *rq)
{
    return order_op(rq, OP_PAY);
}

int api_orders_cancel(struct http_req *rq)
{
    return order_op(rq, OP_CANCEL);
}

int api_orders_return(struct http_req *rq)
{
    return order_op(rq, OP_RETURN);
}

/* ---- fulfilment steps ---- */

struct ful_arg {
    int64_t fid;
    int64_t order_id;         /* out, for the watchers */
    enum ful_action action;
    struct ful_args args;
    char actor[48];
};

static void notify_ful(void *arg)
{
    struct ful_arg *a = arg;
    api_watch_notify(a->order_id);
    if (a->action == FA_SHIP && a->args.carrier[0] && a->args.tracking_no[0])
        api_tracking_subscribe(a->order_id, a->args.carrier, a->args.tracking_no);
}

static int ful_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct ful_arg *a = arg;
    struct fulfilment f;
    int rc = fulfilment_get(c, a->fid, &f);
    if (rc)
        return rc;
    /* the store that holds the goods acts; a transfer is received by its destination */
    rc = scope_check_location(c, who, a->action == FA_RECEIVE ? f.to_location_id : f.location_id);
    if (!rc)
        rc = fulfilment_act(c, a->fid, a->action, &a->args, a->actor);
    a->order_id = f.order_id;
    if (!rc)
        *out = order_ref(f.order_id);
    return rc;
}

static int ful_step(struct http_req *rq, enum ful_action action)
{
    struct ful_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "fulfilment", &a->fid);
    a->action = action;
    principal_tag(&rq->who, a->actor);
    /* each step reads what it takes (and declares it: routes.c) */
    if (!rc && action == FA_HANDOVER)
        rc = jin_str(rq->json, "code", true, a->args.code, sizeof a->args.code);
    if (!rc && action == FA_SHIP)
        rc = jin_str(rq->json, "carrier", false, a->args.carrier, sizeof a->args.carrier);
    if (!rc && a->args.carrier[0]) {
        /* a carrier is one the chain configured: a typo would ship without tracking, in silence */
        if (!carrier_known(api_app()->carriers, a->args.carrier)) {
            char names[200];
            carrier_names(api_app()->carriers, names, sizeof names);
            rc = err_set(O2O_EINVAL, "unknown_carrier", "carrier", "no carrier %.32s is configured (%s)",
                         a->args.carrier, names[0] ? names : "none: see --carriers");
        }
        a->args.untracked = !carrier_tracked(api_app()->carriers, a->args.carrier);
    }
    if (!rc && action == FA_SHIP)
        rc = jin_str(rq->json, "tracking_no", false, a->args.tracking_no, sizeof a->args.tracking_no);
    if (!rc && action == FA_REJECT)
        rc = jin_str(rq->json, "reason", true, a->args.reason, sizeof a->args.reason);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write_view(rq, ful_body, a, 200, notify_ful, api_order_view);
}

int api_ful_pick(struct http_req *rq)
{
    return ful_step(rq, FA_PICK);
}
int api_ful_ready(struct http_req *rq)
{
    return ful_step(rq, FA_READY);
}
int api_ful_ship(struct http_req *rq)
{
    return ful_step(rq, FA_SHIP);
}
int api_ful_deliver(struct http_req *rq)
{
    return ful_step(rq, FA_DELIVER);
}
int api_ful_receive(struct http_req *rq)
{
    return ful_step(rq, FA_RECEIVE);
}
int api_ful_handover(struct http_req *rq)
{
    return ful_step(rq, FA_HANDOVER);
}
int api_ful_reject(struct http_req *rq)
{
    return ful_step(rq, FA_REJECT);
}

/* ---- jobs on demand ---- */

static int expire_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    int64_t unpaid = 0, pickups = 0;
    int rc = order_expire_unpaid(c, *(int64_t *)arg, &unpaid);
    (void)who;
    if (!rc)
        rc = order_expire_pickups(c, *(int64_t *)arg, &pickups);
    if (!rc)
        *out = json_pack("{s:I, s:I}", "cancelled_unpaid", (json_int_t)unpaid, "expired_pickups", (json_int_t)pickups);
    return rc;
}

int api_orders_expire(struct http_req *rq)
{
    return api_write_as_of(rq, expire_body);
}

/* ---- routing capacity ---- */

struct cap_arg {
    int64_t location_id;
    int64_t cap;
};

static int cap_render(struct db_conn *c, int64_t loc, json_t **out)
{
    int64_t cap = 0, used = 0;
    bool has = false;
    int rc = routing_capacity_get(c, loc, &cap, &has, &used);
    if (!rc)
        *out = json_pack("{s:I, s:b, s:I}", "daily_capacity", (json_int_t)cap, "chain_default", !has, "used_today",
                         (json_int_t)used);
    return rc;
}

static int cap_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct cap_arg *a = arg;
    int rc = scope_check_location(c, who, a->location_id);
    if (!rc)
        rc = routing_capacity_set(c, a->location_id, a->cap);
    return rc ? rc : cap_render(c, a->location_id, out);
}

int api_capacity_put(struct http_req *rq)
{
    struct cap_arg *a = xcalloc(1, sizeof *a);
    int rc = resolve_location(rq->params[0], NULL, &a->location_id);
    if (!rc)
        rc = jin_i64(rq->json, "daily_capacity", true, 0, 1000000, &a->cap, NULL);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, cap_body, a, 200);
}

int api_capacity_get(struct http_req *rq)
{
    int64_t loc;
    json_t *out = NULL;
    int rc = resolve_location(rq->params[0], NULL, &loc);
    if (!rc)
        rc = scope_check_location(api_reader(), &rq->who, loc);
    if (!rc)
        rc = cap_render(api_reader(), loc, &out);
    return rc ? rc : http_reply_json(rq, 200, out);
}
