/*
** qr.h -- QR codes (libqrencode) rendered as SVG and as PNG (zlib), e.g. the
** claim link printed on a till receipt.
*/
#ifndef O2O_CORE_QR_H
#define O2O_CORE_QR_H

#include <stddef.h>

/* Owned SVG text / PNG bytes for text (error correction level M, 4-module quiet
** zone); NULL when text cannot be encoded. scale: pixels per module (PNG). */
char *qr_svg(const char *text, size_t *len);
unsigned char *qr_png(const char *text, int scale, size_t *len);

#endif
