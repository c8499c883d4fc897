/*
** api_payments.c -- payments through WeChat Pay and Alipay, end to end:
** POST /v1/orders/{id}/payments/gateway creates the payment with the gateway (a QR
** code to scan, a prepay id for an app, or an immediate charge of a scanned
** payment code); the gateways' asynchronous notifications are verified here and
** applied once however often they are resent; a sweeper sends pending refunds and
** asks the gateways about payments whose notification never came; and
** /v1/settlements reconciles a store's day.
**
** Gateway calls block, so they run on worker threads (never on an event loop),
** between two storage transactions: the payment row is written before the
** gateway hears of it, and the gateway's answer is written after.
*/
#include "api/api.h"
#include "sales/handlers.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/tz.h"
#include "core/util.h"
#include "core/workq.h"
#include "org/location.h"
#include "pay/gateway.h"
#include "sales/order.h"
#include "sales/settlement.h"

#define MODULE_NAME "payments"

static void report_from(const struct gw_txn *t, struct gateway_report *r)
{
    memset(r, 0, sizeof *r);
    str_copy(r->out_trade_no, sizeof r->out_trade_no, t->out_trade_no);
    str_copy(r->transaction_id, sizeof r->transaction_id, t->transaction_id);
    str_copy(r->out_refund_no, sizeof r->out_refund_no, t->out_refund_no);
    str_copy(r->refund_id, sizeof r->refund_id, t->refund_id);
    str_copy(r->state, sizeof r->state, t->state);
    r->amount = t->amount;
    str_copy(r->payer, sizeof r->payer, t->payer);
    str_copy(r->payer_kind, sizeof r->payer_kind, t->payer_kind);
    str_copy(r->reason, sizeof r->reason, t->reason);
    r->is_refund = t->is_refund;
}

/* Apply a verified gateway message and log it (transaction body helper). */
static int apply_report(struct db_conn *c, const char *gateway, const char *source, const struct gateway_report *r,
                        char outcome[24], int64_t *order_id)
{
    int64_t loc = 0;
    int rc = r->is_refund ? order_refund_result(c, r, outcome, order_id)
                          : order_gateway_result(c, gateway, r, outcome, &loc, order_id);
    if (!rc)
        rc = settlement_log(c, gateway, source, r->out_trade_no, r->out_refund_no, true, r->state, r->amount, outcome,
                            loc);
    return rc;
}

/* ---- creating a gateway payment ---- */

struct gpay {
    struct db_job job;            /* must be first */
    struct http_pending *pending;
    int phase;                    /* 1: begin, 2: record the gateway's answer */
    int64_t order_id, amount, location_id;
    char tender[16], gateway[16], auth_code[33], openid[65], actor[48], idem[129];
    struct principal who;
    struct gateway_payment gp;
    int gw_rc;                    /* the gateway call's result */
    struct err_rec gw_err;
    struct gw_txn txn;
    char pay_url[300];
    json_t *out;
};

static void gpay_finish(struct gpay *g, int status, json_t *body)
{
    http_complete_json(g->pending, status, body);
    json_decref(g->out);
    free(g);
}

static void gpay_fail(struct gpay *g, int rc, const struct err_rec *e)
{
    err_restore(e);
    http_complete_error(g->pending, rc);
    json_decref(g->out);
    free(g);
}

static int gpay_run(struct db_conn *c, void *arg)
{
    struct gpay *g = arg;
    json_decref(g->out);
    g->out = NULL;
    if (g->phase == 1) {
        int rc = scope_check_order(c, &g->who, g->order_id);
        if (!rc && g->location_id && g->who.role != ROLE_MEMBER)
            rc = scope_check_location(c, &g->who, g->location_id);
        return rc ? rc
                  : order_gateway_begin(c, g->order_id, g->tender, g->gateway, g->amount, g->location_id, g->idem,
                                        gateway_instance(api_app()->gateways), g->actor, &g->gp);
    }
    /* phase 2: what the gateway answered */
    {
        int rc = 0;
        int64_t oid = 0;
        char outcome[24];
        if (!g->gw_rc && g->pay_url[0])
            rc = order_gateway_set_url(c, g->gp.payment_id, g->pay_url);
        if (!rc && !g->gw_rc && g->auth_code[0] && strcmp(g->txn.state, "pending")) {
            struct gateway_report r;
            report_from(&g->txn, &r);
            str_copy(r.out_trade_no, sizeof r.out_trade_no, g->gp.out_trade_no);
            rc = apply_report(c, g->gateway, "answer", &r, outcome, &oid);
        } else if (!rc && g->gw_rc == O2O_ECONFLICT) {
            /* the gateway refused (signed or not, its codes are kept): the payment failed,
            ** the order may be paid again */
            struct gateway_report r;
            memset(&r, 0, sizeof r);
            str_copy(r.out_trade_no, sizeof r.out_trade_no, g->gp.out_trade_no);
            str_copy(r.state, sizeof r.state, "failed");
            str_copy(r.reason, sizeof r.reason, g->txn.reason[0] ? g->txn.reason : g->gw_err.msg);
            rc = apply_report(c, g->gateway, "answer", &r, outcome, &oid);
        }
        if (!rc)
            rc = api_render_order(c, g->order_id, &g->out);
        return rc;
    }
}

