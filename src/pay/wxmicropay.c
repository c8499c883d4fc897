/*
** wxmicropay.c -- WeChat Pay API v2 "micropay": the till scans the payment code
** the customer shows. A request is a flat XML document of parameters signed with
** HMAC-SHA256 (sign_type HMAC-SHA256): the non-empty parameters but sign, sorted
** by name, joined "k=v&k=v", then "&key=<API v2 key>"; the signature is the
** upper-case hex HMAC under the same key. The answer is signed the same way and
** verified before it is believed. USERPAYING (the customer confirms on her phone)
** leaves the payment pending; the query of the sweeper settles it.
*/
#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "net/httpc.h"
#include "pay/wechatpay_int.h"

#define MAX_FIELDS 48

struct kv {
    char *k, *v;
};

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

/* Upper-case hex HMAC-SHA256 over the sorted "k=v&...&key=KEY". */
static void v2_sign(struct kv *f, int n, const char *key, char out[65])
{
    struct buf b = BUF_INIT(1 << 20);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    qsort(f, (size_t)n, sizeof *f, by_key);
    for (int i = 0; i < n; i++) {
        if (!strcmp(f[i].k, "sign") || !f[i].v[0])
            continue;
        if (b.len)
            buf_adds(&b, "&");
        buf_addf(&b, "%s=%s", f[i].k, f[i].v);
    }
    buf_addf(&b, "&key=%s", key);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)b.p, b.len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
    for (char *p = out; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    buf_free(&b);
}

/* A flat <xml><k>v</k>...</xml> (values plain or CDATA) into fields. */
static int parse_xml(const char *s, struct kv *f, int *n)
{
    const char *p = strstr(s, "<xml>");
    *n = 0;
    if (!p)
        return O2O_EINVAL;
    p += 5;
    while (*n < MAX_FIELDS) {
        const char *open, *close, *vs, *ve, *next;
        char name[64], end[70];
        size_t nl;
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!strncmp(p, "</xml>", 6))
            return 0;
        if (*p != '<' || !(close = strchr(p, '>')))
            return O2O_EINVAL;
        open = p + 1;
        nl = (size_t)(close - open);
        if (!nl || nl >= sizeof name)
            return O2O_EINVAL;
        memcpy(name, open, nl);
        name[nl] = 0;
        snprintf(end, sizeof end, "</%s>", name);
        vs = close + 1;
        ve = strstr(vs, end);
        if (!ve)
            return O2O_EINVAL;
        next = ve + strlen(end);
        if (!strncmp(vs, "<![CDATA[", 9) && ve - vs >= 12 && !strncmp(ve - 3, "]]>", 3)) {
            vs += 9;
            ve -= 3;
        }
        f[*n].k = xstrdup(name);
        f[*n].v = xstrndup(vs, (size_t)(ve - vs));
        (*n)++;
        p = next;
    }
    return O2O_EINVAL;
}

static const char *get(struct kv *f, int n, const char *k)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i].k, k))
            return f[i].v;
    return "";
}

static void free_kv(struct kv *f, int n)
{
    for (int i = 0; i < n; i++) {
        free(f[i].k);
        free(f[i].v);
    }
}

int wx_micropay(struct wx_config *c, const char *out_trade_no, int64_t amount, const char *subject,
                const char *auth_code, struct gw_txn *t)
{
    struct kv req[12], ans[MAX_FIELDS];
    char nonce[33], fee[24], sig[65], want[65], url[300];
    const char *headers[] = {"Content-Type: text/xml; charset=utf-8", NULL};
    struct buf x = BUF_INIT(1 << 16);
    struct httpc_resp r;
    int n = 0, na = 0, rc;
    random_hex(nonce, 16);
    snprintf(fee, sizeof fee, "%" PRId64, amount);
#define ADD(K, V) (req[n].k = (char *)(K), req[n].v = (char *)(V), n++)
    ADD("appid", c->appid);
    ADD("mch_id", c->mchid);
    ADD("nonce_str", nonce);
    ADD("sign_type", "HMAC-SHA256");
    ADD("body", subject);
    ADD("out_trade_no", out_trade_no);
    ADD("total_fee", fee);
    ADD("spbill_create_ip", "127.0.0.1");
    ADD("auth_code", auth_code);
#undef ADD
    v2_sign(req, n, c->api_v2_key, sig);
    buf_adds(&x, "<xml>");
    for (int i = 0; i < n; i++)
        buf_addf(&x, "<%s><![CDATA[%s]]></%s>", req[i].k, req[i].v, req[i].k);
    buf_addf(&x, "<sign>%s</sign></xml>", sig);
    snprintf(url, sizeof url, "%s/pay/micropay", c->base_url);
    rc = httpc_request("POST", url, headers, x.p, x.len, GW_TIMEOUT_MS, &r);
    buf_free(&x);
    if (rc) {
        httpc_free(&r);
        return rc;
    }
    if (r.status != 200 || parse_xml(r.body, ans, &na)) {
        rc = err_set(O2O_ERETRY, "gateway_bad_answer", NULL, "WeChat Pay micropay answered %ld", r.status);
        goto out;
    }
    v2_sign(ans, na, c->api_v2_key, want);
    if (strcmp(get(ans, na, "return_code"), "SUCCESS")) {
        rc = err_set(O2O_ECONFLICT, "gateway_refused", NULL, "WeChat Pay refused the request: %.120s",
                     get(ans, na, "return_msg"));
        goto out;
    }
    if (strcmp(get(ans, na, "sign"), want)) {
        rc = err_set(O2O_ERETRY, "gateway_bad_signature", NULL, "WeChat Pay's micropay answer is not signed with our key");
        goto out;
    }
    memset(t, 0, sizeof *t);
    str_copy(t->out_trade_no, sizeof t->out_trade_no, out_trade_no);
    if (!strcmp(get(ans, na, "result_code"), "SUCCESS")) {
        int64_t total = 0;
        str_copy(t->state, sizeof t->state, "paid");
        str_copy(t->transaction_id, sizeof t->transaction_id, get(ans, na, "transaction_id"));
        str_copy(t->payer, sizeof t->payer, get(ans, na, "openid"));
        str_copy(t->payer_kind, sizeof t->payer_kind, "wechat_openid");
        t->amount = parse_i64(get(ans, na, "total_fee"), 0, INT64_MAX / 2, &total) ? 0 : total;
    } else if (!strcmp(get(ans, na, "err_code"), "USERPAYING")) {
        str_copy(t->state, sizeof t->state, "pending");
    } else {
        snprintf(t->reason, sizeof t->reason, "%.40s %.100s", get(ans, na, "err_code"), get(ans, na, "err_code_des"));
        rc = err_set(O2O_ECONFLICT, "gateway_refused", NULL, "WeChat Pay refused the payment code: %.40s %.100s",
                     get(ans, na, "err_code"), get(ans, na, "err_code_des"));
    }
out:
    free_kv(ans, na);
    httpc_free(&r);
    return rc;
}
