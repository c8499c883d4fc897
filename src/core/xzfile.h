/*
** xzfile.h -- open a data file that may be xz-compressed (liblzma) as a plain
** stdio stream, and tell how far through the file on disk a reader is (for
** progress bars).
*/
#ifndef O2O_CORE_XZFILE_H
#define O2O_CORE_XZFILE_H

#include <stdio.h>

struct xzfile;

/* Files ending in ".xz" are decompressed on the fly; "-" is standard input. */
struct xzfile *xz_open(const char *path);
FILE *xz_stream(struct xzfile *x);
/* Bytes of the file on disk consumed so far, and its size (0 when unknown). */
long long xz_pos(const struct xzfile *x);
long long xz_size(const struct xzfile *x);
void xz_close(struct xzfile *x);

#endif
