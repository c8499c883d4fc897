/*
** order_read.h -- what the contexts above sales read of orders (insight, reports,
** presence, demand, recommendations), without the whole order model of order.h:
** an order's facts, baskets, purchase lines, recommendation rows, a store's
** purchases, report figures and demand lines. Reads only (order_read.c).
*/
#ifndef O2O_SALES_ORDER_READ_H
#define O2O_SALES_ORDER_READ_H

#include <stdint.h>

#include "db/db.h"

/* What insight needs of one order. */
struct order_fact {
    int64_t id, member_id; /* member 0: none */
    char channel[16];
    char mode[12];       /* carry_out | pickup | delivery */
    int64_t location_id; /* the selling store (0: none) */
    int64_t pickup_id;   /* the pickup store (0: none) */
    char status[12];
    int64_t total, refunded; /* fen */
    char coupon[65];         /* "" none */
    int64_t created_at;
};
/* O2O_ENOTFOUND when there is no such order. */
int order_fact_get(struct db_conn *c, int64_t id, struct order_fact *out);

/* One line of an order with what a review of it needs: who bought it, what, where
** (the till's store, else the pickup store, else the store or warehouse that
** fulfilled it; 0 unknown), and how the order stands. */
struct order_line_fact {
    int64_t line_id, order_id, member_id, sku_id, product_id, store_id;
    char status[12];
    char sku[65], product[65], product_name[129];
    int64_t qty, returned_qty, created_at, line_no;
};
/* O2O_ENOTFOUND when there is no such line. */
int order_line_fact_get(struct db_conn *c, int64_t line_id, struct order_line_fact *out);
/* The same by the order and the line's number in it (as the order shows it). */
int order_line_fact_by_no(struct db_conn *c, int64_t order_id, int64_t line_no, struct order_line_fact *out);
/* Her paid, completed or returned orders placed at or after since. */
int order_member_count_since(struct db_conn *c, int64_t member_id, int64_t since, int64_t *n);

/* The baskets of the rules miner: every paid or completed order created at or
** after `since` (epoch ms; 0: all), as (order, product code) rows grouped by
** order. Returned and cancelled orders are left out; a product bought in two
** sizes is one item. */
int order_basket_items(struct db_conn *c, int64_t since, int (*cb)(int64_t order_id, const char *product, void *arg),
                       void *arg);

/* A line of a paid or completed order with what insight needs of its product. */
struct purchase_line {
    int64_t order_id, member_id, at; /* at: when the order was placed */
    int64_t product_id, category_id;
    char brand[65]; /* codes, "" when none */
    char category[65], parent_category[65];
    char category_path[256]; /* "/1/9/": the category and its ancestors */
    int64_t unit_price, qty;
};
/* The lines of order_id (if not 0), else of every paid or completed order of
** member_id (if not 0), else of every member's; in (member, time, order) order. */
int order_purchase_lines(struct db_conn *c, int64_t order_id, int64_t member_id,
                         int (*cb)(const struct purchase_line *l, void *arg), void *arg);

/* For the recommender: one row per line of every paid or completed order placed
** at or after `since`, in order id order: the order, its member (0: none), its
** store (the selling store of a till sale, the pickup store; 0 for deliveries),
** its time and the line's product. */
int order_reco_rows(struct db_conn *c, int64_t since,
                    int (*cb)(int64_t order_id, int64_t member_id, int64_t store_id, int64_t at, int64_t product_id,
                              void *arg),
                    void *arg);
/* ---- figures for reports ----
** Orders "sold here" in [start, end): placed at the store's till or picked up
** there (loc 0: every order of the chain), paid, completed or returned. Sales are
** net of refunds (total - refunded); an order returned whole is not counted as an
** order, nor its member as a customer. */
struct order_period {
    int64_t orders, sales;           /* sales: fen, net of refunds */
    int64_t returns, returns_amount; /* returns taken back at the store in the period */
    int64_t pickups_waiting;         /* ready for pickup now, not collected */
};
struct order_period_cbs {
    int (*channel)(const char *channel, int64_t orders, int64_t sales, void *arg);
    int (*tender)(const char *tender, int64_t payments, int64_t amount, void *arg);
    int (*sku)(const char *code, const char *name, int64_t qty, int64_t amount, void *arg);
    int (*member)(int64_t member_id, const char *name, const char *phone, int64_t orders, int64_t spend, void *arg);
};
int order_period_figures(struct db_conn *c, int64_t loc, int64_t start, int64_t end, const struct order_period_cbs *cb,
                         void *arg, struct order_period *out);
/* Every order sold here in [start, end) in time order: kept = not returned whole, net in fen. */
int order_period_rows(struct db_conn *c, int64_t loc, int64_t start, int64_t end,
                      int (*cb)(int64_t at, int64_t member_id, int kept, int64_t net, void *arg), void *arg);
/* Every line of the orders kept: net quantity (less returns). */
int order_period_lines(struct db_conn *c, int64_t loc, int64_t start, int64_t end,
                       int (*cb)(int64_t at, const char *sku, const char *name, int64_t qty, int64_t amount, void *arg),
                       void *arg);

/* Every line of every order kept (paid or completed) placed in [start, end), with
** its product's category code ("" none), the SKU's size, unit price and units kept. */
int order_demand_lines(struct db_conn *c, int64_t start, int64_t end,
                       int (*cb)(int64_t at, const char *category, const char *size, int64_t unit_price, int64_t qty,
                                 int64_t amount, void *arg),
                       void *arg);

/* Members' till sales at a store placed in [from, to) (paid or completed), in time order. */
int order_store_purchases(struct db_conn *c, int64_t location_id, int64_t from, int64_t to,
                          int (*cb)(int64_t member_id, int64_t at, int64_t total, void *arg), void *arg);
/* The products a member bought at or after `since` (paid or completed orders), newest first. */
int order_member_products(struct db_conn *c, int64_t member_id, int64_t since,
                          int (*cb)(int64_t product_id, int64_t category_id, int64_t at, void *arg), void *arg);
#endif
