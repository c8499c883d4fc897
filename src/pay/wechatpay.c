/*
** wechatpay.c -- WeChat Pay API v3 adapter.
** Requests carry "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=..,nonce_str=..,
** signature=..,timestamp=..,serial_no=.." where the signature is RSA-SHA256 over
** "METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n" with the merchant key. Answers
** and notifications are signed by the platform key over "TIMESTAMP\nNONCE\nBODY\n"
** (headers Wechatpay-Timestamp/-Nonce/-Signature/-Serial); a notification's
** resource is AES-256-GCM encrypted with the APIv3 key.
*/
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "net/httpc.h"
#include "pay/wechatpay_int.h"

static bool fresh(const char *ts)
{
    int64_t t = 0, now = now_ms() / 1000;
    if (!ts || parse_i64(ts, 0, INT64_MAX / 2, &t))
        return false;
    return t > now - GW_MAX_SKEW_S && t < now + GW_MAX_SKEW_S;
}

/* Verify "ts\nnonce\nbody\n" under the platform key. */
static bool platform_signed(struct wx_config *c, const char *ts, const char *nonce, const char *sig,
                            const char *serial, const char *body, size_t len)
{
    char *msg;
    size_t n;
    bool ok;
    struct pay_key *key = NULL;
    for (int i = 0; serial && i < c->nplatform; i++)
        if (!strcmp(serial, c->platform[i].serial))
            key = c->platform[i].key; /* the key this serial names; an unknown serial is refused */
    if (!ts || !nonce || !sig || !key || !fresh(ts))
        return false;
    n = strlen(ts) + strlen(nonce) + len + 3;
    msg = xmalloc(n + 1);
    snprintf(msg, n + 1, "%s\n%s\n", ts, nonce);
    memcpy(msg + strlen(ts) + strlen(nonce) + 2, body, len);
    msg[n - 1] = '\n';
    msg[n] = 0;
    ok = pay_rsa_verify(key, msg, n, sig);
    free(msg);
    return ok;
}

