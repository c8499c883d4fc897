/*
** test_db.c -- the storage layer on either backend: group commit isolates a
** failing body, bodies run concurrently, conditional updates never oversell,
** migrations are recorded and a newer schema is refused.
*/
#include "testutil.h"

#include <pthread.h>

static int create_t(struct db_conn *c, void *arg)
{
    (void)arg;
    return db_exec_raw(c, "CREATE TABLE t (k BIGINT PRIMARY KEY, v BIGINT NOT NULL, s TEXT)");
}

static int insert_kv(struct db_conn *c, void *arg)
{
    int64_t *kv = arg;
    int64_t rc = db_exec(c, "INSERT INTO t (k, v, s) VALUES ($1, $2, $3)", "iit", kv[0], kv[1], "x");
    return rc < 0 ? (int)rc : 0;
}

static int insert_then_fail(struct db_conn *c, void *arg)
{
    int rc = insert_kv(c, arg);
    if (rc)
        return rc;
    return err_set(O2O_ECONFLICT, "nope", "f", "body fails after its insert");
}

static void test_db__failing_body_rolls_back_alone(void **state)
{
    struct db *db = test_db_open();
    int64_t a[2] = {1, 10}, b[2] = {2, 20}, n = -1;
    (void)state;
    assert_int_equal(db_txn(db, create_t, NULL), 0);
    assert_int_equal(db_txn(db, insert_kv, a), 0);
    assert_int_equal(db_txn(db, insert_then_fail, b), O2O_ECONFLICT);
    assert_string_equal(err_last()->code, "nope");
    assert_string_equal(err_last()->field, "f");
    assert_int_equal(db_scalar_i64(db_reader(db), &n, "SELECT COUNT(*) FROM t", NULL), 0);
    assert_int_equal(n, 1);
    /* a duplicate key is reported as O2O_EEXISTS */
    assert_int_equal(db_txn(db, insert_kv, a), O2O_EEXISTS);
    test_db_close(db);
}

struct worker {
    struct db *db;
    int id;
    int ok;
};

static int take_one(struct db_conn *c, void *arg)
{
    (void)arg;
    int64_t ch = db_exec(c, "UPDATE t SET v = v - 1 WHERE k = 1 AND v >= 1", NULL);
    if (ch < 0)
        return (int)ch;
    if (ch == 0)
        return err_set(O2O_ESTOCK, NULL, NULL, "none left");
    return 0;
}

static void *take_worker(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 5; i++)
        if (db_txn(w->db, take_one, NULL) == 0)
            w->ok++;
    return NULL;
}

static void test_db__conditional_update_never_goes_below_zero(void **state)
{
    struct db *db = test_db_open();
    int64_t a[2] = {1, 37}, v = -1;
    pthread_t th[32];
    struct worker w[32];
    int total = 0;
    (void)state;
    assert_int_equal(db_txn(db, create_t, NULL), 0);
    assert_int_equal(db_txn(db, insert_kv, a), 0);
    for (int i = 0; i < 32; i++) {
        w[i] = (struct worker){db, i, 0};
        pthread_create(&th[i], NULL, take_worker, &w[i]);
    }
    for (int i = 0; i < 32; i++) {
        pthread_join(th[i], NULL);
        total += w[i].ok;
    }
    assert_int_equal(total, 37);
    assert_int_equal(db_scalar_i64(db_reader(db), &v, "SELECT v FROM t WHERE k = 1", NULL), 0);
    assert_int_equal(v, 0);
    test_db_close(db);
}

static void test_db__text_and_null_round_trip(void **state)
{
    struct db *db = test_db_open();
    struct db_stmt *s = NULL;
    int64_t a[2] = {5, 50};
    (void)state;
    assert_int_equal(db_txn(db, create_t, NULL), 0);
    assert_int_equal(db_txn(db, insert_kv, a), 0);
    assert_int_equal(db_query(db_reader(db), &s, "SELECT s, NULL, v + $1 FROM t WHERE k = $2", "ii",
                              (int64_t)1, (int64_t)5),
                     DB_ROW);
    assert_string_equal(db_col_text(s, 0), "x");
    assert_true(db_col_null(s, 1));
    assert_int_equal(db_col_i64(s, 2), 51);
    assert_int_equal(db_step(s), DB_DONE);
    db_done(s);
    test_db_close(db);
}

/* Inserts rows k = 100..100+n-1 in one statement; a duplicate key fails them all. */
static const char rows_head[] = "INSERT INTO t (k, v, s) VALUES ";

static int insert_rows(struct db_conn *c, void *arg)
{
    const int64_t *a = arg; /* n, first key */
    struct db_stmt *s = NULL;
    int rc = db_prepare(c, &s, db_rows_sql(rows_head, 3, (int)a[0]));
    if (rc)
        return rc;
    for (int i = 0; i < a[0]; i++) {
        db_bind_i64(s, 3 * i + 1, a[1] + i);
        db_bind_i64(s, 3 * i + 2, 10 * (a[1] + i));
        db_bind_text(s, 3 * i + 3, i % 2 ? NULL : "even");
    }
    rc = db_step(s);
    db_done(s);
    return rc < 0 ? rc : 0;
}

