/*
** test_mailparse.c -- inbound e-mail as mail clients send it: a plain UTF-8 note, a
** multipart message from a Chinese client in GB2312/GBK with base64 parts and an
** encoded subject, quoted-printable with soft line breaks, HTML only, and input
** that is not mail or not text.
*/
#include "testutil.h"

#include <string.h>

#include "core/err.h"
#include "core/mailparse.h"

static void test_mailparse__a_plain_note(void **state)
{
    static const char raw[] = "Return-Path: <x@y>\r\n"
                              "From: \"Tang Li\" <Tang.Li@Example.COM>\r\n"
                              "Subject: =?UTF-8?Q?=E4=BD=A0=E5=A5=BD?= and\r\n"
                              " a folded line\r\n"
                              "Message-ID: <abc.123@mail.example.com>\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"
                              "\r\n"
                              "  The zip of my jacket broke.\r\nPhotos attached.  \r\n\r\n";
    struct mail_in m;
    (void)state;
    assert_int_equal(mail_parse(raw, strlen(raw), 4000, &m), 0);
    assert_string_equal(m.from_addr, "tang.li@example.com");
    assert_string_equal(m.from_name, "Tang Li");
    assert_string_equal(m.subject, "\xe4\xbd\xa0\xe5\xa5\xbd and a folded line");
    assert_string_equal(m.message_id, "abc.123@mail.example.com");
    assert_string_equal(m.text, "The zip of my jacket broke.\nPhotos attached.");
    mail_in_free(&m);
}

static void test_mailparse__a_chinese_client_in_gbk_with_parts(void **state)
{
    static const char raw[] =
        "From: =?GB2312?B?zPDA7A==?= <tian@example.cn>\n"
        "Subject: =?GB2312?B?ztK1xM3izNfArcG0u7XByw==?=\n"
        "Message-ID: <gbk-1@example.cn>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"outer\"\n"
        "\n"
        "This is a multi-part message in MIME format.\n"
        "--outer\n"
        "Content-Type: multipart/alternative;\n"
        "\tboundary=inner\n"
        "\n"
        "--inner\n"
        "Content-Type: text/plain; charset=\"gb2312\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "wK3BtNTatdq2/szsvs27tcHLoaMNCraptaUgMTIzNA==\n"
        "--inner\n"
        "Content-Type: text/html; charset=\"gb2312\"\n"
        "\n"
        "<p>ignored</p>\n"
        "--inner--\n"
        "--outer\n"
        "Content-Type: image/jpeg; name=zip.jpg\n"
        "Content-Disposition: attachment; filename=zip.jpg\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "/9j/4AAQSkZJRgABAQAAAQABAAD\n"
        "--outer--\n";
    struct mail_in m;
    (void)state;
    assert_int_equal(mail_parse(raw, strlen(raw), 4000, &m), 0);
    assert_string_equal(m.from_addr, "tian@example.cn");
    assert_string_equal(m.subject, "\xe6\x88\x91\xe7\x9a\x84\xe5\xa4\x96\xe5\xa5\x97\xe6\x8b\x89\xe9\x93\xbe"
                                   "\xe5\x9d\x8f\xe4\xba\x86"); /* 我的外套拉链坏了 */
    /* 拉链在第二天就坏了。 / 订单 1234 */
    assert_string_equal(m.text, "\xe6\x8b\x89\xe9\x93\xbe\xe5\x9c\xa8\xe7\xac\xac\xe4\xba\x8c\xe5\xa4\xa9\xe5\xb0"
                                "\xb1\xe5\x9d\x8f\xe4\xba\x86\xe3\x80\x82\n\xe8\xae\xa2\xe5\x8d\x95 1234");
    mail_in_free(&m);
}

static void test_mailparse__quoted_printable_and_html_only(void **state)
{
    static const char qp[] = "From: a@b.c\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                             "Size M is =E4=BD=A0=\r\n=E5=A5=BD back? a=3Db\r\n";
    static const char html[] = "From: <a@b.c>\nContent-Type: text/html\n\n"
                               "<html><style>p{color:red}</style><p>Hello &amp; welcome</p><div>line two</div></html>";
    struct mail_in m;
    (void)state;
    assert_int_equal(mail_parse(qp, strlen(qp), 4000, &m), 0);
    assert_string_equal(m.text, "Size M is \xe4\xbd\xa0\xe5\xa5\xbd back? a=b");
    mail_in_free(&m);
    assert_int_equal(mail_parse(html, strlen(html), 4000, &m), 0);
    assert_string_equal(m.text, "Hello & welcome\nline two");
    mail_in_free(&m);
}

static void test_mailparse__what_is_not_mail_or_not_text(void **state)
{
    static const char bad_utf8[] = "From: Someone <s@x.y>\n\nabc\xff\xfe def \xe4\xbd end";
    static const char no_addr[] = "From: nobody at all\nSubject: hi\n\nbody";
    static const char long_cn[] = "From: a@b.c\n\n\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd";
    struct mail_in m;
    (void)state;
    assert_int_equal(mail_parse("no headers at all", 17, 100, &m), O2O_EINVAL);
    assert_int_equal(mail_parse(bad_utf8, strlen(bad_utf8), 4000, &m), 0);
    assert_string_equal(m.text, "abc?? def ?? end");
    mail_in_free(&m);
    assert_int_equal(mail_parse(no_addr, strlen(no_addr), 4000, &m), 0);
    assert_string_equal(m.from_addr, "");
    mail_in_free(&m);
    assert_int_equal(mail_parse(long_cn, strlen(long_cn), 7, &m), 0); /* 7 bytes: two characters, not two and a third */
    assert_string_equal(m.text, "\xe4\xbd\xa0\xe5\xa5\xbd");
    mail_in_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mailparse__a_plain_note),
        cmocka_unit_test(test_mailparse__a_chinese_client_in_gbk_with_parts),
        cmocka_unit_test(test_mailparse__quoted_printable_and_html_only),
        cmocka_unit_test(test_mailparse__what_is_not_mail_or_not_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
