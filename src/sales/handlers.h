/*
** handlers.h -- the HTTP handlers of sales/ for the route table (app/routes.c): orders,
** fulfilments, payments through gateways, settlements, receipts, tracking, and what the
** files of sales share: the order view, the watcher of a timeline, the gateway sweeper.
*/
#ifndef O2O_SALES_HANDLERS_H
#define O2O_SALES_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_capacity_get(struct http_req *rq);
int api_capacity_put(struct http_req *rq);
int api_carrier_events(struct http_req *rq);
int api_ful_deliver(struct http_req *rq);
int api_ful_handover(struct http_req *rq);
int api_ful_pick(struct http_req *rq);
int api_ful_ready(struct http_req *rq);
int api_ful_receive(struct http_req *rq);
int api_ful_reject(struct http_req *rq);
int api_ful_ship(struct http_req *rq);
int api_gw_alipay_notify(struct http_req *rq);
int api_gw_wechat_notify(struct http_req *rq);
int api_orders_cancel(struct http_req *rq);
int api_orders_create(struct http_req *rq);
int api_orders_events(struct http_req *rq);
int api_orders_expire(struct http_req *rq);
int api_orders_get(struct http_req *rq);
int api_orders_list(struct http_req *rq);
int api_orders_pay(struct http_req *rq);
int api_orders_pay_gateway(struct http_req *rq);
int api_orders_return(struct http_req *rq);
int api_orders_returnable(struct http_req *rq);
int api_payments_sweep_now(struct http_req *rq);
int api_payments_sync(struct http_req *rq);
int api_receipt_page(struct http_req *rq);
int api_receipt_qr_png(struct http_req *rq);
int api_receipt_qr_svg(struct http_req *rq);
int api_receipt_script(struct http_req *rq);
int api_receipts_claim(struct http_req *rq);
int api_settlements_get(struct http_req *rq);

/* The view of an order reference {"order_id": N, ...}: the order, with the
** reference's other keys added. */
int api_order_view(struct db_conn *c, json_t *ref, json_t **out);

/* Order watchers (sales/api_watch.c): long-polling clients of an order's timeline. Open
** lets clients wait (someone runs the turns); a turn waits up to 100 ms for a wake,
** then answers the watchers whose order moved or whose time is up; close answers
** every one still waiting. */
void api_watch_open(void);

void api_watch_tick(void *arg);

void api_watch_close(void);

/* Wake the clients waiting on an order's timeline (any thread). */
void api_watch_notify(int64_t order_id);

/* The whole order as the API shows it (new reference in *out). */
int api_render_order(struct db_conn *c, int64_t id, json_t **out);

/* order_view.c: the limited view of an order a store takes goods back from; one
** timeline event; a callback appending events to a JSON array. */
int api_render_returnable(struct db_conn *c, int64_t id, json_t **out);

struct order_event;
json_t *api_render_event(const struct order_event *e);

int api_event_cb(const struct order_event *e, void *arg);

/* A till sale's e-receipt: token, claim link, QR code links, who claimed it. */
int api_receipt_info(struct db_conn *c, int64_t order_id, json_t **out);

/* After a shipment with a configured carrier: subscribe its tracking number (async). */
void api_tracking_subscribe(int64_t order_id, const char *carrier, const char *tracking_no);

/* The background turns of the handlers, each run by a thread of app/ (only app/
** starts threads). */
/* Gateway sweeper (sales/api_payments.c): sends pending refunds and asks the gateways about
** payments whose notification is older than stale_ms. Returns what it handled. A
** turn: refunds, and every 30 s the payments two minutes late. Active: a gateway
** is configured. */
int api_payments_sweep(int64_t stale_ms);

void api_payments_tick(void *arg);

bool api_payments_active(void);
#endif
