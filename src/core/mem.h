/*
** mem.h -- allocation that never returns NULL (aborts on out-of-memory).
*/
#ifndef O2O_CORE_MEM_H
#define O2O_CORE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);           /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);

/* Make room for element n of the growable array p holding cap elements: doubles
** cap (from 16) when n reached it. */
#define XGROW(p, n, cap)                                                                                       \
    do {                                                                                                       \
        if ((n) >= (cap)) {                                                                                    \
            (cap) = (cap) ? 2 * (cap) : 16;                                                                    \
            (p) = xrealloc((p), (size_t)(cap) * sizeof *(p));                                                  \
        }                                                                                                      \
    } while (0)

#endif
