/*
** test_auth.c -- staff accounts and sessions, API keys, one-time codes: tokens
** resolve to the right principal, are stored only as hashes, expire and end;
** failed logins are counted and throttled.
*/
#include "fixture.h"

#include <sodium.h>

#include "core/util.h"
#include "identity/auth.h"
#include "org/outbox.h"

static int auth_setup(void **state)
{
    assert_int_equal(sodium_init() < 0, 0);
    return setup(state);
}

struct mk {
    struct staff s;
    char hash[128];
};

static int staff_body(struct db_conn *c, void *arg)
{
    struct mk *m = arg;
    return staff_create(c, &m->s, m->hash);
}

struct login {
    const char *user;
    bool ok;
    int64_t id;
    char token[80];
    int64_t expires;
};

static int login_body(struct db_conn *c, void *arg)
{
    struct login *l = arg;
    return staff_login_commit(c, l->user, "198.51.100.9", l->id, l->token, &l->expires);
}

struct claim {
    const char *user, *client;
    bool trusted;
};

static int claim_body(struct db_conn *c, void *arg)
{
    struct claim *k = arg;
    return staff_login_claim(c, k->user, k->client, k->trusted);
}

static void test_auth__staff_login_issues_a_token_that_resolves_to_role_and_scope(void **state)
{
    struct mk m;
    struct principal who, p;
    struct login l;
    char hash[65];
    int64_t n = -1;
    (void)state;
    memset(&m, 0, sizeof m);
    snprintf(m.s.username, sizeof m.s.username, "mgr1");
    snprintf(m.s.role, sizeof m.s.role, "store_manager");
    snprintf(m.s.scope_code, sizeof m.s.scope_code, "SH01");
    assert_int_equal(auth_hash_password("correct horse battery", m.hash), 0);
    assert_non_null(strstr(m.hash, "$argon2id$"));
    assert_int_equal(db_txn(db, staff_body, &m), 0);
    assert_int_equal(staff_verify(db_reader(db), "mgr1", "wrong", &who), O2O_EUNAUTH);
    assert_int_equal(staff_verify(db_reader(db), "nobody", "x", &who), O2O_EUNAUTH);
    assert_int_equal(staff_verify(db_reader(db), "mgr1", "correct horse battery", &who), 0);
    assert_int_equal(who.role, ROLE_STORE_MANAGER);
    assert_int_equal(who.scope, SCOPE_LOCATION);
    assert_int_equal(who.scope_id, ids.sh01);
    l = (struct login){"mgr1", true, who.id, "", 0};
    assert_int_equal(db_txn(db, login_body, &l), 0);
    assert_true(l.expires > now_ms() + AUTH_STAFF_TTL_MS - 60000);
    assert_int_equal(auth_resolve(db_reader(db), l.token, &p), 0);
    assert_int_equal(p.id, who.id);
    assert_int_equal(p.role, ROLE_STORE_MANAGER);
    /* only the hash is stored */
    sha256_hex(hash, l.token, strlen(l.token));
    assert_int_equal(db_scalar_i64(db_reader(db), &n, "SELECT COUNT(*) FROM sessions WHERE token_hash = $1", "t", hash), 0);
    assert_int_equal(n, 1);
    assert_int_equal(db_scalar_i64(db_reader(db), &n, "SELECT COUNT(*) FROM sessions WHERE token_hash = $1", "t", l.token), 0);
    assert_int_equal(n, 0);
    assert_int_equal(auth_resolve(db_reader(db), "o2o_s_0000", &p), O2O_EUNAUTH);
}

static int expire_sessions(struct db_conn *c, void *arg)
{
    (void)arg;
    int64_t n = db_exec(c, "UPDATE sessions SET expires_at = 1", NULL);
    return n < 0 ? (int)n : 0;
}

static void test_auth__expired_tokens_are_refused(void **state)
{
    struct login l = {"mgr1", true, 0, "", 0};
    struct principal p, who;
    (void)state;
    assert_int_equal(staff_verify(db_reader(db), "mgr1", "correct horse battery", &who), 0);
    l.id = who.id;
    assert_int_equal(db_txn(db, login_body, &l), 0);
    assert_int_equal(auth_resolve(db_reader(db), l.token, &p), 0);
    assert_int_equal(db_txn(db, expire_sessions, NULL), 0);
    assert_int_equal(auth_resolve(db_reader(db), l.token, &p), O2O_EUNAUTH);
}

