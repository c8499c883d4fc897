/*
** location.c -- regions and locations, and scope checks over them.
** Owns tables regions, locations. A region's path lists its ancestors' ids, so
** "is location L in region R" is one indexed query. No HTTP or JSON here.
** Tests: tests/unit/test_location.c
*/
#include "org/location.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"

/* The location cache: every location sorted by id, and an index sorted by code. */
static struct {
    pthread_rwlock_t lock;
    struct location *rows;    /* by id */
    struct location **by_code;
    size_t n;
    int64_t loaded_at;        /* 0: never */
    _Atomic int stale;        /* set by local writes */
} cache = {PTHREAD_RWLOCK_INITIALIZER, NULL, NULL, 0, 0, 0};

static const char *kinds[] = {"store", "warehouse", "restaurant"};

static bool valid_tz(const char *tz)
{
    /* IANA names: Area/City, letters, digits, '_', '-', '+', '/' */
    size_t n = strlen(tz);
    if (n < 3 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = tz[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-' || ch == '+' || ch == '/'))
            return false;
    }
    return true;
}

int region_create(struct db_conn *c, struct region *r)
{
    struct region parent;
    int64_t id = 0;
    int rc;
    char path[300];

    if (!is_code(r->code))
        return err_set(O2O_EINVAL, NULL, "code", "code must be 1-64 of A-Z a-z 0-9 _ - .");
    if (!r->name[0])
        return err_set(O2O_EINVAL, NULL, "name", "name is required");
    r->parent_id = 0;
    if (r->parent_code[0]) {
        rc = region_get_by_code(c, r->parent_code, &parent);
        if (rc)
            return err_set(O2O_ENOTFOUND, "unknown_region", "parent", "no region with code %s", r->parent_code);
        r->parent_id = parent.id;
    }
    if (r->parent_id)
        rc = db_scalar_i64(c, &id,
                           "INSERT INTO regions (code, name, parent_id, path, created_at) "
                           "VALUES ($1, $2, $3, '', $4) RETURNING id",
                           "ttii", r->code, r->name, r->parent_id, now_ms());
    else
        rc = db_scalar_i64(c, &id,
                           "INSERT INTO regions (code, name, parent_id, path, created_at) "
                           "VALUES ($1, $2, NULL, '', $3) RETURNING id",
                           "tti", r->code, r->name, now_ms());
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "region_exists", "code", "region %s already exists", r->code);
    if (rc)
        return rc;
    r->id = id;
    snprintf(path, sizeof path, "%s%" PRId64 "/", r->parent_id ? parent.path : "/", id);
    if (strlen(path) >= sizeof r->path)
        return err_set(O2O_EINVAL, NULL, "parent", "region tree is too deep");
    str_copy(r->path, sizeof r->path, path);
    rc = (int)db_exec(c, "UPDATE regions SET path = $1 WHERE id = $2", "ti", path, id);
    return rc < 0 ? rc : 0;
}

static void read_region(struct db_stmt *s, struct region *r)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(s, 0);
    str_copy(r->code, sizeof r->code, db_col_text(s, 1));
    str_copy(r->name, sizeof r->name, db_col_text(s, 2));
    r->parent_id = db_col_i64(s, 3);
    str_copy(r->path, sizeof r->path, db_col_text(s, 4));
    str_copy(r->parent_code, sizeof r->parent_code, db_col_text(s, 5));
}

#define REGION_COLS "r.id, r.code, r.name, r.parent_id, r.path, p.code FROM regions r LEFT JOIN regions p ON p.id = r.parent_id"

