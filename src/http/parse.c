/*
** parse.c -- HTTP/1.1 framing (RFC 9112) over bytes, with no I/O: the request
** head (strict: CRLF line ends, no folded lines, no space before a colon, one
** Host, one Content-Length value, never both Content-Length and
** Transfer-Encoding), the chunked decoder that counts the body against its limit
** as it streams, the target's path and query, and UTF-8 checks. Owns no state.
** Tests: tests/unit/test_http.c; fuzzed by tests/fuzz/fuzz_http.c.
*/
#include "http/parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/mem.h"

/* tchar of RFC 9110 5.6.2 */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar, SP or HTAB (RFC 9110 5.5): everything but controls and DEL */
static bool is_value_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool eq_nocase(const char *a, size_t n, const char *lit)
{
    return strlen(lit) == n && !strncasecmp(a, lit, n);
}

bool http_has_token(const char *v, size_t n, const char *token)
{
    size_t i = 0;
    while (i < n) {
        size_t s, e;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        s = i;
        while (i < n && v[i] != ',')
            i++;
        e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e > s && eq_nocase(v + s, e - s, token))
            return true;
    }
    return false;
}

const struct http_field *http_head_field(const struct http_head *h, const char *name)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (eq_nocase(h->fields[i].name, h->fields[i].name_len, name))
            return &h->fields[i];
    return NULL;
}

static int refuse(struct http_head *h, int status, const char *why)
{
    h->why = why;
    return -status;
}

/* The request line in p[0..n) (without its CRLF). */
static int request_line(struct http_head *h, const char *p, size_t n)
{
    size_t i = 0, t;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i > 20 || i >= n || p[i] != ' ')
        return refuse(h, 400, "malformed request line");
    h->method = p;
    h->method_len = i;
    t = ++i;
    while (i < n && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f)
        i++;
    if (i - t > HTTP_MAX_TARGET)
        return refuse(h, 414, "request target too long");
    if (i == t || i >= n || p[i] != ' ')
        return refuse(h, 400, "malformed request line");
    h->target = p + t;
    h->target_len = i - t;
    i++;
    if (n - i != 8 || memcmp(p + i, "HTTP/", 5) || p[i + 6] != '.' || p[i + 5] < '0' || p[i + 5] > '9' ||
        p[i + 7] < '0' || p[i + 7] > '9')
        return refuse(h, 400, "malformed HTTP version");
    if (p[i + 5] != '1')
        return refuse(h, 505, "only HTTP/1.0 and HTTP/1.1 are spoken here");
    h->minor = p[i + 7] == '0' ? 0 : 1;
    /* origin-form; an absolute-form target is reduced to its path and query */
    if (h->target[0] != '/') {
        size_t k;
        if (h->target_len > 7 && !strncasecmp(h->target, "http://", 7))
            k = 7;
        else if (h->target_len > 8 && !strncasecmp(h->target, "https://", 8))
            k = 8;
        else
            return refuse(h, 400, "the request target must be a path");
        while (k < h->target_len && h->target[k] != '/' && h->target[k] != '?')
            k++;
        if (k == h->target_len || h->target[k] != '/') {
            h->target = "/";
            h->target_len = 1;
        } else {
            h->target += k;
            h->target_len -= k;
        }
    }
    return 0;
}

/* One header field line p[0..n) (without its CRLF). */
static int field_line(struct http_head *h, const char *p, size_t n)
{
    size_t i = 0, vs, ve;
    struct http_field *f;
    if (p[0] == ' ' || p[0] == '\t')
        return refuse(h, 400, "folded header lines are not accepted");
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i >= n || p[i] != ':')
        return refuse(h, 400, "malformed header field");
    if (h->nfields == HTTP_MAX_FIELDS)
        return refuse(h, 431, "too many header fields");
    vs = i + 1;
    while (vs < n && (p[vs] == ' ' || p[vs] == '\t'))
        vs++;
    for (size_t k = vs; k < n; k++)
        if (!is_value_char((unsigned char)p[k]))
            return refuse(h, 400, "control character in a header field");
    ve = n;
    while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
        ve--;
    f = &h->fields[h->nfields++];
    f->name = p;
    f->name_len = i;
    f->value = p + vs;
    f->value_len = ve - vs;
    return 0;
}

