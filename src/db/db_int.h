/*
** db_int.h -- what the two storage backends share with db.c. Not for other layers.
*/
#ifndef O2O_DB_DB_INT_H
#define O2O_DB_DB_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "db/db.h"

struct db_ops {
    const char *name;
    int (*open)(struct db *db, const char *target, int writers);
    void (*close)(struct db *db);
    struct db_conn *(*reader)(struct db *db);
    void (*submit)(struct db *db, struct db_job *job);
    int (*prepare)(struct db_conn *c, struct db_stmt **out, const char *sql);
    void (*bind_i64)(struct db_stmt *s, int n, int64_t v);
    void (*bind_f64)(struct db_stmt *s, int n, double v);
    void (*bind_text)(struct db_stmt *s, int n, const char *v);
    void (*bind_null)(struct db_stmt *s, int n);
    int (*step)(struct db_stmt *s);
    int64_t (*col_i64)(struct db_stmt *s, int col);
    double (*col_f64)(struct db_stmt *s, int col);
    const char *(*col_text)(struct db_stmt *s, int col);
    bool (*col_null)(struct db_stmt *s, int col);
    int64_t (*changes)(struct db_stmt *s);
    void (*done)(struct db_stmt *s);
    int (*exec_raw)(struct db_conn *c, const char *sql);
    void (*snapshot)(struct db_conn *c, int begin);
};

struct db {
    const struct db_ops *ops;      /* the backend */
    _Atomic int max_batch;         /* SQLite: bodies per commit at most */
    void *impl;                    /* backend state */
    _Atomic uint64_t commits;      /* see struct db_stats */
    _Atomic uint64_t txns;
    _Atomic uint64_t rollbacks;
    _Atomic uint64_t retries;
    _Atomic uint64_t hist[DB_HIST_BUCKETS];
};

/* Every backend connection and statement starts with these. */
struct db_conn {
    struct db *db;
    uint64_t body;            /* counts transaction bodies run on this connection */
};
struct db_stmt {
    struct db_conn *conn;
    const char *sql;          /* the caller's literal: the statement cache's key */
    int nparams_1;            /* 1 + the number of $n parameters, 0 until counted */
};

/* Prepared statements of one connection, keyed by the address of their SQL
** literal (open addressing). */
struct stmt_cache {
    struct db_stmt **tab;
    size_t cap, n;
};
struct db_stmt *stmt_cache_find(const struct stmt_cache *c, const char *sql);
void stmt_cache_add(struct stmt_cache *c, struct db_stmt *s);
/* Free the table (not the statements: the backend finalizes each first). */
void stmt_cache_free(struct stmt_cache *c);

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

/* Count one committed batch of n bodies (and r rollbacks) in the stats. */
void db_count_batch(struct db *db, unsigned n, unsigned r);

/* Largest $n in sql (outside quotes). */
int db_count_params(const char *sql);

/* Migrations compiled into the binary (generated from src/db/migrations/ *.sql). */
struct db_migration {
    int version;
    const char *name;
    const char *sql;
};
extern const struct db_migration db_migrations[];
extern const int db_nmigrations;

#endif
