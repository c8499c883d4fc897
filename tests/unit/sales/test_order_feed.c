/*
** test_order_feed.c -- the order feed and its reader, insight: a hole in the feed
** holds readers back until it is old, a paid sale reaches the member's profile once
** however often the job runs, a return and a merge fold her history again.
*/
#include "fixture.h"

#include "core/util.h"
#include "insight/insight.h"
#include "stock/inventory.h"
#include "member/member.h"
#include "sales/order.h"
#include "sales/order_feed.h"
#include "insight/profile.h"

#define T0 1700000000000LL /* a pinned clock: 2023-11-14 */

static int member_body(struct db_conn *c, void *arg)
{
    struct member *m = arg;
    return member_create(c, m);
}

static int64_t new_member(const char *phone)
{
    struct member m;
    memset(&m, 0, sizeof m);
    strcpy(m.phone, phone);
    assert_int_equal(db_txn(db, member_body, &m), 0);
    return m.id;
}

struct sale {
    int64_t id;
    struct order_input in;
    struct return_input ret;
    struct return_result rr;
};

static int place_body(struct db_conn *c, void *arg)
{
    struct sale *s = arg;
    return order_place(c, &s->in, &s->id);
}

static int return_body(struct db_conn *c, void *arg)
{
    struct sale *s = arg;
    return order_return(c, s->id, &s->ret, &s->rr);
}

/* one T-shirt at the till, paid in cash */
static int64_t till_sale(int64_t member)
{
    struct sale *s = calloc(1, sizeof *s);
    int64_t id;
    receive(ids.tee_m, ids.sh01, 1);
    strcpy(s->in.channel, "pos");
    strcpy(s->in.mode, "carry_out");
    s->in.member_id = member;
    s->in.location_id = ids.sh01;
    s->in.nlines = 1;
    strcpy(s->in.sku[0], "TEE-M");
    s->in.qty[0] = 1;
    s->in.ntenders = 1;
    strcpy(s->in.tenders[0].tender, "cash");
    s->in.tenders[0].amount = 100000;
    strcpy(s->in.actor, "test");
    assert_int_equal(db_txn(db, place_body, s), 0);
    id = s->id;
    free(s);
    return id;
}

struct refresh {
    int64_t now, count;
};

static int refresh_body(struct db_conn *c, void *arg)
{
    struct refresh *r = arg;
    return insight_refresh(c, r->now, &r->count);
}

/* the job until nothing is left, at a pinned time after every row's writing */
static void settle(void)
{
    struct refresh r = {now_ms() + 3600000, 0};
    int rc;
    do {
        rc = db_txn(db, refresh_body, &r);
        if (rc)
            fprintf(stderr, "refresh: %s\n", err_last()->msg);
        assert_int_equal(rc, 0);
    } while (r.count);
}

static int64_t profile_orders(int64_t member)
{
    struct profile p;
    int rc;
    memset(&p, 0, sizeof p);
    rc = profile_get(db_reader(db), member, T0, &p);
    if (rc == O2O_ENOTFOUND)
        return 0; /* no profile: nothing folded */
    assert_int_equal(rc, 0);
    return p.orders;
}

static int add_body(struct db_conn *c, void *arg)
{
    const int64_t *a = arg; /* order, member */
    return order_feed_add(c, ORDER_FEED_PAID, a[0], a[1], 0);
}

/* a hole at seq a[0]: that row goes, the one after it was written at a[1] */
static int hole_body(struct db_conn *c, void *arg)
{
    const int64_t *a = arg;
    int64_t n = db_exec(c, "DELETE FROM order_feed WHERE seq = $1", "i", a[0]);
    if (n >= 0)
        n = db_exec(c, "UPDATE order_feed SET created_at = $2 WHERE seq = $1", "ii", a[0] + 1, a[1]);
    return n < 0 ? (int)n : 0;
}

struct read_arg {
    int64_t after, now;
    struct order_feed_row rows[8];
    int n;
};

static int read_body(struct db_conn *c, void *arg)
{
    struct read_arg *r = arg;
    return order_feed_read(c, r->after, r->now, 30000, r->rows, 8, &r->n);
}

