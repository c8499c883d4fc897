/*
** aliyun_sms.c -- Aliyun SMS (dysmsapi, version 2017-05-25): SendSms as an RPC
** call whose parameters are signed with HMAC-SHA1 under "SECRET&" over
** "POST&%2F&" + the percent-encoded, sorted query; a template code with its
** parameters as a JSON object; the message's outbox id as OutId, which the
** delivery receipts echo beside the BizId the answer gave.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "net/httpc.h"
#include "notify/provider.h"

struct aliyun {
    char endpoint[256], key_id[129], secret[129], sign_name[64], region[32];
};

static int load(json_t *s, void **state)
{
    struct aliyun *a = xcalloc(1, sizeof *a);
    int rc;
    *state = a;
    if ((rc = msg_str(s, "endpoint", a->endpoint, sizeof a->endpoint, false, "aliyun_sms")) ||
        (rc = msg_str(s, "access_key_id", a->key_id, sizeof a->key_id, true, "aliyun_sms")) ||
        (rc = msg_str(s, "access_key_secret", a->secret, sizeof a->secret, true, "aliyun_sms")) ||
        (rc = msg_str(s, "sign_name", a->sign_name, sizeof a->sign_name, true, "aliyun_sms")) ||
        (rc = msg_str(s, "region", a->region, sizeof a->region, false, "aliyun_sms")))
        return rc;
    if (!a->endpoint[0])
        str_copy(a->endpoint, sizeof a->endpoint, "https://dysmsapi.aliyuncs.com/");
    if (!a->region[0])
        str_copy(a->region, sizeof a->region, "cn-hangzhou");
    return 0;
}

static void unload(void *state)
{
    free(state);
}

struct kv {
    const char *k, *v;
};

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

/* The canonical query of the parameters (sorted in place) into q, and the
** signature of METHOD&%2F&percent(q) into sig (base64). */
void aliyun_rpc_sign(const char *method, const char *secret, const char *const *keys, const char *const *values,
                     size_t n, struct buf *q, char sig[64])
{
    struct kv kv[24];
    struct buf sts = BUF_INIT(1 << 16);
    char key[160];
    unsigned char mac[20];
    n = n < 24 ? n : 24;
    for (size_t i = 0; i < n; i++) {
        kv[i].k = keys[i];
        kv[i].v = values[i];
    }
    qsort(kv, n, sizeof kv[0], kv_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_adds(q, "&");
        msg_percent(q, kv[i].k);
        buf_adds(q, "=");
        msg_percent(q, kv[i].v);
    }
    buf_addf(&sts, "%s&%%2F&", method);
    msg_percent(&sts, buf_str(q));
    snprintf(key, sizeof key, "%s&", secret);
    msg_hmac_sha1(mac, key, strlen(key), buf_str(&sts), sts.len);
    msg_b64(sig, mac, sizeof mac);
    buf_free(&sts);
}

/* Aliyun's throttles and its own faults are worth another try; a bad number, a
** template or signature it does not know, are not. */
static bool transient(const char *code)
{
    return !strncmp(code, "isp.", 4) || !strncmp(code, "Throttling", 10) ||
           !strcmp(code, "isv.BUSINESS_LIMIT_CONTROL") || !strcmp(code, "isv.AMOUNT_NOT_ENOUGH") ||
           !strcmp(code, "SignatureDoesNotMatch") || !strncmp(code, "InvalidAccessKeyId", 18) ||
           !strcmp(code, "ServiceUnavailable") || !strcmp(code, "SignatureNonceUsed") ||
           !strcmp(code, "InvalidTimeStamp.Expired");
}

static void send(void *state, const struct notify_msg *msg, json_t *params, json_t *tmpl, struct notify_result *r)
{
    struct aliyun *a = state;
    const char *keys[16], *values[16], *code = json_string_value(json_object_get(tmpl, "code"));
    json_t *map = json_object_get(tmpl, "params"), *tp, *v, *doc;
    struct buf q = BUF_INIT(1 << 16), body = BUF_INIT(1 << 16);
    struct httpc_resp resp = {0};
    char sig[64], nonce[33], ts[32], outid[24], phone[24], *tparam;
    const char *hdr[] = {"Content-Type: application/x-www-form-urlencoded", NULL}, *k;
    time_t now = time(NULL);
    struct tm tm;
    size_t n = 0;
    int rc;
    if (!code) {
        msg_outcome(r, NOTIFY_FAILED, "aliyun_sms has no template for %s", msg->template_name);
        return;
    }
    /* the template's variables, named as Aliyun's template names them */
    if (json_is_object(map)) {
        tp = json_object();
        json_object_foreach(map, k, v)
            json_object_set_new(tp, k, json_string(msg_param(params, json_string_value(v) ? json_string_value(v) : "")));
    } else {
        tp = json_incref(params);
    }
    tparam = json_dumps(tp, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(tp);
    /* mainland numbers without their country code, others with it but without '+' */
    str_copy(phone, sizeof phone, msg->to + (!strncmp(msg->to, "+86", 3) ? 3 : msg->to[0] == '+'));
    random_hex(nonce, 16);
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(outid, sizeof outid, "%" PRId64, msg->id);
#define P(K, V) (keys[n] = (K), values[n++] = (V))
    P("AccessKeyId", a->key_id);
    P("Action", "SendSms");
    P("Format", "JSON");
    P("OutId", outid);
    P("PhoneNumbers", phone);
    P("RegionId", a->region);
    P("SignName", a->sign_name);
    P("SignatureMethod", "HMAC-SHA1");
    P("SignatureNonce", nonce);
    P("SignatureVersion", "1.0");
    P("TemplateCode", code);
    P("TemplateParam", tparam ? tparam : "{}");
    P("Timestamp", ts);
    P("Version", "2017-05-25");
#undef P
    aliyun_rpc_sign("POST", a->secret, keys, values, n, &q, sig);
    buf_adds(&body, "Signature=");
    msg_percent(&body, sig);
    buf_adds(&body, "&");
    buf_adds(&body, buf_str(&q));
    free(tparam);
    buf_free(&q);
    rc = httpc_request("POST", a->endpoint, hdr, buf_str(&body), body.len, NOTIFY_TIMEOUT_MS, &resp);
    buf_free(&body);
    if (rc || resp.status == 0) {
        msg_outcome(r, NOTIFY_RETRY, "aliyun_sms unreachable: %s", err_last()->msg);
        r->provider_fault = true;
        httpc_free(&resp);
        return;
    }
    doc = json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL);
    code = json_string_value(json_object_get(doc, "Code"));
    if (!code) {
        msg_outcome(r, resp.status >= 500 ? NOTIFY_RETRY : NOTIFY_FAILED, "aliyun_sms answered %ld without a Code",
                    resp.status);
        r->provider_fault = true;
    } else if (!strcmp(code, "OK")) {
        r->outcome = NOTIFY_SENT;
        str_copy(r->ref, sizeof r->ref, json_string_value(json_object_get(doc, "BizId")));
    } else {
        msg_outcome(r, transient(code) ? NOTIFY_RETRY : NOTIFY_FAILED, "%s: %.150s", code,
                    json_string_value(json_object_get(doc, "Message")) ? json_string_value(json_object_get(doc, "Message"))
                                                                       : "");
        if (!strcmp(code, "isv.BUSINESS_LIMIT_CONTROL"))
            r->retry_after_ms = 60000; /* Aliyun's per-number limit: a minute at least */
        else
            r->provider_fault = transient(code);
    }
    json_decref(doc);
    httpc_free(&resp);
}

const struct msg_provider aliyun_sms = {"aliyun_sms", "sms", load, unload, send};
