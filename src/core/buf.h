/*
** buf.h -- growable byte buffer with a hard cap (after curl's dynbuf).
** Appending past the cap fails with O2O_ETOOBIG and leaves the content as it was.
*/
#ifndef O2O_CORE_BUF_H
#define O2O_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *p;     /* NUL-terminated content, or NULL while empty */
    size_t len;  /* bytes used, excluding the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* hard cap on len */
};

#define BUF_INIT(maxlen) {NULL, 0, 0, (maxlen)}

int buf_add(struct buf *b, const void *data, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);        /* len = 0, keeps memory */
void buf_free(struct buf *b);         /* frees memory; b is reusable */
char *buf_steal(struct buf *b);       /* owned string ("" if empty); b becomes empty */
const char *buf_str(const struct buf *b); /* borrowed, "" if empty */

#endif
