/*
** messaging.c -- the configured messaging providers: the file that names them,
** sending through the one a medium has (the next SMS provider when the first
** cannot be reached), each provider's rate (messages a second, shared by the
** process's senders), its counters, the tokens its callbacks carry, and the
** signing helpers the adapters share.
*/
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "notify/provider.h"

#define MODULE_NAME "notify/messaging"

static const struct msg_provider *const known[] = {&aliyun_sms, &tencent_sms, &wechat_oa};
#define NKNOWN (sizeof known / sizeof known[0])

struct messenger {
    const struct msg_provider *p;
    void *state;
    json_t *templates;        /* {"otp": {...}, ...} (owned) */
    char callback_token[129];
    int64_t per_second;       /* 0: no limit */
    uint64_t sent, failed, retried;
};

struct messengers {
    struct messenger v[NKNOWN];
    size_t n;
    char call_secret[129];    /* the call centre's webhook secret ("" none) */
    struct ratelimit *rate;
    pthread_mutex_t mu;       /* the counters */
};

int msg_str(json_t *o, const char *key, char *out, size_t cap, bool required, const char *where)
{
    json_t *v = json_object_get(o, key);
    out[0] = 0;
    if (!v) {
        if (required)
            return err_set(O2O_EINVAL, "bad_config", key, "%s needs \"%s\"", where, key);
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return err_set(O2O_EINVAL, "bad_config", key, "%s: \"%s\" must be a string under %zu bytes", where, key, cap);
    str_copy(out, cap, json_string_value(v));
    return 0;
}

void msg_percent(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == '.' || *p == '~') {
            buf_add(b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_add(b, e, 3);
        }
    }
}

void msg_b64(char *out, const unsigned char *data, size_t n)
{
    EVP_EncodeBlock((unsigned char *)out, data, (int)n);
}

void msg_hex(char *out, const unsigned char *data, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[data[i] >> 4];
        out[2 * i + 1] = hex[data[i] & 15];
    }
    out[2 * n] = 0;
}

void msg_hmac_sha1(unsigned char out[20], const void *key, size_t klen, const void *data, size_t n)
{
    unsigned int len = 20;
    HMAC(EVP_sha1(), key, (int)klen, data, n, out, &len);
}

void msg_hmac_sha256(unsigned char out[32], const void *key, size_t klen, const void *data, size_t n)
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, data, n, out, &len);
}

const char *msg_param(json_t *params, const char *name)
{
    const char *v = json_string_value(json_object_get(params, name));
    return v ? v : "";
}

void msg_outcome(struct notify_result *r, enum notify_outcome o, const char *fmt, ...)
{
    va_list ap;
    r->outcome = o;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

void messengers_free(struct messengers *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        m->v[i].p->free(m->v[i].state);
        json_decref(m->v[i].templates);
    }
    ratelimit_free(m->rate);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

int messengers_load(const char *path, struct messengers **out)
{
    struct messengers *m = xcalloc(1, sizeof *m);
    json_error_t je;
    json_t *root;
    int rc = 0;
    pthread_mutex_init(&m->mu, NULL);
    m->rate = ratelimit_new(16);
    *out = m;
    if (!path)
        return 0;
    root = json_load_file(path, 0, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return err_set(O2O_EINVAL, "bad_config", NULL, "%.120s: %s (line %d)", path, je.text, je.line);
    }
    if (json_object_get(root, "call_centre"))
        rc = msg_str(json_object_get(root, "call_centre"), "secret", m->call_secret, sizeof m->call_secret, true,
                     "call_centre");
    for (size_t i = 0; i < NKNOWN && !rc; i++) {
        json_t *section = json_object_get(root, known[i]->name), *t, *ps;
        struct messenger *v = &m->v[m->n];
        if (!section)
            continue;
        if (!json_is_object(section)) {
            rc = err_set(O2O_EINVAL, "bad_config", known[i]->name, "%s must be an object", known[i]->name);
            break;
        }
        t = json_object_get(section, "templates");
        if (t && !json_is_object(t)) {
            rc = err_set(O2O_EINVAL, "bad_config", "templates", "%s: templates must be an object", known[i]->name);
            break;
        }
        ps = json_object_get(section, "per_second");
        if (ps && (!json_is_integer(ps) || json_integer_value(ps) < 0 || json_integer_value(ps) > 100000)) {
            rc = err_set(O2O_EINVAL, "bad_config", "per_second", "%s: per_second must be 0..100000", known[i]->name);
            break;
        }
        if ((rc = msg_str(section, "callback_token", v->callback_token, sizeof v->callback_token, false,
                          known[i]->name)))
            break;
        if ((rc = known[i]->load(section, &v->state))) {
            if (v->state)
                known[i]->free(v->state);
            break;
        }
        v->p = known[i];
        v->templates = t ? json_incref(t) : json_object();
        v->per_second = ps ? (int64_t)json_integer_value(ps) : 0;
        m->n++;
    }
    json_decref(root);
    return rc;
}

bool messengers_has(const struct messengers *m, const char *medium)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (!strcmp(m->v[i].p->medium, medium))
            return true;
    return false;
}

