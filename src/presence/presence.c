/*
** presence.c -- zones, sightings and place-and-time messages (see presence.h).
** Owns tables zones, sightings, presence_rules, presence_sends and
** message_caps. Visits, routes and footfall are counted in memory by
** analytics/visits.c; the online-to-offline funnel by analytics/funnel.c.
** No HTTP or JSON here. Tests: tests/e2e/test_presence.py
*/
#include "presence/presence.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/funnel.h"
#include "behaviour/events.h"
#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/strmap.h"
#include "core/tz.h"
#include "core/util.h"
#include "insight/tags.h"
#include "member/member.h"
#include "member/reach.h"
#include "org/location.h"
#include "org/outbox.h"
#include "org/settings.h"
#include "sales/order_read.h"

#define LATE_MS (15 * 60000LL)   /* older sightings (a backlog) bring no messages */

static int field_err(int rc, const char *code, int idx, const char *what, const char *msg, const char *arg)
{
    char field[48];
    snprintf(field, sizeof field, "sightings[%d].%s", idx, what);
    return err_set(rc, code, field, "%s %s", msg, arg);
}

/* ---- zones ---- */

int zone_put(struct db_conn *c, struct zone *z)
{
    int64_t brand = 0, cat = 0, now = now_ms();
    struct db_stmt *s = NULL;
    int rc;
    if (!is_code(z->code))
        return err_set(O2O_EINVAL, "out_of_range", "code", "a zone code is letters, digits, '-' or '_'");
    if (z->brand[0] && (rc = catalog_id_by_code(c, "brand", z->brand, &brand)))
        return rc;
    if (z->category[0] && (rc = catalog_id_by_code(c, "category", z->category, &cat)))
        return rc;
    rc = db_query(c, &s,
                  "INSERT INTO zones (location_id, code, name, brand_id, category_id, created_at, updated_at) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (location_id, code) DO UPDATE SET "
                  "name = excluded.name, brand_id = excluded.brand_id, category_id = excluded.category_id, "
                  "updated_at = excluded.updated_at RETURNING id",
                  brand && cat ? "ittiii" : brand ? "ittini" : cat ? "ittnii" : "ittnni", z->location_id, z->code,
                  z->name[0] ? z->name : z->code, brand ? brand : cat, cat, now);
    if (rc == DB_ROW)
        z->id = db_col_i64(s, 0);
    db_done(s);
    return rc < 0 ? rc : 0;
}

