/*
** wechat_oa.c -- the WeChat Official Account's messages out: a template message
** (cgi-bin/message/template/send, the chain's template id with its fields) or,
** for a message with no template, a customer-service text message
** (cgi-bin/message/custom/send, allowed within 48 hours of the follower's last
** message). Both under an access token from cgi-bin/stable_token, which WeChat
** hands alike to every process asking within its life (so several processes do
** not invalidate each other's, as cgi-bin/token would); kept until five minutes
** before it expires, fetched again at once when WeChat calls it invalid.
*/
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "net/httpc.h"
#include "notify/provider.h"

struct wechat {
    char api_base[256], appid[64], secret[129];
    char cb_token[64], aes_key[48]; /* the server URL's token and EncodingAESKey (callbacks) */
    pthread_mutex_t mu;
    char token[600];
    int64_t token_until;
};

static int load(json_t *s, void **state)
{
    struct wechat *w = xcalloc(1, sizeof *w);
    int rc;
    pthread_mutex_init(&w->mu, NULL);
    *state = w;
    if ((rc = msg_str(s, "api_base", w->api_base, sizeof w->api_base, false, "wechat_oa")) ||
        (rc = msg_str(s, "appid", w->appid, sizeof w->appid, true, "wechat_oa")) ||
        (rc = msg_str(s, "secret", w->secret, sizeof w->secret, true, "wechat_oa")) ||
        (rc = msg_str(s, "token", w->cb_token, sizeof w->cb_token, false, "wechat_oa")) ||
        (rc = msg_str(s, "encoding_aes_key", w->aes_key, sizeof w->aes_key, false, "wechat_oa")))
        return rc;
    if (w->aes_key[0] && strlen(w->aes_key) != 43)
        return err_set(O2O_EINVAL, "bad_config", "encoding_aes_key", "wechat_oa: encoding_aes_key has 43 characters");
    if (!w->api_base[0])
        str_copy(w->api_base, sizeof w->api_base, "https://api.weixin.qq.com");
    return 0;
}

static void unload(void *state)
{
    struct wechat *w = state;
    if (!w)
        return;
    pthread_mutex_destroy(&w->mu);
    free(w);
}

/* POST a JSON body to PATH (with the token when it is given); the answer's JSON. */
static json_t *call(struct wechat *w, const char *path, const char *token, json_t *req, struct notify_result *r)
{
    char url[1024], *body = json_dumps(req, JSON_COMPACT);
    const char *hdr[] = {"Content-Type: application/json", NULL};
    struct httpc_resp resp = {0};
    json_t *doc = NULL;
    int rc;
    if (token)
        snprintf(url, sizeof url, "%s%s?access_token=%s", w->api_base, path, token);
    else
        snprintf(url, sizeof url, "%s%s", w->api_base, path);
    rc = httpc_request("POST", url, hdr, body ? body : "{}", body ? strlen(body) : 2, NOTIFY_TIMEOUT_MS, &resp);
    free(body);
    if (rc || resp.status == 0)
        msg_outcome(r, NOTIFY_RETRY, "wechat_oa unreachable: %s", err_last()->msg);
    else if (!(doc = json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL)) || !json_is_object(doc))
        msg_outcome(r, NOTIFY_RETRY, "wechat_oa answered %ld without JSON", resp.status);
    r->provider_fault = !doc;
    httpc_free(&resp);
    if (doc && !json_is_object(doc)) {
        json_decref(doc);
        doc = NULL;
    }
    return doc;
}

