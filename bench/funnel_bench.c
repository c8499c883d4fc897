/*
** funnel_bench.c -- the funnel benchmark: 10,000,000 events generated
** with splitmix64 (state 42): user = next() % 1,000,000, k = next() % 100 ->
** view 0-69, search 70-79, add_to_cart 80-89, remove_from_cart 90-92,
** checkout 93-96, purchase 97-99; ts = 1,700,000,000 + floor(i * 2,592,000 / N)
** seconds. Funnel view -> add_to_cart -> checkout -> purchase, 7-day window,
** on o2o's columns (2 threads, median of RUNS) and as one SQL query on SQLite
** (the same events in a table with an index on (user, name, ts)); both must
** give the same counts. Built and run by bench/funnel.sh.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/funnel.h"

static uint64_t state = 42;

static uint64_t next(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { VIEW, SEARCH, ADD_TO_CART, REMOVE_FROM_CART, CHECKOUT, PURCHASE };

int main(int argc, char **argv)
{
    size_t n = 10000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    const char *dbpath = argc > 1 && strcmp(argv[1], "-") ? argv[1] : NULL; /* "-": no SQLite */
    uint32_t *user = malloc(n * sizeof *user);
    int64_t *ts = malloc(n * sizeof *ts);
    uint16_t *name = malloc(n * sizeof *name);
    struct funnel_step steps[4] = {{VIEW}, {ADD_TO_CART}, {CHECKOUT}, {PURCHASE}};
    struct event_columns c = {n, user, ts, name, 1000000};
    int64_t r[FUNNEL_MAX_STEPS], sq[4] = {0, 0, 0, 0};
    double t[32], o2o, sql = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k;
        user[i] = (uint32_t)(next() % 1000000);
        k = next() % 100;
        name[i] = k < 70 ? VIEW : k < 80 ? SEARCH : k < 90 ? ADD_TO_CART : k < 93 ? REMOVE_FROM_CART
                                                                      : k < 97 ? CHECKOUT : PURCHASE;
        ts[i] = 1700000000 + (int64_t)((unsigned __int128)i * 2592000 / n);
    }
    funnel_run(&c, steps, 4, 7 * 86400, 2, r); /* warm-up */
    if (runs < 1 || runs > 31)
        runs = 5;
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();
        funnel_run(&c, steps, 4, 7 * 86400, 2, r);
        t[i] = now_s() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_d);
    o2o = t[runs / 2];
    printf("events %zu, users reaching view %lld, add_to_cart %lld, checkout %lld, purchase %lld\n", n,
           (long long)r[0], (long long)r[1], (long long)r[2], (long long)r[3]);
    printf("o2o windowFunnel (2 threads, median of %d): %.3f s\n", runs, o2o);
    fflush(stdout);
    if (dbpath) {
        sqlite3 *db;
        sqlite3_stmt *st;
        double t0 = now_s();
        if (sqlite3_open(dbpath, &db) != SQLITE_OK)
            return 1;
        sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;"
                         "CREATE TABLE ev (user INTEGER NOT NULL, ts INTEGER NOT NULL, name INTEGER NOT NULL);"
                         "BEGIN", NULL, NULL, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO ev VALUES (?, ?, ?)", -1, &st, NULL);
        for (size_t i = 0; i < n; i++) {
            sqlite3_bind_int64(st, 1, user[i]);
            sqlite3_bind_int64(st, 2, ts[i]);
            sqlite3_bind_int64(st, 3, name[i]);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        sqlite3_exec(db, "COMMIT; CREATE INDEX ev_user ON ev (user, name, ts); ANALYZE;", NULL, NULL, NULL);
        printf("SQLite table and index loaded in %.1f s\n", now_s() - t0);
        fflush(stdout);
        /* from each view, the earliest next step within the window of that view; the
        ** furthest step of any start; equal times allowed between steps */
        t0 = now_s();
        if (sqlite3_prepare_v2(
                db,
                "SELECT SUM(l >= 1), SUM(l >= 2), SUM(l >= 3), SUM(l >= 4) FROM ("
                " SELECT user, MAX(CASE WHEN t4 IS NOT NULL THEN 4 WHEN t3 IS NOT NULL THEN 3"
                "  WHEN t2 IS NOT NULL THEN 2 ELSE 1 END) AS l FROM ("
                "  SELECT user, t1, t2, t3, (SELECT MIN(e.ts) FROM ev e WHERE e.user = c.user AND e.name = 5"
                "   AND e.ts >= c.t3 AND e.ts <= c.t1 + 604800) AS t4 FROM ("
                "   SELECT user, t1, t2, (SELECT MIN(e.ts) FROM ev e WHERE e.user = b.user AND e.name = 4"
                "    AND e.ts >= b.t2 AND e.ts <= b.t1 + 604800) AS t3 FROM ("
                "    SELECT a.user, a.ts AS t1, (SELECT MIN(e.ts) FROM ev e WHERE e.user = a.user AND e.name = 2"
                "     AND e.ts >= a.ts AND e.ts <= a.ts + 604800) AS t2 FROM ev a WHERE a.name = 0) b) c)"
                " GROUP BY user)",
                -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "%s\n", sqlite3_errmsg(db));
            return 1;
        }
        if (sqlite3_step(st) == SQLITE_ROW)
            for (int k = 0; k < 4; k++)
                sq[k] = sqlite3_column_int64(st, k);
        sqlite3_finalize(st);
        sql = now_s() - t0;
        sqlite3_close(db);
        printf("SQLite SQL: view %lld, add_to_cart %lld, checkout %lld, purchase %lld in %.1f s\n", (long long)sq[0],
               (long long)sq[1], (long long)sq[2], (long long)sq[3], sql);
        printf("SQLite / o2o: %.0fx\n", sql / o2o);
        for (int k = 0; k < 4; k++)
            if (sq[k] != r[k]) {
                printf("MISMATCH at step %d\n", k + 1);
                return 2;
            }
    }
    return 0;
}