int zone_list(struct db_conn *c, int64_t location_id, int (*cb)(const struct zone *z, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct zone z;
    int rc = db_query(c, &s,
                      "SELECT z.id, z.location_id, z.code, z.name, COALESCE(b.code, ''), COALESCE(k.code, '') "
                      "FROM zones z LEFT JOIN brands b ON b.id = z.brand_id LEFT JOIN categories k ON k.id = "
                      "z.category_id WHERE z.location_id = $1 ORDER BY z.code",
                      "i", location_id);
    while (rc == DB_ROW) {
        memset(&z, 0, sizeof z);
        z.id = db_col_i64(s, 0);
        z.location_id = db_col_i64(s, 1);
        str_copy(z.code, sizeof z.code, db_col_text(s, 2));
        str_copy(z.name, sizeof z.name, db_col_text(s, 3));
        str_copy(z.brand, sizeof z.brand, db_col_text(s, 4));
        str_copy(z.category, sizeof z.category, db_col_text(s, 5));
        rc = cb(&z, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* ---- sightings and the messages they trigger ---- */

/* Count one more message in a cap; false when it is full. */
static int cap_take(struct db_conn *c, int64_t member, const char *day, int64_t rule, int64_t cap, bool *ok)
{
    int64_t n = db_exec(c,
                        "INSERT INTO message_caps (member_id, day, rule_id, count) VALUES ($1, $2, $3, 1) "
                        "ON CONFLICT (member_id, day, rule_id) DO UPDATE SET count = message_caps.count + 1 "
                        "WHERE message_caps.count < $4",
                        "itii", member, day, rule, cap);
    if (n < 0)
        return (int)n;
    *ok = n > 0 && cap > 0;
    if (n > 0 && cap <= 0) /* a cap of 0: nothing at all (the row may just have been made) */
        return (int)db_exec(c, "UPDATE message_caps SET count = count - 1 WHERE member_id = $1 AND day = $2 AND "
                               "rule_id = $3", "iti", member, day, rule) < 0 ? O2O_EDB : 0;
    return 0;
}

static int cap_give_back(struct db_conn *c, int64_t member, const char *day, int64_t rule)
{
    int64_t n = db_exec(c, "UPDATE message_caps SET count = count - 1 WHERE member_id = $1 AND day = $2 AND rule_id = $3",
                        "iti", member, day, rule);
    return n < 0 ? (int)n : 0;
}

struct rule_row {
    int64_t id, from_hour, to_hour, per_day;
    char tag[97], message[481];
};

/* A member entered a zone: every active rule of the zone that fits the hour and
** her tags is a match; its outcome is recorded, and a message queued unless a
** cap, quiet hours or her consent hold it back. */
static int on_enter(struct db_conn *c, int64_t zone_id, const struct location *loc, int64_t member_id, int64_t ts,
                    int64_t now, struct presence_result *r)
{
    struct rule_row rules[16];
    struct db_stmt *s = NULL;
    struct member m;
    char day[11], quiet[16];
    int n = 0, hour = tz_local_minute(loc->timezone, ts) / 60, qa, qb, rc;
    int64_t daily_cap;
    rc = db_query(c, &s,
                  "SELECT id, tag, from_hour, to_hour, message, per_day FROM presence_rules WHERE zone_id = $1 AND "
                  "active = 1 ORDER BY id",
                  "i", zone_id);
    while (rc == DB_ROW && n < 16) {
        rules[n].id = db_col_i64(s, 0);
        str_copy(rules[n].tag, sizeof rules[n].tag, db_col_text(s, 1));
        rules[n].from_hour = db_col_i64(s, 2);
        rules[n].to_hour = db_col_i64(s, 3);
        str_copy(rules[n].message, sizeof rules[n].message, db_col_text(s, 4));
        rules[n].per_day = db_col_i64(s, 5);
        n++;
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (!n)
        return 0;
    if ((rc = member_get(c, member_id, &m)))
        return rc;
    tz_local_day(loc->timezone, ts, day);
    if ((rc = settings_i64(c, "message_daily_cap", 2, &daily_cap)) ||
        (rc = settings_str(c, "quiet_hours", "", quiet, sizeof quiet)))
        return rc;
    if (settings_parse_hours(quiet, &qa, &qb))
        qa = qb = 0;
    for (int i = 0; i < n; i++) {
        const char *outcome = "sent";
        bool has, ok;
        if (!hour_within(hour, (int)rules[i].from_hour, (int)rules[i].to_hour))
            continue;
        if ((rc = tags_has(c, member_id, rules[i].tag, &has)))
            return rc;
        if (!has)
            continue;
        if (!m.consent_marketing) {
            outcome = "no_consent";
        } else if (hour_within(tz_local_minute(loc->timezone, now) / 60, qa, qb)) {
            outcome = "quiet_hours";
        } else {
            if ((rc = cap_take(c, member_id, day, rules[i].id, rules[i].per_day, &ok)))
                return rc;
            if (!ok) {
                outcome = "rule_cap";
            } else {
                if ((rc = cap_take(c, member_id, day, 0, daily_cap, &ok)))
                    return rc;
                if (!ok) {
                    outcome = "daily_cap";
                    if ((rc = cap_give_back(c, member_id, day, rules[i].id)))
                        return rc;
                }
            }
        }
        if (!strcmp(outcome, "sent")) {
            /* about here and now: not worth sending an hour later */
            struct notice note = {"presence", "marketing", rules[i].message, 1, {"text"}, {rules[i].message},
                                  now + 3600000};
            if ((rc = member_notify(c, member_id, &note, now, NULL)))
                return rc;
            r->messages_sent++;
        } else {
            r->messages_held++;
        }
        if (db_exec(c, "INSERT INTO presence_sends (rule_id, member_id, day, outcome, at) VALUES ($1, $2, $3, $4, $5)",
                    "iitti", rules[i].id, member_id, day, outcome, now) < 0)
            return O2O_EDB;
    }
    return 0;
}

static int cmp_by_ts(const void *a, const void *b, void *arg)
{
    const struct sighting_in *s = arg;
    int x = *(const int *)a, y = *(const int *)b;
    if (s[x].ts != s[y].ts)
        return s[x].ts < s[y].ts ? -1 : 1;
    return x - y;
}

int presence_store(struct db_conn *c, const struct sighting_in *in, int n, int64_t now, struct presence_result *r)
{
    int64_t min_rssi, gap_min;
    int *order = xmalloc((size_t)(n ? n : 1) * sizeof *order), rc;
    memset(r, 0, sizeof *r);
    if ((rc = settings_i64(c, "presence_min_rssi", -85, &min_rssi)) ||
        (rc = settings_i64(c, "presence_visit_gap_minutes", 10, &gap_min)))
        goto out;
    for (int i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, (size_t)n, sizeof *order, cmp_by_ts, (void *)in);
    for (int k = 0; k < n; k++) {
        const struct sighting_in *s = &in[order[k]];
        int idx = order[k];
        struct location loc;
        struct member m;
        int64_t zone_id = 0, member_id = s->member_id, before = 0, changed;
        char person[80];
        if (location_cached_by_code(c, s->store, &loc)) {
            rc = field_err(O2O_ENOTFOUND, "unknown_location", idx, "store", "no store", s->store);
            goto out;
        }
        rc = db_scalar_i64(c, &zone_id, "SELECT id FROM zones WHERE location_id = $1 AND code = $2", "it", loc.id,
                           s->zone);
        if (rc == O2O_ENOTFOUND)
            rc = field_err(O2O_ENOTFOUND, "unknown_zone", idx, "zone", "no such zone in that store:", s->zone);
        if (rc)
            goto out;
        if (member_id) {
            if (member_get(c, member_id, &m)) {
                char id[24];
                snprintf(id, sizeof id, "%" PRId64, member_id);
                rc = field_err(O2O_ENOTFOUND, "unknown_member", idx, "member_id", "no member", id);
                goto out;
            }
            if (!strcmp(m.status, "merged") && m.merged_into)
                member_id = m.merged_into;
            snprintf(person, sizeof person, "m:%" PRId64, member_id);
        } else {
            str_copy(person, sizeof person, s->device);
            if ((rc = events_device_member(c, s->device, &member_id)))
                goto out;
        }
        /* entering: nobody saw this person in the zone within the gap before */
        if (s->rssi >= min_rssi) {
            rc = db_scalar_i64(c, &before,
                               "SELECT COUNT(*) FROM sightings WHERE person = $1 AND zone_id = $2 AND ts < $3 AND "
                               "ts >= $4 AND rssi >= $5",
                               "tiiii", person, zone_id, s->ts, s->ts - gap_min * 60000, min_rssi);
            if (rc)
                goto out;
        }
        {
            struct db_stmt *st = NULL;
            rc = db_prepare(c, &st,
                            "INSERT INTO sightings (location_id, zone_id, person, member_id, rssi, source, ts, "
                            "received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (person, zone_id, ts) "
                            "DO NOTHING");
            if (rc)
                goto out;
            db_bind_i64(st, 1, loc.id);
            db_bind_i64(st, 2, zone_id);
            db_bind_text(st, 3, person);
            if (member_id)
                db_bind_i64(st, 4, member_id);
            else
                db_bind_null(st, 4);
            db_bind_i64(st, 5, s->rssi);
            db_bind_text(st, 6, s->source);
            db_bind_i64(st, 7, s->ts);
            db_bind_i64(st, 8, now);
            rc = db_step(st);
            changed = rc == DB_DONE ? db_changes(st) : 0;
            db_done(st);
            if (rc < 0)
                goto out;
            rc = 0;
        }
        if (!changed) {
            r->duplicates++;
            continue;
        }
        r->stored++;
        if (s->rssi >= min_rssi && !before && member_id && s->ts >= now - LATE_MS &&
            (rc = on_enter(c, zone_id, &loc, member_id, s->ts, now, r)))
            goto out;
    }
out:
    free(order);
    return rc;
}

/* ---- rules ---- */

int presence_rule_put(struct db_conn *c, struct presence_rule *r)
{
    struct location loc;
    int64_t zone_id = 0, n;
    int rc;
    if (!r->tag[0] || strchr(r->tag, ' '))
        return err_set(O2O_EINVAL, "out_of_range", "tag", "tag is a member tag such as life:new_parent or brand:ACME");
    if (r->from_hour < 0 || r->from_hour > 23 || r->to_hour < 1 || r->to_hour > 24 || r->from_hour == r->to_hour)
        return err_set(O2O_EINVAL, "out_of_range", "from_hour",
                       "from_hour (0..23) and to_hour (1..24) differ; from_hour > to_hour crosses midnight");
    if (r->per_day < 1 || r->per_day > 100)
        return err_set(O2O_EINVAL, "out_of_range", "per_day", "per_day is 1..100");
    if (!r->message[0])
        return err_set(O2O_EINVAL, "missing_field", "message", "message is required");
    if (location_get_by_code(c, r->store, &loc))
        return err_set(O2O_ENOTFOUND, "unknown_location", "store", "no store %s", r->store);
    rc = db_scalar_i64(c, &zone_id, "SELECT id FROM zones WHERE location_id = $1 AND code = $2", "it", loc.id, r->zone);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ENOTFOUND, "unknown_zone", "zone", "no zone %s in store %s", r->zone, r->store);
    if (rc)
        return rc;
    n = db_exec(c,
                "INSERT INTO presence_rules (name, tag, zone_id, from_hour, to_hour, message, per_day, active, "
                "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) ON CONFLICT (name) DO UPDATE SET "
                "tag = excluded.tag, zone_id = excluded.zone_id, from_hour = excluded.from_hour, "
                "to_hour = excluded.to_hour, message = excluded.message, per_day = excluded.per_day, active = 1",
                "ttiiitii", r->name, r->tag, zone_id, r->from_hour, r->to_hour, r->message, r->per_day, now_ms());
    r->active = true;
    return n < 0 ? (int)n : 0;
}

int presence_rule_delete(struct db_conn *c, const char *name)
{
    int64_t n = db_exec(c, "UPDATE presence_rules SET active = 0 WHERE name = $1 AND active = 1", "t", name);
    if (n < 0)
        return (int)n;
    return n ? 0 : err_set(O2O_ENOTFOUND, "unknown_rule", NULL, "no active rule %s", name);
}

int presence_rules_list(struct db_conn *c, int (*cb)(const struct presence_rule *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct presence_rule r;
    int rc = db_query(c, &s,
                      "SELECT r.name, r.tag, l.code, z.code, r.from_hour, r.to_hour, r.message, r.per_day, r.active, "
                      "(SELECT COUNT(*) FROM presence_sends x WHERE x.rule_id = r.id AND x.outcome = 'sent'), "
                      "(SELECT COUNT(*) FROM presence_sends x WHERE x.rule_id = r.id AND x.outcome <> 'sent') "
                      "FROM presence_rules r JOIN zones z ON z.id = r.zone_id JOIN locations l ON l.id = z.location_id "
                      "WHERE r.active = 1 ORDER BY r.name",
                      NULL);
    while (rc == DB_ROW) {
        memset(&r, 0, sizeof r);
        str_copy(r.name, sizeof r.name, db_col_text(s, 0));
        str_copy(r.tag, sizeof r.tag, db_col_text(s, 1));
        str_copy(r.store, sizeof r.store, db_col_text(s, 2));
        str_copy(r.zone, sizeof r.zone, db_col_text(s, 3));
        r.from_hour = db_col_i64(s, 4);
        r.to_hour = db_col_i64(s, 5);
        str_copy(r.message, sizeof r.message, db_col_text(s, 6));
        r.per_day = db_col_i64(s, 7);
        r.active = db_col_i64(s, 8) != 0;
        r.sent = db_col_i64(s, 9);
        r.held = db_col_i64(s, 10);
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* ---- what the sightings add up to ---- */

struct loaded {
    struct location loc;
    struct strmap persons, zone_index, member_days;
    struct zone *zones;
    int nzones, zcap;
    uint32_t *person;
    int64_t *ts, *member;
    uint16_t *zone;
    uint8_t *hour;
    size_t n, cap;
    uint32_t npersons;
};

static int zone_cb(const struct zone *z, void *arg)
{
    struct loaded *l = arg;
    char key[24];
    XGROW(l->zones, l->nzones, l->zcap);
    l->zones[l->nzones] = *z;
    snprintf(key, sizeof key, "%" PRId64, z->id);
    strmap_put(&l->zone_index, key, l->nzones++);
    return l->nzones > 65000 ? err_set(O2O_EINVAL, NULL, NULL, "too many zones") : 0;
}

static int load_sightings(struct db_conn *c, struct loaded *l, int64_t from, int64_t to, int64_t min_rssi)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT s.person, COALESCE(s.member_id, d.member_id, 0), s.zone_id, s.ts FROM sightings s "
                      "LEFT JOIN devices d ON d.device_id = s.person WHERE s.location_id = $1 AND s.ts >= $2 AND "
                      "s.ts < $3 AND s.rssi >= $4 ORDER BY s.ts, s.id",
                      "iiii", l->loc.id, from, to, min_rssi);
    while (rc == DB_ROW) {
        char key[80], zkey[24];
        int64_t member = db_col_i64(s, 1), p, zi;
        snprintf(zkey, sizeof zkey, "%" PRId64, db_col_i64(s, 2));
        if (member)
            snprintf(key, sizeof key, "m:%" PRId64, member);
        else
            str_copy(key, sizeof key, db_col_text(s, 0));
        if (!strmap_get(&l->persons, key, &p)) {
            p = l->npersons++;
            strmap_put(&l->persons, key, p);
        }
        if (!strmap_get(&l->zone_index, zkey, &zi))
            zi = 0;
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 1024;
            l->person = xrealloc(l->person, l->cap * sizeof *l->person);
            l->ts = xrealloc(l->ts, l->cap * sizeof *l->ts);
            l->member = xrealloc(l->member, l->cap * sizeof *l->member);
            l->zone = xrealloc(l->zone, l->cap * sizeof *l->zone);
            l->hour = xrealloc(l->hour, l->cap * sizeof *l->hour);
        }
        l->person[l->n] = (uint32_t)p;
        l->ts[l->n] = db_col_i64(s, 3);
        l->member[l->n] = member;
        l->zone[l->n] = (uint16_t)zi;
        l->hour[l->n] = (uint8_t)(tz_local_minute(l->loc.timezone, l->ts[l->n]) / 60);
        l->n++;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* ---- online to offline: a funnel over members' online events, store visits and till sales ---- */

struct o2o_ev {
    int64_t member, ts;
    uint16_t step;
};

struct o2o {
    struct o2o_ev *v;
    size_t n, cap;
    int64_t from, to;
    struct loaded *l;
    int64_t bought_same_day;
    struct strmap counted;
};

static void o2o_push(struct o2o *o, int64_t member, int64_t ts, uint16_t step)
{
    XGROW(o->v, o->n, o->cap);
    o->v[o->n].member = member;
    o->v[o->n].ts = ts;
    o->v[o->n].step = step;
    o->n++;
}

static int o2o_event(const struct event_row *r, void *arg)
{
    struct o2o *o = arg;
    /* online: the web, apps and mini-programs (not the till, not imports) */
    if (r->member_id && r->ts >= o->from && r->ts < o->to &&
        (!strcmp(r->channel, "web") || !strcmp(r->channel, "app") || !strcmp(r->channel, "miniprogram")))
        o2o_push(o, r->member_id, r->ts, 1);
    return 0;
}

static int o2o_purchase(int64_t member, int64_t at, int64_t total, void *arg)
{
    struct o2o *o = arg;
    char key[48], day[11];
    int64_t v;
    (void)total;
    o2o_push(o, member, at, 4);
    tz_local_day(o->l->loc.timezone, at, day);
    snprintf(key, sizeof key, "%" PRId64 "@%s", member, day);
    if (strmap_get(&o->l->member_days, key, &v)) {
        char who[24];
        snprintf(who, sizeof who, "%" PRId64, member);
        if (!strmap_get(&o->counted, who, &v)) {
            strmap_put(&o->counted, who, 1);
            o->bought_same_day++;
        }
    }
    return 0;
}

static int cmp_o2o(const void *a, const void *b)
{
    const struct o2o_ev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->step - y->step;
}

static int online_to_offline(struct db_conn *c, struct loaded *l, int64_t from, int64_t to, int64_t window,
                             struct presence_report *out)
{
    struct o2o o;
    struct strmap users = {0}, seen = {0};
    int rc;
    memset(&o, 0, sizeof o);
    o.from = from;
    o.to = to;
    o.l = l;
    /* store visits of members, and the days they were seen */
    for (size_t i = 0; i < l->n; i++) {
        char key[48], day[11], who[24];
        int64_t v;
        if (!l->member[i])
            continue;
        o2o_push(&o, l->member[i], l->ts[i], 2);
        tz_local_day(l->loc.timezone, l->ts[i], day);
        snprintf(key, sizeof key, "%" PRId64 "@%s", l->member[i], day);
        strmap_put(&l->member_days, key, 1);
        snprintf(who, sizeof who, "%" PRId64, l->member[i]);
        if (!strmap_get(&seen, who, &v)) {
            strmap_put(&seen, who, 1);
            out->identified_visitors++;
        }
    }
    rc = events_scan(c, from, to, o2o_event, &o);
    if (!rc)
        rc = order_store_purchases(c, l->loc.id, from, to + window, o2o_purchase, &o);
    out->visitors_who_bought = o.bought_same_day;
    if (!rc && o.n) {
        uint32_t *user = xmalloc(o.n * sizeof *user), nu = 0;
        int64_t *ts = xmalloc(o.n * sizeof *ts), reached[FUNNEL_MAX_STEPS];
        uint16_t *cls = xmalloc(o.n * sizeof *cls), *masks = xcalloc(1 << 16, sizeof *masks);
        struct event_columns ev;
        struct funnel_spec sp;
        qsort(o.v, o.n, sizeof *o.v, cmp_o2o);
        for (size_t i = 0; i < o.n; i++) {
            char who[24];
            int64_t u;
            snprintf(who, sizeof who, "%" PRId64, o.v[i].member);
            if (!strmap_get(&users, who, &u)) {
                u = nu++;
                strmap_put(&users, who, u);
            }
            user[i] = (uint32_t)u;
            ts[i] = o.v[i].ts;
            cls[i] = o.v[i].step;
        }
        for (int m = 0; m < 8; m++)
            masks[m] = (uint16_t)m;
        memset(&sp, 0, sizeof sp);
        sp.masks = masks;
        sp.nsteps = 3;
        sp.window = window;
        ev.n = o.n;
        ev.user = user;
        ev.ts = ts;
        ev.name = cls;
        ev.nusers = nu;
        funnel_count(&ev, &sp, 1, reached);
        for (int k = 0; k < 3; k++)
            out->o2o[k] = reached[k];
        free(user);
        free(ts);
        free(cls);
        free(masks);
    }
    free(o.v);
    strmap_free(&o.counted);
    strmap_free(&users);
    strmap_free(&seen);
    return rc;
}

int presence_report(struct db_conn *c, int64_t location_id, int64_t from, int64_t to, int64_t o2o_window_ms,
                    int max_routes, struct presence_report *out)
{
    struct loaded l;
    struct visit_stats vs;
    int64_t min_rssi, gap_min;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&l, 0, sizeof l);
    if (to <= from)
        return err_set(O2O_EINVAL, "out_of_range", "to", "to must be after from");
    if ((rc = location_get(c, location_id, &l.loc)) || (rc = settings_i64(c, "presence_min_rssi", -85, &min_rssi)) ||
        (rc = settings_i64(c, "presence_visit_gap_minutes", 10, &gap_min)))
        return rc;
    rc = zone_list(c, location_id, zone_cb, &l);
    if (!rc)
        rc = load_sightings(c, &l, from, to, min_rssi);
    if (!rc && l.nzones) {
        struct sighting_columns sc = {l.n, l.person, l.ts, l.zone, l.hour, l.npersons, (uint16_t)l.nzones};
        visits_count(&sc, gap_min * 60000, &vs);
        out->sightings = (int64_t)l.n;
        out->store_visits = vs.store_visits;
        out->store_visitors = vs.store_visitors;
        out->store_dwell_ms = vs.store_dwell_ms;
        out->nzones = l.nzones;
        out->zones = xcalloc((size_t)l.nzones, sizeof *out->zones);
        for (int z = 0; z < l.nzones; z++) {
            out->zones[z].zone = l.zones[z];
            out->zones[z].v = vs.zones[z];
        }
        out->nroutes = vs.nroutes < max_routes ? vs.nroutes : max_routes;
        out->routes = xcalloc((size_t)out->nroutes + 1, sizeof *out->routes);
        for (int i = 0; i < out->nroutes; i++) {
            const struct route_count *rt = &vs.routes[i];
            size_t at = 0;
            for (int k = 0; k < rt->len && k < VISITS_MAX_ROUTE; k++)
                at += (size_t)snprintf(out->routes[i].path + at, sizeof out->routes[i].path - at, "%s%s",
                                       k ? ">" : "", l.zones[rt->zones[k]].code);
            if (rt->len > VISITS_MAX_ROUTE)
                snprintf(out->routes[i].path + at, sizeof out->routes[i].path - at, ">...");
            out->routes[i].count = rt->count;
        }
        visit_stats_free(&vs);
    }
    if (!rc)
        rc = online_to_offline(c, &l, from, to, o2o_window_ms, out);
    strmap_free(&l.persons);
    strmap_free(&l.zone_index);
    strmap_free(&l.member_days);
    free(l.zones);
    free(l.person);
    free(l.ts);
    free(l.member);
    free(l.zone);
    free(l.hour);
    if (rc)
        presence_report_free(out);
    return rc;
}

void presence_report_free(struct presence_report *r)
{
    free(r->zones);
    free(r->routes);
    r->zones = NULL;
    r->routes = NULL;
}

int presence_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    int64_t n = db_exec(c, "UPDATE sightings SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    if (n >= 0)
        n = db_exec(c, "UPDATE presence_sends SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    /* the day's message counts: the survivor's, the merged member's are dropped */
    if (n >= 0)
        n = db_exec(c, "DELETE FROM message_caps WHERE member_id = $1", "i", from);
    return n < 0 ? (int)n : 0;
}
