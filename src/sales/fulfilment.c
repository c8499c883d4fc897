/*
** fulfilment.c -- getting the goods to the customer: allocation of an order's lines
** to stock points (routing.c decides, this writes), the fulfilment state machine
** (pick, ready, hand over with the pickup code, ship, deliver, receive a transfer,
** reject and re-route), the reservations consumed or released on the way, and
** carriers' tracking events. Owns tables fulfilments, tracking_events. No HTTP or
** JSON here. Tests: tests/e2e/test_orders.py, tests/e2e/test_tracking.py
*/
#include "sales/order_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/tz.h"
#include "member/member.h"
#include "member/reach.h"
#include "org/location.h"
#include "org/outbox.h"
#include "org/secrets.h"
#include "org/settings.h"
#include "sales/routing.h"
#include "stock/inventory.h"

#define PICKUP_KEY "pickup_code_key"

/* ---- allocation ---- */

int ord_new_fulfilment(struct db_conn *c, int64_t oid, const char *kind, int64_t loc, int64_t to, int64_t *fid)
{
    int64_t now = now_ms();
    return db_scalar_i64(c, fid,
                         "INSERT INTO fulfilments (order_id, kind, location_id, to_location_id, status, created_at, "
                         "updated_at) VALUES ($1, $2, $3, $4, 'allocated', $5, $5) RETURNING id",
                         "itiIi", oid, kind, loc, to, now);
}

/* Reserve line l at location loc for the order and attach it to fulfilment fid. */
int ord_attach(struct db_conn *c, int64_t oid, const struct order_line *l, int64_t loc, int64_t fid, int idx)
{
    struct reservation r;
    char ref[32], field[32];
    int64_t n;
    int rc;
    snprintf(ref, sizeof ref, "order:%" PRId64, oid);
    snprintf(field, sizeof field, "lines[%d]", idx);
    rc = inventory_hold(c, l->sku_id, loc, l->qty, 0, ref, field, &r);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE order_lines SET fulfilment_id = $2, reservation_id = $3 WHERE id = $1", "iii", l->id, fid,
                r.id);
    return n < 0 ? (int)n : 0;
}

/* An active pickup fulfilment of the order at loc, or 0. */
static int active_pickup(struct db_conn *c, int64_t oid, int64_t loc, int64_t *fid)
{
    int rc = db_scalar_i64(c, fid,
                           "SELECT id FROM fulfilments WHERE order_id = $1 AND location_id = $2 AND kind = 'pickup' "
                           "AND status IN ('allocated', 'picked') ORDER BY id DESC LIMIT 1",
                           "ii", oid, loc);
    if (rc == O2O_ENOTFOUND) {
        *fid = 0;
        err_clear();
        return 0;
    }
    return rc;
}

static void describe_lines(char *out, size_t cap, const struct line_set *ls, uint64_t mask, const int *map)
{
    size_t o = 0;
    out[0] = 0;
    for (int b = 0; b < 64 && o < cap - 1; b++)
        if (mask & (1ULL << b)) {
            const struct order_line *l = &ls->v[map[b]];
            o += (size_t)snprintf(out + o, cap - o, "%s%s x%" PRId64, o ? ", " : "", l->sku_code, l->qty);
        }
}

