/*
** tz.c -- time zone offsets from the zone database's files (tzdata, RFC 8536: the
** transitions, then the POSIX rule of the footer), read once per zone; the answer
** is cached per zone and UTC half hour (zones change offset on half-hour
** boundaries at the finest), which keeps the slow path off hot paths. The process's
** environment is never touched.
*/
#include "core/tz.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"

#define SLOTS 64
#define BUCKET_MS (30LL * 60 * 1000)

static struct {
    char tz[64];
    int64_t bucket;
    int offset;
} cache[SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash(const char *s, int64_t b)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return (h ^ (unsigned)b) % SLOTS;
}

/* ---- the zone database, read from its files (RFC 8536) ----
** Not through TZ and localtime: setenv() while other threads call getenv() (libpq
** opening a connection, libcurl looking for a proxy, the C library's own time
** functions) can free the environment under their feet; a server crashed so. */

#define ZONES 32

/* A POSIX TZ rule's change: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d. */
struct change {
    char kind;                /* 'J', 'D' or 'M' */
    int m, w, d, n;
    int32_t secs;             /* local time of day of the change, seconds */
};

/* The footer of a zone file: what holds after its last transition. */
struct rule {
    int32_t std, dst;         /* offsets east of UTC, seconds */
    bool has_dst;
    struct change start, end;
};

static struct zone {
    char name[64];
    bool ok;                  /* read; false: unknown, treated as UTC */
    int n;                    /* transitions */
    int64_t *at;              /* when (UTC seconds) */
    int32_t *off;             /* the offset from then on, seconds east */
    int32_t first;            /* before the first transition */
    bool has_rule;
    struct rule rule;
} zones[ZONES];
static int nzones;

static int64_t be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return bytes == 4 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
}

static int64_t days_of(int64_t y, int m, int d)
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

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* [+-]hh[:mm[:ss]] in seconds; NULL when there is none. */
static const char *posix_time(const char *p, int32_t *out)
{
    int sign = 1, v[3] = {0, 0, 0}, k = 0;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (*p < '0' || *p > '9')
        return NULL;
    for (; k < 3; k++) {
        if (*p < '0' || *p > '9')
            return NULL;
        while (*p >= '0' && *p <= '9')
            v[k] = v[k] * 10 + (*p++ - '0');
        if (*p != ':' || k == 2)
            break;
        p++;
    }
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return p;
}

static const char *posix_name(const char *p)
{
    const char *q = p;
    if (*p == '<') {
        while (*p && *p != '>')
            p++;
        return *p == '>' ? p + 1 : NULL;
    }
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - q >= 3 ? p : NULL;
}

static const char *posix_change(const char *p, struct change *c)
{
    char *end;
    memset(c, 0, sizeof *c);
    c->secs = 7200;
    if (*p == 'M') {
        c->kind = 'M';
        c->m = (int)strtol(p + 1, &end, 10);
        if (*end != '.')
            return NULL;
        c->w = (int)strtol(end + 1, &end, 10);
        if (*end != '.')
            return NULL;
        c->d = (int)strtol(end + 1, &end, 10);
        if (c->m < 1 || c->m > 12 || c->w < 1 || c->w > 5 || c->d < 0 || c->d > 6)
            return NULL;
    } else {
        c->kind = *p == 'J' ? 'J' : 'D';
        c->n = (int)strtol(p + (*p == 'J'), &end, 10);
        if (end == p + (*p == 'J'))
            return NULL;
    }
    p = end;
    if (*p == '/' && !(p = posix_time(p + 1, &c->secs)))
        return NULL;
    return p;
}

