/*
** test_orders.c -- routing decisions (pickup store first, transfers in, nearest
** single location, the fewest shipments, excluded locations) and refunds that go
** back to the original tenders in proportion, with the points earned reversed,
** and a till sale short of one line that writes nothing.
*/
#include "fixture.h"

#include "core/util.h"
#include "stock/inventory.h"
#include "member/member.h"
#include "sales/order.h"
#include "member/points.h"
#include "sales/routing.h"

struct plan_arg {
    struct route_request rq;
    struct route_plan plan;
    int rc;
    char field[96];
};

static int plan_body(struct db_conn *c, void *arg)
{
    struct plan_arg *p = arg;
    p->rc = routing_plan(c, &p->rq, &p->plan);
    strcpy(p->field, err_last()->field);
    return 0;
}

static void plan(struct plan_arg *p)
{
    assert_int_equal(db_txn(db, plan_body, p), 0);
}

static int64_t leg_at(const struct route_plan *p, int64_t loc, const char *kind)
{
    for (int i = 0; i < p->nlegs; i++)
        if (p->legs[i].location_id == loc && !strcmp(p->legs[i].kind, kind))
            return (int64_t)p->legs[i].lines;
    return -1;
}

static void test_orders__routing_rules(void **state)
{
    struct plan_arg p;
    (void)state;
    receive(ids.tee_s, ids.sh02, 5); /* S only at SH02 */
    receive(ids.tee_m, ids.sh01, 5); /* M at SH01 and BJ01 */
    receive(ids.tee_m, ids.bj01, 5);

    /* pickup at SH01: it has M, S is transferred in from SH02 */
    memset(&p, 0, sizeof p);
    p.rq.pickup = true;
    p.rq.pickup_id = ids.sh01;
    p.rq.nlines = 2;
    p.rq.sku[0] = ids.tee_s, p.rq.qty[0] = 1;
    p.rq.sku[1] = ids.tee_m, p.rq.qty[1] = 1;
    plan(&p);
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.plan.rule, "transfer_to_pickup_store");
    assert_int_equal(leg_at(&p.plan, ids.sh01, "pickup"), 2);   /* line 1 (bit 1) */
    assert_int_equal(leg_at(&p.plan, ids.sh02, "transfer"), 1); /* line 0 */
    routing_plan_free(&p.plan);

    /* pickup at SH01 of M only: the store has everything */
    p.rq.nlines = 1;
    p.rq.sku[0] = ids.tee_m;
    plan(&p);
    assert_string_equal(p.plan.rule, "pickup_store_complete");
    routing_plan_free(&p.plan);

    /* delivery of M near Beijing: the nearest location with it */
    memset(&p, 0, sizeof p);
    p.rq.has_geo = true, p.rq.lat = 39.91, p.rq.lon = 116.40;
    p.rq.nlines = 1;
    p.rq.sku[0] = ids.tee_m, p.rq.qty[0] = 1;
    plan(&p);
    assert_string_equal(p.plan.rule, "single_location_nearest");
    assert_int_equal(leg_at(&p.plan, ids.bj01, "delivery"), 1);
    routing_plan_free(&p.plan);

    /* delivery of S and M in Shanghai: nobody has both, two shipments */
    p.rq.lat = 31.24, p.rq.lon = 121.48;
    p.rq.nlines = 2;
    p.rq.sku[0] = ids.tee_s, p.rq.qty[0] = 1;
    p.rq.sku[1] = ids.tee_m, p.rq.qty[1] = 1;
    plan(&p);
    assert_string_equal(p.plan.rule, "split_fewest_shipments");
    assert_int_equal(p.plan.nlegs, 2);
    assert_int_equal(leg_at(&p.plan, ids.sh02, "delivery"), 1);
    assert_int_equal(leg_at(&p.plan, ids.sh01, "delivery"), 2); /* SH01 is nearer than BJ01 */
    routing_plan_free(&p.plan);

    /* without SH02 (it rejected the order) there is no S anywhere */
    p.rq.nexclude = 1;
    p.rq.exclude[0] = ids.sh02;
    plan(&p);
    assert_int_equal(p.rc, O2O_ESTOCK);
    assert_string_equal(p.field, "lines[0]");
    routing_plan_free(&p.plan);

    /* more than any location has */
    memset(&p, 0, sizeof p);
    p.rq.nlines = 1;
    p.rq.sku[0] = ids.tee_m, p.rq.qty[0] = 6;
    plan(&p);
    assert_int_equal(p.rc, O2O_ESTOCK);
    routing_plan_free(&p.plan);
}

struct sale {
    int64_t member, id;
    struct return_result rr;
    struct order_input in;
    struct return_input ret;
};

static int member_body(struct db_conn *c, void *arg)
{
    struct sale *s = arg;
    struct member m;
    struct points_op op;
    struct points_entry e;
    int rc;
    memset(&m, 0, sizeof m);
    strcpy(m.phone, "+8613600000042");
    rc = member_create(c, &m);
    if (rc)
        return rc;
    s->member = m.id;
    memset(&op, 0, sizeof op);
    op.member_id = m.id;
    op.points = 6000;
    strcpy(op.channel, "pos");
    return points_earn(c, &op, &e);
}

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

static int refunds_cb(const struct refund *r, void *arg)
{
    int64_t *v = arg;
    if (!strcmp(r->tender, "points"))
        v[0] += r->amount, v[2] += r->points;
    else
        v[1] += r->amount;
    return 0;
}

