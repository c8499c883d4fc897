/*
** tencent_sms.c -- Tencent Cloud SMS (API 3.0, version 2021-01-11): SendSms as a
** JSON POST signed TC3-HMAC-SHA256 (a canonical request over the content-type and
** host headers and the body's SHA-256; a signing key derived from "TC3" + the
** secret key by the day, the service and "tc3_request"); a template id with its
** parameters in order; the outbox id as SessionContext. Receipts name the
** SerialNo the answer gave.
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

struct tencent {
    char endpoint[256], host[128], secret_id[129], secret_key[129], region[32], app_id[32], sign_name[64];
};

static int load(json_t *s, void **state)
{
    struct tencent *t = xcalloc(1, sizeof *t);
    const char *h, *e;
    int rc;
    *state = t;
    if ((rc = msg_str(s, "endpoint", t->endpoint, sizeof t->endpoint, false, "tencent_sms")) ||
        (rc = msg_str(s, "secret_id", t->secret_id, sizeof t->secret_id, true, "tencent_sms")) ||
        (rc = msg_str(s, "secret_key", t->secret_key, sizeof t->secret_key, true, "tencent_sms")) ||
        (rc = msg_str(s, "sdk_app_id", t->app_id, sizeof t->app_id, true, "tencent_sms")) ||
        (rc = msg_str(s, "sign_name", t->sign_name, sizeof t->sign_name, true, "tencent_sms")) ||
        (rc = msg_str(s, "region", t->region, sizeof t->region, false, "tencent_sms")))
        return rc;
    if (!t->endpoint[0])
        str_copy(t->endpoint, sizeof t->endpoint, "https://sms.tencentcloudapi.com/");
    if (!t->region[0])
        str_copy(t->region, sizeof t->region, "ap-guangzhou");
    /* the host header the request carries, as signed */
    h = strstr(t->endpoint, "://");
    h = h ? h + 3 : t->endpoint;
    e = strchr(h, '/');
    snprintf(t->host, sizeof t->host, "%.*s", e ? (int)(e - h) : (int)strlen(h), h);
    return 0;
}

static void unload(void *state)
{
    free(state);
}

void tencent_tc3_sign(const char *secret_key, const char *service, const char *host, int64_t timestamp,
                      const char *body, char sig[65], char date[11])
{
    struct buf canon = BUF_INIT(1 << 12), sts = BUF_INIT(1 << 12);
    char hash[65], key[160];
    unsigned char k1[32], k2[32], k3[32], mac[32];
    time_t t = (time_t)timestamp;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, 11, "%Y-%m-%d", &tm);
    sha256_hex(hash, body, strlen(body));
    buf_addf(&canon, "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:%s\n\ncontent-type;host\n%s",
             host, hash);
    sha256_hex(hash, canon.p, canon.len);
    buf_addf(&sts, "TC3-HMAC-SHA256\n%" PRId64 "\n%s/%s/tc3_request\n%s", timestamp, date, service, hash);
    snprintf(key, sizeof key, "TC3%s", secret_key);
    msg_hmac_sha256(k1, key, strlen(key), date, strlen(date));
    msg_hmac_sha256(k2, k1, sizeof k1, service, strlen(service));
    msg_hmac_sha256(k3, k2, sizeof k2, "tc3_request", 11);
    msg_hmac_sha256(mac, k3, sizeof k3, sts.p, sts.len);
    msg_hex(sig, mac, sizeof mac);
    buf_free(&canon);
    buf_free(&sts);
}

/* Tencent's throttles and its own faults are worth another try; a bad number, an
** unapproved template, a daily limit reached or a blocked number are not. */
static bool transient(const char *code)
{
    return !strncmp(code, "LimitExceeded.PhoneNumberThirtySecond", 37) ||
           !strncmp(code, "LimitExceeded.PhoneNumberOneHour", 32) ||
           !strcmp(code, "LimitExceeded.DeliveryFrequencyLimit") || !strcmp(code, "RequestLimitExceeded") ||
           !strncmp(code, "InternalError", 13) || !strncmp(code, "AuthFailure", 11) ||
           !strcmp(code, "FailedOperation.InsufficientBalanceInSmsPackage") || !strcmp(code, "ResourceUnavailable");
}

