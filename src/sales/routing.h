/*
** routing.h -- order brokering: which stock points serve the lines of an online
** order, by rules the chain configures (settings routing_*), with the reasons
** kept: every candidate weighed and the verdict on it.
**
** Pickup: the pickup store if it has every line; otherwise its shortfall is
** transferred in from other locations or shipped to the customer
** (routing_pickup_shortfall). Delivery: the nearest single location that has
** every line; otherwise the split with the fewest shipments (nearest pair first,
** then greedy). Lines are never split across locations. A location is skipped
** when its kind is not allowed, it is closed, it is beyond the maximum distance,
** its daily capacity is used up, or it rejected this order before.
*/
#ifndef O2O_SALES_ROUTING_H
#define O2O_SALES_ROUTING_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define ROUTE_MAX_LINES 50
#define ROUTE_MAX_EXCLUDE 16
#define ROUTE_SHOWN 24           /* candidates recorded per decision */

struct route_request {
    bool pickup;                 /* pickup at pickup_id, else delivery */
    int64_t pickup_id;
    bool has_address;            /* the customer gave an address to ship to */
    bool has_geo;                /* its position */
    double lat, lon;
    int nlines;
    int64_t sku[ROUTE_MAX_LINES];
    int64_t qty[ROUTE_MAX_LINES];
    int nexclude;                /* locations that rejected this order */
    int64_t exclude[ROUTE_MAX_EXCLUDE];
};

/* One fulfilment to create: lines (bit i = line i) served from location_id. */
struct route_leg {
    int64_t location_id;
    char kind[12];               /* pickup | delivery | transfer */
    uint64_t lines;
};

struct route_candidate {
    int64_t location_id;
    char code[65];
    bool has_distance;
    double distance_m;
    uint64_t covers;             /* lines it has whole (bit i = line i) */
    int lines_covered;           /* how many */
    char verdict[24];            /* chosen, farther, partial, closed, too_far, over_capacity, ... */
};

struct route_plan {
    char rule[40];
    char summary[300];
    int nlegs;
    struct route_leg legs[ROUTE_MAX_LINES + 1];
    int ncand;
    struct route_candidate *cand;   /* owned; nearest first */
};

/* Plan (reads only). O2O_ESTOCK when some line cannot be served whole by any
** allowed location (field lines[i]); O2O_ECONFLICT when the pickup store cannot
** take the order. Free the plan with routing_plan_free in every case. */
int routing_plan(struct db_conn *c, const struct route_request *rq, struct route_plan *out);
void routing_plan_free(struct route_plan *p);
/* Record the decision and its candidates, and take one unit of daily capacity at
** each leg's location (O2O_ECONFLICT over_capacity if it ran out meanwhile). */
int routing_record(struct db_conn *c, int64_t order_id, const struct route_plan *p);

/* Daily capacity of a location for online fulfilments (0 = unlimited); *has is
** false when it follows the chain default. */
int routing_capacity_set(struct db_conn *c, int64_t location_id, int64_t cap);
int routing_capacity_get(struct db_conn *c, int64_t location_id, int64_t *cap, bool *has, int64_t *used_today);

/* An order's decisions, oldest first, each with its recorded candidates. */
struct route_decision {
    int64_t id;
    char rule[40];
    char summary[300];
    int64_t created_at;
    int ncand;
    struct route_candidate cand[ROUTE_SHOWN];
};
int routing_decisions(struct db_conn *c, int64_t order_id, int (*cb)(const struct route_decision *d, void *arg),
                      void *arg);

#endif