static void test_orders__refunds_go_back_to_the_tenders_in_proportion(void **state)
{
    struct sale *s = calloc(1, sizeof *s);
    struct order o;
    struct stock before;
    int64_t got[3] = {0, 0, 0}, bal = 0;
    (void)state;
    receive(ids.tee_s, ids.sh01, 10);
    assert_int_equal(db_txn(db, member_body, s), 0);
    /* 2 x 129.00 paid with 5,800 points and 200.00 on a card */
    strcpy(s->in.channel, "pos");
    strcpy(s->in.mode, "carry_out");
    s->in.member_id = s->member;
    s->in.location_id = ids.sh01;
    s->in.nlines = 1;
    strcpy(s->in.sku[0], "TEE-S");
    s->in.qty[0] = 2;
    s->in.ntenders = 2;
    strcpy(s->in.tenders[0].tender, "points");
    s->in.tenders[0].points = 5800;
    strcpy(s->in.tenders[1].tender, "bank_card");
    s->in.tenders[1].amount = 20000;
    strcpy(s->in.tenders[1].reference, "T-1");
    strcpy(s->in.actor, "test");
    assert_int_equal(db_txn(db, place_body, s), 0);
    assert_int_equal(order_get(db_reader(db), s->id, &o), 0);
    assert_string_equal(o.status, "completed");
    assert_int_equal(o.points_earned, 200); /* 200.00 paid with money */
    points_balance(db_reader(db), s->member, &bal);
    assert_int_equal(bal, 6000 - 5800 + 200);

    /* one unit back: 129.00, i.e. 29.00 of points and 100.00 to the card */
    assert_int_equal(inventory_stock(db_reader(db), ids.tee_s, ids.sh02, &before), 0);
    s->ret.location_id = ids.sh02;
    s->ret.nlines = 1;
    s->ret.line_no[0] = 1;
    s->ret.qty[0] = 1;
    strcpy(s->ret.actor, "test");
    assert_int_equal(db_txn(db, return_body, s), 0);
    assert_int_equal(order_refunds(db_reader(db), s->id, refunds_cb, got), 0);
    assert_int_equal(got[0], 2900);
    assert_int_equal(got[1], 10000);
    assert_int_equal(got[2], 2900); /* points given back */
    /* 100 earned points reversed (half the sale), the 2,900 points tender given back */
    points_balance(db_reader(db), s->member, &bal);
    assert_int_equal(bal, 400 + 2900 - 100);
    /* the goods are back on the shelf of the store that took them */
    {
        struct stock st;
        assert_int_equal(inventory_stock(db_reader(db), ids.tee_s, ids.sh02, &st), 0);
        assert_int_equal(st.on_hand, before.on_hand + 1);
    }
    free(s);
}

static int count_body(struct db_conn *c, void *arg)
{
    int64_t *n = arg; /* orders, journal rows */
    int rc = db_scalar_i64(c, &n[0], "SELECT COUNT(*) FROM orders", NULL);
    return rc ? rc : db_scalar_i64(c, &n[1], "SELECT COUNT(*) FROM stock_movements", NULL);
}

static void test_orders__a_till_sale_short_of_one_line_leaves_nothing_behind(void **state)
{
    struct sale *s = calloc(1, sizeof *s);
    struct stock m0, s0, m1, s1;
    int64_t before[2], after[2];
    (void)state;
    receive(ids.tee_m, ids.sh01, 3);
    assert_int_equal(inventory_stock(db_reader(db), ids.tee_m, ids.sh01, &m0), 0);
    assert_int_equal(inventory_stock(db_reader(db), ids.tee_s, ids.sh01, &s0), 0);
    assert_int_equal(db_txn(db, count_body, before), 0);
    /* the first line is there and is taken first; the second is one short */
    strcpy(s->in.channel, "pos");
    strcpy(s->in.mode, "carry_out");
    s->in.location_id = ids.sh01;
    s->in.nlines = 2;
    strcpy(s->in.sku[0], "TEE-M");
    s->in.qty[0] = 1;
    strcpy(s->in.sku[1], "TEE-S");
    s->in.qty[1] = s0.available + 1;
    s->in.ntenders = 1;
    strcpy(s->in.tenders[0].tender, "cash");
    s->in.tenders[0].amount = 100000000;
    strcpy(s->in.actor, "test");
    assert_int_equal(db_txn(db, place_body, s), O2O_ESTOCK);
    assert_string_equal(err_last()->field, "lines[1]");
    assert_string_equal(err_last()->code, "out_of_stock");
    assert_int_equal(inventory_stock(db_reader(db), ids.tee_m, ids.sh01, &m1), 0);
    assert_int_equal(inventory_stock(db_reader(db), ids.tee_s, ids.sh01, &s1), 0);
    assert_int_equal(m1.on_hand, m0.on_hand);
    assert_int_equal(s1.on_hand, s0.on_hand);
    assert_int_equal(db_txn(db, count_body, after), 0);
    assert_int_equal(after[0], before[0]);
    assert_int_equal(after[1], before[1]);
    /* with enough of both, the same sale goes through and takes both */
    s->in.qty[1] = 1;
    receive(ids.tee_s, ids.sh01, 1);
    assert_int_equal(db_txn(db, place_body, s), 0);
    assert_int_equal(inventory_stock(db_reader(db), ids.tee_m, ids.sh01, &m1), 0);
    assert_int_equal(m1.on_hand, m0.on_hand - 1);
    assert_int_equal(db_txn(db, count_body, after), 0);
    assert_int_equal(after[1], before[1] + 1 + 2); /* the receipt, then one journal row per line */
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders__routing_rules),
        cmocka_unit_test(test_orders__refunds_go_back_to_the_tenders_in_proportion),
        cmocka_unit_test(test_orders__a_till_sale_short_of_one_line_leaves_nothing_behind),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
