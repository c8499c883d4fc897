/*
** test_pay.c -- the payment crypto against vectors made by other implementations
** (a signature by the openssl command, a ciphertext by Python's cryptography),
** money in the providers' notation, payment-code routing; and the small core
** pieces the order flow leans on: time zones, the string map, QR codes.
*/
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/money.h"
#include "core/qr.h"
#include "core/strmap.h"
#include "core/tz.h"
#include "core/util.h"
#include "pay/crypto.h"
#include "pay/gateway.h"
#include "net/httpc.h"
#include "pay/providers.h"
#include "ship/carrier.h"

#include <inttypes.h>
#include <sodium.h>

static const char PUB_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0757Fc23b4arhZNjfLkI\n"
    "D2CpHVFN9UFhkmec69VEzdhkrb+jsrfqb51aPrBYn+nn18VWDOBVVdJXbQH/wDIg\n"
    "cuPyZARcPYHyNkzNi78mZ8HAYGimnjbl1GWxlENgJofNKQiA7nndWTbN2K7+WAmA\n"
    "Q+ippeYsDRdZjoFbZYF7tPAabD1pwarQfqsQL5WpSpm/llFdloSVAQUNqvjX+m7r\n"
    "AG3ba+xB4AAV6OesgsbIScdNCOHrEVPierQQa3H07pOz0mh6/O+M7qIVxFUmZzFR\n"
    "PVZiyyGLFruDklcqQHtS8a2hwnajsHikrzXHwmXMYkHTmXyqBtnv7rINJYy17RcK\n"
    "OQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
/* openssl dgst -sha256 -sign over MSG */
static const char SIG[] =
    "SQ4hmuJK/JaClLOkhurfoux+3HAdcqGosqcjl0rfv9U0fRNHugOilieY4pxlHpKmbA7Pgl9VCSVl0kotcctVehDZzyGVJ3gJJOPsXeob3Z4E3qjU8smE"
    "G1WuoaRj5Vq3rQfVnYKHCYOtiNylWvP/mahzJ1XaO94rO/gweSM71H1CcV/dMo4GGTBIrYft98fZd/PlvZ8o3BD8Jz7KfbrdZQuqCW2wn6eCY99Zhm8U"
    "71xJ9mpi6EqTW6RVcXmsf0cajg4Uni9LZZ21xjgzURuwk2D5B+H8hmG6EbtIN58xtWwgMJQm0uuegp3vIOYcspsaDjNM95UbJY985b19fOMwuQ==";
static const char MSG[] = "GET\n/v3/pay/transactions/out-trade-no/O1P1?mchid=1900000109\n1700000000\nabc\n\n";

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/o2o-test-key-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* A courier configured with "tracking": false is known by name (orders may ship
** with it) but is never tracked and never accepted as a pusher: it has no secret,
** so a push "signed" with an empty key must not pass. */
static void test_pay__an_untracked_carrier_is_known_but_never_pushes(void **state)
{
    char *path = write_tmp("{\"sf\": {\"base_url\": \"http://127.0.0.1:9\", \"api_key\": \"k\", "
                           "\"secret\": \"0123456789abcdef\"}, \"dada\": {\"tracking\": false}}");
    struct carriers *c = NULL;
    char names[64], ts[24], sig[65];
    const char *body = "{\"tracking_no\":\"D1\",\"events\":[]}";
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    char signed_text[128];
    (void)state;
    assert_int_equal(carriers_load(path, &c), 0);
    assert_true(carrier_known(c, "sf") && carrier_tracked(c, "sf"));
    assert_true(carrier_known(c, "dada"));
    assert_false(carrier_tracked(c, "dada"));
    assert_false(carrier_known(c, "sf-express"));
    carrier_names(c, names, sizeof names);
    assert_string_equal(names, "sf, dada");
    snprintf(ts, sizeof ts, "%" PRId64, now_ms() / 1000);
    snprintf(signed_text, sizeof signed_text, "%s\n%s", ts, body);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)"", 0);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)signed_text, strlen(signed_text));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(sig, sizeof sig, mac, sizeof mac);
    assert_int_equal(carrier_verify(c, "dada", ts, sig, body, strlen(body)), O2O_ENOTFOUND);
    assert_int_equal(carrier_subscribe(c, "dada", "D1", "http://127.0.0.1:9/cb"), O2O_EINVAL);
    carriers_free(c);
    unlink(path);
    free(path);
    /* a tracked carrier still needs its secret */
    path = write_tmp("{\"sf\": {\"base_url\": \"http://x\", \"api_key\": \"k\"}}");
    assert_int_equal(carriers_load(path, &c), O2O_EINVAL);
    carriers_free(c);
    unlink(path);
    free(path);
}

