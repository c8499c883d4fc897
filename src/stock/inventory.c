/*
** inventory.c -- stock, movements and reservations.
** Owns tables stock, stock_movements, reservations.
** Invariants: on_hand = SUM(stock_movements.qty) per SKU x location;
** 0 <= reserved <= on_hand. Decrements are conditional updates checked by
** their row count, never read-then-write, so no concurrency can oversell.
** No HTTP or JSON here. Tests: tests/unit/test_inventory.c
*/
#include "stock/inventory.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "org/location.h"

#define HOLD_FOREVER 253402300799000LL  /* 9999-12-31: held until released or consumed */

static int journal(struct db_conn *c, int64_t sku, int64_t loc, const char *kind, int64_t qty, const char *reason,
                   const char *ref, const char *actor)
{
    int64_t n = db_exec(c,
                        "INSERT INTO stock_movements (sku_id, location_id, kind, qty, reason, ref, actor, created_at) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        "iitittti", sku, loc, kind, qty, reason ? reason : "",
                        ref ? ref : "", actor ? actor : "", now_ms());
    return n < 0 ? (int)n : 0;
}

static int add_on_hand(struct db_conn *c, int64_t sku, int64_t loc, int64_t qty)
{
    int64_t n = db_exec(c,
                        "INSERT INTO stock (sku_id, location_id, on_hand, reserved) VALUES ($1, $2, $3, 0) "
                        "ON CONFLICT (sku_id, location_id) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand",
                        "iii", sku, loc, qty);
    return n < 0 ? (int)n : 0;
}

static int take_available(struct db_conn *c, int64_t sku, int64_t loc, int64_t qty, const char *field)
{
    struct stock st;
    int64_t n = db_exec(c,
                        "UPDATE stock SET on_hand = on_hand - $3 WHERE sku_id = $1 AND location_id = $2 "
                        "AND on_hand - reserved >= $3",
                        "iii", sku, loc, qty);
    if (n < 0)
        return (int)n;
    if (n == 0) {
        inventory_stock(c, sku, loc, &st);
        return err_set(O2O_ESTOCK, "out_of_stock", field, "%" PRId64 " available, %" PRId64 " requested",
                       st.available, qty);
    }
    return 0;
}

static bool kind_is(const char *k, const char *want)
{
    return !strcmp(k, want);
}

int inventory_move(struct db_conn *c, const struct stock_move *m, struct stock *after)
{
    int rc;
    int64_t delta;
    if (kind_is(m->kind, "adjust")) {
        if (m->qty == 0)
            return err_set(O2O_EINVAL, NULL, "qty", "an adjustment must change the quantity");
        if (!m->reason[0])
            return err_set(O2O_EINVAL, NULL, "reason", "an adjustment needs a reason (count, damage, loss...)");
        delta = m->qty;
    } else if (kind_is(m->kind, "receive") || kind_is(m->kind, "return")) {
        if (m->qty <= 0)
            return err_set(O2O_EINVAL, NULL, "qty", "qty must be positive");
        delta = m->qty;
    } else if (kind_is(m->kind, "sale")) {
        if (m->qty <= 0)
            return err_set(O2O_EINVAL, NULL, "qty", "qty must be positive");
        delta = -m->qty;
    } else {
        return err_set(O2O_EINVAL, NULL, "kind", "kind must be receive, adjust, sale or return");
    }
    if (m->qty > 1000000000 || m->qty < -1000000000)
        return err_set(O2O_EINVAL, NULL, "qty", "qty is out of range");
    rc = delta > 0 ? add_on_hand(c, m->sku_id, m->location_id, delta)
                   : take_available(c, m->sku_id, m->location_id, -delta, "qty");
    if (!rc)
        rc = journal(c, m->sku_id, m->location_id, m->kind, delta, m->reason, m->ref, m->actor);
    if (!rc && after)
        rc = inventory_stock(c, m->sku_id, m->location_id, after);
    return rc;
}