static void test_order_feed__a_hole_holds_readers_until_it_is_old(void **state)
{
    int64_t head = 0, a[2] = {0, 0}, h[2];
    struct read_arg r;
    (void)state;
    settle();
    assert_int_equal(order_feed_head(db_reader(db), &head), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(db_txn(db, add_body, a), 0);
    /* head+3 is missing: a writer that has not committed, or one that rolled back */
    h[0] = head + 3;
    h[1] = T0;
    assert_int_equal(db_txn(db, hole_body, h), 0);
    memset(&r, 0, sizeof r);
    r.after = head;
    r.now = T0 + 29999;
    assert_int_equal(db_txn(db, read_body, &r), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rows[0].seq, head + 1);
    assert_int_equal(r.rows[1].seq, head + 2);
    /* 30 s after the row past the hole was written, the hole is read past */
    r.now = T0 + 30000;
    assert_int_equal(db_txn(db, read_body, &r), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.rows[2].seq, head + 4);
    /* a reader further on is not held */
    r.after = head + 1;
    r.now = T0;
    assert_int_equal(db_txn(db, read_body, &r), 0);
    assert_int_equal(r.n, 1);
    settle(); /* the rows of no order leave insight as it was */
}

static void test_order_feed__a_paid_sale_reaches_her_profile_once(void **state)
{
    int64_t m = new_member("+8613600000101"), lag = -1;
    (void)state;
    till_sale(m);
    assert_int_equal(profile_orders(m), 0); /* not on the till's path */
    assert_int_equal(insight_lag(db_reader(db), &lag), 0);
    assert_true(lag >= 1);
    settle();
    assert_int_equal(profile_orders(m), 1);
    settle();
    assert_int_equal(profile_orders(m), 1);
    assert_int_equal(insight_lag(db_reader(db), &lag), 0);
    assert_int_equal(lag, 0);
}

static void test_order_feed__a_return_folds_her_history_again(void **state)
{
    int64_t m = new_member("+8613600000102");
    struct sale *s = calloc(1, sizeof *s);
    (void)state;
    till_sale(m);
    s->id = till_sale(m);
    settle();
    assert_int_equal(profile_orders(m), 2);
    s->ret.location_id = ids.sh01;
    s->ret.nlines = 1;
    s->ret.line_no[0] = 1;
    s->ret.qty[0] = 1;
    strcpy(s->ret.actor, "test");
    assert_int_equal(db_txn(db, return_body, s), 0);
    settle();
    assert_int_equal(profile_orders(m), 1); /* the returned sale counts no more */
    /* a return, then a sale, read in one batch: the sale is counted once */
    s->id = till_sale(m);
    assert_int_equal(db_txn(db, return_body, s), 0);
    till_sale(m);
    settle();
    assert_int_equal(profile_orders(m), 2);
    free(s);
}

static int move_body(struct db_conn *c, void *arg)
{
    const int64_t *a = arg; /* from, to */
    return order_move_member(c, a[0], a[1]);
}

static void test_order_feed__a_merge_moves_her_history_to_the_survivor(void **state)
{
    int64_t survivor = new_member("+8613600000103"), merged = new_member("+8613600000104"), a[2];
    (void)state;
    till_sale(survivor);
    till_sale(merged);
    till_sale(merged);
    settle();
    assert_int_equal(profile_orders(merged), 2);
    a[0] = merged;
    a[1] = survivor;
    /* a sale of the merged member not yet read when the merge happens is counted once */
    till_sale(merged);
    assert_int_equal(db_txn(db, move_body, a), 0);
    settle();
    assert_int_equal(profile_orders(survivor), 4);
    assert_int_equal(profile_orders(merged), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_feed__a_hole_holds_readers_until_it_is_old),
        cmocka_unit_test(test_order_feed__a_paid_sale_reaches_her_profile_once),
        cmocka_unit_test(test_order_feed__a_return_folds_her_history_again),
        cmocka_unit_test(test_order_feed__a_merge_moves_her_history_to_the_survivor),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