int region_get_by_code(struct db_conn *c, const char *code, struct region *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " REGION_COLS " WHERE r.code = $1", "t", code);
    if (rc == DB_ROW)
        read_region(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_region", NULL, "no region with code %s", code);
    return rc < 0 ? rc : 0;
}

int region_get(struct db_conn *c, int64_t id, struct region *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " REGION_COLS " WHERE r.id = $1", "i", id);
    if (rc == DB_ROW)
        read_region(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_region", NULL, "no region %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int region_list(struct db_conn *c, int (*cb)(const struct region *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct region r;
    int rc = db_query(c, &s, "SELECT " REGION_COLS " ORDER BY r.path", NULL);
    while (rc == DB_ROW) {
        read_region(s, &r);
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

static int validate_location(struct location *l)
{
    bool kind_ok = false;
    int m;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        kind_ok |= !strcmp(l->kind, kinds[i]);
    if (!is_code(l->code))
        return err_set(O2O_EINVAL, NULL, "code", "code must be 1-64 of A-Z a-z 0-9 _ - .");
    if (!l->name[0])
        return err_set(O2O_EINVAL, NULL, "name", "name is required");
    if (!kind_ok)
        return err_set(O2O_EINVAL, NULL, "kind", "kind must be store, warehouse or restaurant, not '%s'", l->kind);
    if (l->has_geo && (l->lat < -90 || l->lat > 90))
        return err_set(O2O_EINVAL, NULL, "lat", "lat must be within -90..90");
    if (l->has_geo && (l->lon < -180 || l->lon > 180))
        return err_set(O2O_EINVAL, NULL, "lon", "lon must be within -180..180");
    if (!l->timezone[0])
        str_copy(l->timezone, sizeof l->timezone, "Asia/Shanghai");
    if (!valid_tz(l->timezone))
        return err_set(O2O_EINVAL, NULL, "timezone", "timezone must be an IANA name like Asia/Shanghai");
    if (!l->opens_at[0])
        str_copy(l->opens_at, sizeof l->opens_at, "09:00");
    if (!l->closes_at[0])
        str_copy(l->closes_at, sizeof l->closes_at, "21:00");
    if (parse_hhmm(l->opens_at, &m))
        return err_set(O2O_EINVAL, NULL, "opens_at", "opens_at must be HH:MM");
    if (parse_hhmm(l->closes_at, &m))
        return err_set(O2O_EINVAL, NULL, "closes_at", "closes_at must be HH:MM");
    if (!l->status[0])
        str_copy(l->status, sizeof l->status, "open");
    if (strcmp(l->status, "open") && strcmp(l->status, "closed"))
        return err_set(O2O_EINVAL, NULL, "status", "status must be open or closed");
    return 0;
}

int location_create(struct db_conn *c, struct location *l)
{
    struct region r;
    int64_t id = 0;
    int rc = validate_location(l);
    struct db_stmt *s = NULL;
    if (rc)
        return rc;
    rc = region_get_by_code(c, l->region_code, &r);
    if (rc)
        return err_set(O2O_ENOTFOUND, "unknown_region", "region", "no region with code %s", l->region_code);
    l->region_id = r.id;
    l->created_at = now_ms();
    rc = db_prepare(c, &s,
                    "INSERT INTO locations (code, name, kind, region_id, address, lat, lon, timezone, opens_at, "
                    "closes_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                    "RETURNING id");
    if (rc)
        return rc;
    db_bind_text(s, 1, l->code);
    db_bind_text(s, 2, l->name);
    db_bind_text(s, 3, l->kind);
    db_bind_i64(s, 4, l->region_id);
    db_bind_text(s, 5, l->address);
    if (l->has_geo) {
        db_bind_f64(s, 6, l->lat);
        db_bind_f64(s, 7, l->lon);
    } else {
        db_bind_null(s, 6);
        db_bind_null(s, 7);
    }
    db_bind_text(s, 8, l->timezone);
    db_bind_text(s, 9, l->opens_at);
    db_bind_text(s, 10, l->closes_at);
    db_bind_text(s, 11, l->status);
    db_bind_i64(s, 12, l->created_at);
    rc = db_step(s);
    if (rc == DB_ROW)
        id = db_col_i64(s, 0);
    db_done(s);
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "location_exists", "code", "location %s already exists", l->code);
    if (rc < 0)
        return rc;
    l->id = id;
    atomic_store(&cache.stale, 1);
    return 0;
}

int location_update(struct db_conn *c, struct location *l)
{
    int64_t n;
    int rc = validate_location(l);
    if (rc)
        return rc;
    if (l->has_geo)
        n = db_exec(c,
                    "UPDATE locations SET name = $2, address = $3, lat = $4, lon = $5, timezone = $6, "
                    "opens_at = $7, closes_at = $8, status = $9 WHERE code = $1",
                    "tttddtttt", l->code, l->name, l->address, l->lat, l->lon, l->timezone, l->opens_at,
                    l->closes_at, l->status);
    else
        n = db_exec(c,
                    "UPDATE locations SET name = $2, address = $3, lat = NULL, lon = NULL, timezone = $4, "
                    "opens_at = $5, closes_at = $6, status = $7 WHERE code = $1",
                    "ttttttt", l->code, l->name, l->address, l->timezone, l->opens_at, l->closes_at, l->status);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ENOTFOUND, "unknown_location", NULL, "no location with code %s", l->code);
    atomic_store(&cache.stale, 1);
    return location_get_by_code(c, l->code, l);
}

#define LOC_COLS                                                                                           \
    "l.id, l.code, l.name, l.kind, l.region_id, r.code, l.address, l.lat, l.lon, l.timezone, l.opens_at, " \
    "l.closes_at, l.status, l.created_at FROM locations l JOIN regions r ON r.id = l.region_id"

static void read_loc(struct db_stmt *s, struct location *l)
{
    memset(l, 0, sizeof *l);
    l->id = db_col_i64(s, 0);
    str_copy(l->code, sizeof l->code, db_col_text(s, 1));
    str_copy(l->name, sizeof l->name, db_col_text(s, 2));
    str_copy(l->kind, sizeof l->kind, db_col_text(s, 3));
    l->region_id = db_col_i64(s, 4);
    str_copy(l->region_code, sizeof l->region_code, db_col_text(s, 5));
    str_copy(l->address, sizeof l->address, db_col_text(s, 6));
    l->has_geo = !db_col_null(s, 7) && !db_col_null(s, 8);
    l->lat = db_col_f64(s, 7);
    l->lon = db_col_f64(s, 8);
    str_copy(l->timezone, sizeof l->timezone, db_col_text(s, 9));
    str_copy(l->opens_at, sizeof l->opens_at, db_col_text(s, 10));
    str_copy(l->closes_at, sizeof l->closes_at, db_col_text(s, 11));
    str_copy(l->status, sizeof l->status, db_col_text(s, 12));
    l->created_at = db_col_i64(s, 13);
}

int location_get(struct db_conn *c, int64_t id, struct location *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " LOC_COLS " WHERE l.id = $1", "i", id);
    if (rc == DB_ROW)
        read_loc(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_location", NULL, "no location with id %" PRId64, id);
    return rc < 0 ? rc : 0;
}

int location_get_by_code(struct db_conn *c, const char *code, struct location *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " LOC_COLS " WHERE l.code = $1", "t", code);
    if (rc == DB_ROW)
        read_loc(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_location", NULL, "no location with code %s", code);
    return rc < 0 ? rc : 0;
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp((*(struct location *const *)a)->code, (*(struct location *const *)b)->code);
}

/* Reload the cache if it is stale; called without the lock held. */
static int cache_refresh(struct db_conn *c)
{
    struct db_stmt *s = NULL;
    struct location *rows = NULL, **by_code;
    size_t n = 0, cap = 0;
    int64_t now = now_ms();
    int rc;
    pthread_rwlock_rdlock(&cache.lock);
    rc = cache.loaded_at && now - cache.loaded_at < LOCATION_CACHE_MS && !atomic_load(&cache.stale);
    pthread_rwlock_unlock(&cache.lock);
    if (rc)
        return 0;
    atomic_store(&cache.stale, 0);
    rc = db_query(c, &s, "SELECT " LOC_COLS " ORDER BY l.id", NULL);
    while (rc == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        read_loc(s, &rows[n++]);
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    by_code = xcalloc(n ? n : 1, sizeof *by_code);
    for (size_t i = 0; i < n; i++)
        by_code[i] = &rows[i];
    qsort(by_code, n, sizeof *by_code, cmp_code);
    pthread_rwlock_wrlock(&cache.lock);
    free(cache.rows);
    free(cache.by_code);
    cache.rows = rows;
    cache.by_code = by_code;
    cache.n = n;
    cache.loaded_at = now;
    pthread_rwlock_unlock(&cache.lock);
    return 0;
}

int location_cached(struct db_conn *c, int64_t id, struct location *out)
{
    size_t lo = 0, hi;
    int rc = cache_refresh(c), found = 0;
    if (rc)
        return rc;
    pthread_rwlock_rdlock(&cache.lock);
    hi = cache.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cache.rows[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cache.n && cache.rows[lo].id == id) {
        *out = cache.rows[lo];
        found = 1;
    }
    pthread_rwlock_unlock(&cache.lock);
    return found ? 0 : location_get(c, id, out); /* newer than the cache */
}

int location_cached_by_code(struct db_conn *c, const char *code, struct location *out)
{
    size_t lo = 0, hi;
    int rc = cache_refresh(c), found = 0;
    if (rc)
        return rc;
    pthread_rwlock_rdlock(&cache.lock);
    hi = cache.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(cache.by_code[mid]->code, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cache.n && !strcmp(cache.by_code[lo]->code, code)) {
        *out = *cache.by_code[lo];
        found = 1;
    }
    pthread_rwlock_unlock(&cache.lock);
    return found ? 0 : location_get_by_code(c, code, out);
}

int location_list(struct db_conn *c, const struct principal *who, const char *kind,
                  int (*cb)(const struct location *l, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct location l;
    int rc;
    /* scope: chain sees all; region sees its subtree; a location sees itself */
    rc = db_query(c, &s,
                  "SELECT " LOC_COLS " WHERE ($1 = '' OR l.kind = $1) AND ("
                  "$2 = 0 OR ($2 = 1 AND r.path LIKE (SELECT path FROM regions WHERE id = $3) || '%') "
                  "OR ($2 = 2 AND l.id = $3)) ORDER BY l.code",
                  "tii", kind ? kind : "", (int64_t)(who->scope == SCOPE_SELF ? SCOPE_CHAIN : who->scope),
                  who->scope_id);
    while (rc == DB_ROW) {
        read_loc(s, &l);
        rc = cb(&l, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int64_t location_count(struct db_conn *c, const char *kind)
{
    int64_t n = 0;
    if (db_scalar_i64(c, &n, "SELECT COUNT(*) FROM locations WHERE $1 = '' OR kind = $1", "t", kind ? kind : ""))
        return 0;
    return n;
}

int scope_check_location(struct db_conn *c, const struct principal *who, int64_t location_id)
{
    int64_t ok = 0;
    switch (who->scope) {
    case SCOPE_CHAIN:
        return 0;
    case SCOPE_LOCATION:
        if (who->scope_id == location_id)
            return 0;
        break;
    case SCOPE_REGION:
        if (!db_scalar_i64(c, &ok,
                           "SELECT COUNT(*) FROM locations l JOIN regions r ON r.id = l.region_id WHERE l.id = $1 "
                           "AND r.path LIKE (SELECT path FROM regions WHERE id = $2) || '%'",
                           "ii", location_id, who->scope_id) &&
            ok)
            return 0;
        break;
    case SCOPE_SELF:
        break;
    }
    return err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "location is outside your scope");
}

int scope_check_region(struct db_conn *c, const struct principal *who, int64_t region_id)
{
    int64_t ok = 0;
    if (who->scope == SCOPE_CHAIN)
        return 0;
    if (who->scope == SCOPE_REGION &&
        !db_scalar_i64(c, &ok,
                       "SELECT COUNT(*) FROM regions WHERE id = $1 AND path LIKE (SELECT path FROM regions WHERE "
                       "id = $2) || '%'",
                       "ii", region_id, who->scope_id) &&
        ok)
        return 0;
    return err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "region is outside your scope");
}