/* Send a signed request; on success *out is the verified JSON answer (may be NULL for 204). */
static int call(struct wx_config *c, const char *method, const char *path, const char *body, long *status,
                json_t **out)
{
    char nonce[33], ts[24], url[600], auth[1200], *msg, *sig;
    const char *headers[5];
    struct httpc_resp r;
    size_t blen = body ? strlen(body) : 0, n;
    int rc;
    *out = NULL;
    random_hex(nonce, 16);
    snprintf(ts, sizeof ts, "%" PRId64, now_ms() / 1000);
    n = strlen(method) + strlen(path) + strlen(ts) + strlen(nonce) + blen + 5;
    msg = xmalloc(n + 1);
    snprintf(msg, n + 1, "%s\n%s\n%s\n%s\n%s\n", method, path, ts, nonce, body ? body : "");
    sig = pay_rsa_sign(c->priv, msg, strlen(msg));
    free(msg);
    if (!sig)
        return err_set(O2O_EINVAL, "bad_key", NULL, "cannot sign with the WeChat Pay merchant key");
    snprintf(auth, sizeof auth,
             "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"%s\",nonce_str=\"%s\",signature=\"%s\","
             "timestamp=\"%s\",serial_no=\"%s\"",
             c->mchid, nonce, sig, ts, c->serial_no);
    free(sig);
    headers[0] = auth;
    headers[1] = "Accept: application/json";
    headers[2] = "Content-Type: application/json";
    headers[3] = "User-Agent: o2o/" O2O_VERSION;
    headers[4] = NULL;
    snprintf(url, sizeof url, "%s%s", c->base_url, path);
    rc = httpc_request(method, url, headers, body, blen, GW_TIMEOUT_MS, &r);
    if (rc) {
        httpc_free(&r);
        return rc;
    }
    *status = r.status;
    if (r.status >= 200 && r.status < 300 && r.len &&
        !platform_signed(c, httpc_header(&r, "wechatpay-timestamp"), httpc_header(&r, "wechatpay-nonce"),
                         httpc_header(&r, "wechatpay-signature"), httpc_header(&r, "wechatpay-serial"), r.body,
                         r.len)) {
        httpc_free(&r);
        return err_set(O2O_ERETRY, "gateway_bad_signature", NULL, "WeChat Pay's answer is not signed by its platform key");
    }
    if (r.len)
        *out = json_loadb(r.body, r.len, 0, NULL);
    if (r.status < 200 || r.status >= 300) {
        const char *msg2 = *out ? json_string_value(json_object_get(*out, "message")) : NULL;
        const char *code = *out ? json_string_value(json_object_get(*out, "code")) : NULL;
        err_set(r.status >= 500 ? O2O_ERETRY : O2O_ECONFLICT, "gateway_refused", NULL,
                "WeChat Pay answered %ld %.40s: %.150s", r.status, code ? code : "", msg2 ? msg2 : r.body);
        json_decref(*out);
        *out = NULL;
        httpc_free(&r);
        return err_last()->rc;
    }
    httpc_free(&r);
    return 0;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* A transaction WeChat Pay reports is ours only if it names our merchant and app:
** a valid signature alone says it came from WeChat Pay, not that it is for us. */
static int ours(struct wx_config *c, json_t *t, bool need_appid)
{
    const char *mchid = jstr(t, "mchid"), *appid = jstr(t, "appid");
    if (strcmp(mchid, c->mchid) || (need_appid && strcmp(appid, c->appid)))
        return err_set(O2O_EUNAUTH, "wrong_merchant", NULL,
                       "the transaction is for merchant %.40s app %.40s, not this configuration", mchid, appid);
    return 0;
}

static void read_txn(json_t *t, struct gw_txn *x)
{
    const char *state = jstr(t, "trade_state");
    str_copy(x->out_trade_no, sizeof x->out_trade_no, jstr(t, "out_trade_no"));
    str_copy(x->transaction_id, sizeof x->transaction_id, jstr(t, "transaction_id"));
    str_copy(x->payer, sizeof x->payer, jstr(json_object_get(t, "payer"), "openid"));
    if (x->payer[0])
        str_copy(x->payer_kind, sizeof x->payer_kind, "wechat_openid");
    x->amount = json_integer_value(json_object_get(json_object_get(t, "amount"), "total"));
    str_copy(x->state, sizeof x->state,
             !strcmp(state, "SUCCESS") || !strcmp(state, "REFUND")           ? "paid"
             : !strcmp(state, "NOTPAY") || !strcmp(state, "USERPAYING")      ? "pending"
             : !strcmp(state, "CLOSED") || !strcmp(state, "REVOKED")         ? "closed"
                                                                             : "failed");
}

static int wx_create(struct wx_config *c, const char *out_trade_no, int64_t amount, const char *subject, const char *openid,
              int64_t expires_at, char *pay_url, size_t cap)
{
    json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:s}}", "appid", c->appid, "mchid", c->mchid,
                            "description", subject, "out_trade_no", out_trade_no, "notify_url", c->notify_url,
                            "amount", "total", (json_int_t)amount, "currency", "CNY");
    json_t *ans = NULL;
    long status = 0;
    char *body;
    int rc;
    bool jsapi = openid && *openid;
    if (jsapi)
        json_object_set_new(req, "payer", json_pack("{s:s}", "openid", openid));
    if (expires_at > 0) {
        /* RFC 3339 in Beijing time: the trade closes then */
        char iso[32], when[40];
        fmt_iso8601(iso, expires_at + 8 * 3600000LL);
        snprintf(when, sizeof when, "%.19s+08:00", iso);
        json_object_set_new(req, "time_expire", json_string(when));
    }
    body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    rc = call(c, "POST", jsapi ? "/v3/pay/transactions/jsapi" : "/v3/pay/transactions/native", body, &status, &ans);
    free(body);
    if (rc)
        return rc;
    if (jsapi && json_is_string(json_object_get(ans, "prepay_id")))
        snprintf(pay_url, cap, "prepay_id=%s", jstr(ans, "prepay_id"));
    else if (!jsapi && json_is_string(json_object_get(ans, "code_url")))
        str_copy(pay_url, cap, jstr(ans, "code_url"));
    else
        rc = err_set(O2O_ERETRY, "gateway_bad_answer", NULL, "WeChat Pay's answer has no %s",
                     jsapi ? "prepay_id" : "code_url");
    json_decref(ans);
    return rc;
}

