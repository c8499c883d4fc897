/*
** deliver.c -- the thread that delivers the outbox's e-mails (SMTP, through
** --smtp) and webhooks (HTTP POST, signed with --webhook-secret). A message is
** claimed for a minute before it is sent, so that of several processes only one
** sends it; a failure is tried again later (5 s, doubling, up to an hour), and
** given up after 10 attempts. A report ("report:ID") goes out as an e-mail with
** the HTML page as its body and the CSV and XLSX files attached, or as a webhook
** whose body is the report's JSON.
*/
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/ticker.h"
#include "core/util.h"
#include "domain/outbox.h"
#include "domain/report.h"
#include "domain/settings.h"
#include "pay/httpc.h"
#include "report/render.h"

#define MODULE_NAME "api/deliver"

#define BATCH 16
#define HOLD_MS 60000
#define MAX_ATTEMPTS 10

static struct {
    struct ticker *ticker;
    char smtp[256], from[128], secret[128];
} dv;

struct due {
    struct outbox_msg m[BATCH];
    int n;
};

static int due_cb(const struct outbox_msg *m, void *arg)
{
    struct due *d = arg;
    if (d->n < BATCH)
        d->m[d->n++] = *m;
    return 0;
}

struct claim {
    int64_t id, now;
    bool got, sent;
    int64_t retry_at;
};

static int claim_body(struct db_conn *c, void *arg)
{
    struct claim *k = arg;
    return outbox_claim(c, k->id, k->now, HOLD_MS, &k->got);
}

static int settle_body(struct db_conn *c, void *arg)
{
    struct claim *k = arg;
    return outbox_settle(c, k->id, k->sent, k->retry_at);
}

static void base64_lines(struct buf *b, const char *data, size_t len)
{
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *enc = xmalloc(cap);
    sodium_bin2base64(enc, cap, (const unsigned char *)data, len, sodium_base64_VARIANT_ORIGINAL);
    for (size_t i = 0, n = strlen(enc); i < n; i += 76) {
        buf_add(b, enc + i, n - i < 76 ? n - i : 76);
        buf_adds(b, "\r\n");
    }
    free(enc);
}

/* The e-mail of a report: HTML body, CSV and XLSX attached. */
static char *report_mail(const char *to, const json_t *doc, const char *name, size_t *len)
{
    struct buf b = BUF_INIT(64u << 20);
    char boundary[40], date[64], *html, *csv, *xlsx;
    size_t hl, cl, xl = 0;
    time_t t = time(NULL);
    struct tm tm;
    const char *title;
    random_hex(boundary, 12);
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    html = render_html(doc, &hl);
    csv = render_csv(doc, &cl);
    xlsx = render_xlsx(doc, &xl);
    title = strstr(html, "<title>") ? strstr(html, "<title>") + 7 : "o2o report";
    buf_addf(&b, "From: o2o reports <%s>\r\nTo: <%s>\r\nDate: %s\r\nSubject: %.*s\r\nMIME-Version: 1.0\r\n", dv.from, to,
             date, (int)strcspn(title, "<"), title);
    buf_addf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
    buf_addf(&b, "--%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
             boundary);
    base64_lines(&b, html, hl);
    buf_addf(&b, "--%s\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
                 "Content-Disposition: attachment; filename=\"%s.csv\"\r\n\r\n",
             boundary, name);
    base64_lines(&b, csv, cl);
    if (xlsx) {
        buf_addf(&b, "--%s\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
                     "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"%s.xlsx\"\r\n\r\n",
                 boundary, name);
        base64_lines(&b, xlsx, xl);
    }
    buf_addf(&b, "--%s--\r\n", boundary);
    free(html);
    free(csv);
    free(xlsx);
    *len = b.len;
    return buf_steal(&b);
}

static char *plain_mail(const char *to, const char *text, size_t *len)
{
    struct buf b = BUF_INIT(1u << 20);
    buf_addf(&b, "From: o2o <%s>\r\nTo: <%s>\r\nSubject: %.60s\r\nMIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
             dv.from, to, text, text);
    *len = b.len;
    return buf_steal(&b);
}

