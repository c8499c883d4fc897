/*
** events.c -- behaviour events and device stitching. Owns tables events and
** devices. No HTTP or JSON here. Tests: tests/e2e/test_events.py
*/
#include "behaviour/events.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "member/member.h"
#include "org/location.h"

#define EARLIEST_MS 946684800000LL   /* 2000-01-01: older times are a sender's clock gone wrong */
#define AHEAD_MS 86400000LL          /* a day ahead of ours at most */
#define ROWS_PER_INSERT 64
#define EVENT_COLS 15

static bool valid_name(const char *s)
{
    if (!*s || !islower((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '.')
            return false;
    return true;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\n')
            return false;
    return true;
}

int event_check(const struct event_in *e, int64_t now)
{
    if (!valid_name(e->name))
        return err_set(O2O_EINVAL, "out_of_range", "name",
                       "an event name is lower case letters, digits, '_' or '.', starting with a letter");
    if (!valid_name(e->channel))
        return err_set(O2O_EINVAL, "out_of_range", "channel", "channel must be a channel name (web, app, ...)");
    if (!e->device[0] && !e->member_id)
        return err_set(O2O_EINVAL, "missing_field", "device_id", "an event needs a device_id or a member");
    if (e->device[0] && !printable(e->device))
        return err_set(O2O_EINVAL, "out_of_range", "device_id", "device_id has control characters");
    if (!strcmp(e->name, "click") && strcmp(e->element, "text") && strcmp(e->element, "image"))
        return err_set(O2O_EINVAL, "missing_field", "element", "a click names its element: text or image");
    if (e->element[0] && strcmp(e->element, "text") && strcmp(e->element, "image"))
        return err_set(O2O_EINVAL, "out_of_range", "element", "element must be text or image");
    if (!strcmp(e->name, "search") && !e->label[0])
        return err_set(O2O_EINVAL, "missing_field", "label", "a search carries its words in label (or query)");
    if (e->ts < EARLIEST_MS || e->ts > now + AHEAD_MS)
        return err_set(O2O_EINVAL, "out_of_range", "ts", "ts is before 2000 or more than a day ahead");
    if (!printable(e->label) || !printable(e->page) || !printable(e->item) || !printable(e->category))
        return err_set(O2O_EINVAL, "out_of_range", NULL, "an event's texts must not hold control characters");
    return 0;
}

int events_link_device(struct db_conn *c, const char *device, int64_t member_id, int64_t now)
{
    int64_t n = db_exec(c,
                        "INSERT INTO devices (device_id, member_id, linked_at) VALUES ($1, $2, $3) "
                        "ON CONFLICT (device_id) DO UPDATE SET member_id = excluded.member_id, "
                        "linked_at = excluded.linked_at WHERE devices.member_id <> excluded.member_id",
                        "tii", device, member_id, now);
    return n < 0 ? (int)n : 0;
}

static const char *opt(const char *s)
{
    return *s ? s : NULL;
}

/* The member an event is about: merged members are followed to the survivor. */
static int resolve_member(struct db_conn *c, int64_t id, int idx, int64_t *out)
{
    struct member m;
    char field[40];
    for (int hops = 0; hops < 8; hops++) {
        snprintf(field, sizeof field, "events[%d].member_id", idx);
        if (member_get(c, id, &m))
            return err_set(O2O_ENOTFOUND, "unknown_member", field, "no member %" PRId64, id);
        if (strcmp(m.status, "merged") || !m.merged_into) {
            *out = id;
            return 0;
        }
        id = m.merged_into;
    }
    *out = id;
    return 0;
}

int events_store(struct db_conn *c, const struct event_in *ev, int n, int64_t now, int *stored)
{
    static const char head[] = "INSERT INTO events (event_key, name, channel, device_id, member_id, location_id, "
                               "item, category, element, label, page, value, props, ts, received_at) VALUES ";
    int64_t member[ROWS_PER_INSERT], loc[ROWS_PER_INSERT], last_member = 0, last_resolved = 0;
    char key[ROWS_PER_INSERT][200];
    int rc = 0;
    *stored = 0;
    for (int at = 0; at < n && !rc; at += ROWS_PER_INSERT) {
        int k = n - at < ROWS_PER_INSERT ? n - at : ROWS_PER_INSERT;
        struct db_stmt *s = NULL;
        for (int i = 0; i < k && !rc; i++) {
            const struct event_in *e = &ev[at + i];
            struct location l;
            member[i] = loc[i] = 0;
            if (e->member_id && e->member_id == last_member) {
                member[i] = last_resolved;
            } else if (e->member_id) {
                rc = resolve_member(c, e->member_id, at + i, &member[i]);
                last_member = e->member_id;
                last_resolved = member[i];
            }
            if (!rc && e->store[0]) {
                char field[40];
                snprintf(field, sizeof field, "events[%d].store", at + i);
                if (location_cached_by_code(c, e->store, &l))
                    rc = err_set(O2O_ENOTFOUND, "unknown_location", field, "no store %s", e->store);
                else
                    loc[i] = l.id;
            }
            /* a sender's key is scoped to its device (or member): two devices may
            ** pick the same id; without one, the event gets a key of its own */
            if (e->key[0] && e->device[0])
                snprintf(key[i], sizeof key[i], "d%s/%s", e->device, e->key);
            else if (e->key[0])
                snprintf(key[i], sizeof key[i], "m%" PRId64 "/%s", member[i], e->key);
            else {
                char r[17];
                random_hex(r, 8);
                snprintf(key[i], sizeof key[i], "~%s", r);
            }
            if (!rc && e->device[0] && member[i])
                rc = events_link_device(c, e->device, member[i], now);
        }
        if (rc)
            break;
        rc = db_prepare(c, &s, db_rows_sql_tail(head, EVENT_COLS, k, " ON CONFLICT (event_key) DO NOTHING"));
        if (rc)
            break;
        for (int i = 0; i < k; i++) {
            const struct event_in *e = &ev[at + i];
            int b = i * EVENT_COLS;
            db_bind_text(s, b + 1, key[i]);
            db_bind_text(s, b + 2, e->name);
            db_bind_text(s, b + 3, e->channel);
            db_bind_text(s, b + 4, opt(e->device));
            if (member[i])
                db_bind_i64(s, b + 5, member[i]);
            else
                db_bind_null(s, b + 5);
            if (loc[i])
                db_bind_i64(s, b + 6, loc[i]);
            else
                db_bind_null(s, b + 6);
            db_bind_text(s, b + 7, opt(e->item));
            db_bind_text(s, b + 8, opt(e->category));
            db_bind_text(s, b + 9, opt(e->element));
            db_bind_text(s, b + 10, opt(e->label));
            db_bind_text(s, b + 11, opt(e->page));
            if (e->has_value)
                db_bind_i64(s, b + 12, e->value);
            else
                db_bind_null(s, b + 12);
            db_bind_text(s, b + 13, opt(e->props));
            db_bind_i64(s, b + 14, e->ts);
            db_bind_i64(s, b + 15, now);
        }
        rc = db_step(s);
        if (rc == DB_DONE) {
            *stored += (int)db_changes(s);
            rc = 0;
        }
        db_done(s);
    }
    return rc < 0 ? rc : 0;
}

int events_scan(struct db_conn *c, int64_t from, int64_t to, int (*cb)(const struct event_row *r, void *arg),
                void *arg)
{
    struct db_stmt *s = NULL;
    struct event_row r;
    int rc = db_query(c, &s,
                      "SELECT COALESCE(e.member_id, d.member_id), e.device_id, e.name, e.channel, e.location_id, "
                      "e.item, e.category, e.element, e.label, e.page, e.props, e.ts "
                      "FROM events e LEFT JOIN devices d ON d.device_id = e.device_id "
                      "WHERE e.ts >= $1 AND e.ts < $2 ORDER BY e.ts, e.id",
                      "ii", from, to);
    while (rc == DB_ROW) {
        const char *t;
        r.member_id = db_col_null(s, 0) ? 0 : db_col_i64(s, 0);
        r.device = r.member_id || !(t = db_col_text(s, 1)) ? "" : t;
        r.name = db_col_text(s, 2);
        r.channel = db_col_text(s, 3);
        r.location_id = db_col_null(s, 4) ? 0 : db_col_i64(s, 4);
#define TEXT(i) ((t = db_col_text(s, i)) ? t : "")
        r.item = TEXT(5);
        r.category = TEXT(6);
        r.element = TEXT(7);
        r.label = TEXT(8);
        r.page = TEXT(9);
        r.props = TEXT(10);
#undef TEXT
        r.ts = db_col_i64(s, 11);
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int events_count(struct db_conn *c, int64_t *events)
{
    return db_scalar_i64(c, events, "SELECT COUNT(*) FROM events", NULL);
}

int events_device_member(struct db_conn *c, const char *device, int64_t *member_id)
{
    int rc = db_scalar_i64(c, member_id, "SELECT member_id FROM devices WHERE device_id = $1", "t", device);
    if (rc == O2O_ENOTFOUND) {
        *member_id = 0;
        return 0;
    }
    return rc;
}

int events_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    int64_t n = db_exec(c, "UPDATE events SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    if (n >= 0)
        n = db_exec(c, "UPDATE devices SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    return n < 0 ? (int)n : 0;
}
