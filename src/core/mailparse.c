/*
** mailparse.c -- reading an inbound e-mail: the header block unfolded, RFC 2047
** encoded words (B and Q, any charset iconv knows: GB2312, GBK, GB18030, Big5,
** ISO-8859-x...) decoded to UTF-8, the From address and name, the Message-ID;
** the body's MIME tree walked (at most 8 levels, 64 parts) for its first
** text/plain part, else its first text/html part with the tags dropped; base64 and
** quoted-printable undone; the part's charset turned into UTF-8.
*/
#include "core/mailparse.h"

#include <ctype.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"

#define MAX_DEPTH 8
#define MAX_PARTS 64
#define MAX_HEADER 16384

/* ---- bytes to UTF-8 ---- */

/* Append s (n bytes) as valid UTF-8: a byte that starts no valid sequence becomes '?'. */
static void add_utf8(struct buf *b, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = k && i + k <= n && !(k == 2 && c < 0xc2) && !(k == 4 && c > 0xf4);
        for (size_t j = 1; ok && j < k; j++)
            ok = (s[i + j] & 0xc0) == 0x80;
        if (ok && k == 3)
            ok = !(c == 0xe0 && s[i + 1] < 0xa0) && !(c == 0xed && s[i + 1] >= 0xa0);
        if (ok && k == 4)
            ok = !(c == 0xf0 && s[i + 1] < 0x90) && !(c == 0xf4 && s[i + 1] >= 0x90);
        if (!ok) {
            buf_add(b, "?", 1);
            i++;
            continue;
        }
        if (k == 1 && c < 0x20 && c != '\n' && c != '\t')
            c = c == '\r' ? 0 : ' '; /* carriage returns go, other controls become spaces */
        if (k == 1) {
            if (c)
                buf_add(b, &c, 1);
        } else {
            buf_add(b, s + i, k);
        }
        i += k;
    }
}

/* Append s in charset cs as UTF-8. */
static void add_charset(struct buf *b, const char *cs, const char *s, size_t n)
{
    iconv_t cd;
    char out[4096];
    char *in = (char *)s;
    size_t left = n;
    if (!*cs || !strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8") || !strcasecmp(cs, "us-ascii")) {
        add_utf8(b, (const unsigned char *)s, n);
        return;
    }
    /* a GB2312 label is GBK in practice (mail clients send GBK's characters under it) */
    cd = iconv_open("UTF-8", !strcasecmp(cs, "gb2312") ? "GBK" : cs);
    if (cd == (iconv_t)-1) {
        add_utf8(b, (const unsigned char *)s, n);
        return;
    }
    while (left) {
        char *o = out;
        size_t room = sizeof out;
        size_t r = iconv(cd, &in, &left, &o, &room);
        add_utf8(b, (const unsigned char *)out, (size_t)(o - out));
        if (r == (size_t)-1 && left && (o == out || room > 16)) {
            buf_add(b, "?", 1); /* a byte the charset does not have */
            in++;
            left--;
        }
    }
    iconv_close(cd);
}

/* Copy UTF-8 s into out (cap bytes), cut at a character. */
static void copy_utf8(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = 0;
}

/* ---- transfer encodings ---- */

static int b64v(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+' ? 62 : c == '/' ? 63 : -1;
}

static size_t unbase64(const char *s, size_t n, char *out)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64v((unsigned char)s[i]);
        if (v < 0)
            continue; /* line breaks, padding, noise */
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    return o;
}

static int hexv(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                                                                       : -1;
}

/* Quoted-printable (in a header's Q words, '_' is a space). */
static size_t unqp(const char *s, size_t n, char *out, bool header)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n && hexv((unsigned char)s[i + 1]) >= 0 && hexv((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hexv((unsigned char)s[i + 1]) * 16 + hexv((unsigned char)s[i + 2]));
            i += 2;
        } else if (s[i] == '=' && (i + 1 == n || s[i + 1] == '\r' || s[i + 1] == '\n')) {
            while (i + 1 < n && (s[i + 1] == '\r' || s[i + 1] == '\n' || s[i + 1] == ' ' || s[i + 1] == '\t')) {
                i++;
                if (s[i] == '\n')
                    break; /* a soft line break */
            }
        } else {
            out[o++] = header && s[i] == '_' ? ' ' : s[i];
        }
    }
    return o;
}

