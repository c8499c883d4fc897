/*
** order_list.h -- the orders staff work through: a list with filters and cursor
** paging (newest first), within the caller's scope; and the order a customer's
** pickup code names (order_list.c). Reads only.
*/
#ifndef O2O_SALES_ORDER_LIST_H
#define O2O_SALES_ORDER_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define ORDER_LIST_MAX 200

/* Every filter is optional (0 or ""). An order "touches" a location when it sold
** there, is picked up there, or one of its fulfilments leaves or arrives there. */
struct order_filter {
    int64_t before;        /* cursor: orders with a smaller id */
    char status[12];       /* placed | paid | completed | cancelled | returned */
    char channel[16];
    char mode[12];         /* carry_out | pickup | delivery */
    int64_t member_id;
    int64_t from, to;      /* created in [from, to), epoch ms */
    int64_t location_id;   /* touches this location */
    int64_t region_id;     /* touches a location of this region or below */
    int64_t id;            /* this order only (a search by number) */
    char contact_phone[24];/* or: the member's phone or the order's contact phone */
    int limit;             /* 1..ORDER_LIST_MAX */
};

struct order_row {
    int64_t id;
    char channel[16];
    char mode[12];
    char status[12];
    int64_t member_id;     /* 0: none */
    char member_phone[24]; /* "" none */
    char location[65];     /* the selling store's code, "" none */
    char pickup_store[65];
    int64_t total, paid, refunded;
    int64_t items;         /* units on its lines */
    int64_t created_at;
};

/* Calls cb for each order of the filter, newest first; *more says whether one
** more page follows. */
int order_list(struct db_conn *c, const struct order_filter *f, int (*cb)(const struct order_row *r, void *arg),
               void *arg, bool *more);

/* The order whose pickup at one of the locations of `scope_loc` (0: any) is ready
** and waits for this code; O2O_ENOTFOUND when none does. */
int order_by_pickup_code(struct db_conn *c, int64_t scope_loc, int64_t scope_region, const char *code,
                         int64_t *order_id);
#endif
