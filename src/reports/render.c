/*
** render.c -- reports as JSON, CSV, HTML (with SVG bar charts), XLSX
** (libxlsxwriter) and terminal tables (see render.h), and the document of a report
** asked for (stored or built now). Every format but JSON is
** rendered from the JSON, so a stored report renders the same way every time.
** Tests: tests/e2e/test_reports.py (every format, the HTML in headless Chromium).
*/
#include "reports/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/util.h"

#define MAX_DOC (64u << 20)

static json_t *iso(int64_t ms)
{
    char s[32];
    fmt_iso8601(s, ms);
    return json_string(s);
}

/* 138****5678: enough for staff to recognise a regular, not enough to copy. */
static void mask_phone(const char *p, char out[24])
{
    size_t n = strlen(p);
    if (n < 8) {
        str_copy(out, 24, p);
        return;
    }
    snprintf(out, 24, "%.*s****%s", (int)(n - 8), p, p + n - 4);
}

static json_t *skus_json(const struct report_sku *s, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "sku", s[i].code, "name", s[i].name, "qty",
                                           (json_int_t)s[i].qty, "amount", (json_int_t)s[i].amount));
    return a;
}

json_t *render_daily_json(const struct daily_report *r, int64_t built_at)
{
    json_t *ch = json_array(), *te = json_array(), *cu = json_array(), *o;
    for (int i = 0; i < r->nchannels; i++)
        json_array_append_new(ch, json_pack("{s:s, s:I, s:I}", "channel", r->channels[i].key, "orders",
                                            (json_int_t)r->channels[i].count, "sales",
                                            (json_int_t)r->channels[i].amount));
    for (int i = 0; i < r->ntenders; i++)
        json_array_append_new(te, json_pack("{s:s, s:I, s:I}", "tender", r->tenders[i].key, "payments",
                                            (json_int_t)r->tenders[i].count, "amount",
                                            (json_int_t)r->tenders[i].amount));
    for (int i = 0; i < r->ncustomers; i++) {
        char phone[24];
        mask_phone(r->customers[i].phone, phone);
        json_array_append_new(cu, json_pack("{s:I, s:s, s:s, s:I, s:I}", "member_id",
                                            (json_int_t)r->customers[i].member_id, "name", r->customers[i].name,
                                            "phone", phone, "orders", (json_int_t)r->customers[i].orders, "spend",
                                            (json_int_t)r->customers[i].spend));
    }
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:{s:I, s:I}, "
                  "s:I, s:o, s:o, s:o, s:o}",
                  "kind", "daily", "scope", r->scope, "code", r->code, "name", r->name, "date", r->date, "timezone",
                  r->timezone, "from", iso(r->from), "to", iso(r->to), "built_at", iso(built_at), "sales",
                  (json_int_t)r->sales, "orders", (json_int_t)r->orders, "average_basket",
                  (json_int_t)(r->orders ? (r->sales + r->orders / 2) / r->orders : 0), "returns", "count",
                  (json_int_t)r->returns, "amount", (json_int_t)r->returns_amount, "new_members",
                  (json_int_t)r->new_members, "points", "issued", (json_int_t)r->points_issued, "redeemed",
                  (json_int_t)r->points_redeemed, "pickups_waiting", (json_int_t)r->pickups_waiting, "by_channel",
                  ch, "by_tender", te, "best_sellers", skus_json(r->top, r->ntop), "core_customers", cu);
    if (strcmp(r->scope, "store")) {
        json_t *st = json_array();
        for (int i = 0; i < r->nstores; i++)
            json_array_append_new(st, json_pack("{s:s, s:s, s:I, s:I, s:I}", "store", r->stores[i].code, "name",
                                                r->stores[i].name, "orders", (json_int_t)r->stores[i].orders,
                                                "sales", (json_int_t)r->stores[i].sales, "returns",
                                                (json_int_t)r->stores[i].returns_amount));
        json_object_set_new(o, "stores", st);
    }
    return o;
}

json_t *render_monthly_json(const struct monthly_report *r)
{
    json_t *m = json_array();
    for (int i = 0; i < r->n; i++)
        json_array_append_new(m, json_pack("{s:s, s:I, s:I, s:I, s:o}", "month", r->months[i].month, "sales",
                                           (json_int_t)r->months[i].sales, "orders", (json_int_t)r->months[i].orders,
                                           "customers", (json_int_t)r->months[i].customers, "best_sellers",
                                           skus_json(r->months[i].top, r->months[i].ntop)));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "kind", "monthly", "scope", r->scope, "code", r->code, "name",
                     r->name, "timezone", r->timezone, "months", m);
}

/* ---- reading the JSON back ---- */

