/*
** test_points.c -- members and the points ledger: earn by the configured rule,
** redeem never beyond the balance, lots consumed oldest-expiry first, expiry,
** transfers, idempotent earns, merges; the balance always equals the ledger.
*/
#include "fixture.h"

#include <pthread.h>

#include "core/util.h"
#include "member/member.h"
#include "member/points.h"
#include "org/settings.h"

static int create_body(struct db_conn *c, void *arg)
{
    return member_create(c, arg);
}

static int64_t new_member(const char *phone)
{
    struct member m;
    memset(&m, 0, sizeof m);
    assert_int_equal(phone_normalize(phone, "86", m.phone), 0);
    assert_int_equal(db_txn(db, create_body, &m), 0);
    return m.id;
}

enum { EARN, REDEEM, TRANSFER };
struct op {
    int kind;
    struct points_op op;
    struct points_entry e;
};

static int op_body(struct db_conn *c, void *arg)
{
    struct op *x = arg;
    switch (x->kind) {
    case EARN: return points_earn(c, &x->op, &x->e);
    case REDEEM: return points_redeem(c, &x->op, &x->e);
    default: return points_transfer(c, &x->op, &x->e);
    }
}

static int do_op(int kind, int64_t member, int64_t points, int64_t amount, const char *key, struct points_entry *out)
{
    struct op x;
    int rc;
    memset(&x, 0, sizeof x);
    x.kind = kind;
    x.op.member_id = member;
    x.op.points = points;
    x.op.amount = amount;
    snprintf(x.op.channel, sizeof x.op.channel, "pos");
    if (key)
        snprintf(x.op.idem_key, sizeof x.op.idem_key, "%s", key);
    rc = db_txn(db, op_body, &x);
    if (out)
        *out = x.e;
    return rc;
}

static void assert_ledger(int64_t member, int64_t want)
{
    int64_t bal = -1, sum = -2;
    assert_int_equal(points_balance(db_reader(db), member, &bal), 0);
    assert_int_equal(points_ledger_sum(db_reader(db), member, &sum), 0);
    assert_int_equal(bal, want);
    assert_int_equal(sum, want);
}

static void test_points__earn_by_amount_and_redeem_within_balance(void **state)
{
    int64_t m = new_member("13900000001");
    struct points_entry e;
    (void)state;
    assert_int_equal(do_op(EARN, m, 0, 12345, NULL, &e), 0);
    assert_int_equal(e.points, 123); /* 1 point per whole CNY */
    assert_int_equal(do_op(REDEEM, m, 100, 0, NULL, &e), 0);
    assert_int_equal(e.balance, 23);
    assert_int_equal(do_op(REDEEM, m, 24, 0, NULL, NULL), O2O_ECONFLICT);
    assert_string_equal(err_last()->code, "insufficient_points");
    assert_int_equal(do_op(REDEEM, m, 0, 0, NULL, NULL), O2O_EINVAL);
    assert_ledger(m, 23);
}

static void test_points__the_same_key_earns_once(void **state)
{
    int64_t m = new_member("13900000002");
    struct points_entry a, b;
    (void)state;
    assert_int_equal(do_op(EARN, m, 50, 0, "sale-1", &a), 0);
    assert_int_equal(do_op(EARN, m, 50, 0, "sale-1", &b), 0);
    assert_true(b.replayed);
    assert_int_equal(a.id, b.id);
    assert_ledger(m, 50);
}

struct setting {
    const char *key, *value;
};

static int setting_body(struct db_conn *c, void *arg)
{
    struct setting *s = arg;
    return settings_set(c, s->key, s->value);
}

static int expire_body(struct db_conn *c, void *arg)
{
    int64_t n = 0;
    return points_expire_due(c, *(int64_t *)arg, &n);
}

static void test_points__lots_expiring_first_are_spent_first(void **state)
{
    int64_t m = new_member("13900000003"), far;
    struct setting six = {"points_expiry_months", "6"}, two_years = {"points_expiry_months", "24"};
    struct setting bad = {"points_expiry_months", "-3"};
    (void)state;
    assert_int_equal(do_op(EARN, m, 100, 0, NULL, NULL), 0); /* 24 months */
    assert_int_equal(db_txn(db, setting_body, &six), 0);
    assert_int_equal(do_op(EARN, m, 50, 0, NULL, NULL), 0); /* 6 months: spent first */
    assert_int_equal(db_txn(db, setting_body, &two_years), 0);
    assert_int_equal(db_txn(db, setting_body, &bad), O2O_EINVAL);
    assert_int_equal(do_op(REDEEM, m, 30, 0, NULL, NULL), 0);
    /* in a year the 6-month lot's 20 points expire, the 100 stay */
    far = now_ms() + 365LL * 24 * 3600 * 1000;
    assert_int_equal(db_txn(db, expire_body, &far), 0);
    assert_ledger(m, 100);
    far = now_ms() + 3 * 365LL * 24 * 3600 * 1000;
    assert_int_equal(db_txn(db, expire_body, &far), 0);
    assert_ledger(m, 0);
}

