/*
** order.h -- one order model for every channel (till, web, app, mini-program,
** phone, marketplace): lines at the catalog price, a coupon discount, tenders,
** fulfilments from any stock point, an event timeline, cancellation, returns in
** any store, refunds to the original tenders, and the jobs that cancel unpaid
** orders and expire uncollected pickups.
**
** The order's status: placed -> paid -> completed, or cancelled; returned when
** every unit came back. Each fulfilment has its own state machine:
**   carry_out  allocated -> handed_over (at payment, at the till)
**   pickup     allocated -> picked -> ready_for_pickup -> picked_up
**   delivery   allocated -> picked -> shipped -> delivered
**   transfer   allocated -> picked -> shipped -> received (joins the pickup)
** and allocated/picked -> rejected (the store cannot serve it: re-routed) or
** cancelled. Anything else is O2O_ECONFLICT "illegal_transition".
** Stock is reserved at placement and leaves on hand at hand-over or shipment.
*/
#ifndef O2O_SALES_ORDER_H
#define O2O_SALES_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

#define ORDER_MAX_LINES 50
#define ORDER_MAX_TENDERS 8

struct tender {
    char tender[16];          /* cash | bank_card | wechat_pay | alipay | scan | points */
    int64_t amount;           /* fen; a points tender's amount follows from its points */
    int64_t points;           /* points tender: points to spend */
    char reference[65];       /* bank_card: terminal reference; scan: the customer's payment code */
    char payer[65];           /* the payer identity a gateway reported */
};

struct order_input {
    char channel[16];         /* pos | web | app | miniprogram | phone | marketplace */
    int64_t member_id;        /* 0: anonymous (till sales only) */
    int64_t location_id;      /* the selling store (till sales) */
    char mode[12];            /* carry_out | pickup | delivery */
    int64_t pickup_id;        /* pickup store */
    char address[257];
    bool has_geo;
    double lat, lon;
    char contact_phone[24];
    char note[257];
    char coupon[65];
    int nlines;
    char sku[ORDER_MAX_LINES][65];
    int64_t qty[ORDER_MAX_LINES];
    int ntenders;             /* tenders paid at once (a till sale) */
    struct tender tenders[ORDER_MAX_TENDERS];
    char actor[48];
};

struct order {
    int64_t id;
    char channel[16];
    int64_t member_id;
    int64_t location_id;
    char location_code[65];
    char mode[12];
    int64_t pickup_id;
    char pickup_code[65];     /* the pickup store's code (not the customer's pickup code) */
    char status[12];
    int64_t subtotal, discount, total, paid, refunded, points_earned;
    char coupon[65];
    char address[257];
    bool has_geo;
    double lat, lon;
    char contact_phone[24];
    char note[257];
    int64_t pay_by, seq, created_at, updated_at;
};

struct order_line {
    int64_t id, line_no, sku_id;
    char sku_code[65];
    char name[257];
    int64_t qty, unit_price, discount, amount;
    int64_t fulfilment_id, reservation_id, returned_qty;
};

struct fulfilment {
    int64_t id, order_id;
    char kind[12];
    int64_t location_id;
    char location_code[65];
    int64_t to_location_id;
    char to_location_code[65];
    char status[20];
    int64_t pickup_expires_at;
    char carrier[33];
    char tracking_no[65];
    char reason[129];
    int64_t created_at, updated_at;
};

struct payment {
    int64_t id, order_id;
    char tender[16];
    int64_t amount, refunded, points;
    char status[12];
    char reference[65];
    char out_trade_no[65];
    char payer[65];
    int64_t location_id;
    int64_t created_at;
    char gateway[16];
    char pay_url[300];
    int64_t expires_at;       /* a gateway payment: the gateway closes it then */
    int64_t closed_at;        /* when o2o closed it at the gateway */
};

struct refund {
    int64_t id, payment_id;
    char tender[16];
    int64_t amount, points;
    char status[12];
    char out_refund_no[65];
    char reference[65];
    char reason[129];
    int64_t created_at;
};

struct order_event {
    int64_t seq;
    char kind[24];
    int64_t fulfilment_id;
    char detail[400];
    char actor[48];
    int64_t created_at;
};

enum ful_action { FA_PICK, FA_READY, FA_SHIP, FA_DELIVER, FA_RECEIVE, FA_HANDOVER, FA_REJECT };

struct ful_args {
    char code[16];            /* handover: the customer's pickup code */
    char carrier[33];         /* ship: a configured carrier */
    char tracking_no[65];
    bool untracked;           /* the carrier is not integrated: no tracking events will come */
    char reason[129];         /* reject */
};

