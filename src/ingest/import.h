/*
** import.h -- bulk CSV import of locations, products/SKUs, members and stock.
** Good rows load; bad rows are reported with their line numbers and skipped.
*/
#ifndef O2O_INGEST_IMPORT_H
#define O2O_INGEST_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "db/db.h"

struct import_result {
    int64_t rows;       /* data rows read */
    int64_t loaded;
    int64_t rejected;
    int64_t skipped;    /* sales: rows of invoices imported before */
    int64_t orders;     /* sales: orders created */
};

/* kind: locations | products | members | stock. Rejections are written to report
** as "line N: field: message". Returns 0 (even with rejections), O2O_EINVAL for a
** bad kind, header or unreadable file. */
int import_csv(struct db *db, const char *kind, const char *path, bool progress, FILE *report,
               struct import_result *out);

/* Historical till sales (see import_sales.c for the layout and the rules) into the
** store `store` (created, in time zone tz, when missing). */
int import_sales(struct db *db, const char *path, const char *store, const char *tz, bool progress, FILE *report,
                 struct import_result *out);

/* Clickstream events: `user,item,category,behavior,unix time` lines (the Taobao
** UserBehavior layout, no header; FILE may be .xz). behavior pv, cart, fav and buy
** become view, add_to_cart, favorite and purchase; user U is device "<prefix>U".
** Each line is keyed by its number, so importing the same file again adds nothing. */
int import_events(struct db *db, const char *path, const char *channel, const char *prefix, bool progress,
                  FILE *report, struct import_result *out);

/* The progress bar of the importers (on stderr, when on). */
void import_draw(const char *what, bool on, long long done, long long total, int64_t rows);

#endif