/* What the fields mean for the framing and the connection (RFC 9112 6, 9.3). */
static int interpret(struct http_head *h)
{
    int hosts = 0, te_fields = 0;
    bool close = false, keep = false, te_chunked_only = false, te_unknown = false;
    for (size_t i = 0; i < h->nfields; i++) {
        const struct http_field *f = &h->fields[i];
        if (eq_nocase(f->name, f->name_len, "host")) {
            hosts++;
        } else if (eq_nocase(f->name, f->name_len, "content-length")) {
            int64_t v = 0;
            if (f->value_len == 0 || f->value_len > 15)
                return refuse(h, 400, "bad Content-Length");
            for (size_t k = 0; k < f->value_len; k++) {
                if (f->value[k] < '0' || f->value[k] > '9')
                    return refuse(h, 400, "bad Content-Length");
                v = v * 10 + (f->value[k] - '0');
            }
            if (h->content_length >= 0 && h->content_length != v)
                return refuse(h, 400, "conflicting Content-Length fields");
            h->content_length = v;
        } else if (eq_nocase(f->name, f->name_len, "transfer-encoding")) {
            te_fields++;
            te_chunked_only = eq_nocase(f->value, f->value_len, "chunked");
            if (!te_chunked_only)
                te_unknown = true;
        } else if (eq_nocase(f->name, f->name_len, "connection")) {
            close |= http_has_token(f->value, f->value_len, "close");
            keep |= http_has_token(f->value, f->value_len, "keep-alive");
        } else if (eq_nocase(f->name, f->name_len, "expect")) {
            if (!eq_nocase(f->value, f->value_len, "100-continue"))
                return refuse(h, 417, "only 100-continue is expected");
            h->expect_continue = true;
        }
    }
    if (hosts > 1)
        return refuse(h, 400, "more than one Host field");
    if (hosts == 0 && h->minor == 1)
        return refuse(h, 400, "an HTTP/1.1 request needs a Host field");
    if (te_fields) {
        /* request smuggling lives here: refuse every ambiguous framing */
        if (h->content_length >= 0)
            return refuse(h, 400, "both Content-Length and Transfer-Encoding");
        if (h->minor == 0)
            return refuse(h, 400, "Transfer-Encoding in an HTTP/1.0 request");
        if (te_fields > 1)
            return refuse(h, 400, "more than one Transfer-Encoding field");
        if (te_unknown)
            return refuse(h, 501, "the only transfer coding accepted is chunked");
        h->chunked = te_chunked_only;
    }
    h->keep_alive = h->minor == 1 ? !close : (keep && !close);
    return 0;
}

int http_parse_head(const char *p, size_t len, struct http_head *h)
{
    size_t i = 0;
    int rc, line = 0;
    h->nfields = 0;
    h->content_length = -1;
    h->chunked = h->keep_alive = h->expect_continue = false;
    h->why = NULL;
    h->method = h->target = NULL;
    /* a few empty lines before the request line are ignored (RFC 9112 2.2) */
    while (line < 4 && i + 1 < len && p[i] == '\r' && p[i + 1] == '\n') {
        i += 2;
        line++;
    }
    line = 0;
    for (;;) {
        const char *nl = memchr(p + i, '\n', len - i);
        size_t n;
        if (!nl) {
            if (len > HTTP_MAX_HEAD)
                return refuse(h, line ? 431 : 414, line ? "request head too large" : "request line too long");
            return 0;
        }
        n = (size_t)(nl - (p + i));
        if (n == 0 || p[i + n - 1] != '\r')
            return refuse(h, 400, "lines must end with CRLF");
        n--;
        if ((size_t)(nl - p) + 1 > HTTP_MAX_HEAD)
            return refuse(h, line ? 431 : 414, line ? "request head too large" : "request line too long");
        if (line == 0) {
            rc = request_line(h, p + i, n);
        } else if (n == 0) {
            rc = interpret(h);
            return rc ? rc : (int)(nl - p) + 1;
        } else {
            rc = field_line(h, p + i, n);
        }
        if (rc)
            return rc;
        line++;
        i = (size_t)(nl - p) + 1;
    }
}

/* ---- chunked ---- */

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_TRAILER_LF, CH_END_LF };

