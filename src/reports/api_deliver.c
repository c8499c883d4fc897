/*
** api_deliver.c -- the turn (run by a thread of app/) that delivers the outbox's e-mails (SMTP, through
** --smtp) and webhooks (HTTP POST, signed with --webhook-secret). A message is
** claimed for a minute before it is sent, so that of several processes only one
** sends it; a failure is tried again later (5 s, doubling, up to an hour), and
** given up after 10 attempts. A report ("report:ID") goes out as an e-mail
** (reports/mail.c: text and HTML with PNG charts, CSV and XLSX attached), or as a
** webhook whose body is the report's JSON.
*/
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/mime.h"
#include "core/util.h"
#include "net/httpc.h"
#include "org/outbox.h"
#include "org/settings.h"
#include "reports/handlers.h"
#include "reports/mail.h"
#include "reports/render.h"
#include "reports/report.h"

#define MODULE_NAME "reports/api_deliver"

#define BATCH 16
#define HOLD_MS 60000
#define MAX_ATTEMPTS 10

static struct {
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

/* A text e-mail (an outbox message that is not a report). */
static char *plain_mail(const char *to, const char *text, size_t *len)
{
    struct buf b = BUF_INIT(1u << 20);
    char id[128], date[40], subject[64];
    size_t n = 0;
    /* the subject: the text's first words, cut at a character */
    while (text[n] && n < 60)
        n++;
    while (n && text[n] && ((unsigned char)text[n] & 0xc0) == 0x80)
        n--;
    snprintf(subject, sizeof subject, "%.*s", (int)n, text);
    for (char *p = subject; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    mime_message_id(id, dv.from);
    mime_date(date, now_ms());
    mime_address(&b, "From", "o2o", dv.from);
    mime_address(&b, "To", NULL, to);
    mime_header(&b, "Date", date);
    mime_header(&b, "Message-ID", id);
    mime_header(&b, "Subject", subject);
    buf_adds(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n");
    mime_base64(&b, text, strlen(text));
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
        if (doc) {
            struct mail_head h = {dv.from, "o2o reports", m->recipient, now_ms()};
            mail = report_mail(doc, name, &h, &len);
        } else {
            mail = plain_mail(m->recipient, m->payload, &len);
        }
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

void api_deliver_tick(void *arg)
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

void api_deliver_configure(const char *smtp, const char *from, const char *secret)
{
    str_copy(dv.smtp, sizeof dv.smtp, smtp ? smtp : "");
    str_copy(dv.from, sizeof dv.from, from && *from ? from : "reports@o2o.invalid");
    str_copy(dv.secret, sizeof dv.secret, secret ? secret : "");
}