static const char *js(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t ji(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static int64_t jpath(const json_t *o, const char *k1, const char *k2)
{
    return json_integer_value(json_object_get(json_object_get(o, k1), k2));
}

static bool is_daily(const json_t *r)
{
    return !strcmp(js(r, "kind"), "daily");
}

void render_title(const json_t *r, char *out, size_t cap)
{
    const char *scope = js(r, "scope");
    const char *who = !strcmp(scope, "chain") ? "the whole chain" : js(r, "name");
    if (is_daily(r))
        snprintf(out, cap, "Daily report %s, %s%s%s%s", js(r, "date"), who, *js(r, "code") ? " (" : "",
                 js(r, "code"), *js(r, "code") ? ")" : "");
    else
        snprintf(out, cap, "Monthly report, %s%s%s%s", who, *js(r, "code") ? " (" : "", js(r, "code"),
                 *js(r, "code") ? ")" : "");
}

/* The summary of a daily report: label, value, money? */
struct line {
    const char *label;
    int64_t v;
    int money;
};

static int summary(const json_t *r, struct line *l)
{
    int n = 0;
    l[n++] = (struct line){"Sales", ji(r, "sales"), 1};
    l[n++] = (struct line){"Orders", ji(r, "orders"), 0};
    l[n++] = (struct line){"Average basket", ji(r, "average_basket"), 1};
    l[n++] = (struct line){"Returns", jpath(r, "returns", "count"), 0};
    l[n++] = (struct line){"Returned", jpath(r, "returns", "amount"), 1};
    l[n++] = (struct line){"New members", ji(r, "new_members"), 0};
    l[n++] = (struct line){"Points issued", jpath(r, "points", "issued"), 0};
    l[n++] = (struct line){"Points redeemed", jpath(r, "points", "redeemed"), 0};
    l[n++] = (struct line){"Pickups waiting", ji(r, "pickups_waiting"), 0};
    return n;
}

/* ---- CSV ---- */

/* A text field; one that a spreadsheet would take for a formula (=, +, -, @)
** is prefixed with a quote, so that opening the file runs nothing. */
static void csv_field(struct buf *b, const char *s)
{
    if (*s && strchr("=+-@", *s))
        buf_adds(b, "'");
    if (!strpbrk(s, ",\"\r\n")) {
        buf_adds(b, s);
        return;
    }
    buf_adds(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            buf_adds(b, "\"");
        buf_add(b, s, 1);
    }
    buf_adds(b, "\"");
}

/* section,key,name,count,qty,amount */
static void csv_row(struct buf *b, const char *section, const char *key, const char *name, int64_t count, int64_t qty,
                    int64_t amount, int has_amount)
{
    char y[32] = "";
    if (has_amount)
        money_yuan(y, amount);
    csv_field(b, section);
    buf_adds(b, ",");
    csv_field(b, key);
    buf_adds(b, ",");
    csv_field(b, name);
    buf_addf(b, ",%lld,%lld,%s\r\n", (long long)count, (long long)qty, y);
}

char *render_csv(const json_t *r, size_t *len)
{
    struct buf b = BUF_INIT(MAX_DOC);
    size_t i;
    json_t *x;
    buf_adds(&b, "section,key,name,count,qty,amount_yuan\r\n");
    if (is_daily(r)) {
        struct line l[12];
        int n = summary(r, l);
        for (int k = 0; k < n; k++)
            csv_row(&b, "summary", l[k].label, "", l[k].money ? 0 : l[k].v, 0, l[k].v, l[k].money);
        json_array_foreach(json_object_get(r, "by_channel"), i, x)
            csv_row(&b, "channel", js(x, "channel"), "", ji(x, "orders"), 0, ji(x, "sales"), 1);
        json_array_foreach(json_object_get(r, "by_tender"), i, x)
            csv_row(&b, "tender", js(x, "tender"), "", ji(x, "payments"), 0, ji(x, "amount"), 1);
        json_array_foreach(json_object_get(r, "best_sellers"), i, x)
            csv_row(&b, "best_seller", js(x, "sku"), js(x, "name"), 0, ji(x, "qty"), ji(x, "amount"), 1);
        json_array_foreach(json_object_get(r, "core_customers"), i, x) {
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)ji(x, "member_id"));
            csv_row(&b, "core_customer", id, js(x, "name"), ji(x, "orders"), 0, ji(x, "spend"), 1);
        }
        json_array_foreach(json_object_get(r, "stores"), i, x)
            csv_row(&b, "store", js(x, "store"), js(x, "name"), ji(x, "orders"), 0, ji(x, "sales"), 1);
    } else {
        json_array_foreach(json_object_get(r, "months"), i, x) {
            size_t j;
            json_t *t;
            char customers[24];
            snprintf(customers, sizeof customers, "%lld customers", (long long)ji(x, "customers"));
            csv_row(&b, "month", js(x, "month"), customers, ji(x, "orders"), ji(x, "customers"), ji(x, "sales"), 1);
            json_array_foreach(json_object_get(x, "best_sellers"), j, t) {
                char key[96];
                snprintf(key, sizeof key, "%s %s", js(x, "month"), js(t, "sku"));
                csv_row(&b, "best_seller", key, js(t, "name"), 0, ji(t, "qty"), ji(t, "amount"), 1);
            }
        }
    }
    *len = b.len;
    return buf_steal(&b);
}

/* ---- terminal ---- */

/* Display columns of the code point at s (CJK and full-width: 2); *n its bytes. */
static int cp_width(const unsigned char *s, size_t *n)
{
    uint32_t c = s[0];
    *n = 1;
    if (c >= 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
        c = (uint32_t)(s[0] & 7) << 18 | (uint32_t)(s[1] & 63) << 12 | (uint32_t)(s[2] & 63) << 6 | (s[3] & 63);
        *n = 4;
    } else if (c >= 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
        c = (uint32_t)(s[0] & 15) << 12 | (uint32_t)(s[1] & 63) << 6 | (s[2] & 63);
        *n = 3;
    } else if (c >= 0xc0 && (s[1] & 0xc0) == 0x80) {
        c = (uint32_t)(s[0] & 31) << 6 | (s[1] & 63);
        *n = 2;
    }
    return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
                   (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
                   (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd)
               ? 2
               : 1;
}

/* s in exactly `width` terminal columns: cut at a character (never inside one),
** padded with spaces. A Chinese name lines up with the others. */
static const char *column(char *out, size_t cap, const char *s, int width)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    int used = 0;
    while (*p) {
        size_t n;
        int w = cp_width(p, &n);
        if (used + w > width || o + n + 1 >= cap)
            break;
        memcpy(out + o, p, n);
        o += n;
        used += w;
        p += n;
    }
    while (used < width && o + 1 < cap) {
        out[o++] = ' ';
        used++;
    }
    out[o] = 0;
    return out;
}


