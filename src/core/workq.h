/*
** workq.h -- a small pool of worker threads for CPU-heavy or blocking work
** that must stay off the event loops (password hashing, imports).
*/
#ifndef O2O_CORE_WORKQ_H
#define O2O_CORE_WORKQ_H

struct workq;

struct workq *workq_start(int threads);
/* Run fn(arg) on a worker thread. */
void workq_submit(struct workq *q, void (*fn)(void *arg), void *arg);
/* Finish queued work and join the threads. */
void workq_stop(struct workq *q);

#endif
