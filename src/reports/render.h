/*
** render.h -- a report as the documents people receive: the JSON the API
** answers and the server stores, and from that JSON a CSV file, an HTML page
** with charts, an XLSX workbook and a table for the terminal. Money is fen in
** JSON and yuan with two decimals everywhere else. No SQL here.
*/
#ifndef O2O_REPORTS_RENDER_H
#define O2O_REPORTS_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insight/demand.h"
#include "reports/report.h"

/* New references. */
json_t *render_daily_json(const struct daily_report *r, int64_t built_at);
json_t *render_monthly_json(const struct monthly_report *r);

/* From a report's JSON (daily or monthly, told by "kind"); malloc'd, NUL-terminated. */
char *render_csv(const json_t *report, size_t *len);
char *render_html(const json_t *report, size_t *len);

/* The HTML of an e-mail: each chart an <img src="cid:ID@o2o"> (e-mail clients drop
** inline SVG), the charts' SVG documents in *charts for rasterising. */
#define RENDER_MAX_CHARTS 8
struct render_chart {
    char id[40];              /* the Content-ID is "<ID@o2o>" */
    char title[160];
    char *svg;                /* a standalone SVG document */
    size_t len;
    int width, height;        /* pixels */
};
struct render_charts {
    int n;
    bool drop;                /* no charts at all (nothing can rasterise them): the tables stay */
    struct render_chart v[RENDER_MAX_CHARTS];
};
char *render_html_mail(const json_t *report, size_t *len, struct render_charts *charts);
void render_charts_free(struct render_charts *c);
char *render_table(const json_t *report, size_t *len);
/* An XLSX workbook in memory (malloc'd); NULL with err_set() when it cannot be written. */
char *render_xlsx(const json_t *report, size_t *len);

/* Demand for manufacturers: JSON, and from it CSV (the monthly series, then a
** forecast row per series), a terminal table and an XLSX workbook. */
json_t *render_demand_json(const struct demand_report *r);
char *render_demand_csv(const json_t *report, size_t *len);
char *render_demand_table(const json_t *report, size_t *len);
char *render_demand_xlsx(const json_t *report, size_t *len);

/* The JSON of a report: kind "daily" (the stored one when there is one, "stored":
** true; else built now), "monthly" or "demand" (from, to: YYYY-MM or ""). */
int report_document(struct db_conn *c, const char *kind, const char *scope, const char *code, const char *date,
                    const char *from, const char *to, json_t **out);

/* A report's JSON (daily, monthly or demand) as json, csv, html, xlsx or table;
** NULL with err_set() for a format the kind has not (demand: no html) or a failure. */
char *render_as(const json_t *report, const char *format, size_t *len);

/* "Daily report 2026-12-07, 伦敦四店 (LON4)": a report's title (and an e-mail's subject). */
void render_title(const json_t *report, char *out, size_t cap);


#endif
