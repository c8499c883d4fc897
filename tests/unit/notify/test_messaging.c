/*
** test_messaging.c -- the messaging providers' signatures against the examples
** their documentation works through (Aliyun's SendSms signature example,
** Tencent Cloud's TC3-HMAC-SHA256 example), their callbacks as documented, and
** the configuration file's checks.
*/
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "notify/messaging.h"
#include "notify/provider.h"
#include "notify/wechat_callback.h"

/* Aliyun's SMS documentation signs this request (GET, secret "testSecret"). */
static void test_messaging__aliyun_signature_matches_the_documented_example(void **state)
{
    const char *keys[] = {"AccessKeyId", "Action", "Format", "OutId", "PhoneNumbers", "RegionId", "SignName",
                          "SignatureMethod", "SignatureNonce", "SignatureVersion", "TemplateCode", "TemplateParam",
                          "Timestamp", "Version"};
    const char *values[] = {"testId", "SendSms", "XML", "123", "15300000001", "cn-hangzhou",
                            "\xe9\x98\xbf\xe9\x87\x8c\xe4\xba\x91\xe7\x9f\xad\xe4\xbf\xa1\xe6\xb5\x8b\xe8\xaf\x95"
                            "\xe4\xb8\x93\xe7\x94\xa8", /* 阿里云短信测试专用 */
                            "HMAC-SHA1", "45e25e9b-0a6f-4070-8c85-2956eda1b466", "1.0", "SMS_71390007",
                            "{\"customer\":\"test\"}", "2017-07-12T02:42:19Z", "2017-05-25"};
    struct buf q = BUF_INIT(1 << 16);
    char sig[64];
    (void)state;
    /* given in another order: the signature sorts them */
    const char *rk[14], *rv[14];
    for (int i = 0; i < 14; i++) {
        rk[i] = keys[13 - i];
        rv[i] = values[13 - i];
    }
    aliyun_rpc_sign("GET", "testSecret", rk, rv, 14, &q, sig);
    assert_string_equal(sig, "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    assert_non_null(strstr(buf_str(&q), "TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z"));
    buf_free(&q);
    /* a space is %20 (never '+'), '*' is encoded, '~' is not */
    msg_percent(&q, "a b*~");
    assert_string_equal(buf_str(&q), "a%20b%2A~");
    buf_free(&q);
}

/* Tencent Cloud's signature documentation (v3) works this CVM request through. */
static void test_messaging__tencent_signature_matches_the_documented_example(void **state)
{
    char sig[65], date[11];
    (void)state;
    tencent_tc3_sign("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm", "cvm.tencentcloudapi.com", 1551113065,
                     "{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}",
                     sig, date);
    assert_string_equal(date, "2019-02-25"); /* the UTC day, though Beijing is already on the 26th */
    assert_string_equal(sig, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
}

struct got {
    struct notify_receipt r[4];
    struct notify_reply p[4];
    int nr, np;
};

static int on_receipt(const struct notify_receipt *r, void *arg)
{
    struct got *g = arg;
    if (g->nr < 4)
        g->r[g->nr++] = *r;
    return 0;
}

static int on_reply(const struct notify_reply *r, void *arg)
{
    struct got *g = arg;
    if (g->np < 4)
        g->p[g->np++] = *r;
    return 0;
}

static void test_messaging__receipts_and_replies_as_the_providers_push_them(void **state)
{
    static const char ali[] =
        "[{\"phone_number\":\"13900000001\",\"send_time\":\"2026-12-01 10:00:00\",\"report_time\":\"2026-12-01 "
        "10:00:05\",\"success\":true,\"err_code\":\"DELIVERED\",\"err_msg\":\"ok\",\"sms_size\":\"1\",\"biz_id\":"
        "\"900619746936498440^0\",\"out_id\":\"42\"},{\"phone_number\":\"13900000002\",\"success\":false,"
        "\"err_code\":\"MK:0001\",\"err_msg\":\"bad\",\"biz_id\":\"77\",\"out_id\":\"\"}]";
    static const char tc[] = "[{\"user_receive_time\":\"2026-12-01 10:00:05\",\"nationcode\":\"86\",\"mobile\":"
                             "\"13900000001\",\"report_status\":\"FAIL\",\"errmsg\":\"MN:0017\",\"description\":"
                             "\"number is out of service\",\"sid\":\"2019:abc\"}]";
    static const char up[] = "{\"extend\":\"\",\"mobile\":\"13900000001\",\"nationcode\":\"86\",\"sign\":\"o2o\","
                             "\"text\":\"where is my order?\",\"time\":1796090400}";
    static const char aliup[] = "[{\"phone_number\":\"13900000003\",\"send_time\":\"2026-12-01 10:00:00\","
                                "\"content\":\"TD\",\"sign_name\":\"o2o\",\"dest_code\":\"1\",\"sequence_id\":5}]";
    struct got g;
    (void)state;
    memset(&g, 0, sizeof g);
    assert_int_equal(notify_parse_receipts("aliyun_sms", ali, strlen(ali), on_receipt, &g), 0);
    assert_int_equal(g.nr, 2);
    assert_string_equal(g.r[0].ref, "900619746936498440^0");
    assert_int_equal(g.r[0].outbox_id, 42);
    assert_true(g.r[0].delivered);
    assert_int_equal(g.r[0].at, 1796090405000LL); /* 10:00:05 in Beijing is 02:00:05 UTC */
    assert_false(g.r[1].delivered);
    assert_non_null(strstr(g.r[1].reason, "MK:0001"));
    assert_int_equal(notify_parse_receipts("tencent_sms", tc, strlen(tc), on_receipt, &g), 0);
    assert_string_equal(g.r[2].ref, "2019:abc");
    assert_false(g.r[2].delivered);
    assert_non_null(strstr(g.r[2].reason, "out of service"));
    assert_int_equal(notify_parse_replies("tencent_sms", up, strlen(up), on_reply, &g), 0);
    assert_int_equal(notify_parse_replies("aliyun_sms", aliup, strlen(aliup), on_reply, &g), 0);
    assert_int_equal(g.np, 2);
    assert_string_equal(g.p[0].from, "+8613900000001");
    assert_string_equal(g.p[0].text, "where is my order?");
    assert_int_equal(g.p[0].at, 1796090400000LL);
    assert_string_equal(g.p[1].from, "+8613900000003");
    assert_int_equal(notify_parse_receipts("aliyun_sms", "{\"x\":", 5, on_receipt, &g), O2O_EINVAL);
}

static void test_messaging__the_configuration_is_checked_and_callbacks_need_their_token(void **state)
{
    char path[64];
    struct messengers *m = NULL;
    FILE *f;
    (void)state;
    snprintf(path, sizeof path, "/tmp/o2o-messaging-%d.json", (int)getpid());
    f = fopen(path, "w");
    fputs("{\"aliyun_sms\": {\"access_key_id\": \"k\", \"sign_name\": \"o2o\"}}", f);
    fclose(f);
    assert_int_equal(messengers_load(path, &m), O2O_EINVAL); /* no secret */
    assert_non_null(strstr(err_last()->msg, "access_key_secret"));
    messengers_free(m);
    f = fopen(path, "w");
    fputs("{\"tencent_sms\": {\"secret_id\": \"i\", \"secret_key\": \"k\", \"sdk_app_id\": \"1400000000\", "
          "\"sign_name\": \"o2o\", \"callback_token\": \"s3cret-token\"}}",
          f);
    fclose(f);
    assert_int_equal(messengers_load(path, &m), 0);
    assert_true(messengers_has(m, "sms"));
    assert_false(messengers_has(m, "wechat"));
    assert_true(notify_callback_ok(m, "tencent_sms", "s3cret-token"));
    assert_false(notify_callback_ok(m, "tencent_sms", "s3cret-tokeN"));
    assert_false(notify_callback_ok(m, "tencent_sms", ""));
    assert_false(notify_callback_ok(m, "tencent_sms", NULL));
    assert_false(notify_callback_ok(m, "aliyun_sms", "s3cret-token")); /* not configured */
    messengers_free(m);
    unlink(path);
}

/* WeChat's message crypto sample (its WXBizMsgCrypt examples): the URL check's echostr
** and a pushed message, signed over the token and decrypted for the appid. */
static void test_messaging__wechat_safe_mode_opens_the_documented_sample(void **state)
{
    static const char key[] = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", appid[] = "wx5823bf96d3bd56c7";
    static const char echostr[] = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
    static const char enc[] =
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/"
        "sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+"
        "HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVG"
        "Ucallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5"
        "Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";
    char *xml = NULL, *sealed, field[64];
    (void)state;
    assert_true(wechat_sig_ok("QDG6eK", "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", echostr));
    assert_int_equal(wechat_decrypt(key, appid, echostr, &xml), 0);
    assert_string_equal(xml, "1616140317555161061");
    free(xml);
    assert_true(wechat_sig_ok("QDG6eK", "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", enc));
    assert_false(wechat_sig_ok("QDG6eK", "477715d11cdb4164915debcba66cb864d751f3e6", "1409659814", "1372623149", enc));
    assert_false(wechat_sig_ok("QDG6eK", "477715d11cdb4164915debcba66cb864d751f3e7", "1409659813", "1372623149", enc));
    assert_int_equal(wechat_decrypt(key, appid, enc, &xml), 0);
    assert_true(wechat_xml_field(xml, "ToUserName", field, sizeof field));
    assert_string_equal(field, appid);
    assert_true(wechat_xml_field(xml, "MsgType", field, sizeof field));
    free(xml);
    /* another account's message is not ours */
    assert_int_equal(wechat_decrypt(key, "wx0000000000000000", enc, &xml), O2O_EUNAUTH);
    assert_null(xml);
    /* sealed and opened again */
    sealed = wechat_encrypt(key, appid, "<xml><Content><![CDATA[\xe4\xbd\xa0\xe5\xa5\xbd]]></Content></xml>");
    assert_int_equal(wechat_decrypt(key, appid, sealed, &xml), 0);
    assert_true(wechat_xml_field(xml, "Content", field, sizeof field));
    assert_string_equal(field, "\xe4\xbd\xa0\xe5\xa5\xbd");
    free(xml);
    /* its last block changed: the appid and padding no longer hold (what a change elsewhere
    ** does is the msg_signature's to catch: it covers the ciphertext) */
    sealed[strlen(sealed) - 8] = sealed[strlen(sealed) - 8] == 'A' ? 'B' : 'A';
    assert_int_equal(wechat_decrypt(key, appid, sealed, &xml), O2O_EUNAUTH);
    free(sealed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messaging__aliyun_signature_matches_the_documented_example),
        cmocka_unit_test(test_messaging__tencent_signature_matches_the_documented_example),
        cmocka_unit_test(test_messaging__receipts_and_replies_as_the_providers_push_them),
        cmocka_unit_test(test_messaging__the_configuration_is_checked_and_callbacks_need_their_token),
        cmocka_unit_test(test_messaging__wechat_safe_mode_opens_the_documented_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
