/*
** workq.c -- fixed pool of worker threads with a FIFO queue.
*/
#include "core/workq.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/util.h"

struct work {
    void (*fn)(void *);
    void *arg;
    struct work *next;
};

struct workq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct work *head, *tail;
    int stop;
    int n;
    int waiting;              /* jobs queued, not yet taken */
    int nice;
    char name[16];
    pthread_t *th;
};

static void *worker(void *arg)
{
    struct workq *q = arg;
    thread_name(q->name);
    if (q->nice > 0 && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), q->nice)) {
        /* a lower priority is a wish: without it the work still gets done */
    }
    for (;;) {
        struct work *w;
        pthread_mutex_lock(&q->mu);
        while (!q->head && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        if (!q->head) {
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        w = q->head;
        q->head = w->next;
        if (!q->head)
            q->tail = NULL;
        q->waiting--;
        pthread_mutex_unlock(&q->mu);
        w->fn(w->arg);
        free(w);
    }
}

struct workq *workq_start(int threads)
{
    return workq_start_named(threads, "o2o-worker", 0);
}

struct workq *workq_start_named(int threads, const char *name, int nice)
{
    struct workq *q = xcalloc(1, sizeof *q);
    str_copy(q->name, sizeof q->name, name);
    q->nice = nice;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->n = threads;
    q->th = xcalloc((size_t)threads, sizeof *q->th);
    for (int i = 0; i < threads; i++)
        pthread_create(&q->th[i], NULL, worker, q);
    return q;
}

void workq_submit(struct workq *q, void (*fn)(void *arg), void *arg)
{
    workq_try_submit(q, fn, arg, 0);
}

int workq_try_submit(struct workq *q, void (*fn)(void *arg), void *arg, int max_waiting)
{
    struct work *w;
    pthread_mutex_lock(&q->mu);
    if (max_waiting > 0 && q->waiting >= max_waiting) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    w = xmalloc(sizeof *w);
    w->fn = fn;
    w->arg = arg;
    w->next = NULL;
    q->waiting++;
    if (q->tail)
        q->tail->next = w;
    else
        q->head = w;
    q->tail = w;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

int workq_waiting(struct workq *q)
{
    int n;
    pthread_mutex_lock(&q->mu);
    n = q->waiting;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void workq_stop(struct workq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    for (int i = 0; i < q->n; i++)
        pthread_join(q->th[i], NULL);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q->th);
    free(q);
}