static void test_points__transfer_and_merge_keep_the_ledgers_whole(void **state)
{
    int64_t a = new_member("13900000004"), b = new_member("13900000005");
    struct op x;
    (void)state;
    assert_int_equal(do_op(EARN, a, 70, 0, "k1", NULL), 0);
    memset(&x, 0, sizeof x);
    x.kind = TRANSFER;
    x.op.member_id = a;
    x.op.to_member_id = b;
    x.op.points = 30;
    assert_int_equal(db_txn(db, op_body, &x), 0);
    assert_ledger(a, 40);
    assert_ledger(b, 30);
    assert_int_equal(do_op(EARN, b, 5, 0, "k1", NULL), 0); /* same key, other member: its own entry */
    assert_ledger(b, 35);
    x.op.points = 41;
    assert_int_equal(db_txn(db, op_body, &x), O2O_ECONFLICT);
    assert_ledger(a, 40);
}

static int merge_body(struct db_conn *c, void *arg)
{
    int64_t *ab = arg;
    struct principal owner = {.role = ROLE_OWNER, .scope = SCOPE_CHAIN, .id = 1};
    struct member out;
    int rc = member_merge(c, &owner, ab[0], ab[1], &out);
    return rc ? rc : points_move_ledger(c, ab[1], ab[0]);
}

static void test_points__merge_moves_points_and_phone_lookup_follows(void **state)
{
    int64_t ab[2];
    struct member m;
    (void)state;
    ab[0] = new_member("13900000006");
    ab[1] = new_member("13900000007");
    assert_int_equal(do_op(EARN, ab[0], 10, 0, "dup", NULL), 0);
    assert_int_equal(do_op(EARN, ab[1], 20, 0, "dup", NULL), 0);
    assert_int_equal(db_txn(db, merge_body, ab), 0);
    assert_ledger(ab[0], 30);
    assert_ledger(ab[1], 0);
    assert_int_equal(member_get_by_phone(db_reader(db), "+8613900000007", &m), 0);
    assert_int_equal(m.id, ab[0]);
    assert_int_equal(db_txn(db, merge_body, ab), O2O_ECONFLICT);
    /* the survivor can spend all of it, oldest first */
    assert_int_equal(do_op(REDEEM, ab[0], 30, 0, NULL, NULL), 0);
    assert_ledger(ab[0], 0);
}

struct racer {
    int64_t member;
    int ok;
};

static void *redeemer(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < 2; i++)
        if (do_op(REDEEM, r->member, 10, 0, NULL, NULL) == 0)
            r->ok++;
    return NULL;
}

static void test_points__concurrent_redemptions_never_overdraw(void **state)
{
    int64_t m = new_member("13900000008");
    pthread_t th[32];
    struct racer r[32];
    int total = 0;
    (void)state;
    assert_int_equal(do_op(EARN, m, 100, 0, NULL, NULL), 0);
    for (int i = 0; i < 32; i++) {
        r[i] = (struct racer){m, 0};
        pthread_create(&th[i], NULL, redeemer, &r[i]);
    }
    for (int i = 0; i < 32; i++) {
        pthread_join(th[i], NULL);
        total += r[i].ok;
    }
    assert_int_equal(total, 10);
    assert_ledger(m, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points__earn_by_amount_and_redeem_within_balance),
        cmocka_unit_test(test_points__the_same_key_earns_once),
        cmocka_unit_test(test_points__lots_expiring_first_are_spent_first),
        cmocka_unit_test(test_points__transfer_and_merge_keep_the_ledgers_whole),
        cmocka_unit_test(test_points__merge_moves_points_and_phone_lookup_follows),
        cmocka_unit_test(test_points__concurrent_redemptions_never_overdraw),
    };
    return cmocka_run_group_tests_name("points", tests, setup, teardown);
}
