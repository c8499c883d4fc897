/*
** db.c -- backend-independent part of the SQL API: open by URL, shorthands,
** synchronous transactions, migrations and statistics.
** Owns table schema_migrations. Tests: tests/unit/test_db.c
*/
#include "db/db_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"

#define MODULE_NAME "db"

int db_open(struct db **out, const char *url, int writers)
{
    struct db *db = xcalloc(1, sizeof *db);
    const char *target = url;
    int rc;

    if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
        db->ops = &db_pg_ops;
    } else {
        db->ops = &db_sqlite_ops;
        if (!strncmp(url, "sqlite:", 7))
            target = url + 7;
        if (!strncmp(target, "//", 2))
            target += 2;
    }
    db->max_batch = 1024;
    rc = db->ops->open(db, target, writers);
    if (rc) {
        free(db);
        return rc;
    }
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    db->ops->close(db);
    free(db);
}

void db_set_max_batch(struct db *db, int n)
{
    db->max_batch = n < 1 ? 1 : n > 4096 ? 4096 : n;
}

const char *db_kind(const struct db *db)
{
    return db->ops->name;
}

const char *db_conn_kind(const struct db_conn *c)
{
    return c->db->ops->name;
}

struct db_conn *db_reader(struct db *db)
{
    return db->ops->reader(db);
}

void db_submit(struct db *db, struct db_job *job)
{
    db->ops->submit(db, job);
}

/* Synchronous transaction: a job whose completion wakes the caller. */
struct sync_job {
    struct db_job job;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished;
};

static void sync_done(struct db_job *job)
{
    struct sync_job *s = (struct sync_job *)job;
    pthread_mutex_lock(&s->mu);
    s->finished = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int db_txn(struct db *db, db_txn_fn fn, void *arg)
{
    struct sync_job s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    s.job.run = fn;
    s.job.arg = arg;
    s.job.done = sync_done;
    db_submit(db, &s.job);
    pthread_mutex_lock(&s.mu);
    while (!s.finished)
        pthread_cond_wait(&s.cv, &s.mu);
    pthread_mutex_unlock(&s.mu);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    if (s.job.rc)
        err_restore(&s.job.err);
    return s.job.rc;
}

int db_prepare(struct db_conn *c, struct db_stmt **out, const char *sql)
{
    return c->db->ops->prepare(c, out, sql);
}
void db_bind_i64(struct db_stmt *s, int n, int64_t v)
{
    s->conn->db->ops->bind_i64(s, n, v);
}
void db_bind_f64(struct db_stmt *s, int n, double v)
{
    s->conn->db->ops->bind_f64(s, n, v);
}
void db_bind_text(struct db_stmt *s, int n, const char *v)
{
    s->conn->db->ops->bind_text(s, n, v);
}
void db_bind_null(struct db_stmt *s, int n)
{
    s->conn->db->ops->bind_null(s, n);
}
int db_step(struct db_stmt *s)
{
    return s->conn->db->ops->step(s);
}
int64_t db_col_i64(struct db_stmt *s, int col)
{
    return s->conn->db->ops->col_i64(s, col);
}
double db_col_f64(struct db_stmt *s, int col)
{
    return s->conn->db->ops->col_f64(s, col);
}
const char *db_col_text(struct db_stmt *s, int col)
{
    return s->conn->db->ops->col_text(s, col);
}
bool db_col_null(struct db_stmt *s, int col)
{
    return s->conn->db->ops->col_null(s, col);
}
int64_t db_changes(struct db_stmt *s)
{
    return s->conn->db->ops->changes(s);
}
void db_done(struct db_stmt *s)
{
    if (s)
        s->conn->db->ops->done(s);
}
void db_snapshot_begin(struct db_conn *c)
{
    c->db->ops->snapshot(c, 1);
}
void db_snapshot_end(struct db_conn *c)
{
    c->db->ops->snapshot(c, 0);
}
uint64_t db_body_serial(const struct db_conn *c)
{
    return c->body;
}

int db_exec_raw(struct db_conn *c, const char *sql)
{
    return c->db->ops->exec_raw(c, sql);
}

static void bind_va(struct db_stmt *s, const char *types, va_list ap)
{
    /* a type string that does not match the statement is a bug: say so loudly */
    if (!s->nparams_1)
        s->nparams_1 = db_count_params(s->sql) + 1;
    if ((int)(types ? strlen(types) : 0) != s->nparams_1 - 1) {
        log_error("%d parameter type(s) for %d parameter(s) in: %.200s", types ? (int)strlen(types) : 0,
                  s->nparams_1 - 1, s->sql);
#ifdef O2O_STRICT
        abort();
#endif
    }
    for (int i = 0; types && types[i]; i++) {
        switch (types[i]) {
        case 'i': db_bind_i64(s, i + 1, va_arg(ap, int64_t)); break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            if (v)
                db_bind_i64(s, i + 1, v);
            else
                db_bind_null(s, i + 1);
            break;
        }
        case 'd': db_bind_f64(s, i + 1, va_arg(ap, double)); break;
        case 't': db_bind_text(s, i + 1, va_arg(ap, const char *)); break;
        case 'n': db_bind_null(s, i + 1); break;
        default:
            log_error("unknown parameter type '%c' for: %.200s", types[i], s->sql);
#ifdef O2O_STRICT
            abort();
#endif
            db_bind_null(s, i + 1);
            break;
        }
    }
}

