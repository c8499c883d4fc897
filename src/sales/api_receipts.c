/*
** api_receipts.c -- e-receipts of till sales: the page a customer opens from the
** receipt's QR code (/r/{token}: claimed right there after signing in by phone
** code, web/receipt.js), the QR code itself as SVG and PNG, and
** POST /v1/receipts/claim, by which a signed-in member makes the sale hers.
*/
#include "api/api.h"
#include "sales/handlers.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/qr.h"
#include "core/tz.h"
#include "core/util.h"
#include "org/location.h"
#include "sales/order.h"
#include "sales/receipt.h"

/* The claim link a receipt's QR code carries. */
static void claim_url(const char *token, char *out, size_t cap)
{
    snprintf(out, cap, "%s/r/%s", api_app()->public_url, token);
}

int api_receipt_info(struct db_conn *c, int64_t order_id, json_t **out)
{
    char token[RECEIPT_TOKEN_MAX], url[400], u2[420];
    int64_t claimed = 0;
    int rc = receipt_token(c, order_id, token);
    if (!rc)
        rc = receipt_claimed_by(c, order_id, &claimed);
    if (rc)
        return rc;
    claim_url(token, url, sizeof url);
    *out = json_pack("{s:s, s:s, s:o}", "token", token, "url", url, "claimed_by",
                     claimed ? json_integer(claimed) : json_null());
    snprintf(u2, sizeof u2, "%s/qr.svg", url);
    json_object_set_new(*out, "qr_svg", json_string(u2));
    snprintf(u2, sizeof u2, "%s/qr.png", url);
    json_object_set_new(*out, "qr_png", json_string(u2));
    return 0;
}

static void esc(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': buf_adds(b, "&lt;"); break;
        case '>': buf_adds(b, "&gt;"); break;
        case '&': buf_adds(b, "&amp;"); break;
        case '"': buf_adds(b, "&quot;"); break;
        case '\'': buf_adds(b, "&#39;"); break;
        default: buf_add(b, s, 1); break;
        }
    }
}

static void money(struct buf *b, int64_t fen)
{
    char y[32];
    money_yuan(y, fen);
    buf_addf(b, "&yen;%s", y);
}

struct page {
    struct buf *b;
};

static int line_row(const struct order_line *l, void *arg)
{
    struct buf *b = arg;
    buf_adds(b, "<tr class=line><td>");
    esc(b, l->name);
    buf_adds(b, "<br><small>");
    esc(b, l->sku_code);
    buf_addf(b, "</small></td><td class=n>%" PRId64 "</td><td class=n>", l->qty);
    money(b, l->amount);
    buf_adds(b, "</td></tr>");
    return 0;
}

static int pay_row(const struct payment *p, void *arg)
{
    struct buf *b = arg;
    if (strcmp(p->status, "captured"))
        return 0;
    buf_adds(b, "<tr class=tender><td colspan=2>");
    esc(b, p->tender);
    buf_adds(b, "</td><td class=n>");
    money(b, p->amount);
    buf_adds(b, "</td></tr>");
    return 0;
}

