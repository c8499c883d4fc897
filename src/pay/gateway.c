/*
** gateway.c -- gateway configuration and dispatch to the WeChat Pay and Alipay
** adapters.
*/
#include "pay/gateway.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "pay/gateway_int.h"

static int str_field(json_t *o, const char *key, char *out, size_t cap, bool required, const char *where)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            return err_set(O2O_EINVAL, "bad_config", key, "%s needs %s", where, key);
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return err_set(O2O_EINVAL, "bad_config", key, "%s.%s must be a string shorter than %zu", where, key, cap);
    str_copy(out, cap, json_string_value(v));
    return 0;
}

static int load_platform_keys(json_t *o, struct wx_config *c);

static int load_wx(json_t *o, struct wx_config *c)
{
    char priv[512] = "";
    int rc = str_field(o, "base_url", c->base_url, sizeof c->base_url, false, "wechat_pay");
    if (!c->base_url[0])
        str_copy(c->base_url, sizeof c->base_url, "https://api.mch.weixin.qq.com");
    if (!rc)
        rc = str_field(o, "mchid", c->mchid, sizeof c->mchid, true, "wechat_pay");
    if (!rc)
        rc = str_field(o, "appid", c->appid, sizeof c->appid, true, "wechat_pay");
    if (!rc)
        rc = str_field(o, "serial_no", c->serial_no, sizeof c->serial_no, true, "wechat_pay");
    if (!rc)
        rc = str_field(o, "api_v3_key", c->api_v3_key, sizeof c->api_v3_key, true, "wechat_pay");
    if (!rc)
        rc = str_field(o, "notify_url", c->notify_url, sizeof c->notify_url, true, "wechat_pay");
    if (!rc)
        rc = str_field(o, "private_key", priv, sizeof priv, true, "wechat_pay");
    if (!rc)
        rc = str_field(o, "api_v2_key", c->api_v2_key, sizeof c->api_v2_key, false, "wechat_pay");
    if (!rc && c->api_v2_key[0] && strlen(c->api_v2_key) != 32)
        rc = err_set(O2O_EINVAL, "bad_config", "api_v2_key", "wechat_pay.api_v2_key must be 32 characters");
    if (!rc && strlen(c->api_v3_key) != 32)
        rc = err_set(O2O_EINVAL, "bad_config", "api_v3_key", "wechat_pay.api_v3_key must be 32 characters");
    if (!rc && !(c->priv = pay_key_load_private(priv)))
        rc = O2O_EINVAL;
    if (!rc)
        rc = load_platform_keys(o, c);
    c->on = !rc;
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
    int rc = str_field(o, "platform_serial", one, sizeof one, false, "wechat_pay");
    if (!rc)
        rc = str_field(o, "platform_public_key", pub, sizeof pub, false, "wechat_pay");
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

static int load_ali(json_t *o, struct ali_config *c)
{
    char priv[512] = "", pub[512] = "";
    int rc = str_field(o, "gateway_url", c->gateway_url, sizeof c->gateway_url, false, "alipay");
    if (!c->gateway_url[0])
        str_copy(c->gateway_url, sizeof c->gateway_url, "https://openapi.alipay.com/gateway.do");
    if (!rc)
        rc = str_field(o, "app_id", c->app_id, sizeof c->app_id, true, "alipay");
    if (!rc)
        rc = str_field(o, "notify_url", c->notify_url, sizeof c->notify_url, true, "alipay");
    if (!rc)
        rc = str_field(o, "private_key", priv, sizeof priv, true, "alipay");
    if (!rc)
        rc = str_field(o, "alipay_public_key", pub, sizeof pub, true, "alipay");
    if (!rc && !(c->priv = pay_key_load_private(priv)))
        rc = O2O_EINVAL;
    if (!rc && !(c->alipay_pub = pay_key_load_public(pub)))
        rc = O2O_EINVAL;
    c->on = !rc;
    return rc;
}

int gateways_load(const char *path, struct gateways **out)
{
    struct gateways *g = xcalloc(1, sizeof *g);
    json_error_t je;
    json_t *root, *v;
    int rc = 0;
    *out = g;
    if (!path)
        return 0;
    root = json_load_file(path, 0, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return err_set(O2O_EINVAL, "bad_config", NULL, "%.120s: %s (line %d)", path, je.text, je.line);
    }
    rc = str_field(root, "instance", g->instance, sizeof g->instance, true, "the gateways file");
    for (const char *q = g->instance; !rc && *q; q++)
        if (!((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z')))
            rc = err_set(O2O_EINVAL, "bad_config", "instance", "instance is 1..8 letters and digits");
    if (!rc && !g->instance[0])
        rc = err_set(O2O_EINVAL, "bad_config", "instance", "instance is 1..8 letters and digits");
    if (!rc && (v = json_object_get(root, "wechat_pay")))
        rc = load_wx(v, &g->wx);
    if (!rc && (v = json_object_get(root, "alipay")))
        rc = load_ali(v, &g->ali);
    json_decref(root);
    return rc;
}

const char *gateway_instance(const struct gateways *g)
{
    return g ? g->instance : "";
}

void gateways_free(struct gateways *g)
{
    if (!g)
        return;
    pay_key_free(g->wx.priv);
    for (int i = 0; i < g->wx.nplatform; i++)
        pay_key_free(g->wx.platform[i].key);
    pay_key_free(g->ali.priv);
    pay_key_free(g->ali.alipay_pub);
    free(g);
}

bool gateway_enabled(const struct gateways *g, const char *tender)
{
    if (!g)
        return false;
    if (!strcmp(tender, "wechat_pay"))
        return g->wx.on;
    if (!strcmp(tender, "alipay"))
        return g->ali.on;
    return false;
}

const char *gateway_for_code(const char *code)
{
    size_t n = strlen(code);
    if (n < 16 || n > 24)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return NULL;
    if (code[0] == '1' && code[1] >= '0' && code[1] <= '5' && n == 18)
        return "wechat_pay";
    if ((code[0] == '2' && code[1] >= '5') || (code[0] == '3' && code[1] == '0'))
        return "alipay";
    return NULL;
}

static int not_configured(const char *gateway)
{
    return err_set(O2O_EINVAL, "gateway_not_configured", "tender", "%s is not configured on this server", gateway);
}

int gw_create(struct gateways *g, const char *gateway, const char *out_trade_no, int64_t amount, const char *subject,
              const char *openid, const char *auth_code, int64_t expires_at, char *pay_url, size_t cap,
              struct gw_txn *txn)
{
    memset(txn, 0, sizeof *txn);
    str_copy(txn->out_trade_no, sizeof txn->out_trade_no, out_trade_no);
    str_copy(txn->state, sizeof txn->state, "pending");
    if (!gateway_enabled(g, gateway))
        return not_configured(gateway);
    if (!strcmp(gateway, "wechat_pay")) {
        if (auth_code && *auth_code) {
            if (!g->wx.api_v2_key[0])
                return err_set(O2O_EINVAL, "unsupported", "auth_code",
                               "WeChat Pay takes payment codes through its API v2 (micropay): configure "
                               "wechat_pay.api_v2_key, or let the customer scan the order's QR code instead");
            return wx_micropay(&g->wx, out_trade_no, amount, subject, auth_code, txn);
        }
        return wx_create(&g->wx, out_trade_no, amount, subject, openid, expires_at, pay_url, cap);
    }
    return ali_create(&g->ali, out_trade_no, amount, subject, auth_code, expires_at, pay_url, cap, txn);
}

int gw_close(struct gateways *g, const char *gateway, const char *out_trade_no, struct gw_txn *txn)
{
    memset(txn, 0, sizeof *txn);
    if (!gateway_enabled(g, gateway))
        return not_configured(gateway);
    return !strcmp(gateway, "wechat_pay") ? wx_close(&g->wx, out_trade_no, txn) : ali_close(&g->ali, out_trade_no, txn);
}

int gw_query(struct gateways *g, const char *gateway, const char *out_trade_no, struct gw_txn *txn)
{
    memset(txn, 0, sizeof *txn);
    if (!gateway_enabled(g, gateway))
        return not_configured(gateway);
    return !strcmp(gateway, "wechat_pay") ? wx_query(&g->wx, out_trade_no, txn) : ali_query(&g->ali, out_trade_no, txn);
}

int gw_refund(struct gateways *g, const char *gateway, const char *out_trade_no, const char *out_refund_no,
              int64_t refund, int64_t total, struct gw_txn *txn)
{
    memset(txn, 0, sizeof *txn);
    if (!gateway_enabled(g, gateway))
        return not_configured(gateway);
    return !strcmp(gateway, "wechat_pay") ? wx_refund(&g->wx, out_trade_no, out_refund_no, refund, total, txn)
                                          : ali_refund(&g->ali, out_trade_no, out_refund_no, refund, txn);
}