int inventory_sell(struct db_conn *c, int64_t loc, int n, const int64_t *skus, const int64_t *qty, const char *ref,
                   const char *actor, int *short_line)
{
    static const char head[] = "INSERT INTO stock_movements (sku_id, location_id, kind, qty, reason, ref, actor, "
                               "created_at) VALUES ";
    struct db_stmt *s = NULL;
    int64_t now = now_ms();
    int rc;
    *short_line = -1;
    for (int i = 0; i < n; i++) {
        char field[32];
        if (qty[i] <= 0 || qty[i] > 1000000000)
            return err_set(O2O_EINVAL, NULL, "qty", "qty must be 1..1000000000");
        snprintf(field, sizeof field, "lines[%d]", i);
        if ((rc = take_available(c, skus[i], loc, qty[i], field))) {
            *short_line = i;
            return rc;
        }
    }
    rc = db_prepare(c, &s, db_rows_sql(head, 8, n));
    if (rc)
        return rc;
    for (int i = 0; i < n; i++) {
        db_bind_i64(s, i * 8 + 1, skus[i]);
        db_bind_i64(s, i * 8 + 2, loc);
        db_bind_text(s, i * 8 + 3, "sale");
        db_bind_i64(s, i * 8 + 4, -qty[i]);
        db_bind_text(s, i * 8 + 5, "");
        db_bind_text(s, i * 8 + 6, ref ? ref : "");
        db_bind_text(s, i * 8 + 7, actor ? actor : "");
        db_bind_i64(s, i * 8 + 8, now);
    }
    rc = db_step(s);
    db_done(s);
    return rc < 0 ? rc : 0;
}

int inventory_transfer(struct db_conn *c, int64_t sku, int64_t from, int64_t to, int64_t qty, const char *ref,
                       const char *actor)
{
    int rc;
    if (qty <= 0 || qty > 1000000000)
        return err_set(O2O_EINVAL, NULL, "qty", "qty must be positive");
    if (from == to)
        return err_set(O2O_EINVAL, NULL, "to", "source and destination are the same location");
    rc = take_available(c, sku, from, qty, "qty");
    if (!rc)
        rc = journal(c, sku, from, "transfer_out", -qty, "", ref, actor);
    if (!rc)
        rc = add_on_hand(c, sku, to, qty);
    if (!rc)
        rc = journal(c, sku, to, "transfer_in", qty, "", ref, actor);
    return rc;
}

static void read_res(struct db_stmt *s, struct reservation *r)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(s, 0);
    r->sku_id = db_col_i64(s, 1);
    r->location_id = db_col_i64(s, 2);
    r->qty = db_col_i64(s, 3);
    str_copy(r->status, sizeof r->status, db_col_text(s, 4));
    str_copy(r->ref, sizeof r->ref, db_col_text(s, 5));
    r->expires_at = db_col_i64(s, 6);
    r->created_at = db_col_i64(s, 7);
    str_copy(r->sku_code, sizeof r->sku_code, db_col_text(s, 8));
    str_copy(r->location_code, sizeof r->location_code, db_col_text(s, 9));
}

int inventory_reservation(struct db_conn *c, int64_t id, struct reservation *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT r.id, r.sku_id, r.location_id, r.qty, r.status, r.ref, r.expires_at, r.created_at, "
                      "k.code, l.code FROM reservations r JOIN skus k ON k.id = r.sku_id "
                      "JOIN locations l ON l.id = r.location_id WHERE r.id = $1",
                      "i", id);
    if (rc == DB_ROW)
        read_res(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_reservation", NULL, "no reservation %" PRId64, id);
    return rc < 0 ? rc : 0;
}

int inventory_reserve(struct db_conn *c, int64_t sku, int64_t loc, int64_t qty, int64_t ttl_ms, const char *ref,
                      struct reservation *out)
{
    if (ttl_ms <= 0 || ttl_ms > 30LL * 24 * 3600 * 1000)
        return err_set(O2O_EINVAL, NULL, "ttl_seconds", "ttl must be 1 s .. 30 days");
    return inventory_hold(c, sku, loc, qty, ttl_ms, ref, "qty", out);
}

int inventory_hold(struct db_conn *c, int64_t sku, int64_t loc, int64_t qty, int64_t ttl_ms, const char *ref,
                   const char *field, struct reservation *out)
{
    struct stock st;
    int64_t n, id = 0, now = now_ms();
    int rc;
    if (qty <= 0 || qty > 1000000)
        return err_set(O2O_EINVAL, NULL, field, "qty must be 1..1000000");
    n = db_exec(c,
                "UPDATE stock SET reserved = reserved + $3 WHERE sku_id = $1 AND location_id = $2 "
                "AND on_hand - reserved >= $3",
                "iii", sku, loc, qty);
    if (n < 0)
        return (int)n;
    if (n == 0) {
        memset(&st, 0, sizeof st);
        inventory_stock(c, sku, loc, &st);
        return err_set(O2O_ESTOCK, "out_of_stock", field, "%" PRId64 " available, %" PRId64 " requested",
                       st.available, qty);
    }
    rc = db_scalar_i64(c, &id,
                       "INSERT INTO reservations (sku_id, location_id, qty, status, ref, expires_at, created_at) "
                       "VALUES ($1, $2, $3, 'held', $4, $5, $6) RETURNING id",
                       "iiitii", sku, loc, qty, ref ? ref : "", ttl_ms ? now + ttl_ms : HOLD_FOREVER, now);
    return rc ? rc : inventory_reservation(c, id, out);
}

