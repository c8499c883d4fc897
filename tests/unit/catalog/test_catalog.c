/*
** test_catalog.c -- the catalog: launch time gates visibility for every channel
** at once, one price per SKU, unique codes and barcodes, category subtrees.
*/
#include "fixture.h"

#include "core/util.h"

static int product_body(struct db_conn *c, void *arg)
{
    return product_create(c, arg);
}

static int sku_body(struct db_conn *c, void *arg)
{
    return sku_create(c, arg);
}

static void test_catalog__launch_time_gates_every_channel_at_once(void **state)
{
    struct product p;
    struct sku k;
    int64_t launch = now_ms() + 3600 * 1000;
    (void)state;
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "NEW");
    snprintf(p.name, sizeof p.name, "New season");
    p.launch_at = launch;
    assert_int_equal(db_txn(db, product_body, &p), 0);
    memset(&k, 0, sizeof k);
    snprintf(k.code, sizeof k.code, "NEW-1");
    snprintf(k.product_code, sizeof k.product_code, "NEW");
    snprintf(k.barcode, sizeof k.barcode, "6900000007777");
    k.price = 59900;
    assert_int_equal(db_txn(db, sku_body, &k), 0);
    /* staff (visible_at 0) see it; every channel before the launch does not; after it, all do */
    assert_int_equal(product_get_by_code(db_reader(db), "NEW", 0, &p), 0);
    assert_int_equal(product_get_by_code(db_reader(db), "NEW", launch - 1, &p), O2O_ENOTFOUND);
    assert_int_equal(sku_get_by_barcode(db_reader(db), "6900000007777", launch - 1, &k), O2O_ENOTFOUND);
    assert_int_equal(sku_get_by_barcode(db_reader(db), "6900000007777", launch, &k), 0);
    assert_int_equal(k.price, 59900);
}

struct price {
    const char *code;
    int64_t price;
    struct sku out;
};

static int price_body(struct db_conn *c, void *arg)
{
    struct price *p = arg;
    return sku_set_price(c, p->code, p->price, &p->out);
}

static void test_catalog__one_price_and_unique_barcodes(void **state)
{
    struct price pr = {"TEE-S", 9900, {0}};
    struct sku k, dup;
    (void)state;
    assert_int_equal(db_txn(db, price_body, &pr), 0);
    assert_int_equal(sku_get_by_code(db_reader(db), "TEE-S", now_ms(), &k), 0);
    assert_int_equal(k.price, 9900);
    pr.price = -1;
    assert_int_equal(db_txn(db, price_body, &pr), O2O_EINVAL);
    pr.code = "NOPE";
    pr.price = 1;
    assert_int_equal(db_txn(db, price_body, &pr), O2O_ENOTFOUND);
    memset(&dup, 0, sizeof dup);
    snprintf(dup.code, sizeof dup.code, "TEE-X");
    snprintf(dup.product_code, sizeof dup.product_code, "TEE");
    snprintf(dup.barcode, sizeof dup.barcode, "%s", k.barcode);
    assert_int_equal(db_txn(db, sku_body, &dup), O2O_EEXISTS);
    assert_string_equal(err_last()->code, "sku_exists");
}

static int cat_body(struct db_conn *c, void *arg)
{
    return category_create(c, arg);
}

static int count_cb(const struct product *p, void *arg)
{
    (void)p;
    (*(int *)arg)++;
    return 0;
}

static void test_catalog__products_of_a_category_include_its_subtree(void **state)
{
    struct category top, leaf;
    struct product p;
    int n = 0;
    (void)state;
    memset(&top, 0, sizeof top);
    snprintf(top.code, sizeof top.code, "baby");
    snprintf(top.name, sizeof top.name, "Baby");
    assert_int_equal(db_txn(db, cat_body, &top), 0);
    memset(&leaf, 0, sizeof leaf);
    snprintf(leaf.code, sizeof leaf.code, "formula");
    snprintf(leaf.name, sizeof leaf.name, "Infant formula");
    snprintf(leaf.parent_code, sizeof leaf.parent_code, "baby");
    assert_int_equal(db_txn(db, cat_body, &leaf), 0);
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "MILK");
    snprintf(p.name, sizeof p.name, "Formula stage 1");
    snprintf(p.category_code, sizeof p.category_code, "formula");
    assert_int_equal(db_txn(db, product_body, &p), 0);
    assert_int_equal(product_list(db_reader(db), "", "baby", NULL, 0, 0, 50, count_cb, &n), 0);
    assert_int_equal(n, 1);
    snprintf(leaf.code, sizeof leaf.code, "orphan");
    snprintf(leaf.parent_code, sizeof leaf.parent_code, "nope");
    assert_int_equal(db_txn(db, cat_body, &leaf), O2O_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog__launch_time_gates_every_channel_at_once),
        cmocka_unit_test(test_catalog__one_price_and_unique_barcodes),
        cmocka_unit_test(test_catalog__products_of_a_category_include_its_subtree),
    };
    return cmocka_run_group_tests_name("catalog", tests, setup, teardown);
}