/* ---- headers ---- */

/* The value of header name in the block hdr (unfolded into out); false when absent. */
static bool header(const char *hdr, size_t hlen, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name), i = 0, o = 0;
    while (i < hlen) {
        size_t e = i;
        while (e < hlen && hdr[e] != '\n')
            e++;
        if (e - i > nl && !strncasecmp(hdr + i, name, nl) && hdr[i + nl] == ':') {
            size_t p = i + nl + 1;
            for (;;) {
                for (; p < e && o + 1 < cap; p++)
                    if (hdr[p] != '\r')
                        out[o++] = hdr[p] == '\t' ? ' ' : hdr[p];
                if (e + 1 < hlen && (hdr[e + 1] == ' ' || hdr[e + 1] == '\t')) { /* folded */
                    p = e + 1;
                    e = p;
                    while (e < hlen && hdr[e] != '\n')
                        e++;
                    continue;
                }
                break;
            }
            while (o && out[o - 1] == ' ')
                o--;
            out[o] = 0;
            {
                size_t lead = 0;
                while (out[lead] == ' ')
                    lead++;
                memmove(out, out + lead, o - lead + 1);
            }
            return true;
        }
        i = e + 1;
    }
    out[0] = 0;
    return false;
}

/* A header value with its RFC 2047 encoded words decoded, as UTF-8. */
static void decode_words(const char *v, char *out, size_t cap)
{
    struct buf b = BUF_INIT(1 << 16);
    const char *p = v;
    bool last_word = false;
    while (*p) {
        const char *q, *enc, *text, *end;
        if (p[0] == '=' && p[1] == '?' && (q = strchr(p + 2, '?')) && (q[1] == 'B' || q[1] == 'b' ||
                                                                           q[1] == 'Q' || q[1] == 'q') &&
            q[2] == '?' && (end = strstr(q + 3, "?=")) && (size_t)(q - p - 2) < 40) {
            char cs[48], *raw = xmalloc((size_t)(end - q) + 1);
            size_t n;
            memcpy(cs, p + 2, (size_t)(q - p - 2));
            cs[q - p - 2] = 0;
            if ((enc = strchr(cs, '*')))
                cs[enc - cs] = 0; /* RFC 2231 language */
            text = q + 3;
            n = q[1] == 'B' || q[1] == 'b' ? unbase64(text, (size_t)(end - text), raw)
                                           : unqp(text, (size_t)(end - text), raw, true);
            add_charset(&b, cs, raw, n);
            free(raw);
            p = end + 2;
            last_word = true;
            continue;
        }
        if (last_word && (*p == ' ' || *p == '\t')) { /* space between two encoded words is dropped */
            const char *s = p;
            while (*s == ' ' || *s == '\t')
                s++;
            if (s[0] == '=' && s[1] == '?') {
                p = s;
                continue;
            }
        }
        last_word = false;
        buf_add(&b, p, 1); /* raw bytes: checked as UTF-8 below, whole */
        p++;
    }
    {
        struct buf clean = BUF_INIT(1 << 16);
        add_utf8(&clean, (const unsigned char *)buf_str(&b), b.len);
        copy_utf8(out, cap, buf_str(&clean));
        buf_free(&clean);
    }
    buf_free(&b);
}

/* A parameter of a structured header value ("text/plain; charset=gbk"). */
static void param(const char *v, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    out[0] = 0;
    for (const char *p = strchr(v, ';'); p; p = strchr(p + 1, ';')) {
        const char *s = p + 1;
        while (*s == ' ')
            s++;
        if (!strncasecmp(s, name, nl) && s[nl] == '=') {
            size_t o = 0;
            s += nl + 1;
            if (*s == '"') {
                s++;
                while (*s && *s != '"' && o + 1 < cap)
                    out[o++] = *s++;
            } else {
                while (*s && *s != ';' && *s != ' ' && o + 1 < cap)
                    out[o++] = *s++;
            }
            out[o] = 0;
            return;
        }
    }
}

