/*
** order_board.c -- what the today board reads of orders (order_board.h): sales by
** hour and the work waiting in a store. Reads orders and fulfilments.
*/
#include "sales/order_board.h"

#include <string.h>

#define HOUR_MS 3600000LL

int order_hourly(struct db_conn *c, int64_t loc, int64_t start, int64_t end, int64_t orders[BOARD_HOURS],
                 int64_t sales[BOARD_HOURS])
{
    struct db_stmt *s = NULL;
    int rc;
    memset(orders, 0, BOARD_HOURS * sizeof orders[0]);
    memset(sales, 0, BOARD_HOURS * sizeof sales[0]);
    /* the branches can each use an index (as the reports' figures do) */
    rc = db_query(c, &s,
                  "SELECT (o.created_at - $2) / 3600000, COUNT(*), COALESCE(SUM(o.total - o.refunded), 0) "
                  "FROM orders o WHERE o.id IN (SELECT id FROM orders WHERE location_id = $1 AND created_at >= $2 "
                  "AND created_at < $3 UNION SELECT id FROM orders WHERE pickup_location_id = $1 AND "
                  "created_at >= $2 AND created_at < $3 UNION SELECT id FROM orders WHERE $1 = 0 AND "
                  "created_at >= $2 AND created_at < $3) "
                  "AND (o.status = 'paid' OR o.status = 'completed' OR o.status = 'returned') "
                  "GROUP BY (o.created_at - $2) / 3600000",
                  "iii", loc, start, end);
    while (rc == DB_ROW) {
        int64_t h = db_col_i64(s, 0);
        if (h >= 0 && h < BOARD_HOURS) {
            orders[h] += db_col_i64(s, 1);
            sales[h] += db_col_i64(s, 2);
        }
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int order_work_at(struct db_conn *c, int64_t loc, int64_t now, int64_t late_ms, struct order_work *out)
{
    struct db_stmt *s = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    rc = db_query(c, &s,
                  "SELECT "
                  "COALESCE(SUM(CASE WHEN kind = 'pickup' AND (status = 'allocated' OR status = 'picked') "
                  "AND (location_id = $1 OR $1 = 0) THEN 1 ELSE 0 END), 0), "
                  "COALESCE(SUM(CASE WHEN kind = 'pickup' AND status = 'ready_for_pickup' AND pickup_expires_at >= $2 "
                  "AND (location_id = $1 OR $1 = 0) THEN 1 ELSE 0 END), 0), "
                  "COALESCE(SUM(CASE WHEN kind = 'pickup' AND status = 'ready_for_pickup' AND pickup_expires_at < $2 "
                  "AND (location_id = $1 OR $1 = 0) THEN 1 ELSE 0 END), 0), "
                  "COALESCE(SUM(CASE WHEN kind = 'transfer' AND (status = 'allocated' OR status = 'picked') "
                  "AND (location_id = $1 OR $1 = 0) THEN 1 ELSE 0 END), 0), "
                  "COALESCE(SUM(CASE WHEN kind = 'transfer' AND status = 'shipped' "
                  "AND (to_location_id = $1 OR $1 = 0) THEN 1 ELSE 0 END), 0), "
                  "COALESCE(SUM(CASE WHEN kind = 'delivery' AND (location_id = $1 OR $1 = 0) AND "
                  "(((status = 'allocated' OR status = 'picked') AND created_at < $2 - $3) OR "
                  "(status = 'shipped' AND updated_at < $2 - 3 * $3)) THEN 1 ELSE 0 END), 0) "
                  "FROM fulfilments WHERE (status = 'allocated' OR status = 'picked' OR status = 'ready_for_pickup' "
                  "OR status = 'shipped') AND (location_id = $1 OR to_location_id = $1 OR $1 = 0)",
                  "iii", loc, now, late_ms);
    if (rc == DB_ROW) {
        out->pickups_to_prepare = db_col_i64(s, 0);
        out->pickups_waiting = db_col_i64(s, 1);
        out->pickups_overdue = db_col_i64(s, 2);
        out->transfers_to_ship = db_col_i64(s, 3);
        out->transfers_to_receive = db_col_i64(s, 4);
        out->deliveries_late = db_col_i64(s, 5);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