static void send(void *state, const struct notify_msg *msg, json_t *params, json_t *tmpl, struct notify_result *r)
{
    struct tencent *t = state;
    const char *id = json_string_value(json_object_get(tmpl, "id")), *code;
    json_t *order = json_object_get(tmpl, "params"), *set = json_array(), *req, *doc, *resp_o, *st, *v;
    char *body, sig[65], date[11], auth[512], ts_h[48], reg_h[64], ctx[24];
    const char *hdr[8];
    struct httpc_resp resp = {0};
    int64_t ts = now_ms() / 1000;
    size_t i;
    int rc;
    if (!id) {
        json_decref(set);
        msg_outcome(r, NOTIFY_FAILED, "tencent_sms has no template for %s", msg->template_name);
        return;
    }
    json_array_foreach(order, i, v)
        json_array_append_new(set, json_string(msg_param(params, json_string_value(v) ? json_string_value(v) : "")));
    snprintf(ctx, sizeof ctx, "%" PRId64, msg->id);
    req = json_pack("{s:[s], s:s, s:s, s:s, s:o, s:s}", "PhoneNumberSet", msg->to, "SmsSdkAppId", t->app_id,
                    "SignName", t->sign_name, "TemplateId", id, "TemplateParamSet", set, "SessionContext", ctx);
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        msg_outcome(r, NOTIFY_FAILED, "tencent_sms: the request could not be built");
        return;
    }
    tencent_tc3_sign(t->secret_key, "sms", t->host, ts, body, sig, date);
    snprintf(auth, sizeof auth,
             "Authorization: TC3-HMAC-SHA256 Credential=%s/%s/sms/tc3_request, SignedHeaders=content-type;host, "
             "Signature=%s",
             t->secret_id, date, sig);
    snprintf(ts_h, sizeof ts_h, "X-TC-Timestamp: %" PRId64, ts);
    snprintf(reg_h, sizeof reg_h, "X-TC-Region: %s", t->region);
    hdr[0] = "Content-Type: application/json; charset=utf-8";
    hdr[1] = auth;
    hdr[2] = "X-TC-Action: SendSms";
    hdr[3] = "X-TC-Version: 2021-01-11";
    hdr[4] = ts_h;
    hdr[5] = reg_h;
    hdr[6] = NULL;
    rc = httpc_request("POST", t->endpoint, hdr, body, strlen(body), NOTIFY_TIMEOUT_MS, &resp);
    free(body);
    if (rc || resp.status == 0) {
        msg_outcome(r, NOTIFY_RETRY, "tencent_sms unreachable: %s", err_last()->msg);
        r->provider_fault = true;
        httpc_free(&resp);
        return;
    }
    doc = json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL);
    resp_o = json_object_get(doc, "Response");
    st = json_array_get(json_object_get(resp_o, "SendStatusSet"), 0);
    if (json_object_get(resp_o, "Error")) {
        json_t *e = json_object_get(resp_o, "Error");
        code = json_string_value(json_object_get(e, "Code"));
        code = code ? code : "";
        msg_outcome(r, transient(code) ? NOTIFY_RETRY : NOTIFY_FAILED, "%s: %.150s", code,
                    json_string_value(json_object_get(e, "Message")) ? json_string_value(json_object_get(e, "Message"))
                                                                     : "");
        r->provider_fault = transient(code) && strncmp(code, "LimitExceeded", 13);
    } else if (!st) {
        msg_outcome(r, resp.status >= 500 ? NOTIFY_RETRY : NOTIFY_FAILED, "tencent_sms answered %ld without a status",
                    resp.status);
        r->provider_fault = true;
    } else {
        code = json_string_value(json_object_get(st, "Code"));
        code = code ? code : "";
        if (!strcmp(code, "Ok")) {
            r->outcome = NOTIFY_SENT;
            str_copy(r->ref, sizeof r->ref, json_string_value(json_object_get(st, "SerialNo")));
        } else {
            msg_outcome(r, transient(code) ? NOTIFY_RETRY : NOTIFY_FAILED, "%s: %.150s", code,
                        json_string_value(json_object_get(st, "Message"))
                            ? json_string_value(json_object_get(st, "Message"))
                            : "");
            if (!strncmp(code, "LimitExceeded.PhoneNumberThirtySecond", 37))
                r->retry_after_ms = 30000;
        }
    }
    json_decref(doc);
    httpc_free(&resp);
}

const struct msg_provider tencent_sms = {"tencent_sms", "sms", load, unload, send};
