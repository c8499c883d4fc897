/*
** db_pg.c -- PostgreSQL backend: a pool of writer threads, each with its own
** connection, running every transaction body in its own transaction (READ
** COMMITTED) and retrying it on serialization failure or deadlock; one read
** connection per thread. Parameters travel as text. libpq is loaded when the
** first PostgreSQL database is opened (dlopen), so that commands on SQLite do
** not pay for loading it and its twenty dependencies at every start.
** Tests: tests/unit/test_db.c
*/
#include "db/db_int.h"

#include <assert.h>
#include <dlfcn.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"

#define MODULE_NAME "db/postgres"
#define MAX_PARAMS 65535      /* the protocol's limit */
#define MAX_RETRIES 20

/* ---- libpq, loaded on first use ---- */

#define PQ_FUNCS(X)                                                                                            \
    X(PQclear) X(PQstatus) X(PQresultStatus) X(PQresultErrorMessage) X(PQreset) X(PQgetisnull) X(PQfinish)   \
    X(PQerrorMessage) X(PQcmdTuples) X(PQsetNoticeProcessor) X(PQresultErrorField) X(PQprepare) X(PQntuples)  \
    X(PQgetvalue) X(PQexecPrepared) X(PQexec) X(PQconnectdb)

static struct {
#define X(f) __typeof__(f) *f;
    PQ_FUNCS(X)
#undef X
} pq;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static const char *pq_missing; /* why libpq cannot be used, NULL when loaded */

static void pq_load(void)
{
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        pq_missing = "libpq.so.5 is not installed (Debian package libpq5)";
        return;
    }
#define X(f)                                                                                                   \
    if (!(*(void **)&pq.f = dlsym(h, #f)))                                                                     \
        pq_missing = "libpq.so.5 lacks " #f;
    PQ_FUNCS(X)
#undef X
}

/* 0 when libpq is there, else an error. */
static int pq_ready(void)
{
    pthread_once(&pq_once, pq_load);
    return pq_missing ? err_set(O2O_EDB, "storage_error", NULL, "cannot use PostgreSQL: %s", pq_missing) : 0;
}

/* from here on, PQfoo is the loaded function */
#define PQclear pq.PQclear
#define PQstatus pq.PQstatus
#define PQresultStatus pq.PQresultStatus
#define PQresultErrorMessage pq.PQresultErrorMessage
#define PQreset pq.PQreset
#define PQgetisnull pq.PQgetisnull
#define PQfinish pq.PQfinish
#define PQerrorMessage pq.PQerrorMessage
#define PQcmdTuples pq.PQcmdTuples
#define PQsetNoticeProcessor pq.PQsetNoticeProcessor
#define PQresultErrorField pq.PQresultErrorField
#define PQprepare pq.PQprepare
#define PQntuples pq.PQntuples
#define PQgetvalue pq.PQgetvalue
#define PQexecPrepared pq.PQexecPrepared
#define PQexec pq.PQexec
#define PQconnectdb pq.PQconnectdb

struct pg_stmt {
    struct db_stmt base;
    char name[16];            /* server-side prepared statement name */
    int nparams;
    PGresult *res;            /* result of the execution, NULL before it */
    int row, nrows;           /* cursor in res */
    int64_t changes;
    char *vals[];             /* nparams owned parameter texts (NULL = SQL NULL) */
};

struct pg_conn {
    struct db_conn base;
    PGconn *h;
    struct stmt_cache cache;  /* prepared statements */
    int seq;                  /* statement name counter */
    int failed;               /* the current transaction saw an error */
    struct pg_conn *next;     /* all readers */
};

struct pg_db {
    char *url;
    int nwriters;
    pthread_t *threads;
    pthread_mutex_t mu;       /* guards head, tail, stop, readers */
    pthread_cond_t cv;
    struct db_job *head, *tail;
    int stop;
    pthread_key_t key;
    struct pg_conn *readers;
};

static void notice_quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static int conn_open(struct db *db, const char *url, struct pg_conn **out)
{
    struct pg_conn *c = xcalloc(1, sizeof *c);
    c->h = PQconnectdb(url);
    if (PQstatus(c->h) != CONNECTION_OK) {
        err_set(O2O_EDB, "storage_error", NULL, "cannot connect to PostgreSQL: %s",
                PQerrorMessage(c->h));
        PQfinish(c->h);
        free(c);
        return O2O_EDB;
    }
    PQsetNoticeProcessor(c->h, notice_quiet, NULL);
    c->base.db = db;
    *out = c;
    return 0;
}

static void conn_close(struct pg_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cache.cap; i++) {
        struct pg_stmt *s = (struct pg_stmt *)c->cache.tab[i];
        if (!s)
            continue;
        for (int k = 0; k < s->nparams; k++)
            free(s->vals[k]);
        PQclear(s->res);
        free(s);
    }
    stmt_cache_free(&c->cache);
    PQfinish(c->h);
    free(c);
}

static int map_error(struct pg_conn *c, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c->h);
    c->failed = 1;
    if (state && !strcmp(state, "23505"))
        return err_set(O2O_EEXISTS, NULL, NULL, "%s", msg);
    if (state && !strcmp(state, "23514"))
        return err_set(O2O_ECONFLICT, NULL, NULL, "%s", msg);
    if (state && (!strcmp(state, "23503") || !strcmp(state, "23502")))
        return err_set(O2O_EINVAL, NULL, NULL, "%s", msg);
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
        return err_set(O2O_ERETRY, NULL, NULL, "%s", msg);
    log_error("postgres error %s: %s", state ? state : "?", msg);
    return err_set(O2O_EDB, "storage_error", NULL, "storage error");
}

