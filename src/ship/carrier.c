/*
** carrier.c -- the signed-webhook carrier adapter.
** A request or push carries X-Timestamp (Unix seconds) and X-Signature, the hex
** HMAC-SHA256 of "TIMESTAMP\nBODY" under the account secret; pushes more than five
** minutes old are refused, so a captured push cannot be replayed later.
*/
#include "ship/carrier.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "net/httpc.h"

#define MAX_CARRIERS 16
#define MAX_SKEW_S 300

struct carrier {
    char name[32], base_url[256], api_key[128], secret[128];
    bool tracked;             /* false: a courier without integration, known by name only */
};

struct carriers {
    int n;
    struct carrier v[MAX_CARRIERS];
};

static struct carrier *find(struct carriers *c, const char *name)
{
    for (int i = 0; c && i < c->n; i++)
        if (!strcmp(c->v[i].name, name))
            return &c->v[i];
    return NULL;
}

int carriers_load(const char *path, struct carriers **out)
{
    struct carriers *c = xcalloc(1, sizeof *c);
    json_error_t je;
    json_t *root, *v;
    const char *name;
    *out = c;
    if (!path)
        return 0;
    root = json_load_file(path, 0, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        return err_set(O2O_EINVAL, "bad_config", NULL, "%.120s: %s (line %d)", path, je.text, je.line);
    }
    json_object_foreach(root, name, v) {
        struct carrier *k;
        json_t *tracking = json_object_get(v, "tracking");
        const char *url = json_string_value(json_object_get(v, "base_url"));
        const char *key = json_string_value(json_object_get(v, "api_key"));
        const char *sec = json_string_value(json_object_get(v, "secret"));
        if (json_is_false(tracking)) { /* {"tracking": false}: shipped with, never tracked */
            if (c->n == MAX_CARRIERS || strlen(name) >= sizeof c->v[0].name || !is_code(name)) {
                int rc = err_set(O2O_EINVAL, "bad_config", NULL, "%.120s: carrier %.40s: a short code, at most %d "
                                 "carriers", path, name, MAX_CARRIERS);
                json_decref(root); /* after: name lives in root */
                return rc;
            }
            str_copy(c->v[c->n++].name, sizeof c->v[0].name, name);
            continue;
        }
        if (c->n == MAX_CARRIERS || strlen(name) >= sizeof c->v[0].name || !is_code(name) || !url || !key || !sec ||
            strlen(url) >= sizeof c->v[0].base_url || strlen(key) >= sizeof c->v[0].api_key ||
            strlen(sec) >= sizeof c->v[0].secret || strlen(sec) < 16) {
            int rc = err_set(O2O_EINVAL, "bad_config", NULL,
                             "%.120s: carrier %.40s needs base_url, api_key and a secret of 16+ characters (or "
                             "\"tracking\": false)", path, name);
            json_decref(root); /* after: name lives in root */
            return rc;
        }
        k = &c->v[c->n++];
        str_copy(k->name, sizeof k->name, name);
        str_copy(k->base_url, sizeof k->base_url, url);
        str_copy(k->api_key, sizeof k->api_key, key);
        str_copy(k->secret, sizeof k->secret, sec);
        k->tracked = true;
    }
    json_decref(root);
    return 0;
}

void carriers_free(struct carriers *c)
{
    free(c);
}

bool carrier_known(const struct carriers *c, const char *name)
{
    return find((struct carriers *)c, name) != NULL;
}

bool carrier_tracked(const struct carriers *c, const char *name)
{
    const struct carrier *k = find((struct carriers *)c, name);
    return k && k->tracked;
}

size_t carrier_names(const struct carriers *c, char *out, size_t cap)
{
    size_t o = 0;
    if (cap)
        out[0] = 0;
    for (int i = 0; c && i < c->n && o + 1 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "", c->v[i].name);
    return o < cap ? o : cap - 1;
}

static void sign(const struct carrier *k, const char *ts, const char *body, size_t len, char out[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)k->secret, strlen(k->secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

int carrier_subscribe(struct carriers *c, const char *name, const char *tracking_no, const char *callback_url)
{
    struct carrier *k = find(c, name);
    char ts[24], sig[65], h_key[160], h_ts[48], h_sig[96], url[300], *body;
    const char *headers[5];
    json_t *req;
    struct httpc_resp r;
    int rc;
    if (!k || !k->tracked)
        return err_set(O2O_EINVAL, "unknown_carrier", "carrier", "no tracked carrier %.40s is configured", name);
    req = json_pack("{s:s, s:s}", "tracking_no", tracking_no, "callback_url", callback_url);
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return err_set(O2O_EINVAL, NULL, "tracking_no", "the tracking number is not UTF-8 text");
    snprintf(ts, sizeof ts, "%" PRId64, now_ms() / 1000);
    sign(k, ts, body, strlen(body), sig);
    snprintf(h_key, sizeof h_key, "X-Api-Key: %s", k->api_key);
    snprintf(h_ts, sizeof h_ts, "X-Timestamp: %s", ts);
    snprintf(h_sig, sizeof h_sig, "X-Signature: %s", sig);
    headers[0] = h_key;
    headers[1] = h_ts;
    headers[2] = h_sig;
    headers[3] = "Content-Type: application/json";
    headers[4] = NULL;
    snprintf(url, sizeof url, "%s/subscriptions", k->base_url);
    rc = httpc_request("POST", url, headers, body, strlen(body), 10000, &r);
    free(body);
    if (!rc && (r.status < 200 || r.status >= 300))
        rc = err_set(r.status >= 500 ? O2O_ERETRY : O2O_ECONFLICT, "carrier_refused", NULL,
                     "carrier %s answered %ld: %.120s", name, r.status, r.body);
    httpc_free(&r);
    return rc;
}

int carrier_verify(struct carriers *c, const char *name, const char *timestamp, const char *signature,
                   const char *body, size_t len)
{
    struct carrier *k = find(c, name);
    char want[65];
    int64_t t = 0, now = now_ms() / 1000;
    if (!k || !k->tracked) /* an untracked courier has no secret: it never pushes */
        return err_set(O2O_ENOTFOUND, "unknown_carrier", NULL, "no tracked carrier %.40s is configured", name);
    if (!timestamp || !signature || parse_i64(timestamp, 0, INT64_MAX / 2, &t) || t < now - MAX_SKEW_S ||
        t > now + MAX_SKEW_S)
        return err_set(O2O_EUNAUTH, "bad_signature", "X-Timestamp", "missing or stale timestamp");
    sign(k, timestamp, body, len, want);
    if (strlen(signature) != 64 || sodium_memcmp(want, signature, 64))
        return err_set(O2O_EUNAUTH, "bad_signature", "X-Signature", "the push is not signed by carrier %s", name);
    return 0;
}
