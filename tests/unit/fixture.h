/*
** fixture.h -- the shared fixture of the domain tests: a fresh database with the
** seed chain of testutil.h, opened once per test group.
*/
#ifndef O2O_TESTS_FIXTURE_H
#define O2O_TESTS_FIXTURE_H

#include "testutil.h"

static struct db *db;
static struct seed_ids ids;

static int setup(void **state)
{
    (void)state;
    db = test_db_open();
    seed_chain(db, &ids);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_db_close(db);
    return 0;
}

#endif