/* "Name <addr>" or "addr" */
static void from_parse(const char *v, struct mail_in *m)
{
    const char *lt = strrchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    char addr[256], name[256];
    size_t n;
    if (lt && gt) {
        n = (size_t)(gt - lt - 1);
        snprintf(addr, sizeof addr, "%.*s", (int)(n < 255 ? n : 255), lt + 1);
        n = (size_t)(lt - v);
        snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), v);
    } else {
        snprintf(addr, sizeof addr, "%.255s", v);
        name[0] = 0;
    }
    for (char *p = addr; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    n = strlen(addr);
    while (n && addr[n - 1] == ' ')
        addr[--n] = 0;
    if (strchr(addr, '@') && !strpbrk(addr, " <>\"(),;:") && n < sizeof m->from_addr)
        str_copy(m->from_addr, sizeof m->from_addr, addr);
    n = strlen(name);
    while (n && (name[n - 1] == ' ' || name[n - 1] == '"'))
        name[--n] = 0;
    decode_words(name + (name[0] == '"'), m->from_name, sizeof m->from_name);
}

/* ---- the body ---- */

struct found {
    struct buf plain, html;
    bool has_plain, has_html;
    int parts;
};

static const char *find(const char *s, size_t n, const char *what)
{
    size_t k = strlen(what);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (!memcmp(s + i, what, k))
            return s + i;
    return NULL;
}

/* Split at the blank line: header block and body. */
static void split(const char *s, size_t n, size_t *hlen, const char **body, size_t *blen)
{
    const char *a = find(s, n, "\r\n\r\n"), *b = find(s, n, "\n\n");
    if (a && (!b || a < b)) {
        *hlen = (size_t)(a - s) + 2;
        *body = a + 4;
    } else if (b) {
        *hlen = (size_t)(b - s) + 1;
        *body = b + 2;
    } else {
        *hlen = n;
        *body = s + n;
    }
    *blen = n - (size_t)(*body - s);
}

static void part(const char *s, size_t n, int depth, struct found *f, bool top, const char *top_hdr, size_t top_hlen)
{
    char ctype[512], cte[64], charset[48], boundary[200];
    const char *hdr = s, *body;
    size_t hlen, blen;
    if (++f->parts > MAX_PARTS || depth > MAX_DEPTH)
        return;
    if (top) {
        hdr = top_hdr;
        hlen = top_hlen;
        body = s;
        blen = n;
    } else {
        split(s, n, &hlen, &body, &blen);
    }
    if (hlen > MAX_HEADER)
        hlen = MAX_HEADER;
    if (!header(hdr, hlen, "Content-Type", ctype, sizeof ctype))
        str_copy(ctype, sizeof ctype, "text/plain");
    header(hdr, hlen, "Content-Transfer-Encoding", cte, sizeof cte);
    param(ctype, "charset", charset, sizeof charset);
    if (!strncasecmp(ctype, "multipart/", 10)) {
        char delim[210];
        const char *p, *end = body + blen;
        param(ctype, "boundary", boundary, sizeof boundary);
        if (!boundary[0])
            return;
        snprintf(delim, sizeof delim, "--%s", boundary);
        p = find(body, blen, delim);
        while (p && !(f->has_plain)) {
            const char *start = p + strlen(delim), *next;
            if (start + 2 <= end && !memcmp(start, "--", 2))
                break; /* the closing delimiter */
            while (start < end && *start != '\n')
                start++;
            if (start < end)
                start++;
            next = find(start, (size_t)(end - start), delim);
            part(start, (size_t)((next ? next : end) - start), depth + 1, f, false, NULL, 0);
            p = next;
        }
        return;
    }
    if (strncasecmp(ctype, "text/plain", 10) && strncasecmp(ctype, "text/html", 9))
        return; /* an attachment, an image: not the text */
    if (header(hdr, hlen, "Content-Disposition", boundary, sizeof boundary) &&
        !strncasecmp(boundary, "attachment", 10))
        return;
    {
        bool html = !strncasecmp(ctype, "text/html", 9);
        struct buf *to = html ? &f->html : &f->plain;
        char *raw;
        size_t rn;
        if ((html && f->has_html) || (!html && f->has_plain))
            return;
        raw = xmalloc(blen + 1);
        if (!strcasecmp(cte, "base64"))
            rn = unbase64(body, blen, raw);
        else if (!strcasecmp(cte, "quoted-printable"))
            rn = unqp(body, blen, raw, false);
        else {
            memcpy(raw, body, blen);
            rn = blen;
        }
        add_charset(to, charset, raw, rn);
        free(raw);
        if (html)
            f->has_html = true;
        else
            f->has_plain = true;
    }
}