/* Route the lines map[0..n) of ls and reserve them: one fulfilment per leg. */
int ord_route_lines(struct db_conn *c, const struct order *o, const struct line_set *ls, const int *map, int n,
                    const int64_t *exclude, int nexclude, const char *actor)
{
    struct route_request rq;
    struct route_plan plan;
    char desc[300], loc_code[65];
    int rc;
    memset(&rq, 0, sizeof rq);
    rq.pickup = !strcmp(o->mode, "pickup");
    rq.pickup_id = o->pickup_id;
    rq.has_address = o->address[0] != 0;
    rq.has_geo = o->has_geo;
    rq.lat = o->lat;
    rq.lon = o->lon;
    rq.nlines = n;
    for (int i = 0; i < n; i++) {
        rq.sku[i] = ls->v[map[i]].sku_id;
        rq.qty[i] = ls->v[map[i]].qty;
    }
    rq.nexclude = nexclude < ROUTE_MAX_EXCLUDE ? nexclude : ROUTE_MAX_EXCLUDE;
    if (rq.nexclude)
        memcpy(rq.exclude, exclude, (size_t)rq.nexclude * sizeof *exclude);
    rc = routing_plan(c, &rq, &plan);
    if (!rc)
        rc = routing_record(c, o->id, &plan);
    if (!rc)
        rc = ord_event(c, o->id, "routed", 0, actor, "%s: %s", plan.rule, plan.summary);
    for (int g = 0; g < plan.nlegs && !rc; g++) {
        const struct route_leg *leg = &plan.legs[g];
        int64_t fid = 0;
        struct location l;
        bool pickup_leg = !strcmp(leg->kind, "pickup");
        if (pickup_leg)
            rc = active_pickup(c, o->id, leg->location_id, &fid);
        if (!rc && !fid)
            rc = ord_new_fulfilment(c, o->id, leg->kind, leg->location_id,
                                    !strcmp(leg->kind, "transfer") ? o->pickup_id : 0, &fid);
        for (int b = 0; b < n && !rc; b++)
            if (leg->lines & (1ULL << b))
                rc = ord_attach(c, o->id, &ls->v[map[b]], leg->location_id, fid, map[b]);
        if (rc)
            break;
        rc = location_cached(c, leg->location_id, &l);
        str_copy(loc_code, sizeof loc_code, rc ? "?" : l.code);
        describe_lines(desc, sizeof desc, ls, leg->lines, map);
        rc = ord_event(c, o->id, "allocated", fid, actor, "%s at %s%s%s", leg->kind, loc_code, desc[0] ? ": " : "",
                       desc[0] ? desc : "(pickup point)");
    }
    routing_plan_free(&plan);
    return rc;
}

int ord_maybe_complete(struct db_conn *c, struct order *o, const char *actor)
{
    int64_t open = 0, served = 0;
    int rc;
    if (strcmp(o->status, "paid"))
        return 0;
    rc = db_scalar_i64(c, &open,
                       "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND status <> 'handed_over' "
                       "AND status <> 'picked_up' AND status <> 'delivered' AND status <> 'received' "
                       "AND status <> 'rejected' AND status <> 'cancelled'",
                       "i", o->id);
    if (!rc && !open)
        rc = db_scalar_i64(c, &served,
                           "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND (status = 'handed_over' "
                           "OR status = 'picked_up' OR status = 'delivered')",
                           "i", o->id);
    if (rc || open)
        return rc;
    if (!served)
        return 0; /* everything was dropped: the order was cancelled by whoever dropped it */
    if (db_exec(c, "UPDATE orders SET status = 'completed' WHERE id = $1 AND status = 'paid'", "i", o->id) < 0)
        return O2O_EDB;
    str_copy(o->status, sizeof o->status, "completed");
    return ord_event(c, o->id, "completed", 0, actor, "every item is with the customer");
}