static void gpay_call(void *arg);

static void gpay_done(struct db_job *j)
{
    struct gpay *g = (struct gpay *)j;
    if (j->rc) {
        gpay_fail(g, j->rc, &j->err);
        return;
    }
    if (g->phase == 1) {
        if (g->gp.existing && (g->gp.pay_url[0] || strcmp(g->gp.status, "pending"))) {
            /* a retry of a finished request: answer as before, without calling the gateway again */
            g->phase = 2;
            g->gw_rc = 0;
            g->auth_code[0] = 0;
            str_copy(g->pay_url, sizeof g->pay_url, g->gp.pay_url);
            db_submit(api_app()->db, &g->job);
            return;
        }
        workq_submit(api_app()->io, gpay_call, g);
        return;
    }
    if (g->gw_rc && g->gw_rc != O2O_ECONFLICT) {
        gpay_fail(g, g->gw_rc, &g->gw_err); /* unreachable gateway: the payment stays pending, the sweeper asks later */
        return;
    }
    api_watch_notify(g->order_id);
    if (g->gw_rc) {
        gpay_fail(g, g->gw_rc, &g->gw_err);
        return;
    }
    {
        json_t *o = g->out, *p = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o}", "id", (json_int_t)g->gp.payment_id,
                                           "gateway", g->gateway, "out_trade_no", g->gp.out_trade_no, "amount",
                                           (json_int_t)g->gp.amount, "state",
                                           g->auth_code[0] ? g->txn.state : "pending", "expires_at",
                                           jtime(g->gp.expires_at));
        g->out = NULL;
        if (g->pay_url[0])
            json_object_set_new(p, !strncmp(g->pay_url, "prepay_id=", 10) ? "prepay" : "qr_code",
                                json_string(g->pay_url));
        json_object_set_new(o, "gateway_payment", p);
        gpay_finish(g, 201, o);
    }
}

/* Worker thread: talk to the gateway, then record what it said. */
static void gpay_call(void *arg)
{
    struct gpay *g = arg;
    char subject[80];
    snprintf(subject, sizeof subject, "o2o order %" PRId64, g->order_id);
    err_clear();
    g->gw_rc = gw_create(api_app()->gateways, g->gateway, g->gp.out_trade_no, g->gp.amount, subject, g->openid,
                         g->auth_code, g->gp.expires_at, g->pay_url, sizeof g->pay_url, &g->txn);
    if (g->gw_rc)
        err_save(&g->gw_err);
    g->phase = 2;
    db_submit(api_app()->db, &g->job);
}