static int wx_query(struct wx_config *c, const char *out_trade_no, struct gw_txn *t)
{
    char path[200];
    json_t *ans = NULL;
    long status = 0;
    int rc;
    snprintf(path, sizeof path, "/v3/pay/transactions/out-trade-no/%s?mchid=%s", out_trade_no, c->mchid);
    rc = call(c, "GET", path, NULL, &status, &ans);
    if (!rc)
        rc = ours(c, ans, true);
    if (!rc)
        read_txn(ans, t);
    if (rc == O2O_ECONFLICT && status == 404) {
        /* ORDER_NOT_EXIST: never created at the gateway */
        err_clear();
        rc = 0;
        str_copy(t->out_trade_no, sizeof t->out_trade_no, out_trade_no);
        str_copy(t->state, sizeof t->state, "pending");
        t->not_found = true;
    }
    json_decref(ans);
    return rc;
}

static int wx_close(struct wx_config *c, const char *out_trade_no, struct gw_txn *t)
{
    char path[200], *body;
    json_t *req = json_pack("{s:s}", "mchid", c->mchid), *ans = NULL;
    long status = 0;
    int rc;
    snprintf(path, sizeof path, "/v3/pay/transactions/out-trade-no/%s/close", out_trade_no);
    body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    rc = call(c, "POST", path, body, &status, &ans);
    free(body);
    json_decref(ans);
    str_copy(t->out_trade_no, sizeof t->out_trade_no, out_trade_no);
    if (!rc)
        str_copy(t->state, sizeof t->state, "closed"); /* 204 */
    else if (rc == O2O_ECONFLICT && status == 404) {
        err_clear();
        rc = 0; /* never created: nothing to close */
        str_copy(t->state, sizeof t->state, "closed");
    } else if (rc == O2O_ECONFLICT && strstr(err_last()->msg, "ORDERPAID")) {
        rc = err_set(O2O_ECONFLICT, "gateway_trade_paid", NULL, "WeChat Pay cannot close %s: it is paid", out_trade_no);
    }
    return rc;
}

static int wx_refund(struct wx_config *c, const char *out_trade_no, const char *out_refund_no, int64_t refund, int64_t total,
              struct gw_txn *t)
{
    json_t *req = json_pack("{s:s, s:s, s:s, s:{s:I, s:I, s:s}}", "out_trade_no", out_trade_no, "out_refund_no",
                            out_refund_no, "notify_url", c->notify_url, "amount", "refund", (json_int_t)refund, "total",
                            (json_int_t)total, "currency", "CNY");
    json_t *ans = NULL;
    long status = 0;
    char *body = json_dumps(req, JSON_COMPACT);
    int rc;
    json_decref(req);
    rc = call(c, "POST", "/v3/refund/domestic/refunds", body, &status, &ans);
    free(body);
    if (!rc) {
        const char *st = jstr(ans, "status");
        t->is_refund = true;
        str_copy(t->out_trade_no, sizeof t->out_trade_no, out_trade_no);
        str_copy(t->out_refund_no, sizeof t->out_refund_no, out_refund_no);
        str_copy(t->refund_id, sizeof t->refund_id, jstr(ans, "refund_id"));
        t->amount = refund;
        str_copy(t->state, sizeof t->state,
                 !strcmp(st, "SUCCESS") ? "refunded" : !strcmp(st, "PROCESSING") ? "pending" : "failed");
    }
    json_decref(ans);
    return rc;
}