char *render_table(const json_t *r, size_t *len)
{
    struct buf b = BUF_INIT(MAX_DOC);
    char title[256], y[32], col[128];
    size_t i;
    json_t *x;
    render_title(r, title, sizeof title);
    buf_addf(&b, "%s\n", title);
    if (is_daily(r)) {
        struct line l[12];
        int n = summary(r, l);
        buf_addf(&b, "%s .. %s (%s)\n\n", js(r, "from"), js(r, "to"), js(r, "timezone"));
        for (int k = 0; k < n; k++) {
            if (l[k].money)
                money_yuan(y, l[k].v);
            else
                snprintf(y, sizeof y, "%lld", (long long)l[k].v);
            buf_addf(&b, "  %-18s %14s\n", l[k].label, y);
        }
        buf_adds(&b, "\nby channel          orders          sales\n");
        json_array_foreach(json_object_get(r, "by_channel"), i, x) {
            money_yuan(y, ji(x, "sales"));
            buf_addf(&b, "  %-16s %8lld %14s\n", js(x, "channel"), (long long)ji(x, "orders"), y);
        }
        buf_adds(&b, "\nby tender         payments         amount\n");
        json_array_foreach(json_object_get(r, "by_tender"), i, x) {
            money_yuan(y, ji(x, "amount"));
            buf_addf(&b, "  %-16s %8lld %14s\n", js(x, "tender"), (long long)ji(x, "payments"), y);
        }
        buf_adds(&b, "\nbest sellers                                   qty         amount\n");
        json_array_foreach(json_object_get(r, "best_sellers"), i, x) {
            money_yuan(y, ji(x, "amount"));
            buf_addf(&b, "  %-16s %s %8lld %14s\n", js(x, "sku"), column(col, sizeof col, js(x, "name"), 24),
                     (long long)ji(x, "qty"), y);
        }
        buf_adds(&b, "\ncore customers of the day                   orders          spend\n");
        json_array_foreach(json_object_get(r, "core_customers"), i, x) {
            money_yuan(y, ji(x, "spend"));
            buf_addf(&b, "  %-8lld %s %-12s %8lld %14s\n", (long long)ji(x, "member_id"),
                     column(col, sizeof col, js(x, "name"), 20), js(x, "phone"), (long long)ji(x, "orders"), y);
        }
        if (json_array_size(json_object_get(r, "stores"))) {
            buf_adds(&b, "\nstores                                     orders          sales\n");
            json_array_foreach(json_object_get(r, "stores"), i, x) {
                money_yuan(y, ji(x, "sales"));
                buf_addf(&b, "  %-12s %s %8lld %14s\n", js(x, "store"), column(col, sizeof col, js(x, "name"), 24),
                         (long long)ji(x, "orders"), y);
            }
        }
    } else {
        buf_adds(&b, "\nmonth             sales   orders  customers  best sellers (qty)\n");
        json_array_foreach(json_object_get(r, "months"), i, x) {
            size_t j;
            json_t *t;
            money_yuan(y, ji(x, "sales"));
            buf_addf(&b, "%-8s %14s %8lld %10lld ", js(x, "month"), y, (long long)ji(x, "orders"),
                     (long long)ji(x, "customers"));
            json_array_foreach(json_object_get(x, "best_sellers"), j, t)
                buf_addf(&b, " %s%s(%lld)", j ? " " : "", js(t, "sku"), (long long)ji(t, "qty"));
            buf_adds(&b, "\n");
        }
    }
    *len = b.len;
    return buf_steal(&b);
}

/* ---- HTML ---- */

static void html_text(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': buf_adds(b, "&lt;"); break;
        case '>': buf_adds(b, "&gt;"); break;
        case '&': buf_adds(b, "&amp;"); break;
        case '"': buf_adds(b, "&quot;"); break;
        default: buf_add(b, s, 1);
        }
    }
}

/* A horizontal bar chart of labels and values (money in fen when money): a
** standalone SVG document (its look in attributes, not the page's CSS), shown
** inline on the web and rasterised to PNG for e-mail. With charts, the chart is
** collected there and the page shows <img src="cid:ID@o2o"> instead. */
static void svg_bars(struct buf *b, const char *id, const char *title, const char **labels, const int64_t *v, int n,
                     int money, struct render_charts *charts)
{
    struct buf svg = BUF_INIT(MAX_DOC);
    int64_t max = 1;
    int h = 24 * n + 34;
    if (charts && charts->drop)
        return;
    for (int i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    buf_addf(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"chart\" width=\"640\" height=\"%d\" "
                   "viewBox=\"0 0 640 %d\" role=\"img\" font-family=\"DejaVu Sans, WenQuanYi Micro Hei, sans-serif\" "
                   "font-size=\"12\" fill=\"#222\">",
             id, h, h);
    for (int i = 0; i < n; i++) {
        char y[32];
        int w = v[i] > 0 ? (int)(v[i] * 400 / max) : 0;
        if (money)
            money_yuan(y, v[i]);
        else
            snprintf(y, sizeof y, "%lld", (long long)v[i]);
        buf_addf(&svg, "<text x=\"0\" y=\"%d\" class=\"label\">", 24 * i + 17);
        html_text(&svg, labels[i]);
        buf_addf(&svg, "</text><rect class=\"bar\" fill=\"#3b7dd8\" x=\"170\" y=\"%d\" width=\"%d\" height=\"18\"></rect>"
                       "<text x=\"%d\" y=\"%d\" class=\"value\">%s</text>",
                 24 * i + 4, w, 176 + w, 24 * i + 17, y);
    }
    buf_adds(&svg, "</svg>");
    buf_addf(b, "<figure><figcaption>");
    html_text(b, title);
    buf_adds(b, "</figcaption>");
    if (charts && charts->n < RENDER_MAX_CHARTS) {
        struct render_chart *c = &charts->v[charts->n++];
        str_copy(c->id, sizeof c->id, id);
        str_copy(c->title, sizeof c->title, title);
        c->width = 640;
        c->height = h;
        c->len = svg.len;
        c->svg = buf_steal(&svg);
        buf_addf(b, "<img src=\"cid:%s@o2o\" width=\"640\" height=\"%d\" alt=\"", id, h);
        html_text(b, title);
        buf_adds(b, "\" style=\"display:block;max-width:100%\">");
    } else {
        buf_add(b, buf_str(&svg), svg.len);
        buf_free(&svg);
    }
    buf_adds(b, "</figure>\n");
}

static void chart_of(struct buf *b, const json_t *list, const char *id, const char *title, const char *label_key,
                     const char *value_key, int money, struct render_charts *charts)
{
    const char *labels[64];
    int64_t v[64];
    int n = 0;
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        if (n == 64)
            break;
        labels[n] = js(x, label_key);
        v[n++] = ji(x, value_key);
    }
    if (n)
        svg_bars(b, id, title, labels, v, n, money, charts);
}