int64_t db_exec(struct db_conn *c, const char *sql, const char *types, ...)
{
    struct db_stmt *s = NULL;
    va_list ap;
    int64_t rc;
    int step;

    rc = db_prepare(c, &s, sql);
    if (rc)
        return rc;
    va_start(ap, types);
    bind_va(s, types, ap);
    va_end(ap);
    do
        step = db_step(s);
    while (step == DB_ROW);
    rc = step < 0 ? step : db_changes(s);
    db_done(s);
    return rc;
}

int db_query(struct db_conn *c, struct db_stmt **out, const char *sql, const char *types, ...)
{
    va_list ap;
    int rc = db_prepare(c, out, sql);
    if (rc)
        return rc;
    va_start(ap, types);
    bind_va(*out, types, ap);
    va_end(ap);
    rc = db_step(*out);
    if (rc < 0) {
        db_done(*out);
        *out = NULL;
    }
    return rc;
}

int db_scalar_i64(struct db_conn *c, int64_t *out, const char *sql, const char *types, ...)
{
    struct db_stmt *s = NULL;
    va_list ap;
    int rc = db_prepare(c, &s, sql);
    if (rc)
        return rc;
    va_start(ap, types);
    bind_va(s, types, ap);
    va_end(ap);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *out = db_col_i64(s, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = O2O_ENOTFOUND;
    }
    db_done(s);
    return rc;
}

/* Interned texts of db_rows_sql: a few heads times a few row counts, kept for
** the life of the process (statement caches hold their addresses). */
static struct rows_sql {
    const char *head, *tail;
    int ncols, nrows;
    char *sql;
    struct rows_sql *next;
} *rows_sqls;
static pthread_mutex_t rows_mu = PTHREAD_MUTEX_INITIALIZER;

const char *db_rows_sql(const char *head, int ncols, int nrows)
{
    return db_rows_sql_tail(head, ncols, nrows, NULL);
}

