/*
** api_settings.c -- /v1/settings and /v1/tiers: the earn rule, points expiry and
** tier thresholds are data that the owner changes without a rebuild.
*/
#include "api/api.h"
#include "org/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "org/audit.h"
#include "org/settings.h"

static int setting_cb(const char *key, const char *value, void *arg)
{
    json_object_set_new(arg, key, json_string(value));
    return 0;
}

int api_settings_get(struct http_req *rq)
{
    json_t *o = json_object();
    int rc = settings_list(api_reader(), setting_cb, o);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return http_reply_json(rq, 200, o);
}

struct settings_arg {
    int n;
    char key[8][48];
    char value[8][256];
};

static int settings_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct settings_arg *a = arg;
    int rc = 0;
    for (int i = 0; i < a->n && !rc; i++) {
        rc = settings_set(c, a->key[i], a->value[i]);
        if (!rc)
            rc = audit_add(c, who, "settings.change", a->key[i], a->value[i]);
    }
    if (!rc) {
        *out = json_object();
        rc = settings_list(c, setting_cb, *out);
    }
    return rc;
}

int api_settings_update(struct http_req *rq)
{
    struct settings_arg *a = xcalloc(1, sizeof *a);
    const char *key;
    json_t *v;
    json_object_foreach(rq->json, key, v) {
        if (a->n == 8 || strlen(key) >= sizeof a->key[0]) {
            free(a);
            return err_set(O2O_EINVAL, "unknown_setting", key, "no setting named %.40s", key);
        }
        if (json_is_integer(v))
            snprintf(a->value[a->n], sizeof a->value[0], "%lld", (long long)json_integer_value(v));
        else if (json_is_string(v) && json_string_length(v) < sizeof a->value[0])
            str_copy(a->value[a->n], sizeof a->value[0], json_string_value(v));
        else {
            free(a);
            return err_set(O2O_EINVAL, "wrong_type", key, "%s must be an integer", key);
        }
        str_copy(a->key[a->n], sizeof a->key[0], key);
        a->n++;
    }
    if (!a->n) {
        free(a);
        return err_set(O2O_EINVAL, "missing_field", NULL, "give at least one setting");
    }
    return api_write_then(rq, settings_body, a, 200, settings_invalidate);
}

static int tier_cb(const struct tier *t, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s, s:I, s:I}", "code", t->code, "min_spend_12m",
                                         (json_int_t)t->min_spend_12m, "earn_pct", (json_int_t)t->earn_pct));
    return 0;
}

int api_tiers_list(struct http_req *rq)
{
    json_t *items = json_array();
    int rc = tier_list(api_reader(), tier_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static int tier_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct tier *t = arg;
    int rc = tier_set(c, t);
    (void)who;
    if (!rc) {
        *out = json_array();
        rc = tier_list(c, tier_cb, *out);
    }
    return rc;
}

int api_tiers_update(struct http_req *rq)
{
    struct tier *t = xcalloc(1, sizeof *t);
    int rc;
    str_copy(t->code, sizeof t->code, rq->params[0]);
    rc = jin_i64(rq->json, "min_spend_12m", true, 0, INT64_MAX / 4, &t->min_spend_12m, NULL);
    if (!rc)
        rc = jin_i64(rq->json, "earn_pct", true, 0, 10000, &t->earn_pct, NULL);
    if (rc) {
        free(t);
        return rc;
    }
    return api_write_then(rq, tier_body, t, 200, settings_invalidate);
}