static void test_auth__five_attempts_lock_a_username_from_one_address_only(void **state)
{
    struct claim a = {"mgr2", "192.0.2.7", false}, b = {"mgr2", "198.51.100.9", false};
    struct login l = {"mgr2", true, 0, "", 0};
    (void)state;
    /* every attempt is counted before its password is checked: the sixth is refused */
    for (int i = 0; i < AUTH_MAX_FAILURES; i++)
        assert_int_equal(db_txn(db, claim_body, &a), 0);
    assert_int_equal(db_txn(db, claim_body, &a), O2O_ETHROTTLE);
    assert_string_equal(err_last()->code, "too_many_attempts");
    assert_true(err_last()->retry_after > 0 && err_last()->retry_after <= 30);
    /* another address is not locked out by the first one's failures */
    assert_int_equal(db_txn(db, claim_body, &b), 0);
    /* a success from an address clears its count */
    assert_int_equal(db_txn(db, login_body, &l), 0);
    for (int i = 0; i < AUTH_MAX_FAILURES; i++)
        assert_int_equal(db_txn(db, claim_body, &b), 0);
}

static void test_auth__many_addresses_lock_the_username_except_for_trusted_networks(void **state)
{
    char client[32];
    struct claim k = {"mgr3", client, false}, office = {"mgr3", "10.0.0.5", true};
    (void)state;
    for (int i = 0; i < AUTH_MAX_USER_FAILURES; i++) {
        snprintf(client, sizeof client, "203.0.113.%d", i % 250);
        assert_int_equal(db_txn(db, claim_body, &k), 0);
    }
    snprintf(client, sizeof client, "198.51.100.200");
    assert_int_equal(db_txn(db, claim_body, &k), O2O_ETHROTTLE);
    /* from a trusted network the right password still gets its chance */
    assert_int_equal(db_txn(db, claim_body, &office), 0);
}

static int key_body(struct db_conn *c, void *arg)
{
    return api_key_create(c, arg);
}

static void test_auth__a_pos_key_is_bound_to_its_store(void **state)
{
    struct api_key k;
    struct principal p;
    (void)state;
    memset(&k, 0, sizeof k);
    snprintf(k.channel, sizeof k.channel, "pos");
    assert_int_equal(db_txn(db, key_body, &k), O2O_EINVAL);
    assert_string_equal(err_last()->field, "location");
    snprintf(k.location_code, sizeof k.location_code, "SH02");
    assert_int_equal(db_txn(db, key_body, &k), 0);
    assert_int_equal(auth_resolve(db_reader(db), k.key, &p), 0);
    assert_int_equal(p.role, ROLE_CHANNEL);
    assert_string_equal(p.channel, "pos");
    assert_int_equal(p.scope, SCOPE_LOCATION);
    assert_int_equal(p.scope_id, ids.sh02);
}

struct otp {
    const char *phone, *code;
    char token[80];
    int64_t member, expires;
};

static int otp_req_body(struct db_conn *c, void *arg)
{
    return otp_request(c, ((struct otp *)arg)->phone, false);
}

static int otp_ver_body(struct db_conn *c, void *arg)
{
    struct otp *o = arg;
    return otp_verify(c, o->phone, o->code, o->token, &o->member, &o->expires);
}

static int sms_cb(const struct outbox_msg *m, void *arg)
{
    const char *p = strstr(m->payload, "code is ");
    if (p)
        memcpy(arg, p + 8, 6);
    return 0;
}

static void test_auth__a_one_time_code_signs_a_member_in_once(void **state)
{
    char code[7] = {0};
    struct otp o = {"+8613811110000", NULL, "", 0, 0};
    struct principal p;
    (void)state;
    assert_int_equal(db_txn(db, otp_req_body, &o), 0);
    assert_int_equal(outbox_list(db_reader(db), o.phone, "", 1, sms_cb, code), 0);
    assert_int_equal(strlen(code), 6);
    o.code = code;
    assert_int_equal(db_txn(db, otp_ver_body, &o), 0);
    assert_true(o.member > 0);
    assert_int_equal(auth_resolve(db_reader(db), o.token, &p), 0);
    assert_int_equal(p.role, ROLE_MEMBER);
    assert_int_equal(p.scope, SCOPE_SELF);
    assert_int_equal(p.id, o.member);
    assert_int_equal(db_txn(db, otp_ver_body, &o), O2O_EUNAUTH); /* used */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth__staff_login_issues_a_token_that_resolves_to_role_and_scope),
        cmocka_unit_test(test_auth__expired_tokens_are_refused),
        cmocka_unit_test(test_auth__five_attempts_lock_a_username_from_one_address_only),
        cmocka_unit_test(test_auth__many_addresses_lock_the_username_except_for_trusted_networks),
        cmocka_unit_test(test_auth__a_pos_key_is_bound_to_its_store),
        cmocka_unit_test(test_auth__a_one_time_code_signs_a_member_in_once),
    };
    return cmocka_run_group_tests_name("auth", tests, auth_setup, teardown);
}
