/*
** db_sqlite.c -- SQLite backend: WAL, synchronous=FULL, one writer thread with
** group commit (each body in its own SAVEPOINT, one COMMIT per batch), and one
** read connection per thread. Tests: tests/unit/test_db.c
*/
#include "db/db_int.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"

#define MODULE_NAME "db/sqlite"
#define MAX_BATCH 1024

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;   /* the prepared statement */
    const char *sql;    /* cache key (the caller's literal) */
    int nmap;           /* entries in map */
    int *map;           /* $n -> sqlite parameter index */
    int last_rc;        /* last sqlite3_step result */
};

struct sq_conn {
    struct db_conn base;
    sqlite3 *h;               /* the connection */
    struct sq_stmt **tab;     /* statement cache: open addressing on the SQL pointer */
    size_t cap, n;
    struct sq_conn *next;     /* all readers of the db */
};

struct sq_db {
    char *path;
    struct sq_conn *writer;   /* owned by the writer thread */
    pthread_t thread;
    pthread_mutex_t mu;       /* guards head, tail, stop, readers */
    pthread_cond_t cv;
    struct db_job *head, *tail;
    int stop;
    pthread_key_t key;        /* this thread's reader */
    struct sq_conn *readers;
};

static int map_rc(sqlite3 *h, int rc)
{
    int ext = sqlite3_extended_errcode(h);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(O2O_EEXISTS, NULL, NULL, "%s", sqlite3_errmsg(h));
    if (ext == SQLITE_CONSTRAINT_CHECK)
        return err_set(O2O_ECONFLICT, NULL, NULL, "%s", sqlite3_errmsg(h));
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY || ext == SQLITE_CONSTRAINT_NOTNULL)
        return err_set(O2O_EINVAL, NULL, NULL, "%s", sqlite3_errmsg(h));
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return err_set(O2O_ERETRY, NULL, NULL, "database busy: %s", sqlite3_errmsg(h));
    log_error("sqlite error %d: %s", ext, sqlite3_errmsg(h));
    return err_set(O2O_EDB, "storage_error", NULL, "storage error");
}

static int conn_open(struct db *db, const char *path, int readonly, struct sq_conn **out)
{
    struct sq_conn *c = xcalloc(1, sizeof *c);
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &c->h, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err_set(O2O_EDB, "storage_error", NULL, "cannot open %s: %s", path,
                c->h ? sqlite3_errmsg(c->h) : "out of memory");
        sqlite3_close(c->h);
        free(c);
        return O2O_EDB;
    }
    c->base.db = db;
    sqlite3_busy_timeout(c->h, 10000);
    sqlite3_exec(c->h, "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536",
                 NULL, NULL, NULL);
    *out = c;
    return 0;
}

static void conn_close(struct sq_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++) {
        if (c->tab[i]) {
            sqlite3_finalize(c->tab[i]->st);
            free(c->tab[i]->map);
            free(c->tab[i]);
        }
    }
    free(c->tab);
    sqlite3_close(c->h);
    free(c);
}