static void test_pay__verifies_a_signature_made_by_openssl(void **state)
{
    char *path = write_tmp(PUB_PEM), msg2[sizeof MSG];
    struct pay_key *k = pay_key_load_public(path);
    (void)state;
    assert_non_null(k);
    assert_true(pay_rsa_verify(k, MSG, strlen(MSG), SIG));
    memcpy(msg2, MSG, sizeof MSG);
    msg2[0] = 'P'; /* another message */
    assert_false(pay_rsa_verify(k, msg2, strlen(msg2), SIG));
    assert_false(pay_rsa_verify(k, MSG, strlen(MSG), "bm90IGEgc2lnbmF0dXJl"));
    assert_false(pay_rsa_verify(k, MSG, strlen(MSG), "***"));
    pay_key_free(k);
    assert_null(pay_key_load_private(path)); /* a public key is not a private one */
    unlink(path);
    free(path);
}

static void test_pay__decrypts_a_wechat_resource_made_by_another_library(void **state)
{
    /* AESGCM(key).encrypt(nonce, plaintext, aad) from Python's cryptography */
    const char *ct = "+tSWfM3jIx/LLNS4r4Gsg1rx/D7lqOv5Z9iq5hwoWBA4dW6SQsHVVtU=";
    char *pt;
    (void)state;
    pt = pay_aes_gcm_decrypt("0123456789abcdef0123456789abcdef", "abcdef012345", "transaction", ct);
    assert_non_null(pt);
    assert_string_equal(pt, "{\"trade_state\":\"SUCCESS\"}");
    free(pt);
    /* another AAD, another key, a flipped bit: the tag does not authenticate */
    assert_null(pay_aes_gcm_decrypt("0123456789abcdef0123456789abcdef", "abcdef012345", "refund", ct));
    assert_null(pay_aes_gcm_decrypt("0123456789abcdef0123456789abcdeX", "abcdef012345", "transaction", ct));
    assert_null(pay_aes_gcm_decrypt("0123456789abcdef0123456789abcdef", "abcdef012345", "transaction",
                                    "+tSWfM3jIx/LLNS4r4Gsg1rx/D7lqOv5Z9iq5hwoWBA4dW6SQsHVVtA="));
    assert_null(pay_aes_gcm_decrypt("short", "abcdef012345", "transaction", ct));
}

static void test_pay__money_in_the_providers_notation(void **state)
{
    char s[32];
    int64_t fen = 0;
    (void)state;
    money_yuan(s, 8888);
    assert_string_equal(s, "88.88");
    money_yuan(s, 5);
    assert_string_equal(s, "0.05");
    money_yuan(s, -150); /* one of four copies printed "-1.-50" */
    assert_string_equal(s, "-1.50");
    money_yuan(s, INT64_MIN);
    assert_string_equal(s, "-92233720368547758.08");
    assert_int_equal(money_parse_yuan("88.88", &fen), 0);
    assert_int_equal(fen, 8888);
    assert_int_equal(money_parse_yuan("12.5", &fen), 0);
    assert_int_equal(fen, 1250);
    assert_int_equal(money_parse_yuan("7", &fen), 0);
    assert_int_equal(fen, 700);
    assert_int_equal(money_parse_yuan("-1.00", &fen), O2O_EINVAL);
    assert_int_equal(money_parse_yuan("1.2.3", &fen), O2O_EINVAL);
    assert_int_equal(money_parse_yuan("", &fen), O2O_EINVAL);
}

static void test_pay__payment_codes_go_to_their_gateway(void **state)
{
    struct gateways *g = NULL;
    size_t np;
    const struct gw_provider *const *all = gw_providers(&np);
    (void)state;
    assert_int_equal(gateways_load(NULL, all, np, &g), 0); /* none configured: codes are still told apart */
    assert_string_equal(gateway_for_code(g, "134567890123456789"), "wechat_pay");
    assert_string_equal(gateway_for_code(g, "281234567890123456"), "alipay");
    assert_string_equal(gateway_for_code(g, "301234567890123456789012"), "alipay");
    assert_null(gateway_for_code(g, "991234567890123456"));
    assert_null(gateway_for_code(g, "28123"));
    assert_null(gateway_for_code(g, "28123456789012345x"));
    gateways_free(g);
}

/* Issue 11: a webhook a manager gives must not reach inside the network, by
** address or by a name that resolves there; the chain may allow a network. */
static void test_pay__urls_from_outside_never_reach_internal_addresses(void **state)
{
    static const char *inside[] = {"http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x",
                                   "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3:9/", "http://0.0.0.0:9/"};
    struct httpc_resp r;
    (void)state;
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        assert_int_equal(httpc_request_outside("POST", inside[i], "", NULL, "{}", 2, 2000, &r), O2O_EFORBIDDEN);
        assert_string_equal(err_last()->code, "internal_target");
        httpc_free(&r);
    }
    /* allowed: the connection is tried (nothing listens on port 9: unreachable, not refused by us) */
    assert_int_equal(httpc_request_outside("POST", "http://127.0.0.1:9/x", "127.0.0.0/8", NULL, "{}", 2, 2000, &r),
                     O2O_ERETRY);
    httpc_free(&r);
    /* the plain client (gateways and carriers the operator configured) is not restricted */
    assert_int_equal(httpc_request("POST", "http://127.0.0.1:9/x", NULL, "{}", 2, 2000, &r), O2O_ERETRY);
    httpc_free(&r);
}

