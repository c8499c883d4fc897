/*
** report.h -- the reports that arrive by themselves: a store's day at its
** closing time (and the roll-ups of a region and of the chain), monthly figures
** for a scope, the stored reports and who subscribed to them. Figures come
** from the modules that own the data (orders, points, members); rendering
** (JSON, CSV, HTML, XLSX) is src/report/'s.
*/
#ifndef O2O_REPORTS_REPORT_H
#define O2O_REPORTS_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

#define REPORT_TOP 10

struct report_kv {
    char key[33];             /* channel or tender */
    int64_t count, amount;
};

struct report_sku {
    char code[65], name[129];
    int64_t qty, amount;
};

struct report_customer {
    int64_t member_id;
    char name[129], phone[20];
    int64_t orders, spend;
};

struct report_store {
    char code[65], name[129];
    int64_t orders, sales, returns_amount;
};

/* scope: "store", "region" or "chain" */
struct daily_report {
    char scope[8];
    char code[65], name[129];         /* the store or region ("" for the chain) */
    char date[11], timezone[64];
    int64_t from, to;                 /* the local day in UTC ms */
    int64_t orders, sales, returns, returns_amount, new_members, points_issued, points_redeemed, pickups_waiting;
    struct report_kv channels[8], tenders[8];
    int nchannels, ntenders;
    struct report_sku top[REPORT_TOP];
    int ntop;
    struct report_customer customers[REPORT_TOP];   /* core customers of the day: most spend */
    int ncustomers;
    struct report_store *stores;      /* region and chain: a line per store */
    int nstores;
};

/* The day `date` (YYYY-MM-DD, local) of a store, a region (its stores, each on
** its own local day) or the chain (every order, on the chain's time zone day).
** code: the store or region code ("" for the chain). */
int report_daily(struct db_conn *c, const char *scope, const char *code, const char *date, struct daily_report *out);
void daily_report_free(struct daily_report *r);

#define REPORT_MONTH_TOP 5

struct month_row {
    char month[8];                    /* YYYY-MM */
    int64_t orders, sales, customers;
    struct report_sku top[REPORT_MONTH_TOP];   /* best sellers by quantity */
    int ntop;
};

struct monthly_report {
    char scope[8], code[65], name[129], timezone[64];
    struct month_row *months;
    int n;
};

/* Months from..to (YYYY-MM, "" for the first / last with sales) of a scope. */
int report_monthly(struct db_conn *c, const char *scope, const char *code, const char *from, const char *to,
                   struct monthly_report *out);
void monthly_report_free(struct monthly_report *r);

/* May who see a report of this scope? A store: her store or a region above it; a
** region: a region at or under hers; the chain: the chain's staff. */
int report_scope_check(struct db_conn *c, const struct principal *who, const char *scope, const char *code);

/* ---- stored reports and delivery ---- */

/* Store a built report (body: its JSON) and queue it for the subscribers of its
** scope (outbox topic email or webhook, payload "report:ID"). Transaction body. */
int report_save(struct db_conn *c, const char *scope, const char *code, const char *date, const char *body,
                int64_t *id);
/* The stored report of a scope and day; O2O_ENOTFOUND if none. *body is malloc'd. */
int report_stored(struct db_conn *c, const char *scope, const char *code, const char *date, char **body);
/* A stored report by id (for delivery); *body malloc'd. */
int report_body(struct db_conn *c, int64_t id, char scope[8], char code[65], char date[11], char **body);

/* Reports due as of now: every store whose closing time has passed on its local
** day without a stored report, then each region and the chain once all of their
** stores have one for that day. Called in order; cb may build and save each. */
int report_due(struct db_conn *c, int64_t now,
               int (*cb)(const char *scope, const char *code, const char *date, void *arg), void *arg);

struct report_subscription {
    int64_t id, staff_id;
    char channel[8];                  /* email | webhook */
    char target[257];                 /* an address or an https URL */
};

int report_subscribe(struct db_conn *c, int64_t staff_id, const char *channel, const char *target,
                     struct report_subscription *out);
int report_unsubscribe(struct db_conn *c, int64_t staff_id, int64_t id);
int report_subscriptions(struct db_conn *c, int64_t staff_id,
                         int (*cb)(const struct report_subscription *s, void *arg), void *arg);

#endif
