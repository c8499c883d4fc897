/*
** tz.c -- time zone offsets through the C library's zone database (tzdata).
** glibc only converts in the process's own zone, so a conversion sets TZ under a
** lock; the answer is cached per zone and UTC half hour (zones change offset on
** half-hour boundaries at the finest), which keeps the slow path off hot paths.
*/
#include "core/tz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
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

static int compute(const char *tz, int64_t ms)
{
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    int off = 0;
    setenv("TZ", tz, 1);
    tzset();
    if (localtime_r(&t, &tm))
        off = (int)(tm.tm_gmtoff / 60);
    if (old) {
        setenv("TZ", old, 1);
        free(old);
    } else {
        unsetenv("TZ");
    }
    tzset();
    return off;
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