static int raw(struct sq_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int r;
        if (sqlite3_extended_errcode(c->h) == SQLITE_CONSTRAINT_UNIQUE)
            r = err_set(O2O_EEXISTS, NULL, NULL, "%s", msg ? msg : "constraint");
        else {
            log_error("sqlite exec failed: %s (%.80s)", msg ? msg : "?", sql);
            r = err_set(O2O_EDB, "storage_error", NULL, "storage error");
        }
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

static void reset_all(struct sq_conn *c)
{
    sqlite3_stmt *st = NULL;
    while ((st = sqlite3_next_stmt(c->h, st)))
        sqlite3_reset(st);
}

/* ---- the writer thread ---- */

static void *writer_main(void *arg)
{
    struct db *db = arg;
    struct sq_db *q = db->impl;
    struct sq_conn *w = q->writer;

    for (;;) {
        struct db_job *batch, *j, *next, **tailp;
        unsigned n = 0, ok = 0, rb = 0;
        int rc;

        pthread_mutex_lock(&q->mu);
        while (!q->head && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        if (!q->head && q->stop) {
            pthread_mutex_unlock(&q->mu);
            break;
        }
        batch = q->head;
        tailp = &q->head;
        while (*tailp && n < MAX_BATCH) {
            tailp = &(*tailp)->next;
            n++;
        }
        q->head = *tailp;
        *tailp = NULL;
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->mu);

        rc = raw(w, "BEGIN IMMEDIATE");
        for (j = batch; j; j = j->next) {
            if (rc) {
                j->rc = O2O_EDB;
                err_save(&j->err);
                continue;
            }
            raw(w, "SAVEPOINT job");
            err_clear();
            j->rc = j->run(&w->base, j->arg);
            if (j->rc) {
                err_save(&j->err);
                reset_all(w);
                if (sqlite3_get_autocommit(w->h)) {
                    /* a hard error ended the whole transaction: earlier bodies are lost too */
                    for (struct db_job *k = batch; k != j; k = k->next) {
                        if (!k->rc) {
                            k->rc = err_set(O2O_EDB, "storage_error", NULL, "storage error");
                            err_save(&k->err);
                        }
                    }
                    ok = 0;
                    rc = raw(w, "BEGIN IMMEDIATE");
                } else {
                    raw(w, "ROLLBACK TO job");
                    raw(w, "RELEASE job");
                }
                rb++;
            } else {
                raw(w, "RELEASE job");
                ok++;
            }
        }
        if (!rc && raw(w, "COMMIT")) {
            reset_all(w);
            raw(w, "ROLLBACK");
            for (j = batch; j; j = j->next) {
                if (!j->rc) {
                    j->rc = err_set(O2O_EDB, "storage_error", NULL, "commit failed");
                    err_save(&j->err);
                }
            }
            ok = 0;
        }
        db_count_batch(db, ok, rb);
        for (j = batch; j; j = next) {
            next = j->next;
            j->done(j);
        }
    }
    return NULL;
}

static void sq_submit(struct db *db, struct db_job *job)
{
    struct sq_db *q = db->impl;
    job->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static int sq_open(struct db *db, const char *path, int writers)
{
    struct sq_db *q = xcalloc(1, sizeof *q);
    int rc;
    (void)writers;
    q->path = xstrdup(path);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    pthread_key_create(&q->key, NULL);
    db->impl = q;
    rc = conn_open(db, path, 0, &q->writer);
    if (!rc)
        rc = raw(q->writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    if (rc) {
        conn_close(q->writer);
        pthread_key_delete(q->key);
        free(q->path);
        free(q);
        db->impl = NULL;
        return rc;
    }
    pthread_create(&q->thread, NULL, writer_main, db);
    return 0;
}

static void sq_close(struct db *db)
{
    struct sq_db *q = db->impl;
    struct sq_conn *r, *next;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    conn_close(q->writer);
    for (r = q->readers; r; r = next) {
        next = r->next;
        conn_close(r);
    }
    pthread_key_delete(q->key);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q->path);
    free(q);
}

static struct db_conn *sq_reader(struct db *db)
{
    struct sq_db *q = db->impl;
    struct sq_conn *c = pthread_getspecific(q->key);
    if (c)
        return &c->base;
    if (conn_open(db, q->path, 1, &c)) {
        log_error("cannot open a read connection on %s", q->path);
        abort();
    }
    pthread_setspecific(q->key, c);
    pthread_mutex_lock(&q->mu);
    c->next = q->readers;
    q->readers = c;
    pthread_mutex_unlock(&q->mu);
    return &c->base;
}

/* ---- statements ---- */

static size_t slot_of(struct sq_conn *c, const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (c->cap - 1);
}

static void cache_put(struct sq_conn *c, struct sq_stmt *s)
{
    size_t i;
    if ((c->n + 1) * 2 > c->cap) {
        struct sq_stmt **old = c->tab;
        size_t oldcap = c->cap;
        c->cap = c->cap ? c->cap * 2 : 64;
        c->tab = xcalloc(c->cap, sizeof *c->tab);
        c->n = 0;
        for (size_t k = 0; k < oldcap; k++)
            if (old[k])
                cache_put(c, old[k]);
        free(old);
    }
    for (i = slot_of(c, s->sql); c->tab[i]; i = (i + 1) & (c->cap - 1))
        ;
    c->tab[i] = s;
    c->n++;
}

static int sq_prepare(struct db_conn *bc, struct db_stmt **out, const char *sql)
{
    struct sq_conn *c = (struct sq_conn *)bc;
    struct sq_stmt *s;
    int np;
    if (c->cap) {
        for (size_t i = slot_of(c, sql); c->tab[i]; i = (i + 1) & (c->cap - 1)) {
            if (c->tab[i]->sql == sql) {
                *out = &c->tab[i]->base;
                return 0;
            }
        }
    }
    s = xcalloc(1, sizeof *s);
    if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) != SQLITE_OK) {
        log_error("prepare failed: %s: %s", sqlite3_errmsg(c->h), sql);
        free(s);
        return err_set(O2O_EDB, "storage_error", NULL, "storage error");
    }
    s->base.conn = bc;
    s->sql = sql;
    np = db_count_params(sql);
    s->nmap = np;
    s->map = xcalloc((size_t)np + 1, sizeof *s->map);
    for (int i = 1; i <= np; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i);
        s->map[i] = sqlite3_bind_parameter_index(s->st, name);
    }
    cache_put(c, s);
    *out = &s->base;
    return 0;
}

