/*
** mail.c -- a report's e-mail (see mail.h):
**
**   multipart/mixed
**     multipart/alternative
**       text/plain            the terminal table
**       multipart/related
**         text/html           charts as <img src="cid:ID@o2o">
**         image/png ...       one per chart, Content-ID <ID@o2o>
**     text/csv                attachment, UTF-8 with a byte-order mark
**     application/vnd...sheet attachment
**
** Every part is base64, every header line 7-bit: the message travels through
** servers that do not speak SMTPUTF8. Without librsvg the HTML has no charts
** (its tables stay) rather than broken images.
*/
#include "reports/mail.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/mime.h"
#include "reports/chart_png.h"
#include "reports/render.h"

#define MAX_MAIL (64u << 20)
#define CHART_SCALE 2         /* drawn at twice the size shown: sharp on phones */

static const char BOM[] = "\xEF\xBB\xBF";

static void part_head(struct buf *b, const char *boundary, const char *type)
{
    buf_addf(b, "\r\n--%s\r\nContent-Type: %s\r\n", boundary, type);
}

static void base64_part(struct buf *b, const char *boundary, const char *type, const char *extra, const void *data,
                        size_t len)
{
    part_head(b, boundary, type);
    buf_addf(b, "Content-Transfer-Encoding: base64\r\n%s\r\n", extra ? extra : "");
    mime_base64(b, data, len);
}

/* The HTML and its charts, as multipart/related. */
static void related(struct buf *b, const char *boundary, const json_t *doc)
{
    struct render_charts *charts = xcalloc(1, sizeof *charts);
    char inner[40], extra[200], type[120];
    size_t hl = 0;
    char *html;
    charts->drop = !chart_png_available();
    html = render_html_mail(doc, &hl, charts);
    mime_boundary(inner);
    snprintf(type, sizeof type, "multipart/related; type=\"text/html\"; boundary=\"%s\"", inner);
    part_head(b, boundary, type);
    base64_part(b, inner, "text/html; charset=utf-8", NULL, html, hl);
    for (int i = 0; i < charts->n; i++) {
        const struct render_chart *c = &charts->v[i];
        size_t pl = 0;
        unsigned char *png = chart_png(c->svg, c->len, c->width, c->height, CHART_SCALE, &pl);
        if (!png)
            continue; /* the image is missing; the table below it says the same */
        snprintf(extra, sizeof extra, "Content-ID: <%s@o2o>\r\nContent-Disposition: inline; filename=\"%s.png\"\r\n",
                 c->id, c->id);
        base64_part(b, inner, "image/png", extra, png, pl);
        free(png);
    }
    buf_addf(b, "\r\n--%s--\r\n", inner);
    render_charts_free(charts);
    free(charts);
    free(html);
}

char *report_mail(const json_t *doc, const char *name, const struct mail_head *h, size_t *len)
{
    struct buf b = BUF_INIT(MAX_MAIL);
    char mixed[40], alt[40], id[128], date[40], title[256], extra[300], type[120], *text, *csv, *xlsx;
    size_t tl = 0, cl = 0, xl = 0;
    render_title(doc, title, sizeof title);
    mime_boundary(mixed);
    mime_boundary(alt);
    mime_message_id(id, h->from);
    mime_date(date, h->date);
    mime_address(&b, "From", h->from_name, h->from);
    mime_address(&b, "To", NULL, h->to);
    mime_header(&b, "Date", date);
    mime_header(&b, "Message-ID", id);
    mime_header(&b, "Subject", title);
    buf_addf(&b, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n", mixed);
    buf_adds(&b, "\r\nThis is a MIME message: the report is in its parts.\r\n");

    snprintf(type, sizeof type, "multipart/alternative; boundary=\"%s\"", alt);
    part_head(&b, mixed, type);
    text = render_table(doc, &tl);
    base64_part(&b, alt, "text/plain; charset=utf-8", NULL, text, tl);
    free(text);
    related(&b, alt, doc);
    buf_addf(&b, "\r\n--%s--\r\n", alt);

    csv = render_csv(doc, &cl);
    {
        /* Excel on Windows reads a CSV without a byte-order mark as the local code page */
        char *with = xmalloc(cl + 4);
        memcpy(with, BOM, 3);
        memcpy(with + 3, csv, cl);
        snprintf(extra, sizeof extra, "Content-Disposition: attachment; filename=\"%s.csv\"\r\n", name);
        base64_part(&b, mixed, "text/csv; charset=utf-8", extra, with, cl + 3);
        free(with);
    }
    free(csv);
    xlsx = render_xlsx(doc, &xl);
    if (xlsx) {
        snprintf(extra, sizeof extra, "Content-Disposition: attachment; filename=\"%s.xlsx\"\r\n", name);
        base64_part(&b, mixed, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extra, xlsx, xl);
        free(xlsx);
    }
    buf_addf(&b, "\r\n--%s--\r\n", mixed);
    *len = b.len;
    return buf_steal(&b);
}