void render_charts_free(struct render_charts *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->v[i].svg);
    c->n = 0;
}

static void html_table(struct buf *b, const json_t *list, const char *const *cols, const char *const *heads,
                       const int *money, int ncols)
{
    size_t i;
    json_t *x;
    buf_adds(b, "<table><tr>");
    for (int k = 0; k < ncols; k++)
        buf_addf(b, "<th>%s</th>", heads[k]);
    buf_adds(b, "</tr>\n");
    json_array_foreach(list, i, x) {
        buf_adds(b, "<tr>");
        for (int k = 0; k < ncols; k++) {
            json_t *v = json_object_get(x, cols[k]);
            char y[32];
            buf_adds(b, json_is_integer(v) ? "<td class=\"n\">" : "<td>");
            if (json_is_integer(v)) {
                if (money[k])
                    money_yuan(y, json_integer_value(v));
                else
                    snprintf(y, sizeof y, "%lld", (long long)json_integer_value(v));
                buf_adds(b, y);
            } else {
                html_text(b, json_string_value(v) ? json_string_value(v) : "");
            }
            buf_adds(b, "</td>");
        }
        buf_adds(b, "</tr>\n");
    }
    buf_adds(b, "</table>\n");
}

static char *html_doc(const json_t *r, size_t *len, struct render_charts *charts)
{
    struct buf b = BUF_INIT(MAX_DOC);
    char title[256], y[32];
    render_title(r, title, sizeof title);
    buf_adds(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    html_text(&b, title);
    buf_adds(&b, "</title><style>body{font-family:sans-serif;margin:2em;color:#222}h1{font-size:1.4em}"
                 "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;"
                 "padding:.25em .8em;text-align:left}td.n{text-align:right}.bar{fill:#3b7dd8}"
                 ".label,.value{font-size:12px}figure{margin:1em 0}figcaption{font-weight:bold}"
                 ".kpi{display:inline-block;margin:0 1.5em 1em 0}.kpi b{display:block;font-size:1.3em}</style>"
                 "</head><body>\n<h1>");
    html_text(&b, title);
    buf_adds(&b, "</h1>\n");
    if (is_daily(r)) {
        struct line l[12];
        int n = summary(r, l);
        static const char *ch_cols[] = {"channel", "orders", "sales"}, *ch_heads[] = {"Channel", "Orders", "Sales"};
        static const char *te_cols[] = {"tender", "payments", "amount"},
                          *te_heads[] = {"Tender", "Payments", "Amount"};
        static const char *sk_cols[] = {"sku", "name", "qty", "amount"},
                          *sk_heads[] = {"SKU", "Name", "Quantity", "Amount"};
        static const char *cu_cols[] = {"member_id", "name", "phone", "orders", "spend"},
                          *cu_heads[] = {"Member", "Name", "Phone", "Orders", "Spend"};
        static const char *st_cols[] = {"store", "name", "orders", "sales", "returns"},
                          *st_heads[] = {"Store", "Name", "Orders", "Sales", "Returned"};
        static const int m3[] = {0, 0, 1}, m4[] = {0, 0, 0, 1}, m5[] = {0, 0, 0, 0, 1}, st_m[] = {0, 0, 0, 1, 1};
        buf_adds(&b, "<p>");
        html_text(&b, js(r, "from"));
        buf_adds(&b, " to ");
        html_text(&b, js(r, "to"));
        buf_adds(&b, " (");
        html_text(&b, js(r, "timezone"));
        buf_adds(&b, ")</p>\n<div id=\"summary\">");
        for (int k = 0; k < n; k++) {
            if (l[k].money)
                money_yuan(y, l[k].v);
            else
                snprintf(y, sizeof y, "%lld", (long long)l[k].v);
            buf_addf(&b, "<div class=\"kpi\">%s<b>%s</b></div>", l[k].label, y);
        }
        buf_adds(&b, "</div>\n<h2>Sales by channel</h2>\n");
        chart_of(&b, json_object_get(r, "by_channel"), "chart-channels", "Sales by channel (yuan)", "channel", "sales",
                 1, charts);
        html_table(&b, json_object_get(r, "by_channel"), ch_cols, ch_heads, m3, 3);
        buf_adds(&b, "<h2>Payments by tender</h2>\n");
        chart_of(&b, json_object_get(r, "by_tender"), "chart-tenders", "Payments by tender (yuan)", "tender", "amount",
                 1, charts);
        html_table(&b, json_object_get(r, "by_tender"), te_cols, te_heads, m3, 3);
        buf_adds(&b, "<h2>Best-selling SKUs</h2>\n");
        chart_of(&b, json_object_get(r, "best_sellers"), "chart-best-sellers", "Quantity sold", "sku", "qty", 0, charts);
        html_table(&b, json_object_get(r, "best_sellers"), sk_cols, sk_heads, m4, 4);
        buf_adds(&b, "<h2>Core customers of the day</h2>\n");
        html_table(&b, json_object_get(r, "core_customers"), cu_cols, cu_heads, m5, 5);
        if (json_array_size(json_object_get(r, "stores"))) {
            buf_adds(&b, "<h2>Stores</h2>\n");
            chart_of(&b, json_object_get(r, "stores"), "chart-stores", "Sales by store (yuan)", "store", "sales", 1, charts);
            html_table(&b, json_object_get(r, "stores"), st_cols, st_heads, st_m, 5);
        }
    } else {
        static const char *mo_cols[] = {"month", "sales", "orders", "customers"},
                          *mo_heads[] = {"Month", "Revenue", "Orders", "Customers"};
        static const int mo_m[] = {0, 1, 0, 0};
        size_t i;
        json_t *x;
        chart_of(&b, json_object_get(r, "months"), "chart-months", "Revenue by month (yuan)", "month", "sales", 1, charts);
        html_table(&b, json_object_get(r, "months"), mo_cols, mo_heads, mo_m, 4);
        buf_adds(&b, "<h2>Best sellers</h2>\n<table><tr><th>Month</th><th>SKU</th><th>Name</th><th>Quantity</th></tr>\n");
        json_array_foreach(json_object_get(r, "months"), i, x) {
            size_t j;
            json_t *t;
            json_array_foreach(json_object_get(x, "best_sellers"), j, t) {
                buf_adds(&b, "<tr><td>");
                html_text(&b, js(x, "month"));
                buf_adds(&b, "</td><td>");
                html_text(&b, js(t, "sku"));
                buf_adds(&b, "</td><td>");
                html_text(&b, js(t, "name"));
                buf_addf(&b, "</td><td class=\"n\">%lld</td></tr>\n", (long long)ji(t, "qty"));
            }
        }
        buf_adds(&b, "</table>\n");
    }
    buf_adds(&b, "</body></html>\n");
    *len = b.len;
    return buf_steal(&b);
}

char *render_html(const json_t *r, size_t *len)
{
    return html_doc(r, len, NULL);
}

char *render_html_mail(const json_t *r, size_t *len, struct render_charts *charts)
{
    charts->n = 0; /* (drop is the caller's) */
    return html_doc(r, len, charts);
}

/* ---- XLSX ---- */

static void sheet_rows(lxw_workbook *wb, lxw_format *money, const char *name, const json_t *list,
                       const char *const *cols, const char *const *heads, const int *is_money, int ncols)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    size_t i;
    json_t *x;
    for (int k = 0; k < ncols; k++) {
        worksheet_write_string(ws, 0, (lxw_col_t)k, heads[k], NULL);
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, k == 1 ? 28 : 14, NULL);
    }
    json_array_foreach(list, i, x) {
        for (int k = 0; k < ncols; k++) {
            json_t *v = json_object_get(x, cols[k]);
            if (json_is_integer(v))
                worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)k,
                                       is_money[k] ? (double)json_integer_value(v) / 100 : (double)json_integer_value(v),
                                       is_money[k] ? money : NULL);
            else
                worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k,
                                       json_string_value(v) ? json_string_value(v) : "", NULL);
        }
    }
}

