/*
** test_inventory.c -- stock movements, transfers and reservations keep
** on hand = sum of the journal and 0 <= reserved <= on hand; decrements never
** oversell, also from many threads at once.
*/
#include "fixture.h"

#include <pthread.h>

#include "stock/inventory.h"

struct mv {
    struct stock_move m;
    struct stock after;
};

static int move_body(struct db_conn *c, void *arg)
{
    struct mv *x = arg;
    return inventory_move(c, &x->m, &x->after);
}

static int move(int64_t sku, int64_t loc, const char *kind, int64_t qty, const char *reason, struct stock *after)
{
    struct mv x;
    int rc;
    memset(&x, 0, sizeof x);
    x.m.sku_id = sku;
    x.m.location_id = loc;
    snprintf(x.m.kind, sizeof x.m.kind, "%s", kind);
    x.m.qty = qty;
    snprintf(x.m.reason, sizeof x.m.reason, "%s", reason ? reason : "");
    rc = db_txn(db, move_body, &x);
    if (after)
        *after = x.after;
    return rc;
}

static void assert_journal(int64_t sku, int64_t loc)
{
    struct stock s;
    int64_t sum = -1;
    assert_int_equal(inventory_stock(db_reader(db), sku, loc, &s), 0);
    assert_int_equal(inventory_journal_sum(db_reader(db), sku, loc, &sum), 0);
    assert_int_equal(s.on_hand, sum);
    assert_true(s.reserved >= 0 && s.reserved <= s.on_hand);
}

static void test_inventory__movements_and_the_journal(void **state)
{
    struct stock s;
    (void)state;
    assert_int_equal(move(ids.tee_s, ids.sh01, "receive", 10, NULL, &s), 0);
    assert_int_equal(s.on_hand, 10);
    assert_int_equal(move(ids.tee_s, ids.sh01, "adjust", -2, NULL, NULL), O2O_EINVAL);
    assert_string_equal(err_last()->field, "reason");
    assert_int_equal(move(ids.tee_s, ids.sh01, "adjust", -2, "damaged", &s), 0);
    assert_int_equal(move(ids.tee_s, ids.sh01, "sale", 9, NULL, NULL), O2O_ESTOCK);
    assert_int_equal(move(ids.tee_s, ids.sh01, "sale", 8, NULL, &s), 0);
    assert_int_equal(s.on_hand, 0);
    assert_int_equal(move(ids.tee_s, ids.sh01, "return", 1, NULL, &s), 0);
    assert_int_equal(move(ids.tee_s, ids.sh01, "teleport", 1, NULL, NULL), O2O_EINVAL);
    assert_journal(ids.tee_s, ids.sh01);
}

struct res {
    int64_t sku, loc, qty, ttl, id;
    int consume;
    struct reservation r;
};

static int reserve_body(struct db_conn *c, void *arg)
{
    struct res *x = arg;
    return inventory_reserve(c, x->sku, x->loc, x->qty, x->ttl, "t", &x->r);
}

static int finish_body(struct db_conn *c, void *arg)
{
    struct res *x = arg;
    return x->consume ? inventory_consume(c, x->id, "t", &x->r) : inventory_release(c, x->id, &x->r);
}

static int expire_body(struct db_conn *c, void *arg)
{
    int64_t n = 0;
    int rc = inventory_expire_reservations(c, *(int64_t *)arg, &n);
    *(int64_t *)arg = n;
    return rc;
}

static void test_inventory__reservations_hold_release_consume_and_expire(void **state)
{
    struct res x = {ids.tee_m, ids.sh02, 3, 60000, 0, 0, {0}};
    struct stock s;
    int64_t at;
    (void)state;
    assert_int_equal(move(ids.tee_m, ids.sh02, "receive", 5, NULL, NULL), 0);
    assert_int_equal(db_txn(db, reserve_body, &x), 0);
    inventory_stock(db_reader(db), ids.tee_m, ids.sh02, &s);
    assert_int_equal(s.available, 2);
    x.qty = 3;
    assert_int_equal(db_txn(db, reserve_body, &x), O2O_ESTOCK);
    /* a sale cannot take reserved units */
    assert_int_equal(move(ids.tee_m, ids.sh02, "sale", 3, NULL, NULL), O2O_ESTOCK);
    x.id = x.r.id;
    x.consume = 1;
    assert_int_equal(db_txn(db, finish_body, &x), 0);
    inventory_stock(db_reader(db), ids.tee_m, ids.sh02, &s);
    assert_int_equal(s.on_hand, 2);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(db_txn(db, finish_body, &x), O2O_ECONFLICT);
    /* one that expires */
    x.qty = 2;
    x.ttl = 1000;
    assert_int_equal(db_txn(db, reserve_body, &x), 0);
    at = x.r.expires_at + 1;
    assert_int_equal(db_txn(db, expire_body, &at), 0);
    assert_int_equal(at, 1);
    assert_int_equal(inventory_reservation(db_reader(db), x.r.id, &x.r), 0);
    assert_string_equal(x.r.status, "expired");
    inventory_stock(db_reader(db), ids.tee_m, ids.sh02, &s);
    assert_int_equal(s.available, 2);
    assert_journal(ids.tee_m, ids.sh02);
}

