/*
** db_sqlite.c -- SQLite backend: WAL, synchronous=FULL, one writer thread with
** group commit (each body in its own SAVEPOINT, one COMMIT per batch), and one
** read connection per thread. Tests: tests/unit/test_db.c
*/
#include "db/db_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"

#define MODULE_NAME "db/sqlite"

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;   /* the prepared statement */
    int returning_id;   /* "INSERT ... RETURNING id" run as a plain INSERT (see sq_prepare) */
    int state;          /* for returning_id: 0 not run, 1 row ready, 2 done */
    int64_t id;         /* for returning_id: the new rowid */
    char idtext[24];
    int nmap;           /* entries in map */
    int *map;           /* $n -> sqlite parameter index */
    int last_rc;        /* last sqlite3_step result */
};

struct sq_conn {
    struct db_conn base;
    sqlite3 *h;               /* the connection */
    struct stmt_cache cache;  /* prepared statements */
    struct sq_conn *next;     /* all readers of the db */
};

struct sq_db {
    char *path;
    pthread_t sync_thread;    /* makes committed batches durable, then completes them */
    struct db_job *synq;      /* jobs of committed batches waiting for the fsync, in order */
    struct db_job **synq_tail;
    int writer_gone;          /* the writer has stopped: the syncer drains and stops */
    int wal_fd;               /* the syncer's own descriptor of the WAL file */
    struct sq_conn *writer;   /* owned by the writer thread */
    pthread_t thread;
    pthread_t ckpt_thread;    /* checkpoints the WAL off the writer's path */
    struct sq_conn *ckpt;     /* its connection */
    int wal_pages;            /* WAL size after the last commit (guarded by mu) */
    pthread_mutex_t mu;       /* guards head, tail, stop, readers, wal_pages, synq */
    pthread_cond_t wcv;       /* wakes the writer */
    pthread_cond_t scv;       /* wakes the syncer */
    pthread_cond_t cv;        /* wakes the checkpointer */
    struct db_job *head, *tail;
    int stop;
    pthread_key_t key;        /* this thread's reader */
    struct sq_conn *readers;
};

/* Before the first connection: no global memory statistics (a mutex on every allocation). */
static void sq_global_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

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
    /* more small-allocation slots per connection: fewer trips to malloc */
    sqlite3_db_config(c->h, SQLITE_DBCONFIG_LOOKASIDE, NULL, 1200, 1000);
    sqlite3_busy_timeout(c->h, 10000);
    sqlite3_exec(c->h, "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536", NULL, NULL,
                 NULL);
    *out = c;
    return 0;
}

static void conn_close(struct sq_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cache.cap; i++) {
        struct sq_stmt *s = (struct sq_stmt *)c->cache.tab[i];
        if (s) {
            sqlite3_finalize(s->st);
            free(s->map);
            free(s);
        }
    }
    stmt_cache_free(&c->cache);
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

/* ---- the checkpointer: copies the WAL back into the database file in the
** background, so that the writer's commits never pay for it ---- */

#define CKPT_PAGES 8000      /* wake the checkpointer when the WAL holds this many pages */
#define CKPT_WRITER 32000    /* past this the writer finishes the checkpoint between two batches,
                             ** so that the WAL starts over (the background one never catches a
                             ** WAL that is written to all the time) */