/* Move a held reservation to a final status, giving its units back or letting them leave. */
static int finish(struct db_conn *c, int64_t id, const char *status, const char *actor, struct reservation *out)
{
    struct reservation r;
    int64_t n;
    int rc = inventory_reservation(c, id, &r);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE reservations SET status = $2 WHERE id = $1 AND status = 'held'", "it", id, status);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ECONFLICT, "reservation_not_held", NULL, "reservation %" PRId64 " is %s, not held", id,
                       r.status);
    if (!strcmp(status, "consumed"))
        n = db_exec(c,
                    "UPDATE stock SET reserved = reserved - $3, on_hand = on_hand - $3 WHERE sku_id = $1 "
                    "AND location_id = $2 AND reserved >= $3",
                    "iii", r.sku_id, r.location_id, r.qty);
    else
        n = db_exec(c, "UPDATE stock SET reserved = reserved - $3 WHERE sku_id = $1 AND location_id = $2 AND reserved >= $3",
                    "iii", r.sku_id, r.location_id, r.qty);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_EDB, "stock_mismatch", NULL, "reserved stock is below reservation %" PRId64, id);
    if (!strcmp(status, "consumed")) {
        rc = journal(c, r.sku_id, r.location_id, "sale", -r.qty, "", r.ref, actor);
        if (rc)
            return rc;
    }
    return out ? inventory_reservation(c, id, out) : 0;
}

int inventory_release(struct db_conn *c, int64_t id, struct reservation *out)
{
    return finish(c, id, "released", NULL, out);
}

int inventory_consume(struct db_conn *c, int64_t id, const char *actor, struct reservation *out)
{
    return finish(c, id, "consumed", actor, out);
}

int inventory_expire_reservations(struct db_conn *c, int64_t now, int64_t *count)
{
    struct db_stmt *s = NULL;
    int64_t ids[256];
    int n, rc;
    *count = 0;
    for (;;) {
        n = 0;
        rc = db_query(c, &s, "SELECT id FROM reservations WHERE status = 'held' AND expires_at <= $1 ORDER BY id LIMIT 256",
                      "i", now);
        while (rc == DB_ROW) {
            ids[n++] = db_col_i64(s, 0);
            rc = db_step(s);
        }
        db_done(s);
        if (rc < 0)
            return rc;
        if (!n)
            return 0;
        for (int i = 0; i < n; i++) {
            rc = finish(c, ids[i], "expired", NULL, NULL);
            if (rc)
                return rc;
            (*count)++;
        }
    }
}

#define STOCK_COLS                                                                                        \
    "s.sku_id, s.location_id, l.code, l.name, l.kind, s.on_hand, s.reserved, l.lat, l.lon FROM stock s " \
    "JOIN locations l ON l.id = s.location_id"

static void read_stock(struct db_stmt *s, struct stock *st)
{
    memset(st, 0, sizeof *st);
    st->sku_id = db_col_i64(s, 0);
    st->location_id = db_col_i64(s, 1);
    str_copy(st->location_code, sizeof st->location_code, db_col_text(s, 2));
    str_copy(st->location_name, sizeof st->location_name, db_col_text(s, 3));
    str_copy(st->location_kind, sizeof st->location_kind, db_col_text(s, 4));
    st->on_hand = db_col_i64(s, 5);
    st->reserved = db_col_i64(s, 6);
    st->available = st->on_hand - st->reserved;
}

int inventory_stock(struct db_conn *c, int64_t sku, int64_t loc, struct stock *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " STOCK_COLS " WHERE s.sku_id = $1 AND s.location_id = $2", "ii", sku, loc);
    memset(out, 0, sizeof *out);
    out->sku_id = sku;
    out->location_id = loc;
    if (rc == DB_ROW)
        read_stock(s, out);
    db_done(s);
    return rc < 0 ? rc : 0; /* no row: zero stock */
}

struct avail_row {
    int64_t location_id, on_hand, reserved;
    bool has_distance;
    double distance_m;
    int64_t order;            /* location id: ties and queries without an origin */
};

