/*
** inventory.h -- one stock figure per SKU x location (on hand, reserved,
** available = on hand - reserved), a movement journal, reservations with expiry,
** and availability across locations by distance.
*/
#ifndef O2O_STOCK_INVENTORY_H
#define O2O_STOCK_INVENTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct stock {
    int64_t sku_id;
    int64_t location_id;
    char location_code[65];
    char location_name[129];
    char location_kind[16];
    int64_t on_hand;
    int64_t reserved;
    int64_t available;
    bool has_distance;
    double distance_m;        /* from the origin of an availability query */
};

struct stock_move {
    int64_t sku_id;
    int64_t location_id;
    char kind[16];            /* receive | adjust | sale | return (transfers: inventory_transfer) */
    int64_t qty;              /* receive/sale/return: > 0; adjust: signed, non-zero */
    char reason[129];         /* required for adjust */
    char ref[65];
    char actor[48];
};

struct movement {
    int64_t id;
    char kind[16];
    int64_t qty;
    char reason[129];
    char ref[65];
    char actor[48];
    int64_t created_at;
};

struct reservation {
    int64_t id;
    int64_t sku_id;
    int64_t location_id;
    char sku_code[65];
    char location_code[65];
    int64_t qty;
    char status[12];          /* held | released | consumed | expired */
    char ref[65];
    int64_t expires_at;
    int64_t created_at;
};

/* Transaction bodies. A decrease beyond available is O2O_ESTOCK. */
int inventory_move(struct db_conn *c, const struct stock_move *m, struct stock *after);
/* Sell n lines at one location in one go: a conditional decrement of on hand per
** line, then one journal insert for them all. O2O_ESTOCK (field "lines[i]") with
** *short_line = i when line i is short. */
int inventory_sell(struct db_conn *c, int64_t location_id, int n, const int64_t *sku_ids, const int64_t *qty,
                   const char *ref, const char *actor, int *short_line);
int inventory_transfer(struct db_conn *c, int64_t sku_id, int64_t from_id, int64_t to_id, int64_t qty,
                       const char *ref, const char *actor);
int inventory_reserve(struct db_conn *c, int64_t sku_id, int64_t location_id, int64_t qty, int64_t ttl_ms,
                      const char *ref, struct reservation *out);
/* The same for an owner of the reservation (an order): ttl_ms 0 holds until released
** or consumed; field names the input in errors. */
int inventory_hold(struct db_conn *c, int64_t sku_id, int64_t location_id, int64_t qty, int64_t ttl_ms,
                   const char *ref, const char *field, struct reservation *out);
int inventory_release(struct db_conn *c, int64_t reservation_id, struct reservation *out);
/* The reserved units leave: on hand and reserved both drop, a 'sale' movement is written. */
int inventory_consume(struct db_conn *c, int64_t reservation_id, const char *actor, struct reservation *out);
int inventory_expire_reservations(struct db_conn *c, int64_t now, int64_t *count);

/* Reads. */
int inventory_stock(struct db_conn *c, int64_t sku_id, int64_t location_id, struct stock *out);
/* Units of any SKU of a product available (on hand, not reserved) at a location. */
int inventory_product_available(struct db_conn *c, int64_t product_id, int64_t location_id, int64_t *out);
/* Every location's stock of a SKU with available > 0 (all rows if include_empty),
** nearest first from (lat, lon) when has_origin, else by location id. */
int inventory_availability(struct db_conn *c, int64_t sku_id, bool has_origin, double lat, double lon,
                           bool include_empty, int limit, int (*cb)(const struct stock *s, void *arg), void *arg);
int inventory_movements(struct db_conn *c, int64_t sku_id, int64_t location_id, int limit,
                        int (*cb)(const struct movement *m, void *arg), void *arg);
int inventory_reservation(struct db_conn *c, int64_t id, struct reservation *out);
/* Running low at loc (0: every location): SKUs with at most `threshold` available
** that sold there since `since` (a shelf that sells, nearly empty), fewest first. */
int inventory_low(struct db_conn *c, int64_t loc, int64_t threshold, int64_t since, int limit,
                  int (*cb)(int64_t sku_id, int64_t location_id, int64_t available, void *arg), void *arg);
/* Sum of the movement journal for one SKU x location (equals on hand). */
int inventory_journal_sum(struct db_conn *c, int64_t sku_id, int64_t location_id, int64_t *out);

#endif