int api_receipt_page(struct http_req *rq)
{
    struct buf b = BUF_INIT(1 << 20);
    struct order o;
    struct location l;
    int64_t id, claimed = 0;
    char when[32], *svg, url[400];
    size_t svglen = 0;
    int rc = receipt_parse(api_reader(), rq->params[0], &id);
    if (!rc)
        rc = order_get(api_reader(), id, &o);
    if (!rc)
        rc = receipt_claimed_by(api_reader(), id, &claimed);
    if (rc)
        return rc;
    if (location_cached(api_reader(), o.location_id, &l))
        memset(&l, 0, sizeof l);
    /* customer-facing: the store's local time */
    tz_local_time(l.timezone[0] ? l.timezone : "UTC", o.created_at, when);
    claim_url(rq->params[0], url, sizeof url);
    buf_adds(&b, "<!doctype html><html lang=en><head><meta charset=utf-8>"
                 "<meta name=viewport content='width=device-width,initial-scale=1'><title>Receipt</title><style>"
                 "body{font-family:system-ui,sans-serif;max-width:28em;margin:1em auto;padding:0 1em}"
                 "table{width:100%;border-collapse:collapse}td{padding:.3em 0;border-bottom:1px solid #eee}"
                 ".n{text-align:right}.total td{font-weight:bold;border-top:2px solid #000}"
                 "#claim{font-size:1.1em;padding:.6em 1.2em}#qr svg{width:10em;height:10em}</style></head><body>");
    buf_adds(&b, "<h1>");
    esc(&b, l.name[0] ? l.name : "o2o");
    buf_addf(&b, "</h1><p>Receipt for order <b id=order>%" PRId64 "</b>, <time id=when>%s</time></p><table>", o.id,
             when);
    order_lines(api_reader(), id, line_row, &b);
    if (o.discount) {
        buf_adds(&b, "<tr><td colspan=2>Discount</td><td class=n>");
        money(&b, -o.discount);
        buf_adds(&b, "</td></tr>");
    }
    buf_adds(&b, "<tr class=total><td colspan=2>Total</td><td class=n id=total>");
    money(&b, o.total);
    buf_adds(&b, "</td></tr>");
    order_payments(api_reader(), id, pay_row, &b);
    buf_adds(&b, "</table>");
    if (claimed)
        buf_addf(&b, "<p id=state>This receipt belongs to a member; %" PRId64 " points were credited.</p>",
                 o.points_earned);
    else
        buf_adds(&b, "<p id=state>Collect this receipt's points: claim it as a member.</p>"
                     "<button id=claim type=button>Claim my points</button>"
                     "<form id=signin hidden><p><label>Phone number<br>"
                     "<input id=phone type=tel autocomplete=tel inputmode=tel maxlength=20></label> "
                     "<button id=send type=button>Send me a code</button></p>"
                     "<p id=codebox hidden><label>Code<br><input id=code autocomplete=one-time-code "
                     "inputmode=numeric maxlength=8></label> <button id=verify type=submit hidden>Sign in and claim"
                     "</button></p></form>");
    svg = qr_svg(url, &svglen);
    buf_adds(&b, "<div id=qr>");
    if (svg)
        buf_add(&b, svg, svglen);
    free(svg);
    /* no inline script (the policy below forbids it): the claim lives in /receipt.js */
    buf_adds(&b, "</div><script src=/receipt.js></script></body></html>");
    http_add_header(rq, "content-security-policy",
                    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
                    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    http_add_header(rq, "referrer-policy", "no-referrer");
    rc = http_reply(rq, 200, "text/html; charset=utf-8", b.p, b.len);
    buf_free(&b);
    return rc;
}

extern const char asset_receipt_js[];
extern const size_t asset_receipt_js_len;

int api_receipt_script(struct http_req *rq)
{
    http_add_header(rq, "cache-control", "public, max-age=300");
    return http_reply(rq, 200, "application/javascript; charset=utf-8", asset_receipt_js, asset_receipt_js_len);
}

static int qr_reply(struct http_req *rq, bool png)
{
    char url[400];
    int64_t id;
    size_t len = 0;
    char *data;
    int rc = receipt_parse(api_reader(), rq->params[0], &id);
    if (rc)
        return rc;
    claim_url(rq->params[0], url, sizeof url);
    data = png ? (char *)qr_png(url, 6, &len) : qr_svg(url, &len);
    if (!data)
        return err_set(O2O_EINVAL, "cannot_encode", NULL, "the link does not fit a QR code");
    http_add_header(rq, "cache-control", "public, max-age=86400");
    rc = http_reply(rq, 200, png ? "image/png" : "image/svg+xml", data, len);
    free(data);
    return rc;
}

int api_receipt_qr_svg(struct http_req *rq)
{
    return qr_reply(rq, false);
}

int api_receipt_qr_png(struct http_req *rq)
{
    return qr_reply(rq, true);
}

struct claim_arg {
    char token[RECEIPT_TOKEN_MAX + 16];
    char actor[48];
};

static int claim_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct claim_arg *a = arg;
    int64_t oid = 0, points = 0;
    int rc = receipt_claim(c, a->token, who->id, a->actor, &oid, &points);
    if (!rc)
        *out = json_pack("{s:I, s:I}", "order_id", (json_int_t)oid, "points_credited", (json_int_t)points);
    return rc;
}

int api_receipts_claim(struct http_req *rq)
{
    struct claim_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_str(rq->json, "token", true, a->token, sizeof a->token);
    if (rc) {
        free(a);
        return rc;
    }
    principal_tag(&rq->who, a->actor);
    return api_write_view(rq, claim_body, a, 200, NULL, api_order_view);
}
