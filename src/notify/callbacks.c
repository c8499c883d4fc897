/*
** callbacks.c -- what SMS providers push back, as they document it: delivery
** receipts (Aliyun's SmsReport: success, err_code, biz_id, out_id; Tencent's
** status callback: report_status, errmsg, sid) and replies (Aliyun's SmsUp,
** Tencent's reply callback), parsed into one shape; and the answer each expects.
** Their times are Beijing time.
*/
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "notify/provider.h"

/* "YYYY-MM-DD hh:mm:ss" in Beijing time, as epoch ms (0 when it is not one). */
static int64_t beijing(const char *s)
{
    char iso[40];
    int64_t ms;
    if (!s || strlen(s) != 19)
        return 0;
    snprintf(iso, sizeof iso, "%.10sT%.8sZ", s, s + 11);
    return parse_iso8601(iso, &ms) ? 0 : ms - 8 * 3600000LL; /* China keeps no summer time */
}

/* A mainland number as providers give it (no country code) or with one, as E.164. */
static void e164(char out[20], const char *cc, const char *number)
{
    if (!number)
        number = "";
    if (cc && *cc)
        snprintf(out, 20, "+%.4s%.14s", cc, number);
    else if (strlen(number) == 11 && number[0] == '1')
        snprintf(out, 20, "+86%s", number);
    else
        snprintf(out, 20, "%s%.18s", number[0] == '+' ? "" : "+", number);
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static json_t *items(const char *body, size_t len)
{
    json_t *doc = json_loadb(body, len, 0, NULL);
    if (json_is_object(doc)) {
        json_t *a = json_array();
        json_array_append_new(a, doc);
        return a;
    }
    if (!json_is_array(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int notify_parse_receipts(const char *provider, const char *body, size_t len,
                          int (*cb)(const struct notify_receipt *r, void *arg), void *arg)
{
    json_t *doc = items(body, len), *it;
    size_t i;
    int rc = 0;
    if (!doc)
        return err_set(O2O_EINVAL, "bad_callback", NULL, "a receipt push is a JSON array");
    json_array_foreach(doc, i, it) {
        struct notify_receipt r;
        memset(&r, 0, sizeof r);
        if (!strcmp(provider, "aliyun_sms")) {
            int64_t id = 0;
            json_t *ok = json_object_get(it, "success");
            str_copy(r.ref, sizeof r.ref, str(it, "biz_id"));
            if (!parse_i64(str(it, "out_id"), 1, INT64_MAX, &id))
                r.outbox_id = id;
            r.delivered = json_is_true(ok) || (json_is_string(ok) && !strcmp(json_string_value(ok), "true"));
            snprintf(r.reason, sizeof r.reason, "%.40s %.150s", str(it, "err_code"), str(it, "err_msg"));
            r.at = beijing(str(it, "report_time"));
        } else if (!strcmp(provider, "tencent_sms")) {
            str_copy(r.ref, sizeof r.ref, str(it, "sid"));
            r.delivered = !strcmp(str(it, "report_status"), "SUCCESS");
            snprintf(r.reason, sizeof r.reason, "%.40s %.150s", str(it, "errmsg"), str(it, "description"));
            r.at = beijing(str(it, "user_receive_time"));
        } else {
            rc = err_set(O2O_ENOTFOUND, "no_provider", NULL, "no receipts from %.40s", provider);
            break;
        }
        if (!r.ref[0] && !r.outbox_id)
            continue;
        if ((rc = cb(&r, arg)))
            break;
    }
    json_decref(doc);
    return rc;
}

int notify_parse_replies(const char *provider, const char *body, size_t len,
                         int (*cb)(const struct notify_reply *r, void *arg), void *arg)
{
    json_t *doc = items(body, len), *it;
    size_t i;
    int rc = 0;
    if (!doc)
        return err_set(O2O_EINVAL, "bad_callback", NULL, "a reply push is a JSON array");
    json_array_foreach(doc, i, it) {
        struct notify_reply r;
        memset(&r, 0, sizeof r);
        if (!strcmp(provider, "aliyun_sms")) {
            e164(r.from, NULL, str(it, "phone_number"));
            str_copy(r.text, sizeof r.text, str(it, "content"));
            r.at = beijing(str(it, "send_time"));
        } else if (!strcmp(provider, "tencent_sms")) {
            json_t *t = json_object_get(it, "time");
            e164(r.from, str(it, "nationcode"), str(it, "mobile"));
            str_copy(r.text, sizeof r.text, str(it, "text"));
            r.at = json_is_integer(t) ? (int64_t)json_integer_value(t) * 1000 : 0;
        } else {
            rc = err_set(O2O_ENOTFOUND, "no_provider", NULL, "no replies from %.40s", provider);
            break;
        }
        if (strlen(r.from) < 5 || !r.text[0])
            continue;
        {
            /* one reply pushed twice is one message: Aliyun numbers them, Tencent does not */
            json_t *seq = json_object_get(it, "sequence_id");
            if (json_is_integer(seq)) {
                snprintf(r.ref, sizeof r.ref, "%s:%" JSON_INTEGER_FORMAT, provider, json_integer_value(seq));
            } else {
                char buf[1100], hex[65];
                int n = snprintf(buf, sizeof buf, "%s|%lld|%s", r.from, (long long)r.at, r.text);
                sha256_hex(hex, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
                snprintf(r.ref, sizeof r.ref, "%s:%.40s", provider, hex);
            }
        }
        if ((rc = cb(&r, arg)))
            break;
    }
    json_decref(doc);
    return rc;
}

const char *notify_callback_answer(const char *provider)
{
    return !strcmp(provider, "tencent_sms") ? "{\"result\":0,\"errmsg\":\"OK\"}" : "{\"code\":0,\"msg\":\"OK\"}";
}

int notify_parse_call(const char *body, size_t len, struct notify_call *c)
{
    json_t *doc = json_loadb(body, len, 0, NULL), *v;
    int64_t at;
    int rc = 0;
    memset(c, 0, sizeof *c);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return err_set(O2O_EINVAL, "malformed_push", NULL, "a call is a JSON object");
    }
#define FIELD(name, dst, required)                                                                             \
    do {                                                                                                       \
        v = json_object_get(doc, name);                                                                        \
        if (!rc && ((required && !json_is_string(v)) || (v && !json_is_string(v)) ||                           \
                    (v && json_string_length(v) >= sizeof dst)))                                               \
            rc = err_set(O2O_EINVAL, v ? "wrong_type" : "missing_field", name, "%s is a string under %zu bytes", \
                         name, sizeof dst);                                                                    \
        else if (!rc && v)                                                                                     \
            str_copy(dst, sizeof dst, json_string_value(v));                                                   \
    } while (0)
    FIELD("call_id", c->call_id, true);
    FIELD("direction", c->direction, true);
    FIELD("customer", c->customer, true);
    FIELD("recording_url", c->recording_url, false);
    FIELD("summary", c->summary, false);
    FIELD("agent", c->agent, false);
#undef FIELD
    if (!rc && strcmp(c->direction, "inbound") && strcmp(c->direction, "outbound"))
        rc = err_set(O2O_EINVAL, "out_of_range", "direction", "direction is inbound or outbound");
    if (!rc && c->recording_url[0] && (strncmp(c->recording_url, "https://", 8) || strpbrk(c->recording_url, " \"<>")))
        rc = err_set(O2O_EINVAL, "out_of_range", "recording_url", "a recording is an https URL");
    v = json_object_get(doc, "started_at");
    if (!rc && (!json_is_string(v) || parse_iso8601(json_string_value(v), &at)))
        rc = err_set(O2O_EINVAL, v ? "wrong_type" : "missing_field", "started_at", "started_at is an ISO-8601 time");
    else if (!rc)
        c->started_at = at;
    v = json_object_get(doc, "duration_s");
    if (!rc && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 86400))
        rc = err_set(O2O_EINVAL, v ? "out_of_range" : "missing_field", "duration_s", "duration_s is 0..86400 seconds");
    else if (!rc)
        c->duration_s = (int64_t)json_integer_value(v);
    json_decref(doc);
    return rc;
}