int api_orders_pay_gateway(struct http_req *rq)
{
    struct gpay *g = xcalloc(1, sizeof *g);
    char loc[65] = "";
    int rc = api_param_id(rq, 0, "order", &g->order_id);
    if (!rc)
        rc = jin_str(rq->json, "tender", true, g->tender, sizeof g->tender);
    if (!rc)
        rc = jin_i64(rq->json, "amount", false, 1, 100000000000LL, &g->amount, NULL);
    if (!rc)
        rc = jin_str(rq->json, "auth_code", false, g->auth_code, sizeof g->auth_code);
    if (!rc)
        rc = jin_str(rq->json, "openid", false, g->openid, sizeof g->openid);
    if (!rc)
        rc = jin_str(rq->json, "location", false, loc, sizeof loc);
    if (!rc && strcmp(g->tender, "wechat_pay") && strcmp(g->tender, "alipay") && strcmp(g->tender, "scan"))
        rc = err_set(O2O_EINVAL, NULL, "tender", "tender must be wechat_pay, alipay or scan");
    if (!rc && !strcmp(g->tender, "scan")) {
        const char *gw = g->auth_code[0] ? gateway_for_code(api_app()->gateways, g->auth_code) : NULL;
        if (!g->auth_code[0])
            rc = err_set(O2O_EINVAL, "missing_field", "auth_code", "a scan tender needs the customer's payment code");
        else if (!gw)
            rc = err_set(O2O_EINVAL, "unknown_code", "auth_code", "not a WeChat Pay or Alipay payment code");
        else
            str_copy(g->gateway, sizeof g->gateway, gw);
    } else if (!rc) {
        str_copy(g->gateway, sizeof g->gateway, g->tender);
        if (g->auth_code[0])
            rc = err_set(O2O_EINVAL, NULL, "auth_code", "a payment code goes with the scan tender");
    }
    if (!rc)
        rc = scope_check_order(api_reader(), &rq->who, g->order_id);
    if (!rc && !gateway_enabled(api_app()->gateways, g->gateway))
        rc = err_set(O2O_EINVAL, "gateway_not_configured", "tender", "%s is not configured on this server", g->gateway);
    if (!rc && loc[0]) {
        struct location l;
        if (location_cached_by_code(api_reader(), loc, &l))
            rc = err_set(O2O_ENOTFOUND, "unknown_location", "location", "no location with code %.64s", loc);
        else
            g->location_id = l.id;
    } else if (!rc && rq->who.scope == SCOPE_LOCATION && rq->who.role != ROLE_MEMBER) {
        g->location_id = rq->who.scope_id;
    }
    if (!rc && rq->idem_key && strlen(rq->idem_key) > 128)
        rc = err_set(O2O_EINVAL, "bad_idempotency_key", "Idempotency-Key", "Idempotency-Key must be 1..128 characters");
    if (rc) {
        free(g);
        return rc;
    }
    if (rq->idem_key)
        str_copy(g->idem, sizeof g->idem, rq->idem_key);
    g->who = rq->who;
    principal_tag(&rq->who, g->actor);
    g->phase = 1;
    api_submit(rq, &g->pending, &g->job, gpay_run, gpay_done, g);
    return 0;
}

/* ---- notifications ---- */

struct note {
    struct db_job job;            /* must be first */
    struct http_pending *pending;
    char gateway[16];
    bool verified, alipay;
    struct gateway_report r;
    char reason[64];
    int64_t order_id;
};

static int note_run(struct db_conn *c, void *arg)
{
    struct note *n = arg;
    char outcome[24];
    if (!n->verified)
        return settlement_log(c, n->gateway, "notification", n->r.out_trade_no, n->r.out_refund_no, false, "", 0,
                              n->reason, 0);
    return apply_report(c, n->gateway, "notification", &n->r, outcome, &n->order_id);
}

static void note_done(struct db_job *j)
{
    struct note *n = (struct note *)j;
    const char *body;
    int status;
    if (j->rc)
        log_error("%s notification for %s not applied: %s", n->gateway, n->r.out_trade_no, j->err.msg);
    if (n->alipay) {
        /* Alipay resends until it reads "success" */
        body = !j->rc && n->verified ? "success" : "failure";
        status = 200;
    } else if (!j->rc && n->verified) {
        body = "";
        status = 204;
    } else {
        body = !n->verified ? "{\"code\":\"FAIL\",\"message\":\"signature verification failed\"}"
                            : "{\"code\":\"FAIL\",\"message\":\"not applied, resend later\"}";
        status = !n->verified ? 401 : 500;
    }
    http_complete_as(n->pending, status, n->alipay ? "text/plain" : "application/json", xstrdup(body), strlen(body),
                     false);
    if (!j->rc && n->order_id)
        api_watch_notify(n->order_id);
    free(n);
}

static int note_submit(struct http_req *rq, struct note *n)
{
    api_submit(rq, &n->pending, &n->job, note_run, note_done, n);
    return 0;
}

