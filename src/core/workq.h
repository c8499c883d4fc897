/*
** workq.h -- a small pool of worker threads for CPU-heavy or blocking work
** that must stay off the event loops (password hashing, imports), optionally
** at a lower CPU priority and with a bounded queue (heavy reads: analytics and
** reports must not slow the tills).
*/
#ifndef O2O_CORE_WORKQ_H
#define O2O_CORE_WORKQ_H

struct workq;

struct workq *workq_start(int threads);
/* The same with a name for its threads (15 chars at most) and a nice value for
** them (0: as the process; 1..19: yield the CPU to everything else). */
struct workq *workq_start_named(int threads, const char *name, int nice);
/* Run fn(arg) on a worker thread. */
void workq_submit(struct workq *q, void (*fn)(void *arg), void *arg);
/* The same unless max_waiting jobs already wait: -1 then, and nothing is queued. */
int workq_try_submit(struct workq *q, void (*fn)(void *arg), void *arg, int max_waiting);
/* Jobs queued and not yet taken. */
int workq_waiting(struct workq *q);
/* Finish queued work and join the threads. */
void workq_stop(struct workq *q);

#endif
