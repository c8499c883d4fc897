/*
** api_reports.c -- HTTP handlers for reports (a day of a store, a region or the
** chain; months; in JSON, CSV, HTML or XLSX), report subscriptions, and the
** turn (run by a thread of app/) that builds each store's report at its closing time (then the region
** and chain roll-ups) and stores it, which queues it for the subscribers.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"
#include "core/workq.h"
#include "insight/demand.h"
#include "reports/handlers.h"
#include "reports/render.h"
#include "reports/report.h"

#define MODULE_NAME "reports/api_reports"

/* ---- answering in a format ---- */

static const char *formats[] = {"json", "csv", "html", "xlsx"};

/* format=json|csv|html|xlsx; a CSV download starts with a UTF-8 byte-order mark
** (Excel on Windows reads one without it as the local code page and garbles
** Chinese names) unless bom=false. *f: the format, BOM_FLAG added for the mark. */
#define BOM_FLAG 16

static int format_of(struct http_req *rq, int *f)
{
    const char *v = http_query(rq, "format"), *bom = http_query(rq, "bom");
    *f = 0;
    if (bom && strcmp(bom, "true") && strcmp(bom, "false"))
        return err_set(O2O_EINVAL, "wrong_type", "bom", "bom is true or false");
    if (v && !strcmp(v, "csv") && !(bom && !strcmp(bom, "false"))) {
        *f = 1 | BOM_FLAG;
        return 0;
    }
    if (!v || !*v)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!strcmp(v, formats[i])) {
            *f = i;
            return 0;
        }
    return err_set(O2O_EINVAL, "out_of_range", "format", "format is json, csv, html or xlsx");
}