/* A workbook written to a temporary file (libxlsxwriter writes files), read back
** into memory by xlsx_finish(). */
static lxw_workbook *xlsx_begin(char path[512])
{
    const char *tmp = getenv("TMPDIR");
    lxw_workbook *wb;
    int fd;
    snprintf(path, 512, "%s/o2o-report-XXXXXX.xlsx", tmp && *tmp ? tmp : "/tmp");
    if ((fd = mkstemps(path, 5)) < 0) {
        err_set(O2O_EDB, NULL, NULL, "cannot make a temporary file for the workbook");
        return NULL;
    }
    close(fd);
    if (!(wb = workbook_new(path))) {
        unlink(path);
        err_set(O2O_EDB, NULL, NULL, "cannot start a workbook");
    }
    return wb;
}

static char *xlsx_finish(lxw_workbook *wb, const char *path, size_t *len)
{
    struct stat sb;
    char *data = NULL;
    FILE *f;
    if (workbook_close(wb) != LXW_NO_ERROR || !(f = fopen(path, "rb"))) {
        unlink(path);
        err_set(O2O_EDB, NULL, NULL, "cannot write the workbook");
        return NULL;
    }
    if (!fstat(fileno(f), &sb) && sb.st_size > 0) {
        data = xmalloc((size_t)sb.st_size + 1);
        *len = fread(data, 1, (size_t)sb.st_size, f);
    }
    fclose(f);
    unlink(path);
    if (!data)
        err_set(O2O_EDB, NULL, NULL, "the workbook came out empty");
    return data;
}