static int by_distance(const void *a, const void *b)
{
    const struct avail_row *x = a, *y = b;
    if (x->has_distance != y->has_distance)
        return x->has_distance ? -1 : 1;
    if (x->distance_m < y->distance_m)
        return -1;
    if (x->distance_m > y->distance_m)
        return 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

int inventory_availability(struct db_conn *c, int64_t sku, bool has_origin, double lat, double lon,
                           bool include_empty, int limit, int (*cb)(const struct stock *s, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct avail_row *rows = NULL;
    size_t n = 0, cap = 0;
    /* stock numbers only (one clustered range on SQLite); coordinates and names
    ** come from the location cache */
    int rc = db_query(c, &s,
                      "SELECT location_id, on_hand, reserved FROM stock WHERE sku_id = $1 "
                      "AND ($2 = 1 OR on_hand - reserved > 0)",
                      "ii", sku, (int64_t)include_empty);
    while (rc == DB_ROW) {
        struct avail_row *r;
        struct location loc;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        r = &rows[n];
        r->location_id = db_col_i64(s, 0);
        r->on_hand = db_col_i64(s, 1);
        r->reserved = db_col_i64(s, 2);
        r->order = r->location_id;
        r->has_distance = false;
        r->distance_m = 0;
        if (has_origin && !location_cached(c, r->location_id, &loc) && loc.has_geo) {
            r->has_distance = true;
            r->distance_m = geo_distance_m(lat, lon, loc.lat, loc.lon);
        }
        n++;
        rc = db_step(s);
    }
    db_done(s);
    if (rc >= 0) {
        rc = 0;
        qsort(rows, n, sizeof *rows, by_distance);
        for (size_t i = 0; i < n && (limit <= 0 || (int)i < limit) && !rc; i++) {
            struct stock st;
            struct location loc;
            memset(&st, 0, sizeof st);
            rc = location_cached(c, rows[i].location_id, &loc);
            if (rc)
                break;
            str_copy(st.location_code, sizeof st.location_code, loc.code);
            str_copy(st.location_name, sizeof st.location_name, loc.name);
            str_copy(st.location_kind, sizeof st.location_kind, loc.kind);
            st.sku_id = sku;
            st.location_id = rows[i].location_id;
            st.on_hand = rows[i].on_hand;
            st.reserved = rows[i].reserved;
            st.available = st.on_hand - st.reserved;
            st.has_distance = rows[i].has_distance;
            st.distance_m = rows[i].distance_m;
            rc = cb(&st, arg);
        }
    }
    free(rows);
    return rc;
}

int inventory_movements(struct db_conn *c, int64_t sku, int64_t loc, int limit,
                        int (*cb)(const struct movement *m, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct movement m;
    int rc = db_query(c, &s,
                      "SELECT id, kind, qty, reason, ref, actor, created_at FROM stock_movements WHERE sku_id = $1 "
                      "AND location_id = $2 ORDER BY id DESC LIMIT $3",
                      "iii", sku, loc, (int64_t)limit);
    while (rc == DB_ROW) {
        memset(&m, 0, sizeof m);
        m.id = db_col_i64(s, 0);
        str_copy(m.kind, sizeof m.kind, db_col_text(s, 1));
        m.qty = db_col_i64(s, 2);
        str_copy(m.reason, sizeof m.reason, db_col_text(s, 3));
        str_copy(m.ref, sizeof m.ref, db_col_text(s, 4));
        str_copy(m.actor, sizeof m.actor, db_col_text(s, 5));
        m.created_at = db_col_i64(s, 6);
        rc = cb(&m, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int inventory_journal_sum(struct db_conn *c, int64_t sku, int64_t loc, int64_t *out)
{
    return db_scalar_i64(c, out, "SELECT COALESCE(SUM(qty), 0) FROM stock_movements WHERE sku_id = $1 AND location_id = $2",
                         "ii", sku, loc);
}

int inventory_product_available(struct db_conn *c, int64_t product_id, int64_t location_id, int64_t *out)
{
    return db_scalar_i64(c, out,
                         "SELECT COALESCE(SUM(s.on_hand - s.reserved), 0) FROM skus k JOIN stock s ON s.sku_id = k.id "
                         "AND s.location_id = $2 WHERE k.product_id = $1",
                         "ii", product_id, location_id);
}

int inventory_low(struct db_conn *c, int64_t loc, int64_t threshold, int64_t since, int limit,
                  int (*cb)(int64_t sku_id, int64_t location_id, int64_t available, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      "SELECT s.sku_id, s.location_id, s.on_hand - s.reserved FROM stock s "
                      "WHERE (s.location_id = $1 OR $1 = 0) AND s.on_hand - s.reserved <= $2 "
                      "AND EXISTS (SELECT 1 FROM stock_movements m WHERE m.sku_id = s.sku_id "
                      "AND m.location_id = s.location_id AND m.kind = 'sale' AND m.created_at >= $3) "
                      "ORDER BY s.on_hand - s.reserved, s.sku_id LIMIT $4",
                      "iiii", loc, threshold, since, (int64_t)limit);
    while (rc == DB_ROW) {
        if ((rc = cb(db_col_i64(s, 0), db_col_i64(s, 1), db_col_i64(s, 2), arg)) != 0)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
