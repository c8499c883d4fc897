/*
** clockshift.c -- a test-only shared library, preloaded into the tests and the
** servers they start (scripts/clocks.sh): the wall clock (CLOCK_REALTIME,
** gettimeofday, time) reads O2O_CLOCK_SHIFT_S seconds later than it is; the
** monotonic clock, which timeouts and sleeps use, is left alone. So the suites
** that deal in days and months run at the moments where a test leaning on the
** wall clock would break (a store's local midnight, a month's end).
** (libfaketime shifts the monotonic clock too, or not at all, and its timed waits
** misbehave under the sanitizers: this shifts exactly one thing.)
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long shift_s(void)
{
    static long long s = -1;
    if (s == -1) {
        const char *e = getenv("O2O_CLOCK_SHIFT_S");
        s = e ? atoll(e) : 0;
    }
    return s;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    static int (*real)(clockid_t, struct timespec *);
    int rc;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "clock_gettime");
    rc = real(id, ts);
    if (!rc && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
        ts->tv_sec += (time_t)shift_s();
    return rc;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    static int (*real)(struct timeval *, void *);
    int rc;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "gettimeofday");
    rc = real(tv, tz);
    if (!rc)
        tv->tv_sec += (time_t)shift_s();
    return rc;
}

time_t time(time_t *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (t)
        *t = ts.tv_sec;
    return ts.tv_sec;
}