char *render_xlsx(const json_t *r, size_t *len)
{
    char full[512];
    lxw_workbook *wb = xlsx_begin(full);
    lxw_format *money, *bold;
    if (!wb)
        return NULL;
    money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    {
        lxw_worksheet *ws = workbook_add_worksheet(wb, "Summary");
        char title[256];
        render_title(r, title, sizeof title);
        worksheet_set_column(ws, 0, 0, 22, NULL);
        worksheet_set_column(ws, 1, 1, 16, NULL);
        worksheet_write_string(ws, 0, 0, title, bold);
        if (is_daily(r)) {
            struct line l[12];
            int n = summary(r, l);
            for (int k = 0; k < n; k++) {
                worksheet_write_string(ws, (lxw_row_t)(k + 2), 0, l[k].label, NULL);
                worksheet_write_number(ws, (lxw_row_t)(k + 2), 1, l[k].money ? (double)l[k].v / 100 : (double)l[k].v,
                                       l[k].money ? money : NULL);
            }
        }
    }
    if (is_daily(r)) {
        static const char *ch_cols[] = {"channel", "orders", "sales"}, *ch_heads[] = {"Channel", "Orders", "Sales"};
        static const char *te_cols[] = {"tender", "payments", "amount"},
                          *te_heads[] = {"Tender", "Payments", "Amount"};
        static const char *sk_cols[] = {"sku", "name", "qty", "amount"},
                          *sk_heads[] = {"SKU", "Name", "Quantity", "Amount"};
        static const char *cu_cols[] = {"member_id", "name", "phone", "orders", "spend"},
                          *cu_heads[] = {"Member", "Name", "Phone", "Orders", "Spend"};
        static const char *st_cols[] = {"store", "name", "orders", "sales", "returns"},
                          *st_heads[] = {"Store", "Name", "Orders", "Sales", "Returned"};
        static const int m3[] = {0, 0, 1}, m4[] = {0, 0, 0, 1}, m5[] = {0, 0, 0, 0, 1}, st_m[] = {0, 0, 0, 1, 1};
        sheet_rows(wb, money, "Channels", json_object_get(r, "by_channel"), ch_cols, ch_heads, m3, 3);
        sheet_rows(wb, money, "Tenders", json_object_get(r, "by_tender"), te_cols, te_heads, m3, 3);
        sheet_rows(wb, money, "Best sellers", json_object_get(r, "best_sellers"), sk_cols, sk_heads, m4, 4);
        sheet_rows(wb, money, "Core customers", json_object_get(r, "core_customers"), cu_cols, cu_heads, m5, 5);
        if (json_object_get(r, "stores"))
            sheet_rows(wb, money, "Stores", json_object_get(r, "stores"), st_cols, st_heads, st_m, 5);
    } else {
        static const char *mo_cols[] = {"month", "sales", "orders", "customers"},
                          *mo_heads[] = {"Month", "Revenue", "Orders", "Customers"};
        static const int mo_m[] = {0, 1, 0, 0};
        lxw_worksheet *ws;
        size_t i, row = 1;
        json_t *x;
        sheet_rows(wb, money, "Months", json_object_get(r, "months"), mo_cols, mo_heads, mo_m, 4);
        ws = workbook_add_worksheet(wb, "Best sellers");
        worksheet_write_string(ws, 0, 0, "Month", NULL);
        worksheet_write_string(ws, 0, 1, "SKU", NULL);
        worksheet_write_string(ws, 0, 2, "Name", NULL);
        worksheet_write_string(ws, 0, 3, "Quantity", NULL);
        json_array_foreach(json_object_get(r, "months"), i, x) {
            size_t j;
            json_t *t;
            json_array_foreach(json_object_get(x, "best_sellers"), j, t) {
                worksheet_write_string(ws, (lxw_row_t)row, 0, js(x, "month"), NULL);
                worksheet_write_string(ws, (lxw_row_t)row, 1, js(t, "sku"), NULL);
                worksheet_write_string(ws, (lxw_row_t)row, 2, js(t, "name"), NULL);
                worksheet_write_number(ws, (lxw_row_t)row, 3, (double)ji(t, "qty"), NULL);
                row++;
            }
        }
    }
    return xlsx_finish(wb, full, len);
}

/* ---- demand ---- */

static json_t *pct_or_null(double v)
{
    return v < 0 ? json_null() : json_real((double)(int64_t)(v * 100 + 0.5) / 100);
}

static json_t *round2(double v)
{
    return json_real((double)(int64_t)(v * 100 + (v < 0 ? -0.5 : 0.5)) / 100);
}

json_t *render_demand_json(const struct demand_report *r)
{
    json_t *months = json_array(), *series = json_array();
    for (int k = 0; k < r->nmonths; k++)
        json_array_append_new(months, json_string(r->months[k]));
    for (int i = 0; i < r->n; i++) {
        const struct demand_series *d = &r->s[i];
        json_t *u = json_array(), *v = json_array();
        for (int k = 0; k < r->nmonths; k++) {
            json_array_append_new(u, json_integer(d->units[k]));
            json_array_append_new(v, json_integer(d->revenue[k]));
        }
        json_array_append_new(series,
                              json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:{s:o, s:f, s:o}, s:{s:o, s:o}, s:i}",
                                        "category", d->category, "size", d->size, "price_band", d->band, "units", u,
                                        "revenue", v, "total_units", (json_int_t)d->total_units, "total_revenue",
                                        (json_int_t)d->total_revenue, "trend_per_month", round2(d->trend),
                                        "forecast", "exponential_smoothing", round2(d->ses), "alpha", d->alpha,
                                        "seasonal_naive", round2(d->snaive), "mape", "exponential_smoothing",
                                        pct_or_null(d->mape_ses), "seasonal_naive", pct_or_null(d->mape_snaive),
                                        "backtest_months", d->points));
    }
    return json_pack("{s:s, s:s, s:o, s:s, s:{s:i, s:o, s:o}, s:o}", "kind", "demand", "timezone", r->timezone,
                     "months", months, "next_month", r->next, "backtest", "months_forecast", r->points,
                     "mape_exponential_smoothing", pct_or_null(r->mape_ses), "mape_seasonal_naive",
                     pct_or_null(r->mape_snaive), "series", series);
}

static double jf(const json_t *o, const char *k1, const char *k2)
{
    json_t *v = k2 ? json_object_get(json_object_get(o, k1), k2) : json_object_get(o, k1);
    return json_is_number(v) ? json_number_value(v) : -1;
}