#define RETURN_MAX_LINES ORDER_MAX_LINES
struct return_input {
    int64_t location_id;      /* the store the goods came back to */
    int nlines;
    int64_t line_no[RETURN_MAX_LINES];
    int64_t qty[RETURN_MAX_LINES];
    char reason[129];
    char actor[48];
};

/* ---- transaction bodies ---- */
/* Place an order: price, discount, route, reserve; pay at once with in->tenders. */
int order_place(struct db_conn *c, const struct order_input *in, int64_t *id);
/* Pay (part of) an order with local tenders; the last one makes it paid. */
int order_pay(struct db_conn *c, int64_t id, const struct tender *t, int n, int64_t location_id, const char *actor);
int order_cancel(struct db_conn *c, int64_t id, const char *reason, const char *actor);
int fulfilment_act(struct db_conn *c, int64_t fid, enum ful_action a, const struct ful_args *args, const char *actor);
/* Give an anonymous paid order to a member (a claimed receipt): she gets its points. */
int order_link_member(struct db_conn *c, int64_t id, int64_t member_id, const char *actor, int64_t *points);
/* What may still come back of an order: its lines, each with the units delivered
** and not returned yet (0 unless the order is completed); closes_at: the end of
** the return window (0: none). What a store taking goods back may read of an
** order it never touched: no customer, payments or timeline. */
struct returnable {
    struct order order;
    int nlines;
    struct order_line line[ORDER_MAX_LINES];
    int64_t left[ORDER_MAX_LINES];
    int64_t closes_at;
};
int order_returnable(struct db_conn *c, int64_t id, struct returnable *r);

struct return_result {
    int64_t id;               /* the return */
    int64_t amount;           /* what the goods were paid */
    int64_t refunded;         /* what went back to the tenders: amount - withheld */
    int64_t points_reversed;  /* points taken back from her balance */
    int64_t withheld;         /* fen kept for points earned on them and already spent */
};
/* Return units of a completed order at any store; *r says what it did. */
int order_return(struct db_conn *c, int64_t id, const struct return_input *in, struct return_result *r);
/* Jobs: cancel orders unpaid after pay_by; cancel pickups not collected in time. */
int order_expire_unpaid(struct db_conn *c, int64_t now, int64_t *count);
int order_expire_pickups(struct db_conn *c, int64_t now, int64_t *count);

/* ---- payments through a gateway (WeChat Pay, Alipay) ---- */
struct gateway_payment {
    int64_t payment_id, order_id, amount, location_id;
    char tender[16];          /* wechat_pay | alipay | scan */
    char gateway[16];         /* wechat_pay | alipay */
    char out_trade_no[65];
    char pay_url[300];        /* QR text or prepay id, once the gateway gave it */
    char status[12];
    int64_t expires_at;       /* the gateway closes it then */
    bool existing;            /* made by an earlier request with the same key */
};

/* What a gateway reported (an answer, a query or a notification). */
struct gateway_report {
    char out_trade_no[65];
    char transaction_id[65];
    char out_refund_no[65];
    char refund_id[65];
    char state[16];           /* paid | pending | closed | failed | refunded */
    int64_t amount;           /* fen */
    char payer[65];           /* openid / Alipay buyer id or open id */
    char payer_kind[16];      /* the member identity kind of payer; "" : the gateway's usual one */
    char reason[160];         /* a refusal: the provider's codes */
    bool is_refund;
};

/* Start a gateway payment of amount (0: all that is due): a pending payment with
** our out_trade_no (trade_prefix, then O<order>P<payment>) that the gateway closes
** at the order's pay-by time or after gateway_payment_minutes. A payment still
** pending for the order is abandoned (closed at the gateway by the sweeper): a new
** attempt is never refused because an earlier one is unanswered. A repeat with
** the same idem_key returns the first one. */
int order_gateway_begin(struct db_conn *c, int64_t id, const char *tender, const char *gateway, int64_t amount,
                        int64_t location_id, const char *idem_key, const char *trade_prefix, const char *actor,
                        struct gateway_payment *out);
int order_gateway_set_url(struct db_conn *c, int64_t payment_id, const char *pay_url);
/* Apply a report: capture (and link the payer's member to a till sale), fail,
** refund a payment that arrived after the order was cancelled, or ignore a
** duplicate. outcome: applied, duplicate, pending, failed, abandoned, amount_mismatch,
** unknown_trade, late_payment_refunded. Never an error for a well-formed report
** about an unknown or mismatched trade: those are recorded for settlement. */
int order_gateway_result(struct db_conn *c, const char *gateway, const struct gateway_report *r, char outcome[24],
                         int64_t *location_id, int64_t *order_id);
/* Record the gateway's answer to a refund. */
int order_refund_result(struct db_conn *c, const struct gateway_report *r, char outcome[24], int64_t *order_id);

