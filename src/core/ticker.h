/*
** ticker.h -- a named thread that runs a function at once and then every so
** many milliseconds until it is stopped (stopping wakes it: no waiting out the
** period). For the background work of `o2o serve`: building reports, delivering
** the outbox.
*/
#ifndef O2O_CORE_TICKER_H
#define O2O_CORE_TICKER_H

#include <stdint.h>

struct ticker;

/* NULL when the thread cannot be started. */
struct ticker *ticker_start(const char *name, int64_t every_ms, void (*fn)(void *arg), void *arg);
/* Wait for a run in progress to end, then stop and free (NULL is fine). */
void ticker_stop(struct ticker *t);

#endif
