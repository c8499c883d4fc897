/*
** parse.h -- HTTP/1.1 framing as RFC 9112 states it, over bytes and without
** I/O: the request head, the body's framing, the chunked decoder, the target's
** path and query, and UTF-8 text. Everything a client sends passes through
** here before any other code sees it; tests/fuzz/fuzz_http.c fuzzes it.
*/
#ifndef O2O_HTTP_PARSE_H
#define O2O_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct buf;

#define HTTP_MAX_HEAD (16 * 1024)  /* request line and header fields, in bytes */
#define HTTP_MAX_TARGET 8192       /* the request target */
#define HTTP_MAX_FIELDS 64         /* header fields */

struct http_field {
    const char *name;         /* as sent (case kept), not NUL-terminated */
    size_t name_len;
    const char *value;        /* without the whitespace around it */
    size_t value_len;
};

/* A parsed request head; the strings point into the parsed bytes. */
struct http_head {
    const char *method;
    size_t method_len;
    const char *target;       /* origin-form "/path?query" (an absolute-form target is reduced to it) */
    size_t target_len;
    int minor;                /* HTTP/1.minor: 0 or 1 */
    struct http_field fields[HTTP_MAX_FIELDS];
    size_t nfields;
    int64_t content_length;   /* -1 when the request has no Content-Length */
    bool chunked;             /* Transfer-Encoding: chunked */
    bool keep_alive;          /* the connection may carry another request after this one */
    bool expect_continue;     /* Expect: 100-continue */
    const char *why;          /* after a refusal: why, in a few words (a static string) */
};

/* Parse the request head at the start of p[0..len).
** Returns its length in bytes (> 0) once the blank line that ends it is there,
** 0 when more bytes are needed, or minus the status that refuses it: -400
** (malformed; both Content-Length and Transfer-Encoding; no Host), -414 (target
** too long), -431 (head too large, too many fields), -417 (an expectation other
** than 100-continue), -501 (a transfer coding other than chunked), -505 (not
** HTTP/1.x). A refused head leaves the connection unusable: close it. */
int http_parse_head(const char *p, size_t len, struct http_head *h);

/* The first field named name (case-insensitive), or NULL. */
const struct http_field *http_head_field(const struct http_head *h, const char *name);

/* Is the comma-separated list v[0..n) holding token (case-insensitive)? */
bool http_has_token(const char *v, size_t n, const char *token);

/* The chunked transfer coding, decoded as it streams in. Zero it to start. */
struct http_chunked {
    int state;
    uint64_t left;            /* data bytes still to come in the current chunk */
    unsigned digits;          /* hex digits of the current chunk size */
    size_t line;              /* bytes of the current extension or trailer line */
    size_t trailer;           /* bytes of trailer fields so far */
};

/* Decode in[0..len), appending the data to out, whose max is the body limit.
** *used gets the bytes consumed. Returns 1 at the end of the body (bytes after
** it are not consumed), 0 when all input was consumed and more is needed, -400
** for broken framing, -413 as soon as the data would pass out->max. */
int http_chunked_feed(struct http_chunked *d, const char *in, size_t len, size_t *used, struct buf *out);

/* Is s[0..n) valid UTF-8 (as JSON requires: no overlong forms, no surrogates,
** nothing past U+10FFFF) without NUL? */
bool http_utf8_ok(const char *s, size_t n);

/* Percent-decode a query component ('+' is a space) into out (n+1 bytes, NUL
** added). Returns the decoded length, or -1 when the result is not valid UTF-8
** or holds a NUL. A '%' not followed by two hex digits stays as it is. */
ssize_t http_decode_component(const char *s, size_t n, char *out);

/* Check every name and value of the query string q[0..n) as http_decode_component
** would decode them. 0, or -1 with the offending (raw, truncated) name in bad. */
int http_check_query(const char *q, size_t n, char bad[64]);

/* Normalise an origin-form path p[0..n) (no query): percent-decode, resolve "."
** and ".." segments, start with '/'. out has n+2 bytes; NUL added. Returns the
** length, or -1 when the path is not valid UTF-8 text (NUL, control characters). */
ssize_t http_normalize_path(const char *p, size_t n, char *out);

#endif
