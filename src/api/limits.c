/*
** limits.c -- the rate limits, applied once a request's route is known and
** before its body is read (http_config.precheck): requests without credentials
** per client address (every public route; more tightly for the event intake and
** for one-time codes), and, when the chain sets one, requests per credential.
** Clients in the trusted networks are not limited by address (a store's twenty
** tills behind one address are trusted or carry keys). The event intake also
** limits batches per device once the body is read (api_limit_device). Every
** figure is a chain setting (rate_*; 0 turns a limit off); counts are per
** process. Tests: tests/e2e/test_security.py
*/
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "org/settings.h"

static struct ratelimit *RL;

/* What each class allows by default (settings override). */
static const struct {
    const char *cls;          /* route's limit class, or "anonymous" */
    const char *setting;
    int64_t dflt;             /* per minute */
} classes[] = {
    {"anonymous", "rate_anonymous_per_minute", 600},
    {"events", "rate_events_per_minute", 60},
    {"otp", "rate_otp_per_minute", 5},
    {"device", "rate_events_device_per_minute", 30},
};

void api_limits_start(void)
{
    RL = ratelimit_new(1 << 16);
}

void api_limits_stop(void)
{
    ratelimit_free(RL);
    RL = NULL;
}

static int64_t per_minute(const char *cls)
{
    int64_t v = 0;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (!strcmp(classes[i].cls, cls)) {
            if (settings_i64(api_reader(), classes[i].setting, classes[i].dflt, &v))
                v = classes[i].dflt;
            return v;
        }
    return 0;
}

/* Take one for key under the class's limit: 0, or a 429 that says when to retry. */
static int take(const char *cls, const char *who, int64_t limit)
{
    char key[160];
    int64_t wait;
    if (!RL || limit <= 0)
        return 0;
    snprintf(key, sizeof key, "%s|%s", cls, who);
    wait = ratelimit_take(RL, key, limit, now_ms());
    if (!wait)
        return 0;
    err_set(O2O_ETHROTTLE, "rate_limited", NULL, "too many requests (%s: %" PRId64 " a %s); retry in %" PRId64 " s",
            cls, limit, strcmp(cls, "credential") ? "minute" : "second", (wait + 999) / 1000);
    return err_retry_after(O2O_ETHROTTLE, (wait + 999) / 1000);
}

int api_precheck(struct http_req *rq)
{
    const struct http_route *r = rq->route;
    int rc;
    if (!(r->roles & ROLE_PUBLIC) && !rq->bearer)
        return err_set(O2O_EUNAUTH, "missing_token", "Authorization",
                       "this route needs an 'Authorization: Bearer <token>' header");
    if (rq->bearer) {
        /* credentials are accountable: their own limit, off unless the chain sets one */
        int64_t per_s = 0;
        if (settings_i64(api_reader(), "rate_credential_per_second", 0, &per_s) || per_s <= 0)
            return 0;
        return take("credential", rq->bearer, per_s * 60);
    }
    if (rq->trusted)
        return 0;
    rc = take("anonymous", rq->client, per_minute("anonymous"));
    if (!rc && r->limit)
        rc = take(r->limit, rq->client, per_minute(r->limit));
    return rc;
}

int api_limit_device(const char *device)
{
    return take("device", device, per_minute("device"));
}