/* The reservations still held for a fulfilment's lines. */
int ord_held_reservations(struct db_conn *c, int64_t fid, int64_t res[ORDER_MAX_LINES], int *n)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT ol.reservation_id FROM order_lines ol JOIN reservations r ON r.id = ol.reservation_id "
                      "WHERE ol.fulfilment_id = $1 AND r.status = 'held'",
                      "i", fid);
    *n = 0;
    while (rc == DB_ROW && *n < ORDER_MAX_LINES) {
        res[(*n)++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* Their units leave on hand (handed over or shipped). */
int ord_consume_lines(struct db_conn *c, int64_t fid, const char *actor)
{
    int64_t res[ORDER_MAX_LINES];
    int n = 0, rc = ord_held_reservations(c, fid, res, &n);
    for (int i = 0; i < n && !rc; i++)
        rc = inventory_consume(c, res[i], actor, NULL);
    return rc;
}

/* Their units go back to available. */
int ord_release_lines(struct db_conn *c, int64_t fid)
{
    int64_t res[ORDER_MAX_LINES];
    int n = 0, rc = ord_held_reservations(c, fid, res, &n);
    for (int i = 0; i < n && !rc; i++)
        rc = inventory_release(c, res[i], NULL);
    return rc;
}

int ord_set_ful_status(struct db_conn *c, int64_t fid, const char *from_list, const char *to)
{
    struct fulfilment f;
    int rc = fulfilment_get(c, fid, &f);
    int64_t n;
    if (rc)
        return rc;
    if (!word_in_list(from_list, f.status))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "fulfilment %" PRId64 " is %s, cannot become %s", fid,
                       f.status, to);
    n = db_exec(c, "UPDATE fulfilments SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2", "itti", fid,
                f.status, to, now_ms());
    if (n < 0)
        return (int)n;
    return n ? 0 : err_set(O2O_ECONFLICT, "illegal_transition", NULL, "fulfilment %" PRId64 " changed meanwhile", fid);
}

/* ---- fulfilment actions ---- */

static const struct {
    enum ful_action action;
    const char *name;
    const char *kinds;
    const char *from;
    const char *to;
} transitions[] = {
    {FA_PICK, "pick", "pickup|delivery|transfer", "allocated", "picked"},
    {FA_READY, "ready", "pickup", "allocated|picked", "ready_for_pickup"},
    {FA_SHIP, "ship", "delivery|transfer", "picked", "shipped"},
    {FA_DELIVER, "deliver", "delivery", "shipped", "delivered"},
    {FA_RECEIVE, "receive", "transfer", "shipped", "received"},
    {FA_HANDOVER, "handover", "pickup", "ready_for_pickup", "picked_up"},
    {FA_REJECT, "reject", "pickup|delivery|transfer", "allocated|picked", "rejected"},
};

void ord_pickup_hash(char out[65], int64_t fid, const char *code)
{
    char src[64];
    int n = snprintf(src, sizeof src, "%" PRId64 ":%s", fid, code);
    sha256_hex(out, src, (size_t)n);
}

/* A pickup's code: six digits of HMAC-SHA256 over the fulfilment and the end of
** its hold, under a key of the server's own. Only its hash is stored; the server
** can say it again to the customer it belongs to (fulfilment_pickup_code), and no
** one without the key can work it out. make (in a transaction) creates the key on
** first use. */
static int pickup_code(struct db_conn *c, int64_t fid, int64_t expires, bool make, char code[8])
{
    unsigned char key[SECRET_BYTES], mac[crypto_auth_hmacsha256_BYTES];
    char msg[64];
    int n = snprintf(msg, sizeof msg, "pickup:%" PRId64 ":%" PRId64, fid, expires);
    int rc = secret_key(c, PICKUP_KEY, key);
    if (rc && make) {
        err_clear();
        rc = secret_init(c, PICKUP_KEY);
        if (!rc)
            rc = secret_key(c, PICKUP_KEY, key);
    }
    if (rc)
        return rc;
    crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
    sodium_memzero(key, sizeof key);
    snprintf(code, 8, "%06u",
             (unsigned)((((uint32_t)mac[0] << 24) | ((uint32_t)mac[1] << 16) | ((uint32_t)mac[2] << 8) | mac[3]) %
                        1000000u));
    return 0;
}

int fulfilment_pickup_code(struct db_conn *c, int64_t fid, char code[8])
{
    struct db_stmt *s = NULL;
    char stored[65] = "", want[65];
    int64_t expires = 0;
    int rc = db_query(c, &s,
                      "SELECT COALESCE(pickup_code_hash, ''), COALESCE(pickup_expires_at, 0) FROM fulfilments "
                      "WHERE id = $1 AND status = 'ready_for_pickup'",
                      "i", fid);
    if (rc == DB_ROW) {
        str_copy(stored, sizeof stored, db_col_text(s, 0));
        expires = db_col_i64(s, 1);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW || !stored[0] || pickup_code(c, fid, expires, false, code)) {
        err_clear();
        return O2O_ENOTFOUND;
    }
    ord_pickup_hash(want, fid, code);
    /* a code made before codes were derived (at random) cannot be said again */
    return strcmp(want, stored) ? O2O_ENOTFOUND : 0;
}

/* The pickup notice: by her medium (a member) or to the phone the order gave (a
** guest); until (the store's local time) and recipient are filled. */
static int pickup_notice(struct db_conn *c, const struct order *o, const struct location *l, const char *code,
                         int64_t expires, char until[32], char recipient[32])
{
    char msg[700], order_no[24];
    int rc = 0;
    tz_local_time(l->timezone[0] ? l->timezone : "UTC", expires, until); /* the store's local time */
    recipient[0] = 0;
    if (o->member_id) {
        struct member m;
        if (!member_get(c, o->member_id, &m))
            str_copy(recipient, 32, m.phone);
    }
    if (!recipient[0])
        str_copy(recipient, 32, o->contact_phone);
    snprintf(msg, sizeof msg,
             "Order %" PRId64 " is ready for pickup at %.120s (%.200s). Pickup code %s, valid until %s.", o->id,
             l->name, l->address[0] ? l->address : l->code, code, until);
    snprintf(order_no, sizeof order_no, "%" PRId64, o->id);
    {
        struct notice note = {"pickup_ready", "service", msg, 5, {"order", "store", "address", "code", "until"},
                              {order_no, l->name, l->address[0] ? l->address : l->code, code, until}, expires};
        if (o->member_id)
            rc = member_notify(c, o->member_id, &note, now_ms(), NULL);
        else if (recipient[0])
            rc = phone_notify(c, recipient, &note, NULL);
    }
    return rc;
}

static int make_ready(struct db_conn *c, struct order *o, const struct fulfilment *f, const char *actor)
{
    char code[8], hash[65], until[32], recipient[32] = "";
    int64_t open = 0, hold = 3, expires, lines = 0, n;
    struct location l;
    int rc = db_scalar_i64(c, &open,
                           "SELECT COUNT(*) FROM fulfilments WHERE order_id = $1 AND kind = 'transfer' "
                           "AND to_location_id = $2 AND status NOT IN ('received', 'rejected', 'cancelled')",
                           "ii", o->id, f->location_id);
    if (!rc)
        rc = db_scalar_i64(c, &lines, "SELECT COUNT(*) FROM order_lines WHERE fulfilment_id = $1", "i", f->id);
    if (rc)
        return rc;
    if (open)
        return err_set(O2O_ECONFLICT, "awaiting_transfer", NULL, "%" PRId64 " transfer(s) to %s have not arrived yet",
                       open, f->location_code);
    if (!lines)
        return err_set(O2O_ECONFLICT, "nothing_to_pick_up", NULL, "fulfilment %" PRId64 " has no items", f->id);
    rc = settings_i64(c, "pickup_hold_days", 3, &hold);
    if (!rc)
        rc = location_cached(c, f->location_id, &l);
    if (rc)
        return rc;
    expires = now_ms() + hold * DAY_MS;
    if ((rc = pickup_code(c, f->id, expires, true, code)))
        return rc;
    ord_pickup_hash(hash, f->id, code);
    n = db_exec(c, "UPDATE fulfilments SET pickup_code_hash = $2, pickup_expires_at = $3 WHERE id = $1", "iti", f->id,
                hash, expires);
    if (n < 0)
        return (int)n;
    if ((rc = pickup_notice(c, o, &l, code, expires, until, recipient)))
        return rc;
    return ord_event(c, o->id, "ready_for_pickup", f->id, actor, "at %s until %s (%s); pickup code sent to %s", l.code,
                     until, l.timezone[0] ? l.timezone : "UTC", recipient[0] ? recipient : "nobody (no phone)");
}

int order_resend_pickup(struct db_conn *c, int64_t order_id, const char *actor, char sent_to[32])
{
    struct order *o = xcalloc(1, sizeof *o);
    struct fulfilment f;
    struct location l;
    char code[8], until[32];
    int64_t fid = 0;
    int rc = order_get(c, order_id, o);
    sent_to[0] = 0;
    if (!rc)
        rc = db_scalar_i64(c, &fid,
                           "SELECT id FROM fulfilments WHERE order_id = $1 AND kind = 'pickup' AND "
                           "status = 'ready_for_pickup' ORDER BY id LIMIT 1",
                           "i", order_id);
    if (rc == O2O_ENOTFOUND)
        rc = err_set(O2O_ECONFLICT, "no_pickup_ready", NULL, "no pickup of order %" PRId64 " is ready", order_id);
    if (!rc)
        rc = fulfilment_get(c, fid, &f);
    if (!rc && fulfilment_pickup_code(c, fid, code))
        rc = err_set(O2O_ECONFLICT, "no_pickup_ready", NULL, "the pickup code of order %" PRId64 " cannot be said",
                     order_id);
    if (!rc)
        rc = location_cached(c, f.location_id, &l);
    if (!rc)
        rc = pickup_notice(c, o, &l, code, f.pickup_expires_at, until, sent_to);
    if (!rc)
        rc = ord_event(c, order_id, "pickup_code_resent", fid, actor, "pickup code at %s sent again to %s", l.code,
                       sent_to[0] ? sent_to : "nobody (no phone)");
    free(o);
    return rc;
}

static int check_code(struct db_conn *c, const struct fulfilment *f, const char *code)
{
    struct db_stmt *s = NULL;
    char want[65] = "", got[65];
    int rc = db_query(c, &s, "SELECT pickup_code_hash FROM fulfilments WHERE id = $1", "i", f->id);
    if (rc == DB_ROW)
        str_copy(want, sizeof want, db_col_text(s, 0));
    db_done(s);
    if (rc < 0)
        return rc;
    if (!code[0])
        return err_set(O2O_EINVAL, "missing_field", "code", "the customer's pickup code is required");
    ord_pickup_hash(got, f->id, code);
    if (!want[0] || strcmp(want, got))
        return err_set(O2O_ECONFLICT, "wrong_pickup_code", "code", "that is not the pickup code of this order");
    return 0;
}

/* Shipping a transfer: the units move to the pickup store now and stay reserved there. */
static int ship_transfer(struct db_conn *c, const struct order *o, const struct fulfilment *f, const char *actor)
{
    struct line_set *ls = xcalloc(1, sizeof *ls);
    char ref[32];
    int rc = order_lines(c, o->id, add_line, ls);
    snprintf(ref, sizeof ref, "order:%" PRId64, o->id);
    for (int i = 0; i < ls->n && !rc; i++) {
        const struct order_line *l = &ls->v[i];
        struct reservation r;
        int64_t n;
        if (l->fulfilment_id != f->id)
            continue;
        rc = inventory_release(c, l->reservation_id, NULL);
        if (!rc)
            rc = inventory_transfer(c, l->sku_id, f->location_id, f->to_location_id, l->qty, ref, actor);
        if (!rc)
            rc = inventory_hold(c, l->sku_id, f->to_location_id, l->qty, 0, ref, "lines", &r);
        if (!rc) {
            n = db_exec(c, "UPDATE order_lines SET reservation_id = $2 WHERE id = $1", "ii", l->id, r.id);
            rc = n < 0 ? (int)n : 0;
        }
    }
    free(ls);
    return rc;
}

static int receive_transfer(struct db_conn *c, const struct order *o, const struct fulfilment *f, const char *actor)
{
    int64_t pid = 0, n;
    int rc = active_pickup(c, o->id, f->to_location_id, &pid);
    if (!rc && !pid)
        rc = ord_new_fulfilment(c, o->id, "pickup", f->to_location_id, 0, &pid);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE order_lines SET fulfilment_id = $2 WHERE fulfilment_id = $1", "ii", f->id, pid);
    if (n < 0)
        return (int)n;
    return ord_event(c, o->id, "joined_pickup", pid, actor, "%" PRId64 " line(s) from %s joined the pickup at %s", n,
                     f->location_code, f->to_location_code);
}

/* A store cannot serve its lines: route them again without it (and without any store that rejected before). */
static int reject(struct db_conn *c, struct order *o, const struct fulfilment *f, const char *reason, const char *actor)
{
    struct line_set *ls = xcalloc(1, sizeof *ls);
    struct ful_set *fs = xcalloc(1, sizeof *fs);
    int64_t exclude[ROUTE_MAX_EXCLUDE];
    int map[ORDER_MAX_LINES], n = 0, nex = 0;
    int rc = ord_release_lines(c, f->id);
    if (!rc)
        rc = order_lines(c, o->id, add_line, ls);
    if (!rc)
        rc = order_fulfilments(c, o->id, add_ful, fs);
    for (int i = 0; i < fs->n && nex < ROUTE_MAX_EXCLUDE; i++)
        if (!strcmp(fs->v[i].status, "rejected"))
            exclude[nex++] = fs->v[i].location_id;
    for (int i = 0; i < ls->n; i++)
        if (ls->v[i].fulfilment_id == f->id)
            map[n++] = i;
    if (!rc)
        rc = ord_event(c, o->id, "rejected", f->id, actor, "%s: %s", f->location_code, reason);
    if (!rc && n) {
        rc = ord_route_lines(c, o, ls, map, n, exclude, nex, actor);
        if (rc == O2O_ESTOCK || rc == O2O_ECONFLICT) {
            char why[300];
            snprintf(why, sizeof why, "no other location can serve it: %s", err_last()->msg);
            err_clear();
            /* the lines stay with the rejected fulfilment and are given up */
            rc = ord_event(c, o->id, "unfulfillable", f->id, actor, "%s", why);
            if (!rc)
                rc = ord_drop_fulfilment(c, o, f->id, "rejected", "no stock anywhere", actor);
        }
    }
    free(ls);
    free(fs);
    return rc;
}

int fulfilment_act(struct db_conn *c, int64_t fid, enum ful_action a, const struct ful_args *args, const char *actor)
{
    struct fulfilment f;
    struct order o;
    int t = -1, rc = fulfilment_get(c, fid, &f);
    int64_t n;
    if (!rc)
        rc = order_get(c, f.order_id, &o);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].action == a)
            t = (int)i;
    if (t < 0 || !word_in_list(transitions[t].kinds, f.kind))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "a %s fulfilment cannot %s", f.kind,
                       t < 0 ? "do that" : transitions[t].name);
    if (!word_in_list(transitions[t].from, f.status))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "fulfilment %" PRId64 " is %s: cannot %s", fid,
                       f.status, transitions[t].name);
    if (a != FA_REJECT && strcmp(o.status, "paid"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s, not paid", o.id, o.status);
    if (a == FA_REJECT && strcmp(o.status, "paid") && strcmp(o.status, "placed"))
        return err_set(O2O_ECONFLICT, "illegal_transition", NULL, "order %" PRId64 " is %s", o.id, o.status);
    switch (a) {
    case FA_READY:
        rc = make_ready(c, &o, &f, actor);
        break;
    case FA_HANDOVER:
        rc = check_code(c, &f, args->code);
        if (!rc)
            rc = ord_consume_lines(c, f.id, actor);
        break;
    case FA_SHIP:
        if (!strcmp(f.kind, "delivery") && (!args->carrier[0] || !args->tracking_no[0]))
            return err_set(O2O_EINVAL, "missing_field", args->carrier[0] ? "tracking_no" : "carrier",
                           "a delivery ships with a carrier and a tracking number");
        if (args->carrier[0] || args->tracking_no[0]) {
            n = db_exec(c, "UPDATE fulfilments SET carrier = $2, tracking_no = $3 WHERE id = $1", "itt", f.id,
                        args->carrier, args->tracking_no[0] ? args->tracking_no : NULL);
            if (n == O2O_EEXISTS)
                return err_set(O2O_EEXISTS, "tracking_number_taken", "tracking_no",
                               "%s %s is already on another shipment", args->carrier, args->tracking_no);
            if (n < 0)
                return (int)n;
        }
        rc = !strcmp(f.kind, "delivery") ? ord_consume_lines(c, f.id, actor) : ship_transfer(c, &o, &f, actor);
        break;
    case FA_REJECT:
        if (!args->reason[0])
            return err_set(O2O_EINVAL, "missing_field", "reason", "say why (damaged, not found...)");
        break;
    default:
        break;
    }
    if (!rc)
        rc = ord_set_ful_status(c, f.id, transitions[t].from, transitions[t].to);
    if (!rc && a == FA_REJECT) {
        n = db_exec(c, "UPDATE fulfilments SET reason = $2 WHERE id = $1", "it", f.id, args->reason);
        rc = n < 0 ? (int)n : reject(c, &o, &f, args->reason, actor);
        return rc ? rc : ord_maybe_complete(c, &o, actor);
    }
    if (rc)
        return rc;
    switch (a) {
    case FA_READY:
        break; /* make_ready wrote its event */
    case FA_SHIP:
        rc = ord_event(c, o.id, "shipped", f.id, actor, "%s from %s%s%s%s%s%s", f.kind, f.location_code,
                       args->carrier[0] ? " by " : "", args->carrier, args->tracking_no[0] ? " #" : "",
                       args->tracking_no,
                       args->carrier[0] && args->untracked ? " (not tracked: the carrier is not integrated)" : "");
        break;
    case FA_RECEIVE:
        rc = ord_event(c, o.id, "received", f.id, actor, "at %s from %s", f.to_location_code, f.location_code);
        if (!rc)
            rc = receive_transfer(c, &o, &f, actor);
        break;
    default:
        rc = ord_event(c, o.id, transitions[t].to, f.id, actor, "%s at %s", f.kind, f.location_code);
        break;
    }
    return rc ? rc : ord_maybe_complete(c, &o, actor);
}

/* ---- carrier tracking ---- */

int order_note(struct db_conn *c, int64_t id, const char *kind, const char *detail, const char *actor)
{
    return ord_event(c, id, kind, 0, actor, "%s", detail);
}

int order_tracking(struct db_conn *c, const char *carrier, const char *tracking_no, const struct tracking_event *e,
                   bool *found, bool *fresh, int64_t *order_id)
{
    static const char *const statuses[] = {"picked_up", "in_transit", "out_for_delivery", "delivered", "exception"};
    struct db_stmt *s = NULL;
    struct fulfilment f;
    struct order o;
    int64_t fid = 0, n;
    int rc;
    *found = *fresh = false;
    *order_id = 0;
    if (!one_of(e->status, statuses, sizeof statuses / sizeof statuses[0]))
        return err_set(O2O_EINVAL, NULL, "status",
                       "status must be picked_up, in_transit, out_for_delivery, delivered or exception");
    rc = db_query(c, &s, "SELECT id FROM fulfilments WHERE carrier = $1 AND tracking_no = $2", "tt", carrier,
                  tracking_no);
    if (rc == DB_ROW)
        fid = db_col_i64(s, 0);
    db_done(s);
    if (rc < 0)
        return rc;
    if (!fid)
        return 0;
    *found = true;
    rc = fulfilment_get(c, fid, &f);
    if (!rc)
        rc = order_get(c, f.order_id, &o);
    if (rc)
        return rc;
    *order_id = o.id;
    n = db_exec(c,
                "INSERT INTO tracking_events (fulfilment_id, carrier, tracking_no, status, location, description, "
                "event_time, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                "ON CONFLICT (carrier, tracking_no, event_time, status) DO NOTHING",
                "itttttii", fid, carrier, tracking_no, e->status, e->location, e->description, e->at, now_ms());
    if (n <= 0)
        return n < 0 ? (int)n : 0; /* pushed before */
    *fresh = true;
    rc = ord_event(c, o.id, "tracking", fid, carrier, "%s %s%s%s%s%s", tracking_no, e->status,
                   e->location[0] ? " at " : "", e->location, e->description[0] ? ": " : "", e->description);
    if (!rc && !strcmp(e->status, "delivered") && !strcmp(f.status, "shipped") && !strcmp(f.kind, "delivery")) {
        rc = ord_set_ful_status(c, fid, "shipped", "delivered");
        if (!rc)
            rc = ord_event(c, o.id, "delivered", fid, carrier, "delivery from %s, reported by %s", f.location_code,
                           carrier);
        if (!rc)
            rc = ord_maybe_complete(c, &o, carrier);
    }
    return rc;
}
