/*
** demo.h -- a realistic demo chain for first runs, demos and benchmarks.
*/
#ifndef O2O_INGEST_DEMO_H
#define O2O_INGEST_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct demo_opts {
    int64_t members;          /* default 100000 */
    int64_t products;         /* default 2000 (5 SKUs each) */
    int64_t sales_days;       /* till sales history: the days before today (0: none) */
    bool progress;            /* draw a progress bar on stderr */
};

struct demo_stats {
    int64_t regions, stores, warehouses, restaurants, brands, categories, products, skus, members, stock_rows, sales;
    int64_t elapsed_ms;
};

/* Load the demo chain (deterministic). Fails with O2O_EEXISTS if it is already loaded. */
int demo_load(struct db *db, const struct demo_opts *o, struct demo_stats *out);

#endif
