/*
** alipay.c -- Alipay open API adapter (gateway.do, sign_type RSA2).
** A request is a form of common parameters (app_id, method, format, charset,
** sign_type, timestamp, version, notify_url, biz_content) signed with the app's
** private key over the parameters sorted by name and joined as "k=v&k=v" (raw
** values, empty ones left out). An answer {"<method>_response": {...}, "sign": ..}
** is verified over the exact text of the response object; an asynchronous
** notification over its form parameters but sign and sign_type, sorted, with
** Alipay's public key. The server answers a notification "success" or Alipay
** resends it.
*/
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/tz.h"
#include "core/util.h"
#include "net/httpc.h"
#include "pay/provider.h"

#define MAX_PARAMS 12          /* parameters of a request we send */

struct ali_config {
    char gateway_url[256], app_id[40], notify_url[256];
    struct pay_key *priv, *alipay_pub;
};


struct param {
    char *k, *v;
};

static void addc(struct buf *b, char ch)
{
    buf_add(b, &ch, 1);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct param *)a)->k, ((const struct param *)b)->k);
}

/* "k=v&k=v" of the sorted parameters, leaving out sign, sign_type (when skip_type) and empty values. */
static char *sign_content(struct param *p, int n, bool skip_type)
{
    struct buf b = BUF_INIT(1 << 20);
    qsort(p, (size_t)n, sizeof *p, by_key);
    for (int i = 0; i < n; i++) {
        if (!strcmp(p[i].k, "sign") || (skip_type && !strcmp(p[i].k, "sign_type")) || !p[i].v[0])
            continue;
        if (b.len)
            addc(&b, '&');
        buf_adds(&b, p[i].k);
        addc(&b, '=');
        buf_adds(&b, p[i].v);
    }
    return buf_steal(&b);
}

static void url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            addc(b, (char)ch);
        } else {
            addc(b, '%');
            addc(b, hex[ch >> 4]);
            addc(b, hex[ch & 15]);
        }
    }
}