char *render_demand_csv(const json_t *r, size_t *len)
{
    struct buf b = BUF_INIT(MAX_DOC);
    const json_t *months = json_object_get(r, "months");
    size_t i, k;
    json_t *s;
    buf_adds(&b, "section,month,category,size,price_band,units,revenue_yuan,forecast_exponential_smoothing,"
                 "forecast_seasonal_naive,trend_per_month,mape_exponential_smoothing,mape_seasonal_naive\r\n");
    json_array_foreach(json_object_get(r, "series"), i, s) {
        for (k = 0; k < json_array_size(months); k++) {
            char y[32];
            money_yuan(y, json_integer_value(json_array_get(json_object_get(s, "revenue"), k)));
            buf_adds(&b, "monthly,");
            csv_field(&b, json_string_value(json_array_get(months, k)));
            buf_adds(&b, ",");
            csv_field(&b, js(s, "category"));
            buf_adds(&b, ",");
            csv_field(&b, js(s, "size"));
            buf_addf(&b, ",%s,%lld,%s,,,,,\r\n", js(s, "price_band"),
                     (long long)json_integer_value(json_array_get(json_object_get(s, "units"), k)), y);
        }
    }
    json_array_foreach(json_object_get(r, "series"), i, s) {
        char m1[24] = "", m2[24] = "";
        if (jf(s, "mape", "exponential_smoothing") >= 0)
            snprintf(m1, sizeof m1, "%.2f", jf(s, "mape", "exponential_smoothing"));
        if (jf(s, "mape", "seasonal_naive") >= 0)
            snprintf(m2, sizeof m2, "%.2f", jf(s, "mape", "seasonal_naive"));
        buf_addf(&b, "forecast,%s,", js(r, "next_month"));
        csv_field(&b, js(s, "category"));
        buf_adds(&b, ",");
        csv_field(&b, js(s, "size"));
        buf_addf(&b, ",%s,,,%.2f,%.2f,%.2f,%s,%s\r\n", js(s, "price_band"), jf(s, "forecast", "exponential_smoothing"),
                 jf(s, "forecast", "seasonal_naive"), jf(s, "trend_per_month", NULL), m1, m2);
    }
    *len = b.len;
    return buf_steal(&b);
}

char *render_demand_table(const json_t *r, size_t *len)
{
    struct buf b = BUF_INIT(MAX_DOC);
    const json_t *months = json_object_get(r, "months");
    size_t i, nm = json_array_size(months);
    json_t *s;
    buf_addf(&b, "Demand by category x size x price band, %s .. %s (%zu months); forecast for %s\n\n",
             nm ? json_string_value(json_array_get(months, 0)) : "", nm ? json_string_value(json_array_get(months, nm - 1)) : "",
             nm, js(r, "next_month"));
    buf_adds(&b, "category         size     band      units  last month  trend/mo  forecast SES  seasonal naive  "
                 "MAPE SES  MAPE SN\n");
    json_array_foreach(json_object_get(r, "series"), i, s) {
        char m1[16] = "-", m2[16] = "-";
        if (jf(s, "mape", "exponential_smoothing") >= 0)
            snprintf(m1, sizeof m1, "%.1f%%", jf(s, "mape", "exponential_smoothing"));
        if (jf(s, "mape", "seasonal_naive") >= 0)
            snprintf(m2, sizeof m2, "%.1f%%", jf(s, "mape", "seasonal_naive"));
        buf_addf(&b, "%-16.16s %-8.8s %-8s %7lld %11lld %9.1f %13.1f %15.1f %9s %8s\n",
                 *js(s, "category") ? js(s, "category") : "(none)", *js(s, "size") ? js(s, "size") : "-",
                 js(s, "price_band"), (long long)ji(s, "total_units"),
                 nm ? (long long)json_integer_value(json_array_get(json_object_get(s, "units"), nm - 1)) : 0LL,
                 jf(s, "trend_per_month", NULL), jf(s, "forecast", "exponential_smoothing"),
                 jf(s, "forecast", "seasonal_naive"), m1, m2);
    }
    buf_addf(&b, "\nbacktest, one month ahead over %lld series-months: MAPE exponential smoothing ",
             (long long)jpath(r, "backtest", "months_forecast"));
    if (jf(r, "backtest", "mape_exponential_smoothing") >= 0)
        buf_addf(&b, "%.1f%%", jf(r, "backtest", "mape_exponential_smoothing"));
    else
        buf_adds(&b, "-");
    buf_adds(&b, ", seasonal naive ");
    if (jf(r, "backtest", "mape_seasonal_naive") >= 0)
        buf_addf(&b, "%.1f%%\n", jf(r, "backtest", "mape_seasonal_naive"));
    else
        buf_adds(&b, "-\n");
    *len = b.len;
    return buf_steal(&b);
}