#define CH_MAX_LINE 1024    /* a chunk extension or a trailer line */
#define CH_MAX_TRAILER 8192 /* all trailer fields */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_chunked_feed(struct http_chunked *d, const char *in, size_t len, size_t *used, struct buf *out)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        switch (d->state) {
        case CH_SIZE:
            if (hexval(c) >= 0) {
                if (++d->digits > 15)
                    goto bad;
                d->left = d->left * 16 + (uint64_t)hexval(c);
                i++;
                break;
            }
            if (d->digits == 0)
                goto bad;
            if (d->left > out->max - out->len)
                goto too_big; /* refused before a byte of it is read */
            if (c == ';' || c == ' ' || c == '\t') {
                d->state = CH_EXT;
                d->line = 0;
            } else if (c == '\r') {
                d->state = CH_SIZE_LF;
            } else {
                goto bad;
            }
            i++;
            break;
        case CH_EXT:
            if (c == '\r') {
                d->state = CH_SIZE_LF;
            } else if (!is_value_char(c) || ++d->line > CH_MAX_LINE) {
                goto bad;
            }
            i++;
            break;
        case CH_SIZE_LF:
            if (c != '\n')
                goto bad;
            i++;
            d->state = d->left ? CH_DATA : CH_TRAILER;
            d->line = 0;
            break;
        case CH_DATA: {
            size_t n = len - i;
            if (n > d->left)
                n = (size_t)d->left;
            if (buf_add(out, in + i, n))
                goto too_big;
            d->left -= n;
            i += n;
            if (!d->left)
                d->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (c != '\r')
                goto bad;
            i++;
            d->state = CH_DATA_LF;
            break;
        case CH_DATA_LF:
            if (c != '\n')
                goto bad;
            i++;
            d->state = CH_SIZE;
            d->digits = 0;
            d->left = 0;
            break;
        case CH_TRAILER:
            if (c == '\r' && d->line == 0) {
                d->state = CH_END_LF;
            } else if (c == '\r') {
                d->state = CH_TRAILER_LF;
            } else if (!is_value_char(c) || ++d->line > CH_MAX_LINE || ++d->trailer > CH_MAX_TRAILER) {
                goto bad;
            }
            i++;
            break;
        case CH_TRAILER_LF:
            if (c != '\n')
                goto bad;
            i++;
            d->state = CH_TRAILER;
            d->line = 0;
            break;
        case CH_END_LF:
            if (c != '\n')
                goto bad;
            *used = i + 1;
            return 1;
        default:
            goto bad;
        }
    }
    *used = i;
    return 0;
bad:
    *used = i;
    return -400;
too_big:
    *used = i;
    return -413;
}

/* ---- text ---- */

bool http_utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        uint32_t cp;
        size_t k;
        if (c < 0x80) {
            if (c == 0)
                return false;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

ssize_t http_decode_component(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return http_utf8_ok(out, o) ? (ssize_t)o : -1;
}

int http_check_query(const char *q, size_t n, char bad[64])
{
    char small[512], *tmp = n < sizeof small ? small : xmalloc(n + 1);
    size_t i = 0;
    int rc = 0;
    bad[0] = 0;
    while (i < n && !rc) {
        const char *amp = memchr(q + i, '&', n - i);
        size_t len = amp ? (size_t)(amp - (q + i)) : n - i;
        const char *eq = memchr(q + i, '=', len);
        size_t nl = eq ? (size_t)(eq - (q + i)) : len;
        if (http_decode_component(q + i, nl, tmp) < 0 ||
            (eq && http_decode_component(eq + 1, len - nl - 1, tmp) < 0)) {
            size_t k = nl < 63 ? nl : 63;
            for (size_t j = 0; j < k; j++)
                bad[j] = (unsigned char)q[i + j] < 0x80 && q[i + j] > 0x20 ? q[i + j] : '?';
            bad[k] = 0;
            rc = -1;
        }
        i += len + 1;
    }
    if (tmp != small)
        free(tmp);
    return rc;
}

ssize_t http_normalize_path(const char *p, size_t n, char *out)
{
    size_t d = 0, o = 0, i;
    /* decode into out, starting with '/' */
    if (n == 0 || p[0] != '/')
        out[d++] = '/';
    for (i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            out[d++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else {
            out[d++] = p[i];
        }
    }
    out[d] = 0;
    if (!http_utf8_ok(out, d))
        return -1;
    for (i = 0; i < d; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            return -1;
    /* resolve dot segments in place (RFC 3986 5.2.4); the write index never passes the read index */
    i = 0;
    while (i < d) {
        size_t j = i + 1, sl;
        while (j < d && out[j] != '/')
            j++;
        sl = j - i - 1;
        if (sl == 1 && out[i + 1] == '.') {
            if (j == d)
                out[o++] = '/';
        } else if (sl == 2 && out[i + 1] == '.' && out[i + 2] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            if (j == d)
                out[o++] = '/';
        } else {
            memmove(out + o, out + i, j - i);
            o += j - i;
        }
        i = j;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = 0;
    return (ssize_t)o;
}