static char *url_decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char h[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(h, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return out;
}

static void free_params(struct param *p, int n)
{
    for (int i = 0; i < n; i++) {
        free(p[i].k);
        free(p[i].v);
    }
}

/* The text of the JSON object that follows "key": in s (string-aware brace matching). */
static char *object_text(const char *s, const char *key, size_t *len)
{
    char pat[128];
    const char *p, *start;
    int depth = 0;
    bool in_str = false;
    snprintf(pat, sizeof pat, "\"%.100s\"", key);
    p = strstr(s, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ' || *p == ':')
        p++;
    if (*p != '{')
        return NULL;
    start = p;
    for (; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_str = false;
        } else if (*p == '"') {
            in_str = true;
        } else if (*p == '{') {
            depth++;
        } else if (*p == '}' && --depth == 0) {
            *len = (size_t)(p - start + 1);
            return xstrndup(start, *len);
        }
    }
    return NULL;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* Call a method with its biz_content; *out is the verified response object. */
static int call(struct ali_config *c, const char *method, json_t *biz, bool notify, json_t **out)
{
    struct param p[MAX_PARAMS];
    int n = 0, rc;
    char ts[32], iso[32], *content, *sig, *biz_text = json_dumps(biz, JSON_COMPACT), key[96], *obj;
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded;charset=utf-8", NULL};
    struct buf form = BUF_INIT(1 << 20);
    struct httpc_resp r;
    json_t *root = NULL;
    size_t olen = 0;
    int64_t now = now_ms();
    *out = NULL;
    if (!biz_text)
        return err_set(O2O_EINVAL, NULL, NULL, "an Alipay request could not be written as JSON");
    fmt_iso8601(iso, now + (int64_t)tz_offset_min("Asia/Shanghai", now) * 60000);
    snprintf(ts, sizeof ts, "%.10s %.8s", iso, iso + 11);
#define ADD(K, V) (p[n].k = xstrdup(K), p[n].v = xstrdup(V), n++)
    ADD("app_id", c->app_id);
    ADD("method", method);
    ADD("format", "JSON");
    ADD("charset", "utf-8");
    ADD("sign_type", "RSA2");
    ADD("timestamp", ts);
    ADD("version", "1.0");
    ADD("biz_content", biz_text);
    if (notify)
        ADD("notify_url", c->notify_url);
#undef ADD
    free(biz_text);
    content = sign_content(p, n, false);
    sig = pay_rsa_sign(c->priv, content, strlen(content));
    free(content);
    if (!sig) {
        free_params(p, n);
        return err_set(O2O_EINVAL, "bad_key", NULL, "cannot sign with the Alipay app key");
    }
    for (int i = 0; i < n; i++) {
        if (form.len)
            addc(&form, '&');
        buf_adds(&form, p[i].k);
        addc(&form, '=');
        url_encode(&form, p[i].v);
    }
    buf_adds(&form, "&sign=");
    url_encode(&form, sig);
    free(sig);
    free_params(p, n);
    rc = httpc_request("POST", c->gateway_url, headers, form.p, form.len, GW_TIMEOUT_MS, &r);
    buf_free(&form);
    if (rc) {
        httpc_free(&r);
        return rc;
    }
    snprintf(key, sizeof key, "%s_response", method);
    for (char *q = key; *q; q++)
        if (*q == '.')
            *q = '_';
    obj = r.status == 200 ? object_text(r.body, key, &olen) : NULL;
    if (!obj && r.status == 200)
        obj = object_text(r.body, "error_response", &olen); /* gateway-level errors */
    root = json_loadb(r.body, r.len, 0, NULL);
    *out = obj ? json_loads(obj, 0, NULL) : NULL;
    if (!*out) {
        rc = err_set(O2O_ERETRY, "gateway_bad_answer", NULL, "Alipay answered %ld without a response object",
                     r.status);
    } else if (json_object_get(root, "sign")) {
        /* a signed answer is believed only if the signature holds */
        if (!pay_rsa_verify(c->alipay_pub, obj, olen, jstr(root, "sign")))
            rc = err_set(O2O_ERETRY, "gateway_bad_signature", NULL,
                         "Alipay's answer (%ld) is not signed by Alipay's key", r.status);
    } else if (!strcmp(jstr(*out, "code"), "10000") || !strcmp(jstr(*out, "code"), "10003") ||
               !jstr(*out, "code")[0]) {
        /* Alipay leaves some error answers unsigned (ACQ.TRADE_HAS_CLOSE, isv.* ...); an
        ** answer that reports success or waiting must be signed */
        rc = err_set(O2O_ERETRY, "gateway_bad_signature", NULL, "Alipay's answer (%ld) is not signed", r.status);
    } else {
        json_object_set_new(*out, "o2o_unsigned", json_true()); /* an error, believed as one */
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    free(obj);
    json_decref(root);
    httpc_free(&r);
    return rc;
}

/* The payer: her Alipay user id (2088...), or in OpenID mode her open id for this app. */
static void read_payer(json_t *a, struct gw_txn *t)
{
    const char *uid = *jstr(a, "buyer_user_id") ? jstr(a, "buyer_user_id") : jstr(a, "buyer_id");
    if (*uid) {
        str_copy(t->payer, sizeof t->payer, uid);
        str_copy(t->payer_kind, sizeof t->payer_kind, "alipay_user_id");
    } else if (*jstr(a, "buyer_open_id")) {
        str_copy(t->payer, sizeof t->payer, jstr(a, "buyer_open_id"));
        str_copy(t->payer_kind, sizeof t->payer_kind, "alipay_open_id");
    }
}

static void read_trade(json_t *a, struct gw_txn *t)
{
    const char *st = jstr(a, "trade_status");
    str_copy(t->out_trade_no, sizeof t->out_trade_no, jstr(a, "out_trade_no"));
    str_copy(t->transaction_id, sizeof t->transaction_id, jstr(a, "trade_no"));
    read_payer(a, t);
    if (money_parse_yuan(jstr(a, "total_amount"), &t->amount))
        t->amount = 0;
    str_copy(t->state, sizeof t->state,
             !strcmp(st, "TRADE_SUCCESS") || !strcmp(st, "TRADE_FINISHED") ? "paid"
             : !strcmp(st, "WAIT_BUYER_PAY")                              ? "pending"
             : !strcmp(st, "TRADE_CLOSED")                                ? "closed"
                                                                          : "failed");
}

/* An error answer: its code, sub_code and sub_msg are kept (in the message and the
** payment's timeline), signed or not. */
static int refused(json_t *a, const char *what, struct gw_txn *t)
{
    if (t)
        snprintf(t->reason, sizeof t->reason, "%s %.60s %.80s%s", jstr(a, "code"), jstr(a, "sub_code"),
                 jstr(a, "sub_msg"), json_is_true(json_object_get(a, "o2o_unsigned")) ? " (unsigned)" : "");
    return err_set(O2O_ECONFLICT, "gateway_refused", NULL, "Alipay refused %s: %s %.100s %.100s", what, jstr(a, "code"),
                   jstr(a, "sub_code"), jstr(a, "sub_msg"));
}

/* Alipay's expiry of a trade: an absolute time_expire (Beijing time) and, for the
** methods that read only the relative one, timeout_express in whole minutes. */
static void set_expiry(json_t *biz, int64_t expires_at)
{
    char iso[32], when[24], mins[16];
    int64_t left;
    if (expires_at <= 0)
        return;
    fmt_iso8601(iso, expires_at + (int64_t)tz_offset_min("Asia/Shanghai", expires_at) * 60000);
    snprintf(when, sizeof when, "%.10s %.8s", iso, iso + 11);
    left = (expires_at - now_ms() + 59999) / 60000;
    snprintf(mins, sizeof mins, "%" PRId64 "m", left < 1 ? 1 : left > 21600 ? 21600 : left);
    json_object_set_new(biz, "time_expire", json_string(when));
    json_object_set_new(biz, "timeout_express", json_string(mins));
}

static int ali_create(struct ali_config *c, const char *out_trade_no, int64_t amount, const char *subject,
               const char *auth_code, int64_t expires_at, char *pay_url, size_t cap, struct gw_txn *t)
{
    char yuan[32];
    json_t *biz, *a = NULL;
    bool scan = auth_code && *auth_code;
    int rc;
    money_yuan(yuan, amount);
    biz = json_pack("{s:s, s:s, s:s}", "out_trade_no", out_trade_no, "total_amount", yuan, "subject", subject);
    set_expiry(biz, expires_at);
    if (scan) {
        json_object_set_new(biz, "scene", json_string("bar_code"));
        json_object_set_new(biz, "auth_code", json_string(auth_code));
    }
    rc = call(c, scan ? "alipay.trade.pay" : "alipay.trade.precreate", biz, true, &a);
    json_decref(biz);
    if (rc)
        return rc;
    if (scan) {
        const char *code = jstr(a, "code");
        if (!strcmp(code, "10000")) {
            read_trade(a, t);
            str_copy(t->state, sizeof t->state, "paid");
        } else if (!strcmp(code, "10003")) {
            str_copy(t->state, sizeof t->state, "pending"); /* the customer confirms on her phone */
        } else {
            rc = refused(a, "the payment code", t);
        }
    } else if (!strcmp(jstr(a, "code"), "10000") && *jstr(a, "qr_code")) {
        str_copy(pay_url, cap, jstr(a, "qr_code"));
    } else {
        rc = refused(a, "the payment", t);
    }
    json_decref(a);
    return rc;
}

static int ali_query(struct ali_config *c, const char *out_trade_no, struct gw_txn *t)
{
    json_t *biz = json_pack("{s:s}", "out_trade_no", out_trade_no), *a = NULL;
    int rc = call(c, "alipay.trade.query", biz, false, &a);
    json_decref(biz);
    if (!rc && !strcmp(jstr(a, "code"), "10000"))
        read_trade(a, t);
    else if (!rc && !strcmp(jstr(a, "sub_code"), "ACQ.TRADE_NOT_EXIST")) {
        /* a QR trade exists at Alipay only once scanned */
        str_copy(t->out_trade_no, sizeof t->out_trade_no, out_trade_no);
        str_copy(t->state, sizeof t->state, "pending");
        t->not_found = true;
    } else if (!rc)
        rc = refused(a, "the query", t);
    json_decref(a);
    return rc;
}

static int ali_refund(struct ali_config *c, const char *out_trade_no, const char *out_refund_no, int64_t refund,
               struct gw_txn *t)
{
    char yuan[32];
    json_t *biz, *a = NULL;
    int rc;
    money_yuan(yuan, refund);
    biz = json_pack("{s:s, s:s, s:s}", "out_trade_no", out_trade_no, "refund_amount", yuan, "out_request_no",
                    out_refund_no);
    rc = call(c, "alipay.trade.refund", biz, false, &a);
    json_decref(biz);
    if (!rc) {
        t->is_refund = true;
        str_copy(t->out_trade_no, sizeof t->out_trade_no, out_trade_no);
        str_copy(t->out_refund_no, sizeof t->out_refund_no, out_refund_no);
        str_copy(t->refund_id, sizeof t->refund_id, jstr(a, "trade_no"));
        t->amount = refund;
        if (!strcmp(jstr(a, "code"), "10000"))
            str_copy(t->state, sizeof t->state, "refunded");
        else
            rc = refused(a, "the refund", t);
    }
    json_decref(a);
    return rc;
}

static int ali_close(struct ali_config *c, const char *out_trade_no, struct gw_txn *t)
{
    json_t *biz = json_pack("{s:s}", "out_trade_no", out_trade_no), *a = NULL;
    int rc = call(c, "alipay.trade.close", biz, false, &a);
    json_decref(biz);
    str_copy(t->out_trade_no, sizeof t->out_trade_no, out_trade_no);
    if (!rc) {
        const char *sub = jstr(a, "sub_code");
        if (!strcmp(jstr(a, "code"), "10000") || !strcmp(sub, "ACQ.TRADE_NOT_EXIST") ||
            !strcmp(sub, "ACQ.TRADE_HAS_CLOSE"))
            str_copy(t->state, sizeof t->state, "closed"); /* closed now, never scanned, or closed before */
        else if (!strcmp(sub, "ACQ.TRADE_STATUS_ERROR"))
            rc = err_set(O2O_ECONFLICT, "gateway_trade_paid", NULL, "Alipay cannot close %s: it is paid", out_trade_no);
        else
            rc = refused(a, "to close the trade", t);
    }
    json_decref(a);
    return rc;
}

int gw_alipay_notification(struct gateways *g, const char *form, size_t len, struct gw_txn *t)
{
    struct ali_config *c = gw_state(g, "alipay");
    struct param *p;
    const char *sig = NULL, *app = NULL;
    char *content;
    int n = 0, most = 1;
    bool ok;
    memset(t, 0, sizeof *t);
    if (!c)
        return err_set(O2O_ENOTFOUND, "gateway_not_configured", NULL, "Alipay is not configured");
    /* as many parameters as the form holds (the body limit bounds it): Alipay adds optional ones */
    for (size_t i = 0; i < len; i++)
        most += form[i] == '&';
    p = xcalloc((size_t)most, sizeof *p);
    for (size_t i = 0; i < len && n < most;) {
        size_t e = i, eq;
        while (e < len && form[e] != '&')
            e++;
        for (eq = i; eq < e && form[eq] != '='; eq++)
            ;
        if (eq < e) {
            p[n].k = url_decode(form + i, eq - i);
            p[n].v = url_decode(form + eq + 1, e - eq - 1);
            n++;
        }
        i = e + 1;
    }
    for (int i = 0; i < n; i++) {
        if (!strcmp(p[i].k, "sign"))
            sig = p[i].v;
        if (!strcmp(p[i].k, "app_id"))
            app = p[i].v;
    }
    content = sign_content(p, n, true);
    ok = sig && pay_rsa_verify(c->alipay_pub, content, strlen(content), sig);
    free(content);
    if (ok && (!app || strcmp(app, c->app_id)))
        ok = false;
    if (ok) {
        json_t *o = json_object();
        for (int i = 0; i < n; i++)
            json_object_set_new(o, p[i].k, json_string(p[i].v));
        read_trade(o, t);
        json_decref(o);
    }
    free_params(p, n);
    free(p);
    if (!ok)
        return err_set(O2O_EUNAUTH, "bad_signature", NULL, "the notification is not signed by Alipay for this app");
    if (!t->out_trade_no[0])
        return err_set(O2O_EINVAL, "malformed_notification", NULL, "no out_trade_no");
    return 0;
}

/* ---- the provider's table ---- */

static int load_ali_config(json_t *o, struct ali_config *c)
{
    char priv[512] = "", pub[512] = "";
    int rc = gw_str_field(o, "gateway_url", c->gateway_url, sizeof c->gateway_url, false, "alipay");
    if (!c->gateway_url[0])
        str_copy(c->gateway_url, sizeof c->gateway_url, "https://openapi.alipay.com/gateway.do");
    if (!rc)
        rc = gw_str_field(o, "app_id", c->app_id, sizeof c->app_id, true, "alipay");
    if (!rc)
        rc = gw_str_field(o, "notify_url", c->notify_url, sizeof c->notify_url, true, "alipay");
    if (!rc)
        rc = gw_str_field(o, "private_key", priv, sizeof priv, true, "alipay");
    if (!rc)
        rc = gw_str_field(o, "alipay_public_key", pub, sizeof pub, true, "alipay");
    if (!rc && !(c->priv = pay_key_load_private(priv)))
        rc = O2O_EINVAL;
    if (!rc && !(c->alipay_pub = pay_key_load_public(pub)))
        rc = O2O_EINVAL;
    return rc;
}

static int ali_load(json_t *section, void **state)
{
    struct ali_config *c = xcalloc(1, sizeof *c);
    *state = c;
    return load_ali_config(section, c);
}

static void ali_free(void *state)
{
    struct ali_config *c = state;
    pay_key_free(c->priv);
    pay_key_free(c->alipay_pub);
    free(c);
}

/* Alipay payment codes: 16 to 24 digits starting 25 to 30. */
static bool ali_takes_code(const char *code)
{
    size_t n = strlen(code);
    if (n < 16 || n > 24 || !((code[0] == '2' && code[1] >= '5') || (code[0] == '3' && code[1] == '0')))
        return false;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

static int ali_create_op(void *state, const struct gw_create_in *in, char *pay_url, size_t cap, struct gw_txn *t)
{
    return ali_create(state, in->out_trade_no, in->amount, in->subject, in->auth_code, in->expires_at, pay_url, cap, t);
}

static int ali_query_op(void *state, const char *out_trade_no, struct gw_txn *t)
{
    return ali_query(state, out_trade_no, t);
}

static int ali_refund_op(void *state, const char *out_trade_no, const char *out_refund_no, int64_t refund,
                         int64_t total, struct gw_txn *t)
{
    (void)total;
    return ali_refund(state, out_trade_no, out_refund_no, refund, t);
}

static int ali_close_op(void *state, const char *out_trade_no, struct gw_txn *t)
{
    return ali_close(state, out_trade_no, t);
}

const struct gw_provider gw_alipay = {"alipay", ali_takes_code, ali_load, ali_free, ali_create_op, ali_query_op,
                                      ali_refund_op, ali_close_op};
