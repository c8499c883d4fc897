/*
** ticker.c -- periodic threads (see ticker.h): a condition variable timed wait
** between runs, so that ticker_stop() returns as soon as a run ends.
*/
#include "core/ticker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/mem.h"
#include "core/util.h"

struct ticker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int64_t every_ms;
    char name[16];
    void (*fn)(void *arg);
    void *arg;
};

static void *ticker_main(void *p)
{
    struct ticker *t = p;
    thread_name(t->name);
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        t->fn(t->arg);
        pthread_mutex_lock(&t->mu);
        if (!t->stop)
            cond_wait_ms(&t->cv, &t->mu, t->every_ms);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct ticker *ticker_start(const char *name, int64_t every_ms, void (*fn)(void *arg), void *arg)
{
    struct ticker *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    t->every_ms = every_ms > 0 ? every_ms : 1000;
    str_copy(t->name, sizeof t->name, name);
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->thread, NULL, ticker_main, t)) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        free(t);
        return NULL;
    }
    return t;
}

void ticker_stop(struct ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