/* Answer a report document in the format asked (takes the reference). */
static void complete_as(struct http_pending *p, json_t *doc, int format)
{
    static const char *types[] = {"application/json", "text/csv; charset=utf-8", "text/html; charset=utf-8",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    size_t len = 0;
    bool bom = format & BOM_FLAG;
    char *body;
    format &= ~BOM_FLAG;
    body = render_as(doc, formats[format], &len);
    json_decref(doc);
    if (!body) {
        int rc = err_last()->rc ? err_last()->rc : O2O_EDB;
        http_complete_error(p, rc);
        return;
    }
    if (bom) {
        char *with = xmalloc(len + 4);
        memcpy(with, "\xEF\xBB\xBF", 3);
        memcpy(with + 3, body, len + 1);
        free(body);
        body = with;
        len += 3;
    }
    http_complete_as(p, 200, types[format], body, len, false);
}

struct report_job {
    struct http_pending *pending;
    char rid[40];
    char scope[8], code[65], date[11], from[8], to[8];
    int format;
    bool monthly, demand;
};

static void report_work(void *arg)
{
    struct report_job *j = arg;
    json_t *doc = NULL;
    int rc;
    err_clear();
    rc = report_document(db_reader(api_app()->db), j->demand ? "demand" : j->monthly ? "monthly" : "daily", j->scope,
                         j->code, j->date, j->from, j->to, &doc);
    if (rc) {
        http_complete_error(j->pending, rc);
    } else {
        complete_as(j->pending, doc, j->format);
    }
    free(j);
}

/* ?store=CODE | ?region=CODE | neither: the chain; checked against her scope. */
static int read_scope(struct http_req *rq, struct report_job *j)
{
    const char *store = http_query(rq, "store"), *region = http_query(rq, "region");
    if (store && *store && region && *region)
        return err_set(O2O_EINVAL, "out_of_range", "store", "ask for a store or a region, not both");
    if (store && *store) {
        str_copy(j->scope, sizeof j->scope, "store");
        str_copy(j->code, sizeof j->code, store);
    } else if (region && *region) {
        str_copy(j->scope, sizeof j->scope, "region");
        str_copy(j->code, sizeof j->code, region);
    } else {
        str_copy(j->scope, sizeof j->scope, "chain");
    }
    if (strlen(store ? store : "") >= sizeof j->code || strlen(region ? region : "") >= sizeof j->code)
        return err_set(O2O_ENOTFOUND, NULL, "store", "no such store or region");
    return report_scope_check(api_reader(), &rq->who, j->scope, j->code);
}

static int submit(struct http_req *rq, struct report_job *j)
{
    int rc;
    str_copy(j->rid, sizeof j->rid, rq->rid);
    rc = api_heavy(rq, &j->pending, report_work, j);
    if (rc)
        free(j);
    return rc;
}

int api_reports_daily(struct http_req *rq)
{
    struct report_job *j = xcalloc(1, sizeof *j);
    const char *date = http_query(rq, "date");
    int rc = read_scope(rq, j);
    if (!rc)
        rc = format_of(rq, &j->format);
    if (!rc && (!date || strlen(date) != 10))
        rc = err_set(O2O_EINVAL, "missing_field", "date", "date is YYYY-MM-DD");
    if (rc) {
        free(j);
        return rc;
    }
    str_copy(j->date, sizeof j->date, date);
    return submit(rq, j);
}

int api_reports_monthly(struct http_req *rq)
{
    struct report_job *j = xcalloc(1, sizeof *j);
    const char *from = http_query(rq, "from"), *to = http_query(rq, "to");
    int rc = read_scope(rq, j);
    if (!rc)
        rc = format_of(rq, &j->format);
    if (!rc && ((from && strlen(from) >= sizeof j->from) || (to && strlen(to) >= sizeof j->to)))
        rc = err_set(O2O_EINVAL, "wrong_type", "from", "months are YYYY-MM");
    if (rc) {
        free(j);
        return rc;
    }
    j->monthly = true;
    str_copy(j->from, sizeof j->from, from ? from : "");
    str_copy(j->to, sizeof j->to, to ? to : "");
    return submit(rq, j);
}

int api_demand(struct http_req *rq)
{
    struct report_job *j = xcalloc(1, sizeof *j);
    const char *from = http_query(rq, "from"), *to = http_query(rq, "to");
    int rc = format_of(rq, &j->format);
    if (!rc && (j->format & ~BOM_FLAG) == 2)
        rc = err_set(O2O_EINVAL, "out_of_range", "format", "demand comes as json, csv or xlsx");
    if (!rc && ((from && strlen(from) >= sizeof j->from) || (to && strlen(to) >= sizeof j->to)))
        rc = err_set(O2O_EINVAL, "wrong_type", "from", "months are YYYY-MM");
    if (rc) {
        free(j);
        return rc;
    }
    j->demand = true;
    str_copy(j->from, sizeof j->from, from ? from : "");
    str_copy(j->to, sizeof j->to, to ? to : "");
    return submit(rq, j);
}

/* ---- subscriptions ---- */

static json_t *render_sub(const struct report_subscription *s)
{
    return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)s->id, "channel", s->channel, "target", s->target);
}

struct sub_arg {
    int64_t staff_id, id;
    char channel[8], target[257];
};

static int sub_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct sub_arg *a = arg;
    struct report_subscription s;
    int rc = report_subscribe(c, who->id, a->channel, a->target, &s);
    if (!rc)
        *out = render_sub(&s);
    return rc;
}

int api_report_subscribe(struct http_req *rq)
{
    struct sub_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_str(rq->json, "email", false, a->target, sizeof a->target);
    str_copy(a->channel, sizeof a->channel, "email");
    if (!rc && !a->target[0]) {
        str_copy(a->channel, sizeof a->channel, "webhook");
        rc = jin_str(rq->json, "webhook", false, a->target, sizeof a->target);
    }
    if (!rc && !a->target[0])
        rc = err_set(O2O_EINVAL, "missing_field", "email", "give an email address or a webhook URL");
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, sub_body, a, 201);
}