static int raw(struct pg_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->h, sql);
    int rc = 0;
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = map_error(c, r);
    PQclear(r);
    return rc;
}

/* Run one job to the end, retrying transient failures. */
static void run_job(struct db *db, struct pg_conn *w, struct db_job *j)
{
    for (int attempt = 0;; attempt++) {
        int rc;
        w->failed = 0;
        rc = raw(w, "BEGIN");
        if (!rc) {
            err_clear();
            w->base.body++;
            rc = j->run(&w->base, j->arg);
        }
        if (!rc)
            rc = raw(w, "COMMIT");
        else
            raw(w, "ROLLBACK");
        if (rc == O2O_ERETRY && attempt < MAX_RETRIES) {
            atomic_fetch_add_explicit(&db->retries, 1, memory_order_relaxed);
            usleep((useconds_t)(200 * (attempt + 1)));
            continue;
        }
        if (rc == O2O_ERETRY)
            rc = err_set(O2O_ECONFLICT, "busy", NULL, "too much contention, retry later");
        if (PQstatus(w->h) != CONNECTION_OK) {
            log_warn("writer connection lost, resetting");
            PQreset(w->h);
        }
        j->rc = rc;
        if (rc)
            err_save(&j->err);
        db_count_batch(db, rc ? 0 : 1, rc ? 1 : 0);
        return;
    }
}

struct writer_arg {
    struct db *db;
    struct pg_conn *conn;
};