/* HTML to its text: tags dropped (a <br> or a closing block a line break), a few entities. */
static void strip_html(const char *h, struct buf *out)
{
    static const struct {
        const char *e, *c;
    } ents[] = {{"&nbsp;", " "}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
    bool skip = false;
    for (const char *p = h; *p;) {
        if (*p == '<') {
            const char *e = strchr(p, '>');
            if (!strncasecmp(p, "<br", 3) || !strncasecmp(p, "</p", 3) || !strncasecmp(p, "</div", 5))
                buf_add(out, "\n", 1);
            if (!strncasecmp(p, "<style", 6) || !strncasecmp(p, "<script", 7))
                skip = true;
            if (!strncasecmp(p, "</style", 7) || !strncasecmp(p, "</script", 8))
                skip = false;
            if (!e)
                break;
            p = e + 1;
            continue;
        }
        if (*p == '&') {
            size_t i;
            for (i = 0; i < sizeof ents / sizeof ents[0]; i++)
                if (!strncmp(p, ents[i].e, strlen(ents[i].e)))
                    break;
            if (i < sizeof ents / sizeof ents[0]) {
                if (!skip)
                    buf_adds(out, ents[i].c);
                p += strlen(ents[i].e);
                continue;
            }
        }
        if (!skip)
            buf_add(out, p, 1);
        p++;
    }
}

int mail_parse(const char *raw, size_t len, size_t max_text, struct mail_in *m)
{
    char v[2048];
    const char *body;
    size_t hlen, blen, n;
    struct found f;
    struct buf text = BUF_INIT(1 << 24);
    memset(m, 0, sizeof *m);
    split(raw, len, &hlen, &body, &blen);
    if (!hlen || hlen == len || !memchr(raw, ':', hlen))
        return err_set(O2O_EINVAL, "not_mail", NULL, "no header block");
    if (hlen > MAX_HEADER)
        hlen = MAX_HEADER;
    if (header(raw, hlen, "From", v, sizeof v))
        from_parse(v, m);
    if (header(raw, hlen, "Subject", v, sizeof v))
        decode_words(v, m->subject, sizeof m->subject);
    if (header(raw, hlen, "Message-ID", v, sizeof v)) {
        char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
        if (lt && gt && gt > lt + 1 && (size_t)(gt - lt - 1) < sizeof m->message_id) {
            *gt = 0;
            add_utf8(&text, (const unsigned char *)lt + 1, strlen(lt + 1));
            str_copy(m->message_id, sizeof m->message_id, buf_str(&text));
            buf_reset(&text);
        }
    }
    memset(&f, 0, sizeof f);
    f.plain = (struct buf)BUF_INIT(1 << 24);
    f.html = (struct buf)BUF_INIT(1 << 24);
    part(body, blen, 0, &f, true, raw, hlen);
    if (f.has_plain)
        buf_add(&text, buf_str(&f.plain), f.plain.len);
    else if (f.has_html)
        strip_html(buf_str(&f.html), &text);
    buf_free(&f.plain);
    buf_free(&f.html);
    /* trimmed, cut at a character */
    {
        const char *t = buf_str(&text);
        size_t start = 0;
        n = text.len;
        while (start < n && isspace((unsigned char)t[start]))
            start++;
        while (n > start && isspace((unsigned char)t[n - 1]))
            n--;
        if (n - start > max_text) {
            n = start + max_text;
            while (n > start && ((unsigned char)t[n] & 0xc0) == 0x80)
                n--;
        }
        m->text = xmalloc(n - start + 1);
        memcpy(m->text, t + start, n - start);
        m->text[n - start] = 0;
    }
    buf_free(&text);
    return 0;
}

void mail_in_free(struct mail_in *m)
{
    free(m->text);
    m->text = NULL;
}