static int sub_cb(const struct report_subscription *s, void *arg)
{
    json_array_append_new(arg, render_sub(s));
    return 0;
}

int api_report_subscriptions(struct http_req *rq)
{
    json_t *a = json_array();
    int rc = report_subscriptions(api_reader(), rq->who.id, sub_cb, a);
    if (rc) {
        json_decref(a);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "subscriptions", a));
}

static int unsub_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct sub_arg *a = arg;
    int rc = report_unsubscribe(c, who->id, a->id);
    if (!rc)
        *out = json_pack("{s:I, s:b}", "id", (json_int_t)a->id, "deleted", 1);
    return rc;
}

int api_report_unsubscribe(struct http_req *rq)
{
    struct sub_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "subscription", &a->id);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, unsub_body, a, 200);
}

/* ---- building reports at closing time ---- */

struct save_arg {
    const char *scope, *code, *date, *body;
    int64_t id;
};

static int save_body(struct db_conn *c, void *arg)
{
    struct save_arg *s = arg;
    return report_save(c, s->scope, s->code, s->date, s->body, &s->id);
}

static int build_one(const char *scope, const char *code, const char *date, void *arg)
{
    struct daily_report d;
    struct save_arg s;
    json_t *doc;
    char *body;
    int rc = report_daily(db_reader(api_app()->db), scope, code, date, &d);
    (void)arg;
    if (rc)
        return rc;
    doc = render_daily_json(&d, now_ms());
    daily_report_free(&d);
    body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!body)
        return err_set(O2O_EDB, NULL, NULL, "the %s report of %s could not be rendered as JSON", scope, code);
    s.scope = scope;
    s.code = code;
    s.date = date;
    s.body = body;
    s.id = 0;
    rc = db_txn(api_app()->db, save_body, &s);
    free(body);
    if (!rc && s.id)
        log_info("daily report %s %s %s built (report %lld)", scope, code, date, (long long)s.id);
    return rc;
}

void api_reports_tick(void *arg)
{
    (void)arg;
    err_clear();
    if (report_due(db_reader(api_app()->db), now_ms(), build_one, NULL))
        log_warn("reports not built: %s", err_last()->msg);
}

/* ---- building now, on demand ---- */

struct run_job {
    struct http_pending *pending;
    char rid[40];
    int64_t as_of;            /* build what is due by then */
    json_t *built;
};

static int build_and_list(const char *scope, const char *code, const char *date, void *arg)
{
    struct run_job *j = arg;
    int rc = build_one(scope, code, date, NULL);
    if (!rc)
        json_array_append_new(j->built, json_pack("{s:s, s:s, s:s}", "scope", scope, "code", code, "date", date));
    return rc;
}

static void run_work(void *arg)
{
    struct run_job *j = arg;
    int rc;
    err_clear();
    j->built = json_array();
    rc = report_due(db_reader(api_app()->db), j->as_of, build_and_list, j);
    if (rc) {
        http_complete_error(j->pending, rc);
        json_decref(j->built);
    } else {
        http_complete_json(j->pending, 200, json_pack("{s:o}", "built", j->built));
    }
    free(j);
}

int api_reports_run(struct http_req *rq)
{
    struct run_job *j = xcalloc(1, sizeof *j);
    int rc;
    str_copy(j->rid, sizeof j->rid, rq->rid);
    j->as_of = now_ms();
    /* as_of: what would be due by then (at most a day ahead), as the other jobs take it */
    rc = jin_time(rq->json, "as_of", &j->as_of, NULL);
    if (!rc && (j->as_of > now_ms() + 86400000LL || j->as_of < now_ms() - 366 * 86400000LL))
        rc = err_set(O2O_EINVAL, "out_of_range", "as_of", "as_of is within the last year or the next day");
    if (!rc)
        rc = api_heavy(rq, &j->pending, run_work, j);
    if (rc)
        free(j);
    return rc;
}
