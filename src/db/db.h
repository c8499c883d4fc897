/*
** db.h -- the one small SQL API of o2o, with two backends behind it:
** SQLite (embedded default) and PostgreSQL (scale-out).
**
** SQL text is shared by both backends: $1..$n placeholders, INSERT ... RETURNING,
** ON CONFLICT ... DO UPDATE, integer money and epoch-millisecond times.
** PostgreSQL infers a parameter's type from its first use: compare it with a
** BIGINT column first ("p.launch_at <= $2 OR $2 = 0"), never with a bare literal
** first ("$2 = 0" would make it a 32-bit integer).
** All writes go through db_txn()/db_submit(): on SQLite one writer thread runs
** every transaction body in its own SAVEPOINT and commits a whole batch at once
** (group commit); on PostgreSQL each body runs in its own transaction on a pooled
** connection and is retried on serialization failure or deadlock.
** Transaction bodies may therefore run more than once: they must not have side
** effects outside the database other than filling their output.
*/
#ifndef O2O_DB_DB_H
#define O2O_DB_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct db;      /* a database: opaque */
struct db_conn; /* one connection: a reader, or the one a transaction body runs on */
struct db_stmt; /* a prepared statement, cached per connection */

enum { DB_DONE = 0, DB_ROW = 1 };

/* A transaction body. Returns 0 to commit, or a negative o2o_err (with err_set) to roll back. */
typedef int (*db_txn_fn)(struct db_conn *c, void *arg);

/* An asynchronous write. The caller owns the struct; done() is called once, on a storage
** thread, after the commit (rc 0) or the rollback (rc < 0, details in err). */
struct db_job {
    db_txn_fn run;                          /* the transaction body */
    void (*done)(struct db_job *job);       /* completion; may free the job */
    void *arg;                              /* passed to run */
    int rc;                                 /* result, set before done() */
    struct err_rec err;                     /* error record when rc < 0 */
    struct db_job *next;                    /* queue link, private to db */
};

/* Open/close. url is "sqlite:PATH" (or a bare path) or "postgres://..." / "postgresql://...".
** writers: PostgreSQL connections for writes (0 = default 16). */
int db_open(struct db **out, const char *url, int writers);
void db_close(struct db *db);
const char *db_kind(const struct db *db);   /* "sqlite" or "postgres" */

/* Schema. db_migrate applies pending numbered migrations (applied may be NULL).
** db_check_schema fails when the database is newer than this binary or not migrated. */
int db_migrate(struct db *db, int *applied);
int db_check_schema(struct db *db);
int db_schema_version(struct db *db, int *out_version);
int db_latest_version(void);

/* SQLite: commit after at most n bodies (default 1024; 1 = one commit per write,
** the baseline the benchmarks compare group commit with). PostgreSQL: no effect. */
void db_set_max_batch(struct db *db, int n);

/* Run fn in a transaction and wait for the commit. Not to be called from a
** storage thread. Returns fn's result, O2O_EDB if the commit failed. */
int db_txn(struct db *db, db_txn_fn fn, void *arg);
/* Queue a write; returns at once. */
void db_submit(struct db *db, struct db_job *job);

/* This thread's read connection (created on first use, closed with the db).
** Reads see committed data only. */
struct db_conn *db_reader(struct db *db);

/* Read snapshots: between db_snapshot_begin and db_snapshot_end every read on
** this reader sees the same committed state, and SQLite takes its read lock once
** instead of once per statement. A no-op on PostgreSQL (where it would cost two
** round trips). */
void db_snapshot_begin(struct db_conn *c);
void db_snapshot_end(struct db_conn *c);

/* Statements. db_prepare returns a cached statement for this connection, keyed
** by the SQL text (pass string literals). Bind $n with 1-based n. db_step returns
** DB_ROW, DB_DONE or a negative o2o_err (O2O_EEXISTS for a unique violation,
** O2O_ERETRY for a serialization failure, O2O_EDB otherwise). Always finish with
** db_done(), which resets the statement for reuse. */
int db_prepare(struct db_conn *c, struct db_stmt **out, const char *sql);
void db_bind_i64(struct db_stmt *s, int n, int64_t v);
void db_bind_f64(struct db_stmt *s, int n, double v);
void db_bind_text(struct db_stmt *s, int n, const char *v); /* NULL binds NULL; copied */
void db_bind_null(struct db_stmt *s, int n);
int db_step(struct db_stmt *s);
int64_t db_col_i64(struct db_stmt *s, int col);
double db_col_f64(struct db_stmt *s, int col);
const char *db_col_text(struct db_stmt *s, int col); /* borrowed until next step; NULL if NULL */
bool db_col_null(struct db_stmt *s, int col);
int64_t db_changes(struct db_stmt *s);              /* rows changed, valid after DB_DONE */
void db_done(struct db_stmt *s);

/* The SQL text "head ($1, .., $k), ($k+1, .., $2k), .." of an n-row VALUES list
** with k = ncols placeholders per row, for inserting several rows in one
** statement. head ends with "VALUES " and must be a string literal; the same
** (head, ncols, nrows) gives the same pointer, so the statement is cached. */
const char *db_rows_sql(const char *head, int ncols, int nrows);
/* The same followed by tail (a string literal, e.g. " ON CONFLICT DO NOTHING"). */
const char *db_rows_sql_tail(const char *head, int ncols, int nrows, const char *tail);

/* Shorthands. types holds one letter per parameter $1..$n: 'i' int64_t, 'd' double,
** 't' const char * (NULL binds NULL), 'n' NULL (no argument).
** db_exec runs a statement to completion and returns the changed-row count or an error.
** db_query prepares, binds and steps once: returns DB_ROW/DB_DONE/error and leaves the
** statement in *out for reading and db_done(). */
int64_t db_exec(struct db_conn *c, const char *sql, const char *types, ...);
int db_query(struct db_conn *c, struct db_stmt **out, const char *sql, const char *types, ...);
/* Run a query and return its first column of its first row as an integer in *out.
** O2O_ENOTFOUND when there is no row. */
int db_scalar_i64(struct db_conn *c, int64_t *out, const char *sql, const char *types, ...);

/* Run raw SQL (several statements, no parameters); used for migrations and pragmas. */
int db_exec_raw(struct db_conn *c, const char *sql);

/* 0 if this thread's reader answers a trivial query. */
int db_ping(struct db *db);

/* A number that changes with every transaction body run on this connection (a body
** run again after a rollback gets a new one): for caches valid within one body. */
uint64_t db_body_serial(const struct db_conn *c);

/* Which backend this connection talks to (for the few places that must know: bulk loads). */
const char *db_conn_kind(const struct db_conn *c);

/* Commit statistics for /metrics. hist[i] counts batches of size <= 2^i (last bucket: more). */
#define DB_HIST_BUCKETS 12
struct db_stats {
    uint64_t commits;                   /* commits (batches) */
    uint64_t txns;                      /* transaction bodies run to commit */
    uint64_t rollbacks;                 /* bodies rolled back */
    uint64_t retries;                   /* bodies re-run after a serialization failure */
    uint64_t hist[DB_HIST_BUCKETS];     /* batch size histogram */
};
void db_get_stats(struct db *db, struct db_stats *out);

#endif
