/*
** test_location.c -- regions and locations, and the scope rules that every
** handler relies on: chain sees all, a region its subtree, a location itself,
** a member herself; and who may act on a member (domain/access.c).
*/
#include "fixture.h"

#include "member/access.h"

static void test_location__scope_rules(void **state)
{
    struct db_conn *c = db_reader(db);
    struct principal chain = {.role = ROLE_OWNER, .scope = SCOPE_CHAIN};
    struct principal east = {.role = ROLE_REGION_MANAGER, .scope = SCOPE_REGION, .scope_id = ids.east};
    struct principal sh01 = {.role = ROLE_STORE_MANAGER, .scope = SCOPE_LOCATION, .scope_id = ids.sh01};
    struct principal member = {.role = ROLE_MEMBER, .scope = SCOPE_SELF, .id = 7, .scope_id = 7};
    (void)state;
    assert_int_equal(scope_check_location(c, &chain, ids.bj01), 0);
    assert_int_equal(scope_check_location(c, &east, ids.sh02), 0);
    assert_int_equal(scope_check_location(c, &east, ids.bj01), O2O_EFORBIDDEN);
    assert_int_equal(scope_check_location(c, &sh01, ids.sh01), 0);
    assert_int_equal(scope_check_location(c, &sh01, ids.sh02), O2O_EFORBIDDEN);
    assert_string_equal(err_last()->code, "out_of_scope");
    assert_int_equal(scope_check_location(c, &member, ids.sh01), O2O_EFORBIDDEN);
    assert_int_equal(scope_check_region(c, &east, ids.east), 0);
    assert_int_equal(scope_check_region(c, &east, ids.north), O2O_EFORBIDDEN);
    assert_int_equal(access_member(c, &member, 7, MEMBER_SPEND), 0);
    assert_int_equal(access_member(c, &member, 8, MEMBER_SEE), O2O_EFORBIDDEN);
    assert_int_equal(access_member(c, &member, 7, MEMBER_GIVE), O2O_EFORBIDDEN);
    assert_int_equal(access_member(c, &sh01, 8, MEMBER_SEE), 0);
    {
        struct principal clerk = {.role = ROLE_CLERK, .scope = SCOPE_LOCATION, .scope_id = ids.sh01};
        struct principal key = {.role = ROLE_CHANNEL, .scope = SCOPE_CHAIN};
        assert_int_equal(access_member(c, &clerk, 8, MEMBER_EARN), 0);
        assert_int_equal(access_member(c, &clerk, 8, MEMBER_GIVE), O2O_EFORBIDDEN);
        assert_string_equal(err_last()->code, "role_forbidden");
        assert_int_equal(access_member(c, &key, 8, MEMBER_MERGE), O2O_EFORBIDDEN);
    }
}

static int count_cb(const struct location *l, void *arg)
{
    (void)l;
    (*(int *)arg)++;
    return 0;
}

static void test_location__lists_are_scoped(void **state)
{
    struct principal east = {.role = ROLE_REGION_MANAGER, .scope = SCOPE_REGION, .scope_id = ids.east};
    struct principal chain = {.role = ROLE_OWNER, .scope = SCOPE_CHAIN};
    int n = 0;
    (void)state;
    assert_int_equal(location_list(db_reader(db), &east, "", count_cb, &n), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(location_list(db_reader(db), &chain, "store", count_cb, &n), 0);
    assert_int_equal(n, 3);
    n = 0;
    assert_int_equal(location_list(db_reader(db), &chain, "warehouse", count_cb, &n), 0);
    assert_int_equal(n, 0);
}

static int bad_location(struct db_conn *c, void *arg)
{
    struct location *l = arg;
    return location_create(c, l);
}

static void test_location__invalid_locations_name_their_field(void **state)
{
    struct location l;
    (void)state;
    memset(&l, 0, sizeof l);
    snprintf(l.code, sizeof l.code, "X1");
    snprintf(l.name, sizeof l.name, "X");
    snprintf(l.kind, sizeof l.kind, "castle");
    snprintf(l.region_code, sizeof l.region_code, "EAST");
    assert_int_equal(db_txn(db, bad_location, &l), O2O_EINVAL);
    assert_string_equal(err_last()->field, "kind");
    snprintf(l.kind, sizeof l.kind, "store");
    snprintf(l.closes_at, sizeof l.closes_at, "25:00");
    assert_int_equal(db_txn(db, bad_location, &l), O2O_EINVAL);
    assert_string_equal(err_last()->field, "closes_at");
    l.closes_at[0] = 0;
    snprintf(l.region_code, sizeof l.region_code, "MOON");
    assert_int_equal(db_txn(db, bad_location, &l), O2O_ENOTFOUND);
    assert_string_equal(err_last()->field, "region");
    snprintf(l.region_code, sizeof l.region_code, "EAST");
    snprintf(l.code, sizeof l.code, "SH01");
    assert_int_equal(db_txn(db, bad_location, &l), O2O_EEXISTS);
    assert_string_equal(err_last()->code, "location_exists");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_location__scope_rules),
        cmocka_unit_test(test_location__lists_are_scoped),
        cmocka_unit_test(test_location__invalid_locations_name_their_field),
    };
    return cmocka_run_group_tests_name("location", tests, setup, teardown);
}
