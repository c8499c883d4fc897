/*
** ratelimit.h -- token buckets by key, in memory, for limits per client address,
** device or credential: a bucket holds at most N and refills at N per minute.
** A fixed table of buckets, keyed by a secret-keyed hash (a client cannot aim
** at another's bucket); when two keys share a slot the newer one starts full,
** so memory stays bounded under any number of keys. Thread-safe.
*/
#ifndef O2O_CORE_RATELIMIT_H
#define O2O_CORE_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* A table of slots buckets (a power of two is used). */
struct ratelimit *ratelimit_new(size_t slots);
void ratelimit_free(struct ratelimit *rl);

/* Take one from the bucket of key (up to per_minute, refilled at per_minute a
** minute). 0 when allowed; otherwise the milliseconds until one is back, and
** nothing is taken. per_minute <= 0: no limit (0). */
int64_t ratelimit_take(struct ratelimit *rl, const char *key, int64_t per_minute, int64_t now_ms);

#endif
