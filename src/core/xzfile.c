/*
** xzfile.c -- a read-only stdio stream over liblzma, via glibc's fopencookie.
*/
#include "core/xzfile.h"

#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"

#define INBUF (1 << 16)

struct xzfile {
    FILE *raw;                /* the file on disk */
    FILE *out;                /* what callers read */
    lzma_stream z;
    bool xz, eof, failed;
    unsigned char in[INBUF];
    long long pos, size;
};

static ssize_t xz_read(void *cookie, char *buf, size_t size)
{
    struct xzfile *x = cookie;
    if (x->failed)
        return -1;
    x->z.next_out = (uint8_t *)buf;
    x->z.avail_out = size;
    while (x->z.avail_out == size) {
        lzma_ret r;
        if (!x->z.avail_in && !x->eof) {
            size_t n = fread(x->in, 1, INBUF, x->raw);
            x->pos += (long long)n;
            x->z.next_in = x->in;
            x->z.avail_in = n;
            if (n < INBUF)
                x->eof = true;
        }
        r = lzma_code(&x->z, x->eof ? LZMA_FINISH : LZMA_RUN);
        if (r == LZMA_STREAM_END)
            break;
        if (r != LZMA_OK) {
            x->failed = true;
            return -1;
        }
    }
    return (ssize_t)(size - x->z.avail_out);
}

static int xz_cookie_close(void *cookie)
{
    (void)cookie;
    return 0;
}

struct xzfile *xz_open(const char *path)
{
    struct xzfile *x = xcalloc(1, sizeof *x);
    size_t n = strlen(path);
    struct stat sb;
    x->raw = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!x->raw) {
        free(x);
        return NULL;
    }
    if (!fstat(fileno(x->raw), &sb) && S_ISREG(sb.st_mode))
        x->size = (long long)sb.st_size;
    x->xz = n > 3 && !strcmp(path + n - 3, ".xz");
    if (!x->xz) {
        x->out = x->raw;
        return x;
    }
    x->z = (lzma_stream)LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&x->z, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
        fclose(x->raw);
        free(x);
        return NULL;
    }
    x->out = fopencookie(x, "r", (cookie_io_functions_t){xz_read, NULL, NULL, xz_cookie_close});
    return x;
}

FILE *xz_stream(struct xzfile *x)
{
    return x->out;
}

long long xz_pos(const struct xzfile *x)
{
    return x->xz ? x->pos : (long long)ftell(x->raw);
}

long long xz_size(const struct xzfile *x)
{
    return x->size;
}

void xz_close(struct xzfile *x)
{
    if (!x)
        return;
    if (x->xz) {
        fclose(x->out);
        lzma_end(&x->z);
    }
    if (x->raw != stdin)
        fclose(x->raw);
    free(x);
}