static void test_db__several_rows_in_one_insert(void **state)
{
    struct db *db = test_db_open();
    int64_t three[2] = {3, 100}, overlap[2] = {2, 102}, n = 0, sum = 0;
    (void)state;
    assert_string_equal(db_rows_sql(rows_head, 3, 2), "INSERT INTO t (k, v, s) VALUES ($1, $2, $3), ($4, $5, $6)");
    /* the same text is the same pointer: the statement cache keeps one statement */
    assert_ptr_equal(db_rows_sql(rows_head, 3, 2), db_rows_sql(rows_head, 3, 2));
    assert_ptr_not_equal(db_rows_sql(rows_head, 3, 2), db_rows_sql(rows_head, 3, 3));
    assert_int_equal(db_txn(db, create_t, NULL), 0);
    assert_int_equal(db_txn(db, insert_rows, three), 0);
    /* 102 is there already: neither 102 nor 103 is written */
    assert_int_equal(db_txn(db, insert_rows, overlap), O2O_EEXISTS);
    assert_int_equal(db_scalar_i64(db_reader(db), &n, "SELECT COUNT(*) FROM t", NULL), 0);
    assert_int_equal(n, 3);
    assert_int_equal(db_scalar_i64(db_reader(db), &sum, "SELECT SUM(v) FROM t WHERE s IS NULL", NULL), 0);
    assert_int_equal(sum, 1010);
    test_db_close(db);
}

static int bump_version(struct db_conn *c, void *arg)
{
    (void)arg;
    int64_t rc = db_exec(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', 0)",
                         "i", (int64_t)(db_latest_version() + 1));
    return rc < 0 ? (int)rc : 0;
}

static void test_db__newer_schema_is_refused(void **state)
{
    struct db *db = test_db_open();
    int v = 0;
    (void)state;
    assert_int_equal(db_check_schema(db), 0);
    assert_int_equal(db_schema_version(db, &v), 0);
    assert_int_equal(v, db_latest_version());
    assert_int_equal(db_txn(db, bump_version, NULL), 0);
    assert_int_equal(db_check_schema(db), O2O_ECONFLICT);
    assert_string_equal(err_last()->code, "schema_too_new");
    test_db_close(db);
}

struct many {
    int remaining;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

struct many_job {
    struct db_job job;
    int64_t kv[2];
    struct many *m;
};

static void many_done(struct db_job *j)
{
    struct many *m = ((struct many_job *)j)->m;
    assert_int_equal(j->rc, 0);
    pthread_mutex_lock(&m->mu);
    if (--m->remaining == 0)
        pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

static void test_db__async_jobs_share_commits(void **state)
{
    struct db *db = test_db_open();
    struct db_stats before, after;
    static struct many_job jobs[500];
    struct many m = {500, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
    int64_t n = 0;
    (void)state;
    assert_int_equal(db_txn(db, create_t, NULL), 0);
    db_get_stats(db, &before);
    for (int i = 0; i < 500; i++) {
        jobs[i] = (struct many_job){{insert_kv, many_done, jobs[i].kv, 0, {0}, NULL}, {i + 100, i}, &m};
        jobs[i].job.arg = jobs[i].kv;
        db_submit(db, &jobs[i].job);
    }
    pthread_mutex_lock(&m.mu);
    while (m.remaining)
        pthread_cond_wait(&m.cv, &m.mu);
    pthread_mutex_unlock(&m.mu);
    db_get_stats(db, &after);
    assert_int_equal(after.txns - before.txns, 500);
    assert_int_equal(db_scalar_i64(db_reader(db), &n, "SELECT COUNT(*) FROM t", NULL), 0);
    assert_int_equal(n, 500);
    if (!strcmp(db_kind(db), "sqlite"))
        assert_true(after.commits - before.commits < 250); /* group commit: fewer commits than bodies */
    test_db_close(db);
}

struct crosser {
    struct db *db;
    int64_t first, second;
    int rc;
};

static int cross_body(struct db_conn *c, void *arg)
{
    struct crosser *x = arg;
    int64_t n = db_exec(c, "UPDATE t SET v = v + 1 WHERE k = $1", "i", x->first);
    if (n < 0)
        return (int)n;
    usleep(200 * 1000); /* let the other transaction take its first row */
    n = db_exec(c, "UPDATE t SET v = v + 1 WHERE k = $1", "i", x->second);
    return n < 0 ? (int)n : 0;
}

static void *cross_worker(void *arg)
{
    struct crosser *x = arg;
    x->rc = db_txn(x->db, cross_body, x);
    return NULL;
}

static void test_db__deadlocked_transactions_are_retried(void **state)
{
    struct db *db = test_db_open();
    int64_t a[2] = {1, 0}, b[2] = {2, 0}, v = 0;
    struct crosser x = {db, 1, 2, -1}, y = {db, 2, 1, -1};
    pthread_t tx, ty;
    struct db_stats st;
    (void)state;
    assert_int_equal(db_txn(db, create_t, NULL), 0);
    assert_int_equal(db_txn(db, insert_kv, a), 0);
    assert_int_equal(db_txn(db, insert_kv, b), 0);
    pthread_create(&tx, NULL, cross_worker, &x);
    pthread_create(&ty, NULL, cross_worker, &y);
    pthread_join(tx, NULL);
    pthread_join(ty, NULL);
    assert_int_equal(x.rc, 0);
    assert_int_equal(y.rc, 0);
    assert_int_equal(db_scalar_i64(db_reader(db), &v, "SELECT SUM(v) FROM t", NULL), 0);
    assert_int_equal(v, 4); /* both transactions applied exactly once */
    db_get_stats(db, &st);
    if (!strcmp(db_kind(db), "postgres"))
        assert_true(st.retries >= 1); /* one of them was chosen as the deadlock victim */
    test_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db__failing_body_rolls_back_alone),
        cmocka_unit_test(test_db__conditional_update_never_goes_below_zero),
        cmocka_unit_test(test_db__text_and_null_round_trip),
        cmocka_unit_test(test_db__several_rows_in_one_insert),
        cmocka_unit_test(test_db__newer_schema_is_refused),
        cmocka_unit_test(test_db__async_jobs_share_commits),
        cmocka_unit_test(test_db__deadlocked_transactions_are_retried),
    };
    return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
