/*
** ratelimit.c -- token buckets by key (see ratelimit.h). Slots are guarded by
** striped mutexes; a slot holds the hash of its key, the tokens and when they
** were counted. Tests: tests/unit/test_core.c
*/
#include "core/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define STRIPES 64

struct slot {
    uint64_t h;               /* hash of the key; 0: empty */
    double tokens;
    int64_t at;               /* ms when tokens was counted */
};

struct ratelimit {
    struct slot *slots;
    size_t mask;
    unsigned char key[crypto_shorthash_KEYBYTES];
    pthread_mutex_t mu[STRIPES];
};

struct ratelimit *ratelimit_new(size_t slots)
{
    struct ratelimit *rl = xcalloc(1, sizeof *rl);
    size_t n = 1024;
    while (n < slots)
        n <<= 1;
    rl->slots = xcalloc(n, sizeof *rl->slots);
    rl->mask = n - 1;
    crypto_shorthash_keygen(rl->key);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->mu[i], NULL);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->mu[i]);
    free(rl->slots);
    free(rl);
}

int64_t ratelimit_take(struct ratelimit *rl, const char *key, int64_t per_minute, int64_t now_ms)
{
    unsigned char out[crypto_shorthash_BYTES];
    uint64_t h;
    struct slot *s;
    pthread_mutex_t *mu;
    int64_t wait = 0;
    double rate;
    if (per_minute <= 0)
        return 0;
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), rl->key);
    memcpy(&h, out, sizeof h);
    h |= 1; /* never 0, the empty slot */
    s = &rl->slots[h & rl->mask];
    mu = &rl->mu[(h & rl->mask) % STRIPES]; /* one slot, one mutex */
    rate = (double)per_minute / 60000.0;
    pthread_mutex_lock(mu);
    if (s->h != h) {
        s->h = h;
        s->tokens = (double)per_minute;
        s->at = now_ms;
    } else if (now_ms > s->at) {
        s->tokens += (double)(now_ms - s->at) * rate;
        if (s->tokens > (double)per_minute)
            s->tokens = (double)per_minute;
        s->at = now_ms;
    } else if (s->tokens > (double)per_minute) {
        s->tokens = (double)per_minute; /* the limit was lowered */
    }
    if (s->tokens >= 1.0)
        s->tokens -= 1.0;
    else
        wait = (int64_t)((1.0 - s->tokens) / rate) + 1;
    pthread_mutex_unlock(mu);
    return wait;
}
