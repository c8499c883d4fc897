/*
** demand.h -- demand figures for manufacturers: units and revenue per month
** by category x size x price band, each series with its trend, next month's
** forecast by seasonal naive and by exponential smoothing, and how far each
** method's forecasts were off on the history (MAPE, one month ahead).
*/
#ifndef O2O_INSIGHT_DEMAND_H
#define O2O_INSIGHT_DEMAND_H

#include <stdint.h>

#include "db/db.h"

struct demand_series {
    char category[65], size[33], band[8];   /* band: budget | mid | premium */
    int64_t *units, *revenue;               /* one per month of the report */
    int64_t total_units, total_revenue;
    double trend;                           /* units per month over the last 6 months */
    double ses, snaive, alpha;              /* next month's forecasts; smoothing's alpha */
    double mape_ses, mape_snaive;           /* -1: nothing to measure (fewer than 3 months with sales) */
    int points;                             /* months forecast in the backtest */
};

struct demand_report {
    char timezone[64];
    char (*months)[8];                      /* YYYY-MM, every month from the first to the last */
    int nmonths;
    char next[8];                           /* the month forecast */
    struct demand_series *s;                /* most units first */
    int n;
    /* over every series and month of the history */
    double mape_ses, mape_snaive;
    int points;
};

/* Months from..to (YYYY-MM, "" for the first / last with sales) of the whole chain. */
int demand_report(struct db_conn *c, const char *from, const char *to, struct demand_report *out);
void demand_report_free(struct demand_report *r);

#endif