int api_gw_wechat_notify(struct http_req *rq)
{
    struct note *n = xcalloc(1, sizeof *n);
    struct gw_wx_headers h = {http_header(rq, "wechatpay-timestamp"), http_header(rq, "wechatpay-nonce"),
                              http_header(rq, "wechatpay-signature"), http_header(rq, "wechatpay-serial")};
    struct gw_txn t;
    int rc;
    str_copy(n->gateway, sizeof n->gateway, "wechat_pay");
    rc = gw_wechat_notification(api_app()->gateways, &h, rq->body, rq->body_len, &t);
    if (rc == O2O_ENOTFOUND || rc == O2O_EINVAL) {
        free(n);
        return rc;
    }
    n->verified = rc == 0;
    if (n->verified)
        report_from(&t, &n->r);
    else
        str_copy(n->reason, sizeof n->reason, err_last()->code);
    return note_submit(rq, n);
}

int api_gw_alipay_notify(struct http_req *rq)
{
    struct note *n = xcalloc(1, sizeof *n);
    struct gw_txn t;
    int rc;
    str_copy(n->gateway, sizeof n->gateway, "alipay");
    n->alipay = true;
    rc = gw_alipay_notification(api_app()->gateways, rq->body, rq->body_len, &t);
    if (rc == O2O_ENOTFOUND || rc == O2O_EINVAL) {
        free(n);
        return rc;
    }
    n->verified = rc == 0;
    if (n->verified)
        report_from(&t, &n->r);
    else
        str_copy(n->reason, sizeof n->reason, err_last()->code);
    return note_submit(rq, n);
}

/* ---- the sweeper: pending refunds out, lost notifications in ---- */

static int64_t last_query; /* the sweeper's turns run on one thread */

struct applied {
    const char *gateway;
    struct gateway_report r;
    int64_t order_id;
};

static int applied_body(struct db_conn *c, void *arg)
{
    struct applied *a = arg;
    char outcome[24];
    return apply_report(c, a->gateway, a->r.is_refund ? "answer" : "query", &a->r, outcome, &a->order_id);
}

static int refund_cb(const struct pending_refund *pr, void *arg)
{
    struct pending_refund *list = arg;
    for (int i = 0; i < 32; i++)
        if (!list[i].out_refund_no[0]) {
            list[i] = *pr;
            break;
        }
    return 0;
}

static int stale_cb(const char *gateway, const char *out_trade_no, void *arg)
{
    struct pending_refund *list = arg; /* reused as (gateway, out_trade_no) pairs */
    for (int i = 0; i < 32; i++)
        if (!list[i].out_trade_no[0]) {
            str_copy(list[i].gateway, sizeof list[i].gateway, gateway);
            str_copy(list[i].out_trade_no, sizeof list[i].out_trade_no, out_trade_no);
            break;
        }
    return 0;
}

static void apply_txn(const char *gateway, const struct gw_txn *t)
{
    struct applied a;
    memset(&a, 0, sizeof a);
    a.gateway = gateway;
    report_from(t, &a.r);
    if (db_txn(api_app()->db, applied_body, &a))
        log_error("%s %s: %s", gateway, t->out_trade_no, err_last()->msg);
    else if (a.order_id)
        api_watch_notify(a.order_id);
}

struct to_close {
    int n;
    struct {
        char gateway[16], out_trade_no[65];
    } v[32];
};

static int close_cb(const struct payment *p, void *arg)
{
    struct to_close *t = arg;
    if (t->n < 32) {
        str_copy(t->v[t->n].gateway, sizeof t->v[0].gateway, p->gateway);
        str_copy(t->v[t->n].out_trade_no, sizeof t->v[0].out_trade_no, p->out_trade_no);
        t->n++;
    }
    return 0;
}

struct closed {
    const char *out_trade_no;
    int64_t order_id;
};

static int closed_body(struct db_conn *c, void *arg)
{
    struct closed *k = arg;
    return order_payment_closed(c, k->out_trade_no, &k->order_id);
}

