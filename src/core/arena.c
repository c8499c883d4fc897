/*
** arena.c -- bump allocation in one reserved mapping (see arena.h).
*/
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE (2u << 20)

void arena_init(struct arena *a)
{
    size_t want = (size_t)64 << 30; /* 64 GB of address space, backed only where touched */
    memset(a, 0, sizeof *a);
    for (; want >= ((size_t)64 << 20); want /= 2) {
        void *p = mmap(NULL, want + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (p == MAP_FAILED)
            continue;
        a->base = p;
        a->cap = want + HUGE_PAGE;
        /* start on a huge-page boundary so that the first allocations share one */
        a->used = (size_t)(-(uintptr_t)a->base & (HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
        madvise(a->base + a->used, a->cap - a->used, MADV_HUGEPAGE);
#endif
        return;
    }
    fputs("o2o: out of address space\n", stderr);
    abort();
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t at = (a->used + 15) & ~(size_t)15;
    if (n > a->cap - at) {
        fputs("o2o: out of memory (arena)\n", stderr);
        abort();
    }
    a->used = at + n;
    a->last = a->base + at;
    return a->last; /* fresh pages of an anonymous mapping are zero */
}

void *arena_grow(struct arena *a, void *p, size_t old, size_t n)
{
    void *q;
    if (p && p == a->last && n >= old) {
        size_t at = (size_t)((char *)p - a->base);
        if (n > a->cap - at) {
            fputs("o2o: out of memory (arena)\n", stderr);
            abort();
        }
        a->used = at + n;
        return p;
    }
    q = arena_alloc(a, n);
    if (p)
        memcpy(q, p, old < n ? old : n);
    return q;
}

void arena_free(struct arena *a)
{
    if (a->base)
        munmap(a->base, a->cap);
    memset(a, 0, sizeof *a);
}
