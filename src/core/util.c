/*
** util.c -- small pure helpers (parsing, time, phones, tokens, distance).
** Tests: tests/unit/test_core.c
*/
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"

void thread_name(const char *name)
{
    pthread_setname_np(pthread_self(), name);
}

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end = NULL;
    long long v;
    if (!s || !*s || isspace((unsigned char)*s))
        return O2O_EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return O2O_EINVAL;
    *out = v;
    return 0;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return pthread_cond_clockwait(cv, mu, CLOCK_MONOTONIC, &ts);
}

int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void fmt_iso8601(char out[32], int64_t ms)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)t * 1000);
    struct tm tm;
    char tmp[96];
    gmtime_r(&t, &tm);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    str_copy(out, 32, tmp);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int parse_iso8601(const char *s, int64_t *out_ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, ms = 0;
    size_t n = s ? strlen(s) : 0;
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        return O2O_EINVAL;
    s += 10;
    if (*s == 'T' || *s == ' ') {
        if (strlen(s) < 9 || digits(s + 1, 2, &h) || s[3] != ':' || digits(s + 4, 2, &mi) ||
            s[6] != ':' || digits(s + 7, 2, &se))
            return O2O_EINVAL;
        s += 9;
        if (*s == '.') {
            int k = 0, scale = 100;
            s++;
            while (isdigit((unsigned char)*s)) {
                if (k++ < 3) {
                    ms += (*s - '0') * scale;
                    scale /= 10;
                }
                s++;
            }
            if (!k)
                return O2O_EINVAL;
        }
        if (*s == 'Z')
            s++;
        else if (!strcmp(s, "+00:00"))
            s += 6;
    }
    if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return O2O_EINVAL;
    *out_ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000 + ms;
    return 0;
}

int parse_hhmm(const char *s, int *out_min)
{
    int h, m;
    if (!s || strlen(s) != 5 || digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &m) || h > 24 ||
        m > 59 || (h == 24 && m))
        return O2O_EINVAL;
    *out_min = h * 60 + m;
    return 0;
}

int phone_normalize(const char *in, const char *default_cc, char out[20])
{
    char d[24];
    size_t n = 0;
    bool intl = false;
    const char *p = in;

    if (!in)
        return O2O_EINVAL;
    while (*p == ' ')
        p++;
    if (*p == '+') {
        intl = true;
        p++;
    } else if (p[0] == '0' && p[1] == '0') {
        intl = true;
        p += 2;
    }
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n >= sizeof d - 1)
                return O2O_EINVAL;
            d[n++] = *p;
        } else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')') {
            return O2O_EINVAL;
        }
    }
    d[n] = 0;
    if (!intl) {
        /* national number: prefix the default country code */
        size_t cc = strlen(default_cc);
        if (n + cc >= sizeof d)
            return O2O_EINVAL;
        memmove(d + cc, d, n + 1);
        memcpy(d, default_cc, cc);
        n += cc;
    }
    if (n < 8 || n > 15 || d[0] == '0')
        return O2O_EINVAL;
    if (d[0] == '8' && d[1] == '6' && (n != 13 || d[2] != '1'))
        return O2O_EINVAL; /* +86 mobiles: 11 digits starting with 1 */
    out[0] = '+';
    memcpy(out + 1, d, n + 1);
    return 0;
}

void random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    while (nbytes) {
        size_t k = nbytes < sizeof b ? nbytes : sizeof b;
        randombytes_buf(b, k);
        sodium_bin2hex(out, k * 2 + 1, b, k);
        out += k * 2;
        nbytes -= k;
    }
    *out = 0;
}

void sha256_hex(char out[65], const void *data, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371000.0, k = M_PI / 180.0;
    double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

bool is_code(const char *s)
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.')
            return false;
    }
    return n >= 1 && n <= 64;
}

void str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = 0;
}

bool word_in_list(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, '|');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, word, n))
            return true;
        p += len + (e ? 1 : 0);
    }
    return false;
}

int parse_span_ms(const char *s, int64_t *ms)
{
    char *end;
    long long v;
    int64_t unit = 1000;
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    v = strtoll(s, &end, 10);
    if (v <= 0)
        return -1;
    if (!strcmp(end, "d"))
        unit = 86400000;
    else if (!strcmp(end, "h"))
        unit = 3600000;
    else if (!strcmp(end, "m"))
        unit = 60000;
    else if (*end && strcmp(end, "s"))
        return -1;
    if (v > 3650LL * 86400000 / unit)
        return -1;
    *ms = v * unit;
    return 0;
}

bool is_month(const char *m)
{
    int64_t v;
    return strlen(m) == 7 && m[4] == '-' && strspn(m, "0123456789") == 4 && !parse_i64(m + 5, 1, 12, &v);
}