struct pending_refund {
    char gateway[16], out_trade_no[65], out_refund_no[65];
    int64_t amount, payment_amount;
};
/* Refunds waiting to be sent to a gateway, oldest first. */
int order_pending_refunds(struct db_conn *c, int limit, int (*cb)(const struct pending_refund *r, void *arg), void *arg);
/* Gateway payments to close at their gateway: abandoned (order cancelled, replaced
** by another payment) or expired unpaid; not closed yet. */
int order_payments_to_close(struct db_conn *c, int64_t now, int limit, int (*cb)(const struct payment *p, void *arg),
                            void *arg);
/* The gateway closed the trade: an expired pending payment fails (the order may be
** paid again), an abandoned one stays cancelled. */
int order_payment_closed(struct db_conn *c, const char *out_trade_no, int64_t *order_id);
/* Gateway payments still pending after older_ms (their notification may be lost). */
int order_stale_payments(struct db_conn *c, int64_t older_ms, int limit,
                         int (*cb)(const char *gateway, const char *out_trade_no, void *arg), void *arg);
int order_payment_by_trade(struct db_conn *c, const char *out_trade_no, struct payment *out);
int order_payment_get(struct db_conn *c, int64_t id, struct payment *out);

/* ---- carrier tracking ---- */
struct tracking_event {
    char status[24];          /* picked_up | in_transit | out_for_delivery | delivered | exception */
    char location[129];
    char description[257];
    int64_t at;               /* when the carrier says it happened */
};
/* Apply a carrier's event to the shipment with that tracking number: a timeline
** entry (once however often it is pushed), and the shipment delivered when the
** carrier says so. *found is false for a number o2o does not know. */
int order_tracking(struct db_conn *c, const char *carrier, const char *tracking_no, const struct tracking_event *e,
                   bool *found, bool *fresh, int64_t *order_id);
/* A line on an order's timeline from outside the order flow (e.g. a carrier subscription). */
int order_note(struct db_conn *c, int64_t id, const char *kind, const char *detail, const char *actor);

/* ---- sales from another system (history) ---- */
#define IMPORT_MAX_LINES 1200
struct sale_import {
    char external_ref[65];    /* e.g. the invoice number; an order with it already: *existed */
    int64_t location_id, member_id;
    int64_t at;               /* when it happened (epoch ms) */
    bool is_return;           /* a cancellation: the goods came back */
    int nlines;
    int64_t sku[IMPORT_MAX_LINES], qty[IMPORT_MAX_LINES], unit_price[IMPORT_MAX_LINES];
};
/* Record a historical till sale (completed) or return (returned) as it happened:
** no stock moves, no points are earned (history predates them). */
int order_import(struct db_conn *c, const struct sale_import *s, int64_t *id, bool *existed);

/* ---- reads ---- */
int order_get(struct db_conn *c, int64_t id, struct order *out);
int order_lines(struct db_conn *c, int64_t id, int (*cb)(const struct order_line *l, void *arg), void *arg);
int order_fulfilments(struct db_conn *c, int64_t id, int (*cb)(const struct fulfilment *f, void *arg), void *arg);
int order_payments(struct db_conn *c, int64_t id, int (*cb)(const struct payment *p, void *arg), void *arg);
int order_refunds(struct db_conn *c, int64_t id, int (*cb)(const struct refund *r, void *arg), void *arg);
/* Events with seq > after, oldest first. */
int order_events(struct db_conn *c, int64_t id, int64_t after, int (*cb)(const struct order_event *e, void *arg),
                 void *arg);
int fulfilment_get(struct db_conn *c, int64_t fid, struct fulfilment *out);
/* The code of a pickup that is ready, to show the customer it belongs to (she was
** sent it too); O2O_ENOTFOUND when it is not ready or its code cannot be said. */
int fulfilment_pickup_code(struct db_conn *c, int64_t fid, char code[8]);
/* Say a ready pickup's code again (transaction body; the service desk's action): the
** same code, by her medium (a member) or to the order's phone; the timeline says who
** asked. O2O_ECONFLICT (no_pickup_ready) when no pickup of it is ready. */
int order_resend_pickup(struct db_conn *c, int64_t order_id, const char *actor, char sent_to[32]);
/* The order's last event number (cheap; for waiting clients). */
int order_seq(struct db_conn *c, int64_t id, int64_t *seq);

/* May `who` see or act on this order? Members: their own. Staff and terminal keys:
** orders sold at, served from or picked up at a location in their scope. Channel
** keys without a location: orders of their channel. */
int scope_check_order(struct db_conn *c, const struct principal *who, int64_t order_id);

/* A merge (transaction body): what belonged to member `from` becomes `to`'s, and the
** order feed says so (insight then folds the survivor's history again). */
int order_move_member(struct db_conn *c, int64_t from, int64_t to);
#endif