int gw_wechat_notification(struct gateways *g, const struct gw_wx_headers *h, const char *body, size_t len,
                           struct gw_txn *t)
{
    struct wx_config *c = gw_state(g, "wechat_pay");
    json_t *root, *res, *inner;
    char *plain;
    const char *ev;
    memset(t, 0, sizeof *t);
    if (!c)
        return err_set(O2O_ENOTFOUND, "gateway_not_configured", NULL, "WeChat Pay is not configured");
    if (!platform_signed(c, h->timestamp, h->nonce, h->signature, h->serial, body, len))
        return err_set(O2O_EUNAUTH, "bad_signature", NULL, "the notification is not signed by the WeChat Pay platform key");
    root = json_loadb(body, len, 0, NULL);
    res = json_object_get(root, "resource");
    if (!json_is_object(res) || strcmp(jstr(res, "algorithm"), "AEAD_AES_256_GCM")) {
        json_decref(root);
        return err_set(O2O_EINVAL, "malformed_notification", NULL, "no AEAD_AES_256_GCM resource");
    }
    plain = pay_aes_gcm_decrypt(c->api_v3_key, jstr(res, "nonce"), jstr(res, "associated_data"),
                                jstr(res, "ciphertext"));
    ev = jstr(root, "event_type");
    if (!plain) {
        json_decref(root);
        return err_set(O2O_EUNAUTH, "bad_ciphertext", NULL, "the notification's resource does not decrypt");
    }
    inner = json_loads(plain, 0, NULL);
    free(plain);
    if (!json_is_object(inner)) {
        json_decref(root);
        return err_set(O2O_EINVAL, "malformed_notification", NULL, "the resource is not a JSON object");
    }
    if (ours(c, inner, strncmp(ev, "REFUND.", 7) != 0)) {
        /* signed by WeChat Pay, for another merchant or app: not ours to apply */
        int rc = err_last()->rc;
        json_decref(inner);
        json_decref(root);
        return rc;
    }
    if (!strncmp(ev, "REFUND.", 7)) {
        const char *st = jstr(inner, "refund_status");
        t->is_refund = true;
        str_copy(t->out_trade_no, sizeof t->out_trade_no, jstr(inner, "out_trade_no"));
        str_copy(t->transaction_id, sizeof t->transaction_id, jstr(inner, "transaction_id"));
        str_copy(t->out_refund_no, sizeof t->out_refund_no, jstr(inner, "out_refund_no"));
        str_copy(t->refund_id, sizeof t->refund_id, jstr(inner, "refund_id"));
        t->amount = json_integer_value(json_object_get(json_object_get(inner, "amount"), "refund"));
        str_copy(t->state, sizeof t->state, !strcmp(st, "SUCCESS") ? "refunded" : "failed");
    } else {
        read_txn(inner, t);
    }
    json_decref(inner);
    json_decref(root);
    if (!t->out_trade_no[0])
        return err_set(O2O_EINVAL, "malformed_notification", NULL, "no out_trade_no in the resource");
    return 0;
}

/* ---- the provider's table ---- */

static int load_platform_keys(json_t *o, struct wx_config *c);

static int load_wx_config(json_t *o, struct wx_config *c)
{
    char priv[512] = "";
    int rc = gw_str_field(o, "base_url", c->base_url, sizeof c->base_url, false, "wechat_pay");
    if (!c->base_url[0])
        str_copy(c->base_url, sizeof c->base_url, "https://api.mch.weixin.qq.com");
    if (!rc)
        rc = gw_str_field(o, "mchid", c->mchid, sizeof c->mchid, true, "wechat_pay");
    if (!rc)
        rc = gw_str_field(o, "appid", c->appid, sizeof c->appid, true, "wechat_pay");
    if (!rc)
        rc = gw_str_field(o, "serial_no", c->serial_no, sizeof c->serial_no, true, "wechat_pay");
    if (!rc)
        rc = gw_str_field(o, "api_v3_key", c->api_v3_key, sizeof c->api_v3_key, true, "wechat_pay");
    if (!rc)
        rc = gw_str_field(o, "notify_url", c->notify_url, sizeof c->notify_url, true, "wechat_pay");
    if (!rc)
        rc = gw_str_field(o, "private_key", priv, sizeof priv, true, "wechat_pay");
    if (!rc)
        rc = gw_str_field(o, "api_v2_key", c->api_v2_key, sizeof c->api_v2_key, false, "wechat_pay");
    if (!rc && c->api_v2_key[0] && strlen(c->api_v2_key) != 32)
        rc = err_set(O2O_EINVAL, "bad_config", "api_v2_key", "wechat_pay.api_v2_key must be 32 characters");
    if (!rc && strlen(c->api_v3_key) != 32)
        rc = err_set(O2O_EINVAL, "bad_config", "api_v3_key", "wechat_pay.api_v3_key must be 32 characters");
    if (!rc && !(c->priv = pay_key_load_private(priv)))
        rc = O2O_EINVAL;
    if (!rc)
        rc = load_platform_keys(o, c);
    return rc;
}