struct xfer {
    int64_t qty;
};

static int transfer_body(struct db_conn *c, void *arg)
{
    return inventory_transfer(c, ids.tee_s, ids.bj01, ids.sh02, ((struct xfer *)arg)->qty, "T1", "t");
}

static void test_inventory__transfers_move_stock_and_journal_both_ends(void **state)
{
    struct xfer x = {4};
    struct stock a, b;
    (void)state;
    assert_int_equal(move(ids.tee_s, ids.bj01, "receive", 6, NULL, NULL), 0);
    assert_int_equal(db_txn(db, transfer_body, &x), 0);
    x.qty = 3;
    assert_int_equal(db_txn(db, transfer_body, &x), O2O_ESTOCK);
    inventory_stock(db_reader(db), ids.tee_s, ids.bj01, &a);
    inventory_stock(db_reader(db), ids.tee_s, ids.sh02, &b);
    assert_int_equal(a.on_hand, 2);
    assert_int_equal(b.on_hand, 4);
    assert_journal(ids.tee_s, ids.bj01);
    assert_journal(ids.tee_s, ids.sh02);
}

static int near_cb(const struct stock *s, void *arg)
{
    int64_t *first = arg;
    if (!*first)
        *first = s->location_id;
    return 0;
}

static void test_inventory__availability_is_nearest_first(void **state)
{
    int64_t first = 0;
    (void)state;
    assert_int_equal(move(ids.tee_m, ids.bj01, "receive", 1, NULL, NULL), 0);
    /* from Beijing, BJ01 comes before the Shanghai stores */
    assert_int_equal(inventory_availability(db_reader(db), ids.tee_m, true, 39.9, 116.4, false, 10, near_cb, &first), 0);
    assert_int_equal(first, ids.bj01);
    first = 0;
    assert_int_equal(inventory_availability(db_reader(db), ids.tee_m, true, 31.25, 121.5, false, 10, near_cb, &first), 0);
    assert_int_equal(first, ids.sh02);
}

static void *reserver(void *arg)
{
    int *ok = arg;
    for (int i = 0; i < 4; i++) {
        struct res x = {ids.tee_s, ids.sh01, 1, 60000, 0, 0, {0}};
        if (db_txn(db, reserve_body, &x) == 0)
            (*ok)++;
    }
    return NULL;
}

static void test_inventory__concurrent_reservations_never_oversell(void **state)
{
    pthread_t th[16];
    int ok[16] = {0}, total = 0;
    struct stock s;
    (void)state;
    assert_int_equal(move(ids.tee_s, ids.sh01, "receive", 20, NULL, NULL), 0);
    inventory_stock(db_reader(db), ids.tee_s, ids.sh01, &s);
    for (int i = 0; i < 16; i++)
        pthread_create(&th[i], NULL, reserver, &ok[i]);
    for (int i = 0; i < 16; i++) {
        pthread_join(th[i], NULL);
        total += ok[i];
    }
    assert_int_equal(total, s.available);
    inventory_stock(db_reader(db), ids.tee_s, ids.sh01, &s);
    assert_int_equal(s.available, 0);
    assert_journal(ids.tee_s, ids.sh01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inventory__movements_and_the_journal),
        cmocka_unit_test(test_inventory__reservations_hold_release_consume_and_expire),
        cmocka_unit_test(test_inventory__transfers_move_stock_and_journal_both_ends),
        cmocka_unit_test(test_inventory__availability_is_nearest_first),
        cmocka_unit_test(test_inventory__concurrent_reservations_never_oversell),
    };
    return cmocka_run_group_tests_name("inventory", tests, setup, teardown);
}
