/*
** chart_png.c -- SVG charts to PNG with librsvg on a cairo image surface. The
** libraries (and the thirty-odd they bring: glib, pango, fontconfig...) are
** loaded on first use (dlopen), as libpq and libcurl are: commands that never
** mail a report do not pay for them at start. Text is laid out by pango with the
** fonts fontconfig finds (a CJK font for Chinese names: fonts-wqy-microhei).
*/
#include "reports/chart_png.h"

#include <cairo.h>
#include <dlfcn.h>
#include <librsvg/rsvg.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#define RSVG_FUNCS(X) X(rsvg_handle_new_from_data) X(rsvg_handle_render_document)
#define GOBJECT_FUNCS(X) X(g_object_unref)
#define GLIB_FUNCS(X) X(g_error_free)
#define CAIRO_FUNCS(X)                                                                                         \
    X(cairo_image_surface_create) X(cairo_surface_status) X(cairo_create) X(cairo_scale) X(cairo_set_source_rgb) \
    X(cairo_paint) X(cairo_destroy) X(cairo_surface_write_to_png_stream) X(cairo_surface_destroy)

static struct {
#define X(f) __typeof__(f) *f;
    RSVG_FUNCS(X) GOBJECT_FUNCS(X) GLIB_FUNCS(X) CAIRO_FUNCS(X)
#undef X
} rs;
static pthread_once_t rs_once = PTHREAD_ONCE_INIT;
static const char *rs_missing; /* why charts cannot be drawn, NULL when loaded */

static void *open_lib(const char *name)
{
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h && !rs_missing)
        rs_missing = "librsvg-2.so.2 or libcairo.so.2 is not installed (Debian packages librsvg2-2, libcairo2)";
    return h;
}

static void rs_load(void)
{
    void *rsvg = open_lib("librsvg-2.so.2"), *gobject = open_lib("libgobject-2.0.so.0"),
         *glib = open_lib("libglib-2.0.so.0"), *cairo = open_lib("libcairo.so.2");
    if (rs_missing)
        return;
#define X(f)                                                                                                   \
    if (!(*(void **)&rs.f = dlsym(LIB, #f)))                                                                   \
        rs_missing = "a drawing library lacks " #f;
#define LIB rsvg
    RSVG_FUNCS(X)
#undef LIB
#define LIB gobject
    GOBJECT_FUNCS(X)
#undef LIB
#define LIB glib
    GLIB_FUNCS(X)
#undef LIB
#define LIB cairo
    CAIRO_FUNCS(X)
#undef LIB
#undef X
}

int chart_png_available(void)
{
    pthread_once(&rs_once, rs_load);
    return rs_missing == NULL;
}

static cairo_status_t on_png(void *arg, const unsigned char *data, unsigned int n)
{
    return buf_add(arg, data, n) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

unsigned char *chart_png(const char *svg, size_t len, int width, int height, int scale, size_t *out_len)
{
    struct buf png = BUF_INIT(16u << 20);
    GError *e = NULL;
    RsvgHandle *h;
    RsvgRectangle vp = {0, 0, (double)width, (double)height};
    cairo_surface_t *s;
    cairo_t *cr;
    bool ok;
    *out_len = 0;
    if (!chart_png_available()) {
        err_set(O2O_EINVAL, "no_renderer", NULL, "%s", rs_missing);
        return NULL;
    }
    if (width < 1 || height < 1 || width > 4000 || height > 4000 || scale < 1 || scale > 4) {
        err_set(O2O_EINVAL, NULL, NULL, "a chart of %dx%d at %dx is out of range", width, height, scale);
        return NULL;
    }
    h = rs.rsvg_handle_new_from_data((const guint8 *)svg, len, &e);
    if (!h) {
        err_set(O2O_EINVAL, "bad_chart", NULL, "the chart does not parse as SVG");
        if (e)
            rs.g_error_free(e);
        return NULL;
    }
    s = rs.cairo_image_surface_create(CAIRO_FORMAT_RGB24, width * scale, height * scale);
    cr = rs.cairo_create(s);
    rs.cairo_set_source_rgb(cr, 1, 1, 1); /* white: e-mail clients show no transparency well */
    rs.cairo_paint(cr);
    rs.cairo_scale(cr, scale, scale);
    ok = rs.rsvg_handle_render_document(h, cr, &vp, &e) && rs.cairo_surface_status(s) == CAIRO_STATUS_SUCCESS;
    if (e)
        rs.g_error_free(e);
    rs.cairo_destroy(cr);
    rs.g_object_unref(h);
    if (ok)
        ok = rs.cairo_surface_write_to_png_stream(s, on_png, &png) == CAIRO_STATUS_SUCCESS;
    rs.cairo_surface_destroy(s);
    if (!ok) {
        buf_free(&png);
        err_set(O2O_EINVAL, "bad_chart", NULL, "the chart does not render");
        return NULL;
    }
    *out_len = png.len;
    return (unsigned char *)buf_steal(&png);
}
