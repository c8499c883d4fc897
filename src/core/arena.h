/*
** arena.h -- a region of memory for one computation over a data set (mining
** rules, say): allocations are bumped from one large reserved mapping, backed
** by transparent huge pages where the kernel allows (a page fault per 2 MB
** instead of per 4 KB: on virtual machines the faults cost more than the
** work), and all freed at once.
*/
#ifndef O2O_CORE_ARENA_H
#define O2O_CORE_ARENA_H

#include <stddef.h>

struct arena {
    char *base;
    size_t used, cap;
    void *last;               /* the latest allocation: it can grow in place */
};

/* Reserve address space (nothing is used until touched). Aborts if none. */
void arena_init(struct arena *a);
/* n bytes, zeroed, 16-byte aligned. Aborts when the reservation is exhausted. */
void *arena_alloc(struct arena *a, size_t n);
/* Grow p (old bytes) to n bytes: in place when it is the latest allocation. */
void *arena_grow(struct arena *a, void *p, size_t old, size_t n);
void arena_free(struct arena *a);

#endif