static void test_core__time_zones_follow_the_zone_database(void **state)
{
    int64_t jan = 0, jul = 0;
    char day[11];
    (void)state;
    parse_iso8601("2026-01-15T12:00:00Z", &jan);
    parse_iso8601("2026-07-15T12:00:00Z", &jul);
    assert_int_equal(tz_offset_min("Asia/Shanghai", jan), 480);
    assert_int_equal(tz_offset_min("Europe/London", jan), 0);
    assert_int_equal(tz_offset_min("Europe/London", jul), 60); /* summer time */
    assert_int_equal(tz_offset_min("UTC", jul), 0);
    /* 17:30 UTC is already tomorrow in Shanghai */
    parse_iso8601("2026-11-22T17:30:00Z", &jan);
    tz_local_day("Asia/Shanghai", jan, day);
    assert_string_equal(day, "2026-11-23");
    tz_local_day("Europe/London", jan, day);
    assert_string_equal(day, "2026-11-22");
    assert_int_equal(tz_local_minute("Asia/Shanghai", jan), 90);
}

/* Issue 12: a date given as a period bound is the local day of the scope asked about. */
static void test_core__a_date_is_a_local_day(void **state)
{
    int64_t t = 0, want = 0;
    char when[17];
    (void)state;
    assert_int_equal(tz_parse_bound("Asia/Shanghai", "2017-11-25", &t), 0);
    parse_iso8601("2017-11-24T16:00:00Z", &want);
    assert_true(t == want);
    /* London in summer starts its day at 23:00 UTC the day before; in winter at midnight */
    assert_int_equal(tz_parse_bound("Europe/London", "2026-07-01", &t), 0);
    parse_iso8601("2026-06-30T23:00:00Z", &want);
    assert_true(t == want);
    assert_int_equal(tz_parse_bound("Europe/London", "2026-12-01", &t), 0);
    parse_iso8601("2026-12-01T00:00:00Z", &want);
    assert_true(t == want);
    /* the day the clocks go forward (29 March 2026) starts at its midnight, 00:00 GMT */
    assert_int_equal(tz_parse_bound("Europe/London", "2026-03-29", &t), 0);
    parse_iso8601("2026-03-29T00:00:00Z", &want);
    assert_true(t == want);
    /* an instant stays that instant */
    assert_int_equal(tz_parse_bound("Asia/Shanghai", "2017-11-25T00:00:00Z", &t), 0);
    parse_iso8601("2017-11-25T00:00:00Z", &want);
    assert_true(t == want);
    assert_int_equal(tz_parse_bound("Asia/Shanghai", "25/11/2017", &t), O2O_EINVAL);
    /* what a customer reads */
    parse_iso8601("2026-12-07T16:20:00Z", &t);
    tz_local_time("Asia/Shanghai", t, when);
    assert_string_equal(when, "2026-12-08 00:20");
}

static void test_core__string_map_grows_and_finds(void **state)
{
    struct strmap m = {0};
    char key[32];
    int64_t v = 0;
    (void)state;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "sku-%d", i);
        strmap_put(&m, key, i * 3);
    }
    strmap_put(&m, "sku-7", 99);
    assert_int_equal(m.n, 5000);
    assert_true(strmap_get(&m, "sku-4999", &v));
    assert_int_equal(v, 4999 * 3);
    assert_true(strmap_get(&m, "sku-7", &v));
    assert_int_equal(v, 99);
    assert_false(strmap_get(&m, "sku-5000", &v));
    strmap_free(&m);
    assert_false(strmap_get(&m, "sku-1", &v));
}

static void test_core__qr_codes_as_png_and_svg(void **state)
{
    size_t n = 0;
    unsigned char *png = qr_png("https://o2o.example.com/r/12-0123456789abcdef01234567", 4, &n);
    char *svg;
    (void)state;
    assert_non_null(png);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(png + 12, "IHDR", 4);
    assert_memory_equal(png + n - 8, "IEND", 4);
    free(png);
    svg = qr_svg("hello", &n);
    assert_non_null(svg);
    assert_true(strstr(svg, "<svg") == svg);
    assert_non_null(strstr(svg, "h1v1h-1z"));
    free(svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pay__verifies_a_signature_made_by_openssl),
        cmocka_unit_test(test_pay__decrypts_a_wechat_resource_made_by_another_library),
        cmocka_unit_test(test_pay__money_in_the_providers_notation),
        cmocka_unit_test(test_pay__payment_codes_go_to_their_gateway),
        cmocka_unit_test(test_pay__urls_from_outside_never_reach_internal_addresses),
        cmocka_unit_test(test_pay__an_untracked_carrier_is_known_but_never_pushes),
        cmocka_unit_test(test_core__time_zones_follow_the_zone_database),
        cmocka_unit_test(test_core__a_date_is_a_local_day),
        cmocka_unit_test(test_core__string_map_grows_and_finds),
        cmocka_unit_test(test_core__qr_codes_as_png_and_svg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
