/*
** reach.c -- a message of the chain's for a member, routed by how she wants to
** be reached (members' prefer_medium, fallback_medium, consent_service,
** consent_marketing, quiet_hours; her identities for the addresses) into the
** outbox.
*/
#include "member/reach.h"

#include <stdbool.h>
#include <string.h>

#include "core/tz.h"
#include "core/util.h"
#include "member/member.h"
#include "org/location.h"
#include "org/settings.h"

struct addresses {
    char wechat[129], email[129];
};

static int address_cb(const struct member_identity *i, void *arg)
{
    struct addresses *a = arg;
    if (!strcmp(i->kind, "wechat_openid") && !a->wechat[0])
        str_copy(a->wechat, sizeof a->wechat, i->value);
    else if (!strcmp(i->kind, "email") && !a->email[0])
        str_copy(a->email, sizeof a->email, i->value);
    return 0;
}

/* Her address on a medium, or NULL. */
static const char *address(const struct member *m, const struct addresses *a, const char *medium)
{
    if (!strcmp(medium, "sms"))
        return m->phone[0] == '+' ? m->phone : NULL; /* not a placeholder of an imported member */
    if (!strcmp(medium, "wechat"))
        return a->wechat[0] ? a->wechat : NULL;
    if (!strcmp(medium, "email"))
        return a->email[0] ? a->email : NULL;
    return NULL;
}

/* When hours "H1-H2" in zone hold a message sent at now: its end (epoch ms), or 0. */
static int64_t quiet_until(const char *hours, const char *zone, int64_t now)
{
    int a, b, minute;
    if (!hours[0] || settings_parse_hours(hours, &a, &b) || a == b)
        return 0;
    minute = tz_local_minute(zone, now);
    a *= 60;
    b *= 60;
    if (a < b ? minute >= a && minute < b : minute >= a || minute < b) {
        int wait = b > minute ? b - minute : 24 * 60 - minute + b;
        return (now / 60000 + wait) * 60000;
    }
    return 0;
}

int member_notify(struct db_conn *c, int64_t member_id, const struct notice *n, int64_t now, int64_t *id)
{
    struct member m;
    struct addresses a;
    struct notice_route r;
    const char *to, *medium, *fb;
    char zone[64] = "", chain_quiet[16] = "";
    bool auth = n->purpose && !strcmp(n->purpose, "auth"), marketing = n->purpose && !strcmp(n->purpose, "marketing");
    int64_t until = 0;
    int rc = member_get(c, member_id, &m);
    if (rc)
        return rc;
    memset(&a, 0, sizeof a);
    memset(&r, 0, sizeof r);
    if ((rc = member_identities(c, member_id, address_cb, &a)))
        return rc;
    medium = m.prefer_medium[0] ? m.prefer_medium : "sms";
    to = address(&m, &a, medium);
    fb = m.fallback_medium[0] ? m.fallback_medium : strcmp(medium, "sms") ? "sms" : "";
    if (!to && *fb && address(&m, &a, fb)) {
        medium = fb; /* nothing to reach her by on her medium: her fallback is her medium */
        to = address(&m, &a, fb);
        fb = "";
    }
    r.member_id = member_id;
    r.topic = to ? medium : "sms";
    r.to = to ? to : m.phone;
    if (*fb && strcmp(fb, medium) && address(&m, &a, fb)) {
        r.fallback_topic = fb;
        r.fallback_to = address(&m, &a, fb);
    }
    if (!to)
        r.refused = "no address to reach her by";
    else if (marketing && !m.consent_marketing)
        r.refused = "no_consent: marketing";
    else if (!auth && !marketing && !m.consent_service)
        r.refused = "no_consent: service";
    if (!r.refused && !auth) {
        struct location home;
        if (m.home_location_id && !location_cached(c, m.home_location_id, &home) && home.timezone[0])
            str_copy(zone, sizeof zone, home.timezone);
        else if ((rc = settings_str(c, "timezone", "Asia/Shanghai", zone, sizeof zone)))
            return rc;
        until = quiet_until(m.quiet_hours, zone, now);
        if (!until && marketing) {
            if ((rc = settings_str(c, "quiet_hours", "", chain_quiet, sizeof chain_quiet)))
                return rc;
            until = quiet_until(chain_quiet, zone, now);
        }
        if (until && n->expires_at && until >= n->expires_at)
            r.refused = "quiet hours (stale by their end)";
        r.not_before = until;
    }
    return outbox_notice(c, n, &r, id);
}

int phone_notify(struct db_conn *c, const char *phone, const struct notice *n, int64_t *id)
{
    struct notice_route r;
    memset(&r, 0, sizeof r);
    r.topic = "sms";
    r.to = phone;
    return outbox_notice(c, n, &r, id);
}
