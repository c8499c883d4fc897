/*
** testutil.h -- shared helpers for the cmocka unit tests: a fresh, migrated
** database on the backend named by O2O_TEST_DB ("postgres://..." or unset for
** a temporary SQLite file).
*/
#ifndef O2O_TESTS_TESTUTIL_H
#define O2O_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

static char test_db_path[256];

static int reset_pg(struct db_conn *c, void *arg)
{
    (void)arg;
    return db_exec_raw(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}

/* Open a fresh, fully migrated database. */
static inline struct db *test_db_open(void)
{
    const char *url = getenv("O2O_TEST_DB");
    struct db *db = NULL;
    char path[300];
    if (url && *url && strncmp(url, "sqlite:", 7)) {
        assert_int_equal(db_open(&db, url, 8), 0);
        assert_int_equal(db_txn(db, reset_pg, NULL), 0);
    } else {
        snprintf(test_db_path, sizeof test_db_path, "/tmp/o2o-unit-%d-%d.db", (int)getpid(), rand());
        for (const char *sfx = ""; ; sfx = sfx[0] ? NULL : "-wal") {
            if (!sfx)
                break;
            snprintf(path, sizeof path, "%s%s", test_db_path, sfx);
            unlink(path);
        }
        assert_int_equal(db_open(&db, test_db_path, 0), 0);
    }
    assert_int_equal(db_migrate(db, NULL), 0);
    return db;
}

static inline void test_db_close(struct db *db)
{
    char path[300];
    db_close(db);
    if (test_db_path[0]) {
        const char *sfx[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s%s", test_db_path, sfx[i]);
            unlink(path);
        }
        test_db_path[0] = 0;
    }
}

#endif