static int pidx(struct sq_stmt *s, int n)
{
    assert(n >= 1 && n <= s->nmap);
    return s->map[n];
}

static void sq_bind_i64(struct db_stmt *bs, int n, int64_t v)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    sqlite3_bind_int64(s->st, pidx(s, n), v);
}
static void sq_bind_f64(struct db_stmt *bs, int n, double v)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    sqlite3_bind_double(s->st, pidx(s, n), v);
}
static void sq_bind_text(struct db_stmt *bs, int n, const char *v)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    if (v)
        sqlite3_bind_text(s->st, pidx(s, n), v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->st, pidx(s, n));
}
static void sq_bind_null(struct db_stmt *bs, int n)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    sqlite3_bind_null(s->st, pidx(s, n));
}

static int sq_step(struct db_stmt *bs)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    int rc = sqlite3_step(s->st);
    s->last_rc = rc;
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return map_rc(sqlite3_db_handle(s->st), rc);
}

static int64_t sq_col_i64(struct db_stmt *bs, int col)
{
    return sqlite3_column_int64(((struct sq_stmt *)bs)->st, col);
}
static double sq_col_f64(struct db_stmt *bs, int col)
{
    return sqlite3_column_double(((struct sq_stmt *)bs)->st, col);
}
static const char *sq_col_text(struct db_stmt *bs, int col)
{
    return (const char *)sqlite3_column_text(((struct sq_stmt *)bs)->st, col);
}
static bool sq_col_null(struct db_stmt *bs, int col)
{
    return sqlite3_column_type(((struct sq_stmt *)bs)->st, col) == SQLITE_NULL;
}
static int64_t sq_changes(struct db_stmt *bs)
{
    return sqlite3_changes64(sqlite3_db_handle(((struct sq_stmt *)bs)->st));
}
static void sq_done(struct db_stmt *bs)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
}
static int sq_exec_raw(struct db_conn *bc, const char *sql)
{
    return raw((struct sq_conn *)bc, sql);
}

const struct db_ops db_sqlite_ops = {
    "sqlite",    sq_open,    sq_close,    sq_reader,   sq_submit,  sq_prepare,
    sq_bind_i64, sq_bind_f64, sq_bind_text, sq_bind_null, sq_step,   sq_col_i64,
    sq_col_f64,  sq_col_text, sq_col_null, sq_changes,  sq_done,    sq_exec_raw,
};
