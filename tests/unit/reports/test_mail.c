/*
** test_mail.c -- what a report e-mail is made of: header fields that any SMTP
** server carries and no name can break (RFC 2047 encoded-words, folded at a
** character, decoded back to the text), Message-ID and Date, and charts drawn as
** PNG with their Chinese labels.
*/
#include "testutil.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mime.h"
#include "reports/chart_png.h"

/* Decode "Name: words\r\n( words\r\n)*" back to text (what a mail reader does). */
static void decode_header(const char *field, char *out, size_t cap)
{
    const char *p = strchr(field, ':') + 2;
    size_t o = 0;
    out[0] = 0;
    while (*p) {
        if (!strncmp(p, "=?UTF-8?B?", 10)) {
            const char *e = strstr(p + 10, "?=");
            unsigned char bin[128];
            size_t n = 0;
            assert_non_null(e);
            assert_int_equal(sodium_base642bin(bin, sizeof bin, p + 10, (size_t)(e - p - 10), NULL, &n, NULL,
                                               sodium_base64_VARIANT_ORIGINAL),
                             0);
            assert_true(o + n < cap);
            memcpy(out + o, bin, n);
            o += n;
            p = e + 2;
        } else if (!strncmp(p, "\r\n ", 3)) {
            p += 3; /* folding between two encoded-words */
        } else if (!strncmp(p, "\r\n", 2)) {
            break;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = 0;
}

static void assert_7bit_lines(const char *s, size_t most)
{
    size_t line = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        assert_true(*p < 128);
        if (*p == '\n') {
            assert_true(p > (const unsigned char *)s && p[-1] == '\r');
            line = 0;
        } else {
            assert_true(++line <= most);
        }
    }
}

static void test_mail__utf8_subjects_are_encoded_words_that_decode_back(void **state)
{
    struct buf b = BUF_INIT(1 << 20);
    char back[512], long_name[400] = "";
    (void)state;
    mime_header(&b, "Subject", "Daily report 2026-12-07, 伦敦四店 (LON4)");
    assert_non_null(strstr(buf_str(&b), "Subject: =?UTF-8?B?"));
    assert_7bit_lines(buf_str(&b), 76);
    decode_header(buf_str(&b), back, sizeof back);
    assert_string_equal(back, "Daily report 2026-12-07, 伦敦四店 (LON4)");
    /* a long name folds into several words, each at most 75 characters, never inside a character */
    buf_reset(&b);
    for (int i = 0; i < 30; i++)
        strcat(long_name, "伦敦四店");
    mime_header(&b, "Subject", long_name);
    assert_7bit_lines(buf_str(&b), 76);
    assert_non_null(strstr(buf_str(&b), "?=\r\n =?UTF-8?B?"));
    decode_header(buf_str(&b), back, sizeof back);
    assert_string_equal(back, long_name);
    /* ASCII stays readable */
    buf_reset(&b);
    mime_header(&b, "Subject", "Daily report, the whole chain");
    assert_string_equal(buf_str(&b), "Subject: Daily report, the whole chain\r\n");
    buf_free(&b);
}

static void test_mail__a_name_cannot_add_a_header(void **state)
{
    struct buf b = BUF_INIT(1 << 20);
    char back[256];
    (void)state;
    mime_header(&b, "Subject", "Shop\r\nBcc: victim@example.com");
    assert_null(strstr(buf_str(&b), "\r\nBcc:"));
    assert_7bit_lines(buf_str(&b), 78);
    decode_header(buf_str(&b), back, sizeof back);
    assert_string_equal(back, "Shop\r\nBcc: victim@example.com"); /* the text, as text */
    buf_reset(&b);
    mime_address(&b, "From", "o2o \"reports\" <x@y>", "reports@chain.example");
    assert_non_null(strstr(buf_str(&b), "From: =?UTF-8?B?"));
    assert_non_null(strstr(buf_str(&b), " <reports@chain.example>\r\n"));
    buf_free(&b);
}

static void test_mail__message_id_and_date(void **state)
{
    char a[128], b[128], d[40];
    (void)state;
    mime_message_id(a, "reports@chain.example");
    mime_message_id(b, "reports@chain.example");
    assert_int_equal(a[0], '<');
    assert_non_null(strstr(a, "@chain.example>"));
    assert_string_not_equal(a, b);
    mime_message_id(a, "no-domain");
    assert_non_null(strstr(a, "@o2o.invalid>"));
    mime_date(d, 1796670854000LL); /* 2026-12-07 19:14:14 UTC */
    assert_string_equal(d, "Mon, 07 Dec 2026 19:14:14 +0000");
}

static void test_mail__charts_are_drawn_as_png_with_their_labels(void **state)
{
    static const char svg[] =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"40\" viewBox=\"0 0 320 40\" "
        "font-family=\"DejaVu Sans, WenQuanYi Micro Hei, sans-serif\" font-size=\"12\">"
        "<text x=\"0\" y=\"17\">伦敦四店</text><rect fill=\"#3b7dd8\" x=\"170\" y=\"4\" width=\"100\" height=\"18\"/>"
        "</svg>";
    size_t n = 0;
    unsigned char *png;
    (void)state;
    if (!chart_png_available())
        skip();
    png = chart_png(svg, sizeof svg - 1, 320, 40, 2, &n);
    assert_non_null(png);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR: drawn at twice the size */
    assert_int_equal(((uint32_t)png[16] << 24 | (uint32_t)png[17] << 16 | png[18] << 8 | png[19]), 640);
    assert_int_equal(((uint32_t)png[20] << 24 | (uint32_t)png[21] << 16 | png[22] << 8 | png[23]), 80);
    if (getenv("O2O_KEEP_PNG")) {
        FILE *f = fopen(getenv("O2O_KEEP_PNG"), "wb");
        if (f) {
            fwrite(png, 1, n, f);
            fclose(f);
        }
    }
    free(png);
    assert_null(chart_png("<svg", 4, 10, 10, 1, &n));
    assert_null(chart_png(svg, sizeof svg - 1, 0, 10, 1, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mail__utf8_subjects_are_encoded_words_that_decode_back),
        cmocka_unit_test(test_mail__a_name_cannot_add_a_header),
        cmocka_unit_test(test_mail__message_id_and_date),
        cmocka_unit_test(test_mail__charts_are_drawn_as_png_with_their_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