/* Close at their gateway the payments that must not be paid any more: abandoned
** ones and those past their expiry. One paid meanwhile is queried and applied. */
static int close_abandoned(void)
{
    struct to_close *t = xcalloc(1, sizeof *t);
    int done = 0;
    if (order_payments_to_close(api_reader(), now_ms(), 32, close_cb, t)) {
        free(t);
        return -1;
    }
    for (int i = 0; i < t->n; i++) {
        struct gw_txn x;
        int rc = gw_close(api_app()->gateways, t->v[i].gateway, t->v[i].out_trade_no, &x);
        if (rc == O2O_ECONFLICT && !strcmp(err_last()->code, "gateway_trade_paid")) {
            if (!gw_query(api_app()->gateways, t->v[i].gateway, t->v[i].out_trade_no, &x) && strcmp(x.state, "pending"))
                apply_txn(t->v[i].gateway, &x);
            continue;
        }
        if (rc) {
            log_warn("close %s: %s", t->v[i].out_trade_no, err_last()->msg);
            continue;
        }
        {
            struct closed k = {t->v[i].out_trade_no, 0};
            if (db_txn(api_app()->db, closed_body, &k))
                log_error("closed %s: %s", t->v[i].out_trade_no, err_last()->msg);
            else if (k.order_id)
                api_watch_notify(k.order_id);
        }
        done++;
    }
    free(t);
    return done;
}

int api_payments_sweep(int64_t stale_ms)
{
    struct pending_refund list[32];
    int done = 0, closed = close_abandoned();
    memset(list, 0, sizeof list);
    if (order_pending_refunds(api_reader(), 32, refund_cb, list))
        return -1;
    for (int i = 0; i < 32 && list[i].out_refund_no[0]; i++) {
        struct gw_txn t;
        if (gw_refund(api_app()->gateways, list[i].gateway, list[i].out_trade_no, list[i].out_refund_no,
                      list[i].amount, list[i].payment_amount, &t)) {
            log_warn("refund %s: %s", list[i].out_refund_no, err_last()->msg);
            continue;
        }
        apply_txn(list[i].gateway, &t);
        done++;
    }
    memset(list, 0, sizeof list);
    if (order_stale_payments(api_reader(), stale_ms, 32, stale_cb, list))
        return -1;
    for (int i = 0; i < 32 && list[i].out_trade_no[0]; i++) {
        struct gw_txn t;
        if (gw_query(api_app()->gateways, list[i].gateway, list[i].out_trade_no, &t)) {
            log_warn("query %s: %s", list[i].out_trade_no, err_last()->msg);
            continue;
        }
        if (strcmp(t.state, "pending")) {
            apply_txn(list[i].gateway, &t);
            done++;
        }
    }
    return closed < 0 ? -1 : done + closed;
}

void api_payments_tick(void *arg)
{
    int64_t now = now_ms();
    (void)arg;
    /* refunds every turn; payments whose notification is two minutes late, every 30 s */
    api_payments_sweep(now - last_query >= 30000 ? 120000 : INT64_MAX / 4);
    if (now - last_query >= 30000)
        last_query = now;
}

bool api_payments_active(void)
{
    const struct gateways *g = api_app()->gateways;
    return gateway_enabled(g, "wechat_pay") || gateway_enabled(g, "alipay");
}

/* ---- asking the gateway now ---- */

struct sync_arg {
    struct db_job job;
    struct http_pending *pending;
    int64_t payment_id, order_id;
    struct principal who;
    struct payment p;
    int phase, gw_rc;
    struct err_rec gw_err;
    struct gw_txn txn;
    json_t *out;
};

static int sync_run(struct db_conn *c, void *arg)
{
    struct sync_arg *s = arg;
    int64_t oid = 0;
    char outcome[24];
    int rc;
    json_decref(s->out);
    s->out = NULL;
    if (s->phase == 1) {
        rc = order_payment_by_trade(c, s->p.out_trade_no, &s->p);
        return rc ? rc : scope_check_order(c, &s->who, s->p.order_id);
    }
    if (!s->gw_rc && strcmp(s->txn.state, "pending")) {
        struct gateway_report r;
        report_from(&s->txn, &r);
        rc = apply_report(c, s->p.gateway, "query", &r, outcome, &oid);
        if (rc)
            return rc;
    }
    return api_render_order(c, s->p.order_id, &s->out);
}

static void sync_call(void *arg);

static void sync_done(struct db_job *j)
{
    struct sync_arg *s = (struct sync_arg *)j;
    if (j->rc || (s->phase == 2 && s->gw_rc)) {
        int rc = j->rc ? j->rc : s->gw_rc;
        err_restore(j->rc ? &j->err : &s->gw_err);
        http_complete_error(s->pending, rc);
        json_decref(s->out);
        free(s);
        return;
    }
    if (s->phase == 1) {
        workq_submit(api_app()->io, sync_call, s);
        return;
    }
    api_watch_notify(s->p.order_id);
    {
        http_complete_json(s->pending, 200, s->out);
        free(s);
    }
}