static int on_wal_commit(void *arg, sqlite3 *h, const char *dbname, int pages)
{
    struct sq_db *q = arg;
    (void)h;
    (void)dbname;
    pthread_mutex_lock(&q->mu);
    q->wal_pages = pages;
    if (pages >= CKPT_PAGES)
        pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
    struct sq_db *q = arg;
    thread_name("o2o-ckpt");
    /* background copying yields the CPU to the writer and the event loops */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    for (;;) {
        int stop, pages;
        pthread_mutex_lock(&q->mu);
        while (q->wal_pages < CKPT_PAGES && !q->stop) {
            if (cond_wait_ms(&q->cv, &q->mu, 1000) && q->wal_pages > 0)
                break; /* at least once a second when there is anything */
        }
        stop = q->stop;
        pages = q->wal_pages;
        q->wal_pages = 0;
        pthread_mutex_unlock(&q->mu);
        if (stop)
            break;
        (void)pages;
        sqlite3_wal_checkpoint_v2(q->ckpt->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    return NULL;
}

/* ---- the syncer ---- */

static int open_wal(struct sq_db *q)
{
    char path[4096], dir[4096];
    const char *slash;
    int dfd;
    snprintf(path, sizeof path, "%s-wal", q->path);
    q->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (q->wal_fd < 0) {
        log_error("cannot open %s for syncing: %s", path, strerror(errno));
        return -1;
    }
    /* the WAL's directory entry, once */
    slash = strrchr(q->path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - q->path) : 1, slash ? q->path : ".");
    dfd = open(dir[0] ? dir : "/", O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static void *syncer_main(void *arg)
{
    struct sq_db *q = arg;
    thread_name("o2o-sync");
    for (;;) {
        struct db_job *list, *j, *next;
        int need = 0, failed = 0;
        pthread_mutex_lock(&q->mu);
        while (!q->synq && !q->writer_gone)
            pthread_cond_wait(&q->scv, &q->mu);
        list = q->synq;
        q->synq = NULL;
        q->synq_tail = &q->synq;
        pthread_mutex_unlock(&q->mu);
        if (!list)
            break; /* the writer is gone and everything is answered */
        for (j = list; j; j = j->next)
            need |= !j->rc;
        if (need && ((q->wal_fd < 0 && open_wal(q)) || fdatasync(q->wal_fd))) {
            log_error("cannot sync the WAL: %s", strerror(errno));
            failed = 1;
        }
        for (j = list; j; j = next) {
            next = j->next;
            if (failed && !j->rc) {
                j->rc = err_set(O2O_EDB, "storage_error", NULL, "the commit could not be made durable");
                err_save(&j->err);
            }
            j->done(j);
        }
    }
    return NULL;
}

/* ---- the writer thread ---- */

/* Transaction control on the writer, through cached prepared statements. */
static int ctl(struct sq_conn *w, const char *sql)
{
    int64_t rc = db_exec(&w->base, sql, NULL);
    return rc < 0 ? (int)rc : 0;
}

/* A hard error ended the transaction: every body of the batch fails. */
static void fail_all(struct db_job *batch, const char *msg)
{
    for (struct db_job *k = batch; k; k = k->next) {
        if (!k->rc) {
            k->rc = err_set(O2O_EDB, "storage_error", NULL, "%s", msg);
            err_save(&k->err);
        }
    }
}

/* Run one body inside a savepoint: a failure rolls back only its own changes.
** Returns 0, or -1 when a hard error ended the whole transaction. */
static int run_guarded(struct sq_conn *w, struct db_job *j)
{
    ctl(w, "SAVEPOINT job");
    err_clear();
    w->base.body++;
    j->rc = j->run(&w->base, j->arg);
    if (!j->rc) {
        ctl(w, "RELEASE job");
        return 0;
    }
    err_save(&j->err);
    reset_all(w);
    if (sqlite3_get_autocommit(w->h))
        return -1;
    ctl(w, "ROLLBACK TO job");
    ctl(w, "RELEASE job");
    return 0;
}

/* Run the bodies of a batch in one transaction and commit once. Bodies first run
** back to back without savepoints (a savepoint makes SQLite copy every page a body
** changes into a statement journal). When one fails, the transaction is rolled back,
** the bodies that had succeeded run again (bodies may run more than once: db.h), and
** the rest of the batch runs with a savepoint each. */
static void run_batch(struct sq_conn *w, struct db_job *batch, unsigned *ok, unsigned *rb)
{
    struct db_job *j;
    int guarded = 0;
    for (j = batch; j; j = j->next)
        j->rc = 0;
    if (ctl(w, "BEGIN IMMEDIATE")) {
        fail_all(batch, "cannot begin a transaction");
        goto count;
    }
    for (j = batch; j; j = j->next) {
        if (guarded) {
            if (run_guarded(w, j)) {
                fail_all(batch, "storage error");
                goto count;
            }
            continue;
        }
        err_clear();
        w->base.body++;
    j->rc = j->run(&w->base, j->arg);
        if (!j->rc)
            continue;
        err_save(&j->err);
        reset_all(w);
        if (!sqlite3_get_autocommit(w->h))
            raw(w, "ROLLBACK");
        guarded = 1;
        if (ctl(w, "BEGIN IMMEDIATE")) {
            fail_all(batch, "cannot begin a transaction");
            goto count;
        }
        for (struct db_job *k = batch; k != j; k = k->next) {
            if (k->rc)
                continue;
            if (run_guarded(w, k)) {
                fail_all(batch, "storage error");
                goto count;
            }
        }
    }
    if (ctl(w, "COMMIT")) {
        reset_all(w);
        raw(w, "ROLLBACK");
        fail_all(batch, "commit failed");
    }
count:
    if (!sqlite3_get_autocommit(w->h)) {
        reset_all(w);
        raw(w, "ROLLBACK");
    }
    *ok = *rb = 0;
    for (j = batch; j; j = j->next) {
        if (j->rc)
            (*rb)++;
        else
            (*ok)++;
    }
}

static void *writer_main(void *arg)
{
    struct db *db = arg;
    struct sq_db *q = db->impl;
    struct sq_conn *w = q->writer;
    thread_name("o2o-writer");

    for (;;) {
        struct db_job *batch, *j, **tailp;
        unsigned n = 0, ok = 0, rb = 0;
        int rc;

        pthread_mutex_lock(&q->mu);
        while (!q->head && !q->stop)
            pthread_cond_wait(&q->wcv, &q->mu);
        if (!q->head && q->stop) {
            pthread_mutex_unlock(&q->mu);
            break;
        }
        batch = q->head;
        tailp = &q->head;
        while (*tailp && n < (unsigned)db->max_batch) {
            tailp = &(*tailp)->next;
            n++;
        }
        q->head = *tailp;
        *tailp = NULL;
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->mu);

        run_batch(w, batch, &ok, &rb);
        db_count_batch(db, ok, rb);
        if (db->max_batch == 1) {
            /* the baseline the benchmarks compare with: every write waits for its own fsync */
            if (ok && ((q->wal_fd < 0 && open_wal(q)) || fdatasync(q->wal_fd)))
                fail_all(batch, "the commit could not be made durable");
            batch->done(batch);
            continue;
        }
        /* durability and completion are the syncer's: go on with the next batch */
        for (j = batch; j->next; j = j->next)
            ;
        pthread_mutex_lock(&q->mu);
        *q->synq_tail = batch;
        q->synq_tail = &j->next;
        pthread_cond_signal(&q->scv);
        pthread_mutex_unlock(&q->mu);
        pthread_mutex_lock(&q->mu);
        rc = q->wal_pages >= CKPT_WRITER;
        pthread_mutex_unlock(&q->mu);
        if (rc) /* mostly backfilled already by the checkpointer: cheap, and resets the WAL */
            sqlite3_wal_checkpoint_v2(w->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
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
    pthread_cond_signal(&q->wcv);
    pthread_mutex_unlock(&q->mu);
}

static int sq_open(struct db *db, const char *path, int writers)
{
    struct sq_db *q = xcalloc(1, sizeof *q);
    int rc;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_global_config);
    (void)writers;
    q->path = xstrdup(path);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    pthread_cond_init(&q->wcv, NULL);
    pthread_cond_init(&q->scv, NULL);
    q->synq_tail = &q->synq;
    q->wal_fd = -1;
    pthread_key_create(&q->key, NULL);
    db->impl = q;
    rc = conn_open(db, path, 0, &q->writer);
    if (!rc)
        /* NORMAL: commits do not fsync; the syncer does, before anyone is told (see top) */
        rc = raw(q->writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    if (!rc)
        rc = conn_open(db, path, 0, &q->ckpt);
    if (rc) {
        conn_close(q->ckpt);
        conn_close(q->writer);
        pthread_key_delete(q->key);
        free(q->path);
        free(q);
        db->impl = NULL;
        return rc;
    }
    sqlite3_wal_autocheckpoint(q->writer->h, 0);
    sqlite3_wal_hook(q->writer->h, on_wal_commit, q);
    pthread_create(&q->thread, NULL, writer_main, db);
    pthread_create(&q->sync_thread, NULL, syncer_main, q);
    pthread_create(&q->ckpt_thread, NULL, checkpointer_main, q);
    return 0;
}

static void sq_close(struct db *db)
{
    struct sq_db *q = db->impl;
    struct sq_conn *r, *next;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->wcv);
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    pthread_mutex_lock(&q->mu);
    q->writer_gone = 1;
    pthread_cond_broadcast(&q->scv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->sync_thread, NULL);
    if (q->wal_fd >= 0)
        close(q->wal_fd);
    pthread_join(q->ckpt_thread, NULL);
    sqlite3_wal_checkpoint_v2(q->writer->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    conn_close(q->ckpt);
    conn_close(q->writer);
    for (r = q->readers; r; r = next) {
        next = r->next;
        conn_close(r);
    }
    pthread_key_delete(q->key);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    pthread_cond_destroy(&q->wcv);
    pthread_cond_destroy(&q->scv);
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

static int sq_prepare(struct db_conn *bc, struct db_stmt **out, const char *sql)
{
    struct sq_conn *c = (struct sq_conn *)bc;
    struct sq_stmt *s;
    int np;
    *out = stmt_cache_find(&c->cache, sql);
    if (*out)
        return 0;
    s = xcalloc(1, sizeof *s);
    /* SQLite runs RETURNING through a temporary table (a b-tree and a page cache
    ** per execution); for "INSERT ... RETURNING id" on a rowid table the new rowid
    ** is the same answer at a fraction of the cost */
    {
        size_t len = strlen(sql), sl = strlen(" RETURNING id");
        if (len > sl && !strncmp(sql, "INSERT", 6) && !strcmp(sql + len - sl, " RETURNING id")) {
            char *plain = xstrndup(sql, len - sl);
            int prc = sqlite3_prepare_v3(c->h, plain, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
            free(plain);
            if (prc != SQLITE_OK) {
                log_error("prepare failed: %s: %s", sqlite3_errmsg(c->h), sql);
                free(s);
                return err_set(O2O_EDB, "storage_error", NULL, "storage error");
            }
            s->returning_id = 1;
        }
    }
    if (!s->st && sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) != SQLITE_OK) {
        log_error("prepare failed: %s: %s", sqlite3_errmsg(c->h), sql);
        free(s);
        return err_set(O2O_EDB, "storage_error", NULL, "storage error");
    }
    s->base.conn = bc;
    s->base.sql = sql;
    np = db_count_params(sql);
    s->nmap = np;
    s->map = xcalloc((size_t)np + 1, sizeof *s->map);
    for (int i = 1; i <= np; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i);
        s->map[i] = sqlite3_bind_parameter_index(s->st, name);
    }
    stmt_cache_add(&c->cache, &s->base);
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
    int rc;
    if (s->returning_id) {
        if (s->state == 0) {
            rc = sqlite3_step(s->st);
            if (rc != SQLITE_DONE)
                return map_rc(sqlite3_db_handle(s->st), rc);
            s->state = 2;
            if (sqlite3_changes(sqlite3_db_handle(s->st)) > 0) {
                s->id = sqlite3_last_insert_rowid(sqlite3_db_handle(s->st));
                snprintf(s->idtext, sizeof s->idtext, "%lld", (long long)s->id);
                s->state = 1;
                return DB_ROW;
            }
            return DB_DONE;
        }
        s->state = 2;
        return DB_DONE;
    }
    rc = sqlite3_step(s->st);
    s->last_rc = rc;
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return map_rc(sqlite3_db_handle(s->st), rc);
}

static int64_t sq_col_i64(struct db_stmt *bs, int col)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    return s->returning_id ? s->id : sqlite3_column_int64(s->st, col);
}
static double sq_col_f64(struct db_stmt *bs, int col)
{
    return sqlite3_column_double(((struct sq_stmt *)bs)->st, col);
}
static const char *sq_col_text(struct db_stmt *bs, int col)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    return s->returning_id ? s->idtext : (const char *)sqlite3_column_text(s->st, col);
}
static bool sq_col_null(struct db_stmt *bs, int col)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    return s->returning_id ? false : sqlite3_column_type(s->st, col) == SQLITE_NULL;
}
static int64_t sq_changes(struct db_stmt *bs)
{
    return sqlite3_changes64(sqlite3_db_handle(((struct sq_stmt *)bs)->st));
}
static void sq_done(struct db_stmt *bs)
{
    struct sq_stmt *s = (struct sq_stmt *)bs;
    s->state = 0;
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
}
static int sq_exec_raw(struct db_conn *bc, const char *sql)
{
    return raw((struct sq_conn *)bc, sql);
}

static void sq_snapshot(struct db_conn *bc, int begin)
{
    struct sq_conn *c = (struct sq_conn *)bc;
    if (begin && sqlite3_get_autocommit(c->h))
        db_exec(bc, "BEGIN", NULL);
    else if (!begin && !sqlite3_get_autocommit(c->h))
        db_exec(bc, "COMMIT", NULL);
}

const struct db_ops db_sqlite_ops = {
    "sqlite",    sq_open,    sq_close,    sq_reader,   sq_submit,  sq_prepare,
    sq_bind_i64, sq_bind_f64, sq_bind_text, sq_bind_null, sq_step,   sq_col_i64,
    sq_col_f64,  sq_col_text, sq_col_null, sq_changes,  sq_done,    sq_exec_raw, sq_snapshot,
};
