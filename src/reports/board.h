/*
** board.h -- the today board of a store, a region or the chain (board.c): sales by
** hour today against the same weekday last week, today's orders by channel and
** returns, the work waiting (pickups, transfers, late deliveries) and the shelves
** running low. Reads through sales, stock, catalog and org; owns no table.
*/
#ifndef O2O_REPORTS_BOARD_H
#define O2O_REPORTS_BOARD_H

#include <stdint.h>

#include "db/db.h"
#include "sales/order_board.h"

#define BOARD_CHANNELS 8
#define BOARD_LOW 20

struct board {
    char tz[64];
    char day[11], last_week_day[11];   /* local dates */
    int hours_today, hours_last_week;  /* hours in each local day (23..25) */
    int64_t now;
    int64_t orders[BOARD_HOURS], sales[BOARD_HOURS];          /* today by hour, up to now */
    int64_t lw_orders[BOARD_HOURS], lw_sales[BOARD_HOURS];    /* that weekday last week, whole */
    int64_t today_orders, today_sales, lw_orders_so_far, lw_sales_so_far;
    int64_t returns, returns_amount;
    int nchannels;
    struct { char channel[16]; int64_t orders, sales; } channels[BOARD_CHANNELS];
    struct order_work work;
    int nlow;
    struct { char sku[65], name[257], location[65]; int64_t available; } low[BOARD_LOW];
};

/* The board of one location (loc), of a region's locations (region_id), or of the
** chain (both 0), as of instant now, its days in time zone tz. */
int board_build(struct db_conn *c, int64_t loc, int64_t region_id, const char *tz, int64_t now, struct board *out);
#endif