/* A TZ string of POSIX (with RFC 8536's extensions): "CST-8", "GMT0BST,M3.5.0/1,M10.5.0". */
static bool posix_rule(const char *p, struct rule *r)
{
    int32_t v;
    memset(r, 0, sizeof *r);
    if (!(p = posix_name(p)) || !(p = posix_time(p, &v)))
        return false;
    r->std = r->dst = -v;
    if (!*p)
        return true;
    if (!(p = posix_name(p)))
        return false;
    r->has_dst = true;
    r->dst = r->std + 3600;
    if (*p && *p != ',') {
        if (!(p = posix_time(p, &v)))
            return false;
        r->dst = -v;
    }
    if (!*p) /* no rule given: the United States' */
        return posix_change("M3.2.0", &r->start) && posix_change("M11.1.0", &r->end);
    if (*p != ',' || !(p = posix_change(p + 1, &r->start)) || *p != ',' || !(p = posix_change(p + 1, &r->end)))
        return false;
    return !*p;
}

/* The local midnight (as seconds from the epoch, local) a change falls on in year y. */
static int64_t change_day(const struct change *c, int64_t y)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t d;
    if (c->kind == 'J')
        d = days_of(y, 1, 1) + c->n - 1 + (leap(y) && c->n >= 60);
    else if (c->kind == 'D')
        d = days_of(y, 1, 1) + c->n;
    else {
        int64_t first = days_of(y, c->m, 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        int day = 1 + (c->d - wd + 7) % 7 + (c->w - 1) * 7;
        int len = mdays[c->m - 1] + (c->m == 2 && leap(y));
        while (day > len)
            day -= 7;
        d = first + day - 1;
    }
    return d * 86400;
}

static int32_t rule_offset(const struct rule *r, int64_t t)
{
    int64_t y, start, end;
    if (!r->has_dst)
        return r->std;
    {
        /* the year of local standard time at t */
        int64_t days = (t + r->std) / 86400 - ((t + r->std) % 86400 < 0);
        int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned)(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        y = (int64_t)yoe + era * 400 + (mp >= 10);
    }
    start = change_day(&r->start, y) + r->start.secs - r->std; /* announced in standard time */
    end = change_day(&r->end, y) + r->end.secs - r->dst;       /* in daylight time */
    if (start < end)
        return t >= start && t < end ? r->dst : r->std;
    return t >= end && t < start ? r->std : r->dst; /* the southern hemisphere */
}

static bool zone_read(struct zone *z, const unsigned char *b, size_t len)
{
    const unsigned char *p = b, *data;
    int64_t cnt[6], tsize = 4, need;
    if (len < 44 || memcmp(b, "TZif", 4))
        return false;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 6; i++)
            cnt[i] = be(p + 20 + 4 * i, 4); /* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
        if (cnt[4] < 1 || cnt[3] < 0 || cnt[3] > 100000)
            return false;
        need = cnt[3] * tsize + cnt[3] + cnt[4] * 6 + cnt[5] + cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
        if ((size_t)(p - b) + 44 + (size_t)need > len)
            return false;
        if (pass == 0 && b[4] >= '2') { /* skip the 32-bit block for the 64-bit one */
            p += 44 + need;
            tsize = 8;
            if ((size_t)(p - b) + 44 > len || memcmp(p, "TZif", 4))
                return false;
            continue;
        }
        break;
    }
    data = p + 44;
    {
        const unsigned char *times = data, *idx = data + cnt[3] * tsize, *types = idx + cnt[3];
        z->n = (int)cnt[3];
        z->at = xmalloc((size_t)(z->n ? z->n : 1) * sizeof *z->at);
        z->off = xmalloc((size_t)(z->n ? z->n : 1) * sizeof *z->off);
        for (int i = 0; i < z->n; i++) {
            if (idx[i] >= cnt[4])
                return false;
            z->at[i] = be(times + (size_t)i * (size_t)tsize, (int)tsize);
            z->off[i] = (int32_t)be(types + idx[i] * 6, 4);
        }
        z->first = (int32_t)be(types, 4);
        p = data + need;
    }
    /* the footer: "\nTZ string\n" after the 64-bit block */
    if (tsize == 8 && (size_t)(p - b) < len && *p == '\n') {
        char tzs[128];
        const unsigned char *e = memchr(p + 1, '\n', len - (size_t)(p - b) - 1);
        if (e && e - p - 1 > 0 && e - p - 1 < (ptrdiff_t)sizeof tzs) {
            memcpy(tzs, p + 1, (size_t)(e - p - 1));
            tzs[e - p - 1] = 0;
            z->has_rule = posix_rule(tzs, &z->rule);
        }
    }
    return true;
}

