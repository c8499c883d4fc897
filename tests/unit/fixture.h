/*
** fixture.h -- the shared fixture of the domain tests: a fresh database with the
** seed chain of testutil.h, opened once per test group, and goods received into it.
*/
#ifndef O2O_TESTS_FIXTURE_H
#define O2O_TESTS_FIXTURE_H

#include "testutil.h"

#include "stock/inventory.h"

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

/* Goods arrive: qty of a SKU at a location, as a receive movement. */
static inline int fixture_receive_body(struct db_conn *c, void *arg)
{
    const int64_t *a = arg; /* sku, location, qty */
    struct stock_move m;
    memset(&m, 0, sizeof m);
    m.sku_id = a[0];
    m.location_id = a[1];
    strcpy(m.kind, "receive");
    m.qty = a[2];
    return inventory_move(c, &m, NULL);
}

static inline void receive(int64_t sku, int64_t loc, int64_t qty)
{
    int64_t a[3] = {sku, loc, qty};
    assert_int_equal(db_txn(db, fixture_receive_body, a), 0);
}

#endif