/* The access token into out; false (r filled) when WeChat gives none. */
static bool access_token(struct wechat *w, bool fresh, char *out, size_t cap, struct notify_result *r)
{
    json_t *req, *doc;
    const char *t;
    int64_t now = now_ms();
    bool ok = false;
    pthread_mutex_lock(&w->mu);
    /* fresh: WeChat refused the token in out; another thread may have a new one */
    if (w->token[0] && now < w->token_until && (!fresh || strcmp(out, w->token))) {
        str_copy(out, cap, w->token);
        pthread_mutex_unlock(&w->mu);
        return true;
    }
    req = json_pack("{s:s, s:s, s:s, s:b}", "grant_type", "client_credential", "appid", w->appid, "secret", w->secret,
                    "force_refresh", fresh);
    doc = call(w, "/cgi-bin/stable_token", NULL, req, r);
    json_decref(req);
    t = json_string_value(json_object_get(doc, "access_token"));
    if (t && strlen(t) < sizeof w->token) {
        json_int_t life = json_integer_value(json_object_get(doc, "expires_in"));
        str_copy(w->token, sizeof w->token, t);
        w->token_until = now + ((life > 600 ? life : 600) - 300) * 1000;
        str_copy(out, cap, w->token);
        ok = true;
    } else if (doc) {
        w->token[0] = 0;
        msg_outcome(r, NOTIFY_RETRY, "stable_token %" JSON_INTEGER_FORMAT ": %.150s",
                    json_integer_value(json_object_get(doc, "errcode")),
                    json_string_value(json_object_get(doc, "errmsg")) ? json_string_value(json_object_get(doc, "errmsg"))
                                                                      : "");
    }
    pthread_mutex_unlock(&w->mu);
    json_decref(doc);
    return ok;
}

static bool token_invalid(json_int_t e)
{
    return e == 40001 || e == 42001 || e == 40014;
}

static bool transient(json_int_t e)
{
    return e == -1 || e == 45009 || e == 45011 || e == 45047 || token_invalid(e);
}

static void send(void *state, const struct notify_msg *msg, json_t *params, json_t *tmpl, struct notify_result *r)
{
    struct wechat *w = state;
    const char *id = json_string_value(json_object_get(tmpl, "id")), *path, *k;
    json_t *req, *doc = NULL, *v;
    char token[600] = "";
    json_int_t e = 0;
    if (id) {
        json_t *data = json_object(), *fields = json_object_get(tmpl, "data");
        json_object_foreach(fields, k, v)
            json_object_set_new(data, k, json_pack("{s:s}", "value",
                                                   msg_param(params, json_string_value(v) ? json_string_value(v) : "")));
        req = json_pack("{s:s, s:s, s:o}", "touser", msg->to, "template_id", id, "data", data);
        if (json_string_value(json_object_get(tmpl, "url")))
            json_object_set(req, "url", json_object_get(tmpl, "url"));
        path = "/cgi-bin/message/template/send";
    } else {
        req = json_pack("{s:s, s:s, s:{s:s}}", "touser", msg->to, "msgtype", "text", "text", "content",
                        msg->text ? msg->text : "");
        path = "/cgi-bin/message/custom/send";
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        json_decref(doc);
        doc = NULL;
        if (!access_token(w, attempt > 0, token, sizeof token, r))
            break;
        if (!(doc = call(w, path, token, req, r)))
            break;
        e = json_integer_value(json_object_get(doc, "errcode"));
        if (!token_invalid(e))
            break; /* else: the token was revoked or expired early; once more with a new one */
    }
    json_decref(req);
    if (!doc)
        return; /* r says why */
    if (e == 0) {
        json_t *mid = json_object_get(doc, "msgid");
        r->outcome = NOTIFY_SENT;
        if (json_is_integer(mid))
            snprintf(r->ref, sizeof r->ref, "%" JSON_INTEGER_FORMAT, json_integer_value(mid));
        else if (json_is_string(mid))
            str_copy(r->ref, sizeof r->ref, json_string_value(mid));
    } else {
        msg_outcome(r, transient(e) ? NOTIFY_RETRY : NOTIFY_FAILED, "%" JSON_INTEGER_FORMAT ": %.150s", e,
                    json_string_value(json_object_get(doc, "errmsg")) ? json_string_value(json_object_get(doc, "errmsg"))
                                                                      : "");
    }
    json_decref(doc);
}

const char *wechat_oa_field(void *state, const char *field)
{
    struct wechat *w = state;
    return !strcmp(field, "token") ? w->cb_token
           : !strcmp(field, "encoding_aes_key") ? w->aes_key
           : !strcmp(field, "appid") ? w->appid
                                     : "";
}

const struct msg_provider wechat_oa = {"wechat_oa", "wechat", load, unload, send};