static int add_platform_key(struct wx_config *c, const char *serial, const char *path)
{
    struct wx_platform_key *k;
    if (c->nplatform == WX_MAX_PLATFORM_KEYS)
        return err_set(O2O_EINVAL, "bad_config", "platform_keys", "wechat_pay: at most %d platform keys",
                       WX_MAX_PLATFORM_KEYS);
    if (!serial[0] || strlen(serial) >= sizeof c->platform[0].serial || !path)
        return err_set(O2O_EINVAL, "bad_config", "platform_keys",
                       "wechat_pay.platform_keys maps each serial (or public key id) to a PEM file");
    k = &c->platform[c->nplatform];
    if (!(k->key = pay_key_load_public(path)))
        return O2O_EINVAL;
    str_copy(k->serial, sizeof k->serial, serial);
    c->nplatform++;
    return 0;
}

/* The keys WeChat Pay signs with: "platform_keys": {"SERIAL": "file.pem", ...}
** (several during a rotation), and/or the single platform_serial and
** platform_public_key of earlier configurations. */
static int load_platform_keys(json_t *o, struct wx_config *c)
{
    json_t *keys = json_object_get(o, "platform_keys"), *v;
    const char *serial;
    char one[80] = "", pub[512] = "";
    int rc = gw_str_field(o, "platform_serial", one, sizeof one, false, "wechat_pay");
    if (!rc)
        rc = gw_str_field(o, "platform_public_key", pub, sizeof pub, false, "wechat_pay");
    if (!rc && (one[0] || pub[0]))
        rc = add_platform_key(c, one, pub[0] ? pub : NULL);
    if (!rc && keys && !json_is_object(keys))
        rc = err_set(O2O_EINVAL, "bad_config", "platform_keys", "wechat_pay.platform_keys is an object");
    json_object_foreach(keys, serial, v) {
        if (rc)
            break;
        rc = add_platform_key(c, serial, json_string_value(v));
    }
    if (!rc && !c->nplatform)
        rc = err_set(O2O_EINVAL, "bad_config", "platform_keys",
                     "wechat_pay needs the platform keys its answers are signed with (platform_keys)");
    return rc;
}

static int wx_load(json_t *section, void **state)
{
    struct wx_config *c = xcalloc(1, sizeof *c);
    *state = c;
    return load_wx_config(section, c);
}

static void wx_free(void *state)
{
    struct wx_config *c = state;
    pay_key_free(c->priv);
    for (int i = 0; i < c->nplatform; i++)
        pay_key_free(c->platform[i].key);
    free(c);
}

/* WeChat payment codes: 18 digits starting 10 to 15. */
static bool wx_takes_code(const char *code)
{
    size_t n = strlen(code);
    if (n != 18 || code[0] != '1' || code[1] < '0' || code[1] > '5')
        return false;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

static int wx_create_op(void *state, const struct gw_create_in *in, char *pay_url, size_t cap, struct gw_txn *t)
{
    struct wx_config *c = state;
    if (in->auth_code && *in->auth_code) {
        if (!c->api_v2_key[0])
            return err_set(O2O_EINVAL, "unsupported", "auth_code",
                           "WeChat Pay takes payment codes through its API v2 (micropay): configure "
                           "wechat_pay.api_v2_key, or let the customer scan the order's QR code instead");
        return wx_micropay(c, in->out_trade_no, in->amount, in->subject, in->auth_code, t);
    }
    return wx_create(c, in->out_trade_no, in->amount, in->subject, in->openid, in->expires_at, pay_url, cap);
}

static int wx_query_op(void *state, const char *out_trade_no, struct gw_txn *t)
{
    return wx_query(state, out_trade_no, t);
}

static int wx_refund_op(void *state, const char *out_trade_no, const char *out_refund_no, int64_t refund, int64_t total,
                        struct gw_txn *t)
{
    return wx_refund(state, out_trade_no, out_refund_no, refund, total, t);
}

static int wx_close_op(void *state, const char *out_trade_no, struct gw_txn *t)
{
    return wx_close(state, out_trade_no, t);
}

const struct gw_provider gw_wechat_pay = {"wechat_pay", wx_takes_code, wx_load, wx_free, wx_create_op, wx_query_op,
                                          wx_refund_op, wx_close_op};