const char *db_rows_sql_tail(const char *head, int ncols, int nrows, const char *tail)
{
    struct rows_sql *r;
    struct buf b = BUF_INIT(1 << 20);
    const char *out;
    pthread_mutex_lock(&rows_mu);
    for (r = rows_sqls; r; r = r->next)
        if (r->head == head && r->tail == tail && r->ncols == ncols && r->nrows == nrows)
            break;
    if (!r) {
        buf_adds(&b, head);
        for (int i = 0; i < nrows; i++) {
            buf_adds(&b, i ? ", (" : "(");
            for (int j = 0; j < ncols; j++)
                buf_addf(&b, j ? ", $%d" : "$%d", i * ncols + j + 1);
            buf_adds(&b, ")");
        }
        if (tail)
            buf_adds(&b, tail);
        r = xcalloc(1, sizeof *r);
        r->head = head;
        r->tail = tail;
        r->ncols = ncols;
        r->nrows = nrows;
        r->sql = buf_steal(&b);
        r->next = rows_sqls;
        rows_sqls = r;
    }
    out = r->sql;
    pthread_mutex_unlock(&rows_mu);
    return out;
}

int db_ping(struct db *db)
{
    int64_t one = 0;
    return db_scalar_i64(db_reader(db), &one, "SELECT 1", NULL);
}

static size_t slot_of(const struct stmt_cache *c, const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (c->cap - 1);
}

struct db_stmt *stmt_cache_find(const struct stmt_cache *c, const char *sql)
{
    if (!c->cap)
        return NULL;
    for (size_t i = slot_of(c, sql); c->tab[i]; i = (i + 1) & (c->cap - 1))
        if (c->tab[i]->sql == sql)
            return c->tab[i];
    return NULL;
}

void stmt_cache_add(struct stmt_cache *c, struct db_stmt *s)
{
    size_t i;
    if ((c->n + 1) * 2 > c->cap) {
        struct db_stmt **old = c->tab;
        size_t oldcap = c->cap;
        c->cap = c->cap ? c->cap * 2 : 64;
        c->tab = xcalloc(c->cap, sizeof *c->tab);
        c->n = 0;
        for (size_t k = 0; k < oldcap; k++)
            if (old[k])
                stmt_cache_add(c, old[k]);
        free(old);
    }
    for (i = slot_of(c, s->sql); c->tab[i]; i = (i + 1) & (c->cap - 1))
        ;
    c->tab[i] = s;
    c->n++;
}

void stmt_cache_free(struct stmt_cache *c)
{
    free(c->tab);
    c->tab = NULL;
    c->cap = c->n = 0;
}

int db_count_params(const char *sql)
{
    int max = 0;
    char q = 0;
    for (const char *p = sql; *p; p++) {
        if (q) {
            if (*p == q)
                q = 0;
        } else if (*p == '\'' || *p == '"') {
            q = *p;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            int n = 0;
            while (p[1] >= '0' && p[1] <= '9')
                n = n * 10 + (*++p - '0');
            if (n > max)
                max = n;
        }
    }
    return max;
}

void db_count_batch(struct db *db, unsigned n, unsigned r)
{
    int b = 0;
    atomic_fetch_add_explicit(&db->commits, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&db->txns, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&db->rollbacks, r, memory_order_relaxed);
    while (b < DB_HIST_BUCKETS - 1 && (1u << b) < n + r)
        b++;
    atomic_fetch_add_explicit(&db->hist[b], 1, memory_order_relaxed);
}

void db_get_stats(struct db *db, struct db_stats *out)
{
    out->commits = atomic_load(&db->commits);
    out->txns = atomic_load(&db->txns);
    out->rollbacks = atomic_load(&db->rollbacks);
    out->retries = atomic_load(&db->retries);
    for (int i = 0; i < DB_HIST_BUCKETS; i++)
        out->hist[i] = atomic_load(&db->hist[i]);
}

/* ---- migrations ---- */

int db_latest_version(void)
{
    return db_nmigrations ? db_migrations[db_nmigrations - 1].version : 0;
}

/* Keep the lines of a migration meant for this backend: those between a line
** "{{sqlite}}" (or "{{postgres}}") and a line "{{end}}" belong to that backend
** alone (an FTS5 table there, a trigram index here, under one name). */
static char *dialect_sections(int pg, const char *sql)
{
    struct buf b = BUF_INIT(1 << 24);
    const char *p = sql;
    int keep = 1;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        if (!strncmp(p, "{{sqlite}}", 10))
            keep = !pg;
        else if (!strncmp(p, "{{postgres}}", 12))
            keep = pg;
        else if (!strncmp(p, "{{end}}", 7))
            keep = 1;
        else if (keep)
            buf_add(&b, p, n);
        p += n;
    }
    return buf_steal(&b);
}