/* The zone of that name, read once (a zone never read is UTC). Called with mu held. */
static struct zone *zone_get(const char *name)
{
    struct zone *z;
    char path[512];
    const char *dir = getenv("TZDIR");
    FILE *f;
    unsigned char *buf;
    size_t len;
    for (int i = 0; i < nzones; i++)
        if (!strcmp(zones[i].name, name))
            return &zones[i];
    z = &zones[nzones < ZONES ? nzones++ : ZONES - 1];
    free(z->at);
    free(z->off);
    memset(z, 0, sizeof *z);
    str_copy(z->name, sizeof z->name, name);
    if (name[0] == '/' || strstr(name, ".."))
        return z;
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    if (!(f = fopen(path, "rb")))
        return z;
    buf = xmalloc(1 << 17);
    len = fread(buf, 1, 1 << 17, f);
    fclose(f);
    z->ok = zone_read(z, buf, len);
    free(buf);
    return z;
}

static int compute(const char *tz, int64_t ms)
{
    struct zone *z = zone_get(tz);
    int64_t t = ms / 1000 - (ms % 1000 < 0);
    int lo = 0, hi;
    if (!z->ok)
        return 0;
    if (!z->n || t < z->at[0])
        return z->n || !z->has_rule ? z->first / 60 : rule_offset(&z->rule, t) / 60;
    if (t >= z->at[z->n - 1] && z->has_rule)
        return rule_offset(&z->rule, t) / 60;
    hi = z->n - 1; /* the last transition at or before t */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->at[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->off[lo] / 60;
}

int tz_offset_min(const char *tz, int64_t ms)
{
    int64_t b = ms / BUCKET_MS;
    unsigned h;
    int off;
    if (!tz || !*tz || !strcmp(tz, "UTC") || strlen(tz) >= sizeof cache[0].tz || strstr(tz, ".."))
        return 0;
    h = hash(tz, b);
    pthread_mutex_lock(&mu);
    if (cache[h].bucket == b && !strcmp(cache[h].tz, tz)) {
        off = cache[h].offset;
    } else {
        off = compute(tz, ms);
        str_copy(cache[h].tz, sizeof cache[h].tz, tz);
        cache[h].bucket = b;
        cache[h].offset = off;
    }
    pthread_mutex_unlock(&mu);
    return off;
}

int64_t tz_local_midnight(const char *tz, int64_t utc_midnight)
{
    /* L + offset(L) = utc_midnight; twice is enough across a daylight-saving change */
    int64_t l = utc_midnight - (int64_t)tz_offset_min(tz, utc_midnight) * 60000;
    return utc_midnight - (int64_t)tz_offset_min(tz, l) * 60000;
}

int tz_parse_bound(const char *tz, const char *s, int64_t *out_ms)
{
    int64_t t;
    if (!s || parse_iso8601(s, &t))
        return O2O_EINVAL;
    *out_ms = strlen(s) == 10 ? tz_local_midnight(tz, t) : t;
    return 0;
}

void tz_local_time(const char *tz, int64_t ms, char out[17])
{
    char iso[32];
    fmt_iso8601(iso, ms + (int64_t)tz_offset_min(tz, ms) * 60000);
    memcpy(out, iso, 16);
    out[10] = ' ';
    out[16] = 0;
}

void tz_local_day(const char *tz, int64_t ms, char out[11])
{
    char iso[32];
    fmt_iso8601(iso, ms + (int64_t)tz_offset_min(tz, ms) * 60000);
    memcpy(out, iso, 10);
    out[10] = 0;
}

int tz_local_minute(const char *tz, int64_t ms)
{
    int64_t local = ms + (int64_t)tz_offset_min(tz, ms) * 60000;
    int64_t day = 86400000LL;
    return (int)((local % day + day) % day / 60000);
}
