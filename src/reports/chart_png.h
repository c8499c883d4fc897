/*
** chart_png.h -- a report chart, drawn once as SVG, rasterised to PNG for the
** places SVG does not show (e-mail: Gmail and Outlook drop inline SVG). librsvg
** and cairo do the drawing, loaded on first use.
*/
#ifndef O2O_REPORTS_CHART_PNG_H
#define O2O_REPORTS_CHART_PNG_H

#include <stddef.h>

/* PNG bytes of the SVG document svg (its width and height in pixels, drawn at
** scale times that for sharp screens); NULL with the error set when librsvg is
** missing or the SVG does not render. */
unsigned char *chart_png(const char *svg, size_t len, int width, int height, int scale, size_t *out_len);
/* Can charts be rasterised here? (librsvg and cairo are installed) */
int chart_png_available(void);

#endif
