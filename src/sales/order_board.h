/*
** order_board.h -- what the today board reads of orders (order_board.c): sales by
** hour of a day, and the work waiting in a store (or the chain): pickups to
** prepare, waiting and overdue, transfers to ship and to receive, late deliveries.
** Reads only; the board itself is reports/api_board.c.
*/
#ifndef O2O_SALES_ORDER_BOARD_H
#define O2O_SALES_ORDER_BOARD_H

#include <stdint.h>

#include "db/db.h"

#define BOARD_HOURS 25 /* a local day has 23 to 25 hours */

/* Orders sold at loc (0: the chain; till sales there and pickups there) created in
** [start, end), by hour since start: count and net sales (fen, total - refunded);
** only paid, completed and returned orders count, as in the reports. */
int order_hourly(struct db_conn *c, int64_t loc, int64_t start, int64_t end, int64_t orders[BOARD_HOURS],
                 int64_t sales[BOARD_HOURS]);

struct order_work {
    int64_t pickups_to_prepare; /* allocated or picked */
    int64_t pickups_waiting;    /* ready, within their hold */
    int64_t pickups_overdue;    /* ready, hold over (the expiry job will cancel them) */
    int64_t transfers_to_ship;  /* from loc, not shipped yet */
    int64_t transfers_to_receive; /* shipped to loc */
    int64_t deliveries_late;    /* not shipped after late_ms, or shipped and not delivered after 3 x late_ms */
};

/* The work waiting at loc (0: the chain) at instant now. */
int order_work_at(struct db_conn *c, int64_t loc, int64_t now, int64_t late_ms, struct order_work *out);
#endif