static void sync_call(void *arg)
{
    struct sync_arg *s = arg;
    err_clear();
    s->gw_rc = gw_query(api_app()->gateways, s->p.gateway, s->p.out_trade_no, &s->txn);
    if (s->gw_rc)
        err_save(&s->gw_err);
    s->phase = 2;
    db_submit(api_app()->db, &s->job);
}

int api_payments_sync(struct http_req *rq)
{
    struct sync_arg *s;
    struct payment p;
    int64_t id;
    int rc = api_param_id(rq, 0, "payment", &id);
    if (!rc)
        rc = order_payment_get(api_reader(), id, &p);
    if (rc)
        return rc;
    if (!p.gateway[0])
        return err_set(O2O_ECONFLICT, "not_a_gateway_payment", NULL, "payment %" PRId64 " did not go through a gateway",
                       id);
    s = xcalloc(1, sizeof *s);
    s->payment_id = id;
    str_copy(s->p.out_trade_no, sizeof s->p.out_trade_no, p.out_trade_no);
    s->who = rq->who;
    s->phase = 1;
    api_submit(rq, &s->pending, &s->job, sync_run, sync_done, s);
    return 0;
}

/* ---- sweeping on demand ---- */

struct sweep_req {
    struct http_pending *pending;
};

static void sweep_now(void *arg)
{
    struct sweep_req *s = arg;
    int n = api_payments_sweep(0);
    http_complete_json(s->pending, 200, json_pack("{s:i}", "handled", n < 0 ? 0 : n));
    free(s);
}

int api_payments_sweep_now(struct http_req *rq)
{
    struct sweep_req *s = xcalloc(1, sizeof *s);
    s->pending = http_defer(rq);
    workq_submit(api_app()->io, sweep_now, s);
    return 0;
}

/* ---- settlement ---- */

int api_settlements_get(struct http_req *rq)
{
    const char *code = http_query(rq, "location"), *day = http_query(rq, "date");
    struct settlement *st;
    struct location l;
    int64_t loc = 0, now = now_ms();
    char today[11];
    json_t *tenders, *issues;
    int rc;
    if (code) {
        if (location_cached_by_code(api_reader(), code, &l))
            return err_set(O2O_ENOTFOUND, "unknown_location", "location", "no location with code %.64s", code);
        loc = l.id;
        rc = scope_check_location(api_reader(), &rq->who, loc);
        if (rc)
            return rc;
    } else if (rq->who.scope != SCOPE_CHAIN) {
        return err_set(O2O_EINVAL, "missing_field", "location", "say which location");
    }
    if (!day) {
        tz_local_day(code ? l.timezone : "Asia/Shanghai", now, today);
        day = today;
    }
    st = xcalloc(1, sizeof *st);
    rc = settlement_day(api_reader(), loc, day, st);
    if (rc) {
        free(st);
        return rc;
    }
    tenders = json_array();
    for (int i = 0; i < st->ntenders; i++) {
        const struct settlement_tender *t = &st->tenders[i];
        json_array_append_new(tenders, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "tender", t->tender, "payments",
                                                 (json_int_t)t->payments, "paid", (json_int_t)t->paid, "refunds",
                                                 (json_int_t)t->refunds, "refunded", (json_int_t)t->refunded,
                                                 "pending_refunds", (json_int_t)t->pending_refunds, "net",
                                                 (json_int_t)(t->paid - t->refunded)));
    }
    issues = json_array();
    for (int i = 0; i < st->nissues; i++)
        json_array_append_new(issues, json_pack("{s:s, s:s, s:s}", "kind", st->issues[i].kind, "out_trade_no",
                                                st->issues[i].out_trade_no, "detail", st->issues[i].detail));
    rc = http_reply_json(rq, 200,
                         json_pack("{s:o, s:s, s:o, s:{s:I, s:I}, s:o, s:b}", "location", jstr_or_null(code ? code : ""),
                                   "date", st->day, "tenders", tenders, "notifications", "verified",
                                   (json_int_t)st->notifications, "rejected", (json_int_t)st->rejected, "mismatches",
                                   issues, "more_mismatches", st->more_issues));
    free(st);
    return rc;
}