/* Send one message; 0 when delivered. */
static int deliver(const struct outbox_msg *m)
{
    json_t *doc = NULL;
    char name[96] = "report";
    int rc;
    int64_t id;
    if (!strncmp(m->payload, "report:", 7) && !parse_i64(m->payload + 7, 1, INT64_MAX, &id)) {
        char scope[8], code[65], date[11], *body;
        if ((rc = report_body(db_reader(api_app()->db), id, scope, code, date, &body)))
            return rc;
        doc = json_loads(body, 0, NULL);
        free(body);
        if (!doc)
            return err_set(O2O_EDB, NULL, NULL, "report %lld is not JSON", (long long)id);
        snprintf(name, sizeof name, "o2o-%s%s%s-%s", scope, code[0] ? "-" : "", code, date);
    }
    if (!strcmp(m->topic, "email")) {
        size_t len;
        char *mail;
        if (!dv.smtp[0]) {
            json_decref(doc);
            return err_set(O2O_ERETRY, "no_smtp", NULL, "no --smtp server is configured");
        }
        mail = doc ? report_mail(m->recipient, doc, name, &len) : plain_mail(m->recipient, m->payload, &len);
        rc = smtp_send(dv.smtp, dv.from, m->recipient, mail, len, 30000);
        free(mail);
    } else {
        struct httpc_resp r = {0};
        json_t *env = json_pack("{s:s, s:I, s:o}", "event", doc ? "report.daily" : "message", "outbox_id",
                                (json_int_t)m->id, doc ? "report" : "text", doc ? doc : json_string(m->payload));
        char *body = env ? json_dumps(env, JSON_COMPACT) : NULL, sig[96] = "", hdr[128], allowed[256] = "";
        const char *headers[4] = {"Content-Type: application/json", NULL, NULL, NULL};
        doc = NULL;
        json_decref(env);
        if (!body)
            body = xstrdup("{\"event\":\"message\",\"text\":null}");
        if (dv.secret[0]) {
            unsigned char mac[crypto_auth_hmacsha256_BYTES];
            char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
            crypto_auth_hmacsha256_state st;
            crypto_auth_hmacsha256_init(&st, (const unsigned char *)dv.secret, strlen(dv.secret));
            crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
            crypto_auth_hmacsha256_final(&st, mac);
            sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
            snprintf(sig, sizeof sig, "X-O2O-Signature: sha256=%s", hex);
            headers[1] = sig;
        }
        snprintf(hdr, sizeof hdr, "X-O2O-Delivery: %lld", (long long)m->id);
        headers[headers[1] ? 2 : 1] = hdr;
        /* a URL a manager gave: no internal address unless the chain allows it */
        rc = settings_str(db_reader(api_app()->db), "webhook_allowed_networks", "", allowed, sizeof allowed);
        if (!rc)
            rc = httpc_request_outside("POST", m->recipient, allowed, headers, body, strlen(body), 15000, &r);
        if (!rc && (r.status < 200 || r.status >= 300))
            rc = err_set(O2O_ERETRY, "webhook_refused", NULL, "%.60s answered %ld", m->recipient, r.status);
        httpc_free(&r);
        free(body);
    }
    json_decref(doc);
    return rc;
}

static void deliver_due(void *arg)
{
    struct due d;
    int64_t now = now_ms();
    (void)arg;
    d.n = 0;
    if (outbox_due(db_reader(api_app()->db), now, BATCH, due_cb, &d)) {
        log_warn("outbox: %s", err_last()->msg);
        return;
    }
    for (int i = 0; i < d.n; i++) {
        struct claim k = {d.m[i].id, now, false, false, 0};
        int rc;
        if (!strcmp(d.m[i].topic, "email") && !dv.smtp[0])
            continue; /* kept until a server with --smtp sends it */
        if (db_txn(api_app()->db, claim_body, &k) || !k.got)
            continue;
        err_clear();
        rc = deliver(&d.m[i]);
        k.sent = rc == 0;
        if (!k.sent) {
            int64_t wait = 5000LL << (d.m[i].attempts < 10 ? d.m[i].attempts : 10);
            k.retry_at = d.m[i].attempts + 1 >= MAX_ATTEMPTS ? 0 : now_ms() + (wait < 3600000 ? wait : 3600000);
            if (rc == O2O_EFORBIDDEN)
                k.retry_at = 0; /* an internal target stays internal: given up at once */
            log_warn("outbox %lld (%s to %s) not delivered: %s%s", (long long)d.m[i].id, d.m[i].topic,
                     d.m[i].recipient, err_last()->msg, k.retry_at ? "" : " (given up)");
        }
        if (db_txn(api_app()->db, settle_body, &k))
            log_warn("outbox %lld: %s", (long long)d.m[i].id, err_last()->msg);
    }
}

void api_deliver_start(int64_t every_ms, const char *smtp, const char *from, const char *secret)
{
    str_copy(dv.smtp, sizeof dv.smtp, smtp ? smtp : "");
    str_copy(dv.from, sizeof dv.from, from && *from ? from : "reports@o2o.invalid");
    str_copy(dv.secret, sizeof dv.secret, secret ? secret : "");
    dv.ticker = ticker_start("o2o-deliver", every_ms > 0 ? every_ms : 1000, deliver_due, NULL);
}

void api_deliver_stop(void)
{
    ticker_stop(dv.ticker);
    dv.ticker = NULL;
}