static void count(struct messengers *m, struct messenger *v, enum notify_outcome o)
{
    pthread_mutex_lock(&m->mu);
    if (o == NOTIFY_SENT)
        v->sent++;
    else if (o == NOTIFY_FAILED)
        v->failed++;
    else
        v->retried++;
    pthread_mutex_unlock(&m->mu);
}

int notify_send(struct messengers *m, const struct notify_msg *msg, struct notify_result *r)
{
    json_t *params = json_loads(msg->params && *msg->params ? msg->params : "{}", 0, NULL);
    bool tried = false;
    memset(r, 0, sizeof *r);
    msg_outcome(r, NOTIFY_RETRY, "no %s provider is configured", msg->medium);
    r->provider_fault = true;
    if (!params || !json_is_object(params)) {
        json_decref(params);
        msg_outcome(r, NOTIFY_FAILED, "the message's parameters are not a JSON object");
        return 0;
    }
    for (size_t i = 0; m && i < m->n; i++) {
        struct messenger *v = &m->v[i];
        json_t *tmpl;
        int64_t wait;
        if (strcmp(v->p->medium, msg->medium))
            continue;
        if (tried && (r->outcome != NOTIFY_RETRY || !r->provider_fault))
            break; /* sent, refused, or a limit about the recipient that another provider must not dodge */
        tried = true;
        memset(r, 0, sizeof *r);
        str_copy(r->provider, sizeof r->provider, v->p->name);
        wait = ratelimit_take(m->rate, v->p->name, v->per_second * 60, now_ms());
        if (wait > 0) {
            msg_outcome(r, NOTIFY_RETRY, "%s: over its %lld messages a second", v->p->name,
                        (long long)v->per_second);
            r->retry_after_ms = wait;
            r->provider_fault = true;
            continue;
        }
        tmpl = json_object_get(v->templates, msg->template_name);
        v->p->send(v->state, msg, params, tmpl, r);
        count(m, v, r->outcome);
        if (r->outcome == NOTIFY_RETRY)
            log_warn("%s could not take message %lld: %s", v->p->name, (long long)msg->id, r->reason);
    }
    json_decref(params);
    return 0;
}

const char *messengers_wechat(const struct messengers *m, const char *field)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (m->v[i].p == &wechat_oa)
            return wechat_oa_field(m->v[i].state, field);
    return "";
}

bool notify_callback_ok(const struct messengers *m, const char *provider, const char *token)
{
    for (size_t i = 0; m && i < m->n; i++) {
        const struct messenger *v = &m->v[i];
        size_t n = strlen(v->callback_token);
        if (strcmp(v->p->name, provider))
            continue;
        return n && token && strlen(token) == n && !sodium_memcmp(token, v->callback_token, n);
    }
    return false;
}

bool notify_call_signed(const struct messengers *m, const char *timestamp, const char *signature, const char *body,
                        size_t len)
{
    unsigned char mac[32];
    char hex[65], *msg;
    int64_t ts, now = now_ms() / 1000;
    size_t n;
    bool ok;
    if (!m || !m->call_secret[0] || !timestamp || !signature || parse_i64(timestamp, 0, INT64_MAX / 2, &ts) ||
        ts < now - 300 || ts > now + 300)
        return false;
    n = strlen(timestamp) + 1 + len;
    msg = xmalloc(n + 1);
    memcpy(msg, timestamp, strlen(timestamp));
    msg[strlen(timestamp)] = '\n';
    memcpy(msg + strlen(timestamp) + 1, body, len);
    msg_hmac_sha256(mac, m->call_secret, strlen(m->call_secret), msg, n);
    free(msg);
    msg_hex(hex, mac, sizeof mac);
    ok = strlen(signature) == 64 && !sodium_memcmp(hex, signature, 64);
    return ok;
}

int notify_sms_callback(const struct messengers *m, const char *provider, const char *token)
{
    if (strcmp(provider, "aliyun_sms") && strcmp(provider, "tencent_sms"))
        return err_set(O2O_ENOTFOUND, "unknown_provider", NULL, "no SMS provider named %.40s", provider);
    if (!notify_callback_ok(m, provider, token))
        return err_set(O2O_EUNAUTH, "bad_callback_token", "token", "not a callback of a configured provider");
    return 0;
}

size_t notify_stats(const struct messengers *m, struct notify_stats *out, size_t cap)
{
    size_t n = 0;
    if (!m)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&m->mu);
    for (size_t i = 0; i < m->n && n < cap; i++, n++) {
        out[n].provider = m->v[i].p->name;
        out[n].sent = m->v[i].sent;
        out[n].failed = m->v[i].failed;
        out[n].retried = m->v[i].retried;
    }
    pthread_mutex_unlock((pthread_mutex_t *)&m->mu);
    return n;
}