char *render_demand_xlsx(const json_t *r, size_t *len)
{
    char full[512];
    const json_t *months = json_object_get(r, "months");
    lxw_workbook *wb = xlsx_begin(full);
    lxw_worksheet *mo, *fc, *bt;
    lxw_format *money, *bold;
    size_t i, row = 1;
    json_t *s;
    if (!wb)
        return NULL;
    money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    mo = workbook_add_worksheet(wb, "Monthly");
    fc = workbook_add_worksheet(wb, "Forecast");
    bt = workbook_add_worksheet(wb, "Backtest");
    {
        static const char *h1[] = {"Month", "Category", "Size", "Price band", "Units", "Revenue"};
        static const char *h2[] = {"Category", "Size", "Price band", "Units", "Trend per month",
                                   "Forecast (exponential smoothing)", "Forecast (seasonal naive)",
                                   "MAPE % (exponential smoothing)", "MAPE % (seasonal naive)"};
        for (int k = 0; k < 6; k++)
            worksheet_write_string(mo, 0, (lxw_col_t)k, h1[k], bold);
        for (int k = 0; k < 9; k++)
            worksheet_write_string(fc, 0, (lxw_col_t)k, h2[k], bold);
    }
    json_array_foreach(json_object_get(r, "series"), i, s) {
        for (size_t k = 0; k < json_array_size(months); k++, row++) {
            worksheet_write_string(mo, (lxw_row_t)row, 0, json_string_value(json_array_get(months, k)), NULL);
            worksheet_write_string(mo, (lxw_row_t)row, 1, js(s, "category"), NULL);
            worksheet_write_string(mo, (lxw_row_t)row, 2, js(s, "size"), NULL);
            worksheet_write_string(mo, (lxw_row_t)row, 3, js(s, "price_band"), NULL);
            worksheet_write_number(mo, (lxw_row_t)row, 4,
                                   (double)json_integer_value(json_array_get(json_object_get(s, "units"), k)), NULL);
            worksheet_write_number(mo, (lxw_row_t)row, 5,
                                   (double)json_integer_value(json_array_get(json_object_get(s, "revenue"), k)) / 100,
                                   money);
        }
        worksheet_write_string(fc, (lxw_row_t)(i + 1), 0, js(s, "category"), NULL);
        worksheet_write_string(fc, (lxw_row_t)(i + 1), 1, js(s, "size"), NULL);
        worksheet_write_string(fc, (lxw_row_t)(i + 1), 2, js(s, "price_band"), NULL);
        worksheet_write_number(fc, (lxw_row_t)(i + 1), 3, (double)ji(s, "total_units"), NULL);
        worksheet_write_number(fc, (lxw_row_t)(i + 1), 4, jf(s, "trend_per_month", NULL), NULL);
        worksheet_write_number(fc, (lxw_row_t)(i + 1), 5, jf(s, "forecast", "exponential_smoothing"), NULL);
        worksheet_write_number(fc, (lxw_row_t)(i + 1), 6, jf(s, "forecast", "seasonal_naive"), NULL);
        if (jf(s, "mape", "exponential_smoothing") >= 0)
            worksheet_write_number(fc, (lxw_row_t)(i + 1), 7, jf(s, "mape", "exponential_smoothing"), NULL);
        if (jf(s, "mape", "seasonal_naive") >= 0)
            worksheet_write_number(fc, (lxw_row_t)(i + 1), 8, jf(s, "mape", "seasonal_naive"), NULL);
    }
    worksheet_write_string(bt, 0, 0, "Months forecast (one month ahead)", bold);
    worksheet_write_number(bt, 0, 1, (double)jpath(r, "backtest", "months_forecast"), NULL);
    worksheet_write_string(bt, 1, 0, "MAPE % exponential smoothing", bold);
    worksheet_write_string(bt, 2, 0, "MAPE % seasonal naive", bold);
    if (jf(r, "backtest", "mape_exponential_smoothing") >= 0)
        worksheet_write_number(bt, 1, 1, jf(r, "backtest", "mape_exponential_smoothing"), NULL);
    if (jf(r, "backtest", "mape_seasonal_naive") >= 0)
        worksheet_write_number(bt, 2, 1, jf(r, "backtest", "mape_seasonal_naive"), NULL);
    worksheet_write_string(bt, 3, 0, "Forecast month", bold);
    worksheet_write_string(bt, 3, 1, js(r, "next_month"), NULL);
    return xlsx_finish(wb, full, len);
}

/* ---- any report in any format ---- */

char *render_as(const json_t *r, const char *format, size_t *len)
{
    bool demand = !strcmp(js(r, "kind"), "demand");
    char *out;
    if (!strcmp(format, "json")) {
        out = json_dumps(r, JSON_COMPACT);
        if (!out)
            out = xstrdup("{}"); /* cannot happen for a document built from valid text */
        *len = strlen(out);
        return out;
    }
    if (!strcmp(format, "csv"))
        return demand ? render_demand_csv(r, len) : render_csv(r, len);
    if (!strcmp(format, "xlsx"))
        return demand ? render_demand_xlsx(r, len) : render_xlsx(r, len);
    if (!strcmp(format, "table"))
        return demand ? render_demand_table(r, len) : render_table(r, len);
    if (!strcmp(format, "html") && !demand)
        return render_html(r, len);
    err_set(O2O_EINVAL, "out_of_range", "format", "this report comes as %s",
            demand ? "json, csv, xlsx or table" : "json, csv, html, xlsx or table");
    return NULL;
}

/* ---- a report's document, stored or built now ---- */

int report_document(struct db_conn *c, const char *kind, const char *scope, const char *code, const char *date,
                    const char *from, const char *to, json_t **out)
{
    char *stored = NULL;
    int rc = 0;
    *out = NULL;
    if (!strcmp(kind, "demand")) {
        struct demand_report d;
        if (!(rc = demand_report(c, from, to, &d))) {
            *out = render_demand_json(&d);
            demand_report_free(&d);
        }
    } else if (!strcmp(kind, "monthly")) {
        struct monthly_report m;
        if (!(rc = report_monthly(c, scope, code, from, to, &m))) {
            *out = render_monthly_json(&m);
            monthly_report_free(&m);
        }
    } else if (!report_stored(c, scope, code, date, &stored)) {
        /* as it was built and delivered at closing time */
        *out = json_loads(stored, 0, NULL);
        free(stored);
        if (!*out)
            return err_set(O2O_EDB, NULL, NULL, "the stored report of %s is not JSON", date);
        json_object_set_new(*out, "stored", json_true());
    } else {
        struct daily_report d;
        err_clear();
        if (!(rc = report_daily(c, scope, code, date, &d))) {
            *out = render_daily_json(&d, now_ms());
            json_object_set_new(*out, "stored", json_false());
            daily_report_free(&d);
        }
    }
    return rc;
}
