/*
** qr.c -- QR symbols from libqrencode, drawn as one SVG path (a unit square per
** dark module) or as an 8-bit grayscale PNG (IHDR, one zlib IDAT, IEND).
*/
#include "core/qr.h"

#include <qrencode.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/mem.h"

#define QUIET 4

static QRcode *encode(const char *text)
{
    return QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
}

char *qr_svg(const char *text, size_t *len)
{
    QRcode *q = encode(text);
    struct buf b = BUF_INIT(4 << 20);
    int w, size;
    if (!q)
        return NULL;
    w = q->width;
    size = w + 2 * QUIET;
    buf_addf(&b,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
             "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
             size, size, size * 4, size * 4, size, size);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (q->data[y * w + x] & 1)
                buf_addf(&b, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
    buf_adds(&b, "\"/></svg>");
    QRcode_free(q);
    *len = b.len;
    return buf_steal(&b);
}

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Append a PNG chunk: length, type, data, CRC of type and data. */
static void chunk(struct buf *b, const char *type, const unsigned char *data, uint32_t n)
{
    unsigned char hdr[8], crc[4];
    uLong c = crc32(0L, Z_NULL, 0);
    be32(hdr, n);
    memcpy(hdr + 4, type, 4);
    c = crc32(c, hdr + 4, 4);
    if (n)
        c = crc32(c, data, n);
    be32(crc, (uint32_t)c);
    buf_add(b, hdr, 8);
    if (n)
        buf_add(b, data, n);
    buf_add(b, crc, 4);
}

unsigned char *qr_png(const char *text, int scale, size_t *len)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    QRcode *q = encode(text);
    struct buf b = BUF_INIT(16 << 20);
    unsigned char ihdr[13], *raw, *z;
    uLongf zlen;
    int w, px;
    size_t stride, rawlen;
    if (!q)
        return NULL;
    if (scale < 1 || scale > 32)
        scale = 4;
    w = q->width;
    px = (w + 2 * QUIET) * scale;
    stride = (size_t)px + 1;
    rawlen = stride * (size_t)px;
    raw = xmalloc(rawlen);
    for (int y = 0; y < px; y++) {
        unsigned char *row = raw + (size_t)y * stride;
        int my = y / scale - QUIET;
        row[0] = 0; /* filter: none */
        for (int x = 0; x < px; x++) {
            int mx = x / scale - QUIET;
            bool dark = mx >= 0 && my >= 0 && mx < w && my < w && (q->data[my * w + mx] & 1);
            row[1 + x] = dark ? 0 : 255;
        }
    }
    QRcode_free(q);
    zlen = compressBound((uLong)rawlen);
    z = xmalloc(zlen);
    if (compress2(z, &zlen, raw, (uLong)rawlen, 9) != Z_OK) {
        free(raw);
        free(z);
        return NULL;
    }
    free(raw);
    be32(ihdr, (uint32_t)px);
    be32(ihdr + 4, (uint32_t)px);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 0;  /* grayscale */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    buf_add(&b, sig, 8);
    chunk(&b, "IHDR", ihdr, 13);
    chunk(&b, "IDAT", z, (uint32_t)zlen);
    chunk(&b, "IEND", NULL, 0);
    free(z);
    *len = b.len;
    return (unsigned char *)buf_steal(&b);
}