static void *writer_main(void *arg)
{
    struct writer_arg *wa = arg;
    struct db *db = wa->db;
    struct pg_conn *w = wa->conn;
    struct pg_db *q = db->impl;
    thread_name("o2o-pgwriter");
    free(wa);
    for (;;) {
        struct db_job *j;
        pthread_mutex_lock(&q->mu);
        while (!q->head && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        if (!q->head) {
            pthread_mutex_unlock(&q->mu);
            break;
        }
        j = q->head;
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        run_job(db, w, j);
        j->done(j);
    }
    conn_close(w);
    return NULL;
}

static void pg_submit(struct db *db, struct db_job *job)
{
    struct pg_db *q = db->impl;
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

static int pg_open(struct db *db, const char *url, int writers)
{
    struct pg_db *q;
    struct pg_conn **conns;
    int rc = pq_ready();

    if (rc)
        return rc;
    q = xcalloc(1, sizeof *q);
    q->url = xstrdup(url);
    q->nwriters = writers > 0 ? writers : 16;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    pthread_key_create(&q->key, NULL);
    db->impl = q;
    conns = xcalloc((size_t)q->nwriters, sizeof *conns);
    for (int i = 0; i < q->nwriters && !rc; i++)
        rc = conn_open(db, url, &conns[i]);
    if (rc) {
        for (int i = 0; i < q->nwriters; i++)
            conn_close(conns[i]);
        free(conns);
        pthread_key_delete(q->key);
        free(q->url);
        free(q);
        db->impl = NULL;
        return rc;
    }
    q->threads = xcalloc((size_t)q->nwriters, sizeof *q->threads);
    for (int i = 0; i < q->nwriters; i++) {
        struct writer_arg *wa = xmalloc(sizeof *wa);
        wa->db = db;
        wa->conn = conns[i];
        pthread_create(&q->threads[i], NULL, writer_main, wa);
    }
    free(conns);
    return 0;
}

static void pg_close(struct db *db)
{
    struct pg_db *q = db->impl;
    struct pg_conn *r, *next;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    for (int i = 0; i < q->nwriters; i++)
        pthread_join(q->threads[i], NULL);
    for (r = q->readers; r; r = next) {
        next = r->next;
        conn_close(r);
    }
    free(q->threads);
    pthread_key_delete(q->key);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q->url);
    free(q);
}

static struct db_conn *pg_reader(struct db *db)
{
    struct pg_db *q = db->impl;
    struct pg_conn *c = pthread_getspecific(q->key);
    if (c) {
        if (PQstatus(c->h) != CONNECTION_OK)
            PQreset(c->h);
        return &c->base;
    }
    if (conn_open(db, q->url, &c)) {
        log_error("cannot open a read connection: %s", err_last()->msg);
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

static int pg_prepare(struct db_conn *bc, struct db_stmt **out, const char *sql)
{
    struct pg_conn *c = (struct pg_conn *)bc;
    struct pg_stmt *s;
    PGresult *r;
    int n;
    *out = stmt_cache_find(&c->cache, sql);
    if (*out)
        return 0;
    n = db_count_params(sql);
    assert(n <= MAX_PARAMS);
    s = xcalloc(1, sizeof *s + (size_t)n * sizeof s->vals[0]);
    s->base.conn = bc;
    s->base.sql = sql;
    s->nparams = n;
    snprintf(s->name, sizeof s->name, "s%d", ++c->seq);
    r = PQprepare(c->h, s->name, sql, s->nparams, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        int rc;
        log_error("prepare failed: %s: %s", PQresultErrorMessage(r), sql);
        rc = map_error(c, r);
        PQclear(r);
        free(s);
        return rc == O2O_ERETRY ? rc : err_set(O2O_EDB, "storage_error", NULL, "storage error");
    }
    PQclear(r);
    stmt_cache_add(&c->cache, &s->base);
    *out = &s->base;
    return 0;
}

static void set_val(struct pg_stmt *s, int n, char *v)
{
    assert(n >= 1 && n <= s->nparams);
    free(s->vals[n - 1]);
    s->vals[n - 1] = v;
}

static void pg_bind_i64(struct db_stmt *bs, int n, int64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    set_val((struct pg_stmt *)bs, n, xstrdup(tmp));
}
static void pg_bind_f64(struct db_stmt *bs, int n, double v)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.17g", v);
    set_val((struct pg_stmt *)bs, n, xstrdup(tmp));
}
static void pg_bind_text(struct db_stmt *bs, int n, const char *v)
{
    set_val((struct pg_stmt *)bs, n, xstrdup(v));
}
static void pg_bind_null(struct db_stmt *bs, int n)
{
    set_val((struct pg_stmt *)bs, n, NULL);
}

static int pg_step(struct db_stmt *bs)
{
    struct pg_stmt *s = (struct pg_stmt *)bs;
    struct pg_conn *c = (struct pg_conn *)bs->conn;
    if (!s->res) {
        ExecStatusType st;
        s->res = PQexecPrepared(c->h, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0);
        st = PQresultStatus(s->res);
        if (st == PGRES_TUPLES_OK) {
            s->nrows = PQntuples(s->res);
            s->row = -1;
        } else if (st == PGRES_COMMAND_OK) {
            s->nrows = 0;
            s->row = -1;
        } else {
            int rc = map_error(c, s->res);
            PQclear(s->res);
            s->res = NULL;
            return rc;
        }
        s->changes = strtoll(PQcmdTuples(s->res)[0] ? PQcmdTuples(s->res) : "0", NULL, 10);
    }
    if (s->row + 1 < s->nrows) {
        s->row++;
        return DB_ROW;
    }
    return DB_DONE;
}

static const char *pg_col_text(struct db_stmt *bs, int col)
{
    struct pg_stmt *s = (struct pg_stmt *)bs;
    if (!s->res || s->row < 0 || PQgetisnull(s->res, s->row, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}
static int64_t pg_col_i64(struct db_stmt *bs, int col)
{
    const char *v = pg_col_text(bs, col);
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1])
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}
static double pg_col_f64(struct db_stmt *bs, int col)
{
    const char *v = pg_col_text(bs, col);
    return v ? strtod(v, NULL) : 0.0;
}
static bool pg_col_null(struct db_stmt *bs, int col)
{
    struct pg_stmt *s = (struct pg_stmt *)bs;
    return !s->res || s->row < 0 || PQgetisnull(s->res, s->row, col);
}
static int64_t pg_changes(struct db_stmt *bs)
{
    return ((struct pg_stmt *)bs)->changes;
}
static void pg_done(struct db_stmt *bs)
{
    struct pg_stmt *s = (struct pg_stmt *)bs;
    PQclear(s->res);
    s->res = NULL;
    s->row = s->nrows = 0;
    s->changes = 0;
    for (int k = 0; k < s->nparams; k++) {
        free(s->vals[k]);
        s->vals[k] = NULL;
    }
}
static int pg_exec_raw(struct db_conn *bc, const char *sql)
{
    return raw((struct pg_conn *)bc, sql);
}

static void pg_snapshot(struct db_conn *c, int begin)
{
    (void)c;
    (void)begin;
}

const struct db_ops db_pg_ops = {
    "postgres",  pg_open,     pg_close,     pg_reader,    pg_submit, pg_prepare,
    pg_bind_i64, pg_bind_f64, pg_bind_text, pg_bind_null, pg_step,   pg_col_i64,
    pg_col_f64,  pg_col_text, pg_col_null,  pg_changes,   pg_done,   pg_exec_raw, pg_snapshot,
};
