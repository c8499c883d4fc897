/*
** mime.c -- header fields with RFC 2047 encoded-words, Message-ID, Date, base64
** bodies and boundaries for the messages o2o sends (see mime.h).
*/
#include "core/mime.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/util.h"

#define WORD_MAX 75           /* an encoded-word, "=?UTF-8?B?" to "?=" (RFC 2047 2.) */
#define WORD_OVERHEAD 12      /* "=?UTF-8?B?" and "?=" */
#define LINE_MAX_ENC 76       /* a line holding encoded-words */

static bool plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return !strstr(s, "=?") && strlen(s) < 900;
}

/* Bytes of the UTF-8 character starting at s (1 for a stray byte). */
static size_t char_len(const unsigned char *s)
{
    size_t n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

/* text as encoded-words, the first starting at column col; every line stays
** within 76 characters (RFC 2047 2.), folded with CRLF and a space. */
static void encoded_words(struct buf *b, const char *text, size_t col)
{
    const unsigned char *p = (const unsigned char *)text;
    bool first = true;
    while (*p) {
        size_t room = (first ? (col < LINE_MAX_ENC - 20 ? LINE_MAX_ENC - col : 20) : WORD_MAX) - WORD_OVERHEAD;
        size_t most = room / 4 * 3, n = 0, cap;
        char *enc;
        while (p[n]) {
            size_t k = char_len(p + n);
            if (n + k > most)
                break;
            n += k;
        }
        if (!n) { /* no room on this line: start the next */
            buf_adds(b, "\r\n ");
            first = false;
            continue;
        }
        cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
        enc = xmalloc(cap);
        sodium_bin2base64(enc, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
        buf_addf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", enc);
        free(enc);
        first = false;
        p += n;
    }
}

void mime_header(struct buf *b, const char *name, const char *text)
{
    buf_addf(b, "%s: ", name);
    if (plain(text))
        buf_adds(b, text);
    else
        encoded_words(b, text, strlen(name) + 2);
    buf_adds(b, "\r\n");
}

void mime_address(struct buf *b, const char *name, const char *display, const char *address)
{
    buf_addf(b, "%s: ", name);
    if (display && *display) {
        if (plain(display) && !strpbrk(display, "\"\\()<>[]:;@,."))
            buf_addf(b, "\"%s\" ", display);
        else {
            encoded_words(b, display, strlen(name) + 2);
            buf_adds(b, " ");
        }
    }
    buf_addf(b, "<%s>\r\n", address);
}

void mime_message_id(char out[128], const char *from)
{
    char rnd[33];
    const char *at = from ? strrchr(from, '@') : NULL;
    char domain[64] = "o2o.invalid";
    if (at && at[1] && plain(at + 1) && !strpbrk(at + 1, "<> \"") && strlen(at + 1) < sizeof domain)
        str_copy(domain, sizeof domain, at + 1);
    random_hex(rnd, 16);
    snprintf(out, 128, "<%s.%lld@%s>", rnd, (long long)(now_ms() / 1000), domain);
}

void mime_date(char out[40], int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

void mime_base64(struct buf *b, const void *data, size_t len)
{
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *enc = xmalloc(cap);
    sodium_bin2base64(enc, cap, (const unsigned char *)data, len, sodium_base64_VARIANT_ORIGINAL);
    for (size_t i = 0, n = strlen(enc); i < n; i += 76) {
        buf_add(b, enc + i, n - i < 76 ? n - i : 76);
        buf_adds(b, "\r\n");
    }
    free(enc);
}

void mime_boundary(char out[40])
{
    char rnd[25];
    random_hex(rnd, 12);
    snprintf(out, 40, "=_o2o_%s", rnd);
}