/* Replace the dialect markers of a migration: {{ID}} is an auto-increment primary
** key; {{WITHOUT_ROWID}} makes a SQLite table clustered on its primary key; and
** keep only this backend's sections (dialect_sections). */
static char *dialect_sql(const char *kind, const char *sql)
{
    static const char *markers[][3] = {
        {"{{ID}}", "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {"{{WITHOUT_ROWID}}", "WITHOUT ROWID", ""},
    };
    int pg = !strcmp(kind, "postgres");
    char *cur = dialect_sections(pg, sql);
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        struct buf b = BUF_INIT(1 << 24);
        const char *p = cur, *m;
        size_t ml = strlen(markers[i][0]);
        while ((m = strstr(p, markers[i][0]))) {
            buf_add(&b, p, (size_t)(m - p));
            buf_adds(&b, markers[i][pg ? 2 : 1]);
            p = m + ml;
        }
        buf_adds(&b, p);
        free(cur);
        cur = buf_steal(&b);
    }
    return cur;
}

static const char *migrations_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at BIGINT NOT NULL)";

static int create_table(struct db_conn *c, void *arg)
{
    (void)arg;
    return db_exec_raw(c, migrations_table);
}

int db_schema_version(struct db *db, int *out_version)
{
    int64_t v = 0;
    int rc = db_txn(db, create_table, NULL);
    if (rc)
        return rc;
    rc = db_scalar_i64(db_reader(db), &v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                       NULL);
    if (rc)
        return rc;
    *out_version = (int)v;
    return 0;
}

struct apply_arg {
    const struct db_migration *m;
};

static int apply_one(struct db_conn *c, void *arg)
{
    const struct db_migration *m = ((struct apply_arg *)arg)->m;
    char *sql = dialect_sql(db_conn_kind(c), m->sql);
    int64_t rc;
    int64_t have = 0;

    /* another process may have applied it meanwhile */
    rc = db_scalar_i64(c, &have, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1", "i",
                       (int64_t)m->version);
    if (!rc && have) {
        free(sql);
        return 0;
    }
    rc = db_exec_raw(c, sql);
    free(sql);
    if (rc)
        return (int)rc;
    rc = db_exec(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                 "iti", (int64_t)m->version, m->name, now_ms());
    return rc < 0 ? (int)rc : 0;
}

int db_migrate(struct db *db, int *applied)
{
    int cur = 0, n = 0, rc;
    rc = db_schema_version(db, &cur);
    if (rc)
        return rc;
    if (cur > db_latest_version())
        return err_set(O2O_ECONFLICT, "schema_too_new", NULL,
                       "database schema version %d is newer than this binary's %d", cur,
                       db_latest_version());
    for (int i = 0; i < db_nmigrations; i++) {
        struct apply_arg a = {&db_migrations[i]};
        if (db_migrations[i].version <= cur)
            continue;
        rc = db_txn(db, apply_one, &a);
        if (rc)
            return rc;
        n++;
    }
    if (applied)
        *applied = n;
    return 0;
}

int db_check_schema(struct db *db)
{
    int cur = 0;
    int rc = db_schema_version(db, &cur);
    if (rc)
        return rc;
    if (cur > db_latest_version())
        return err_set(O2O_ECONFLICT, "schema_too_new", NULL,
                       "database schema version %d is newer than this binary's %d: upgrade o2o", cur,
                       db_latest_version());
    if (cur < db_latest_version())
        return err_set(O2O_ECONFLICT, "schema_too_old", NULL,
                       "database schema version %d is older than %d: run 'o2o migrate'", cur,
                       db_latest_version());
    return 0;
}
