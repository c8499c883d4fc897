/*
** api_web.c -- serves the console (/console/) and the member's pages (/m/) from
** the files embedded at build time (webfiles.h): gzipped when the browser takes
** it, revalidated by ETag (no-cache: a new binary is seen at once), under a
** Content-Security-Policy that allows only this origin's scripts, styles and
** calls (no inline script, no eval, no frames).
*/
#include "api/api.h"
#include "app/handlers.h"

#include <stdio.h>
#include <string.h>

#include "app/webfiles.h"
#include "core/err.h"

#define WEB_CSP                                                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " \
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

static const struct web_file *web_find(const char *path)
{
    for (size_t i = 0; i < web_nfiles; i++)
        if (strcmp(web_files[i].path, path) == 0)
            return &web_files[i];
    return NULL;
}

/* Does an Accept-Encoding header take gzip (and not with q=0)? */
static bool takes_gzip(const char *ae)
{
    const char *p = ae ? strstr(ae, "gzip") : NULL;
    if (!p)
        return false;
    p += 4;
    while (*p == ' ')
        p++;
    return !(strncmp(p, ";q=0", 4) == 0 && (p[4] == '\0' || p[4] == ',' || strncmp(p + 4, ".0", 2) == 0));
}

static int web_send(struct http_req *rq, const char *path)
{
    const struct web_file *f = web_find(path);
    const char *inm;
    if (!f)
        return http_reply_error(rq, err_set(O2O_ENOTFOUND, "not_found", NULL, "no such page: %s", path));
    http_add_header(rq, "Content-Security-Policy", WEB_CSP);
    http_add_header(rq, "X-Content-Type-Options", "nosniff");
    http_add_header(rq, "Referrer-Policy", "no-referrer");
    http_add_header(rq, "Cache-Control", "no-cache");
    http_add_header(rq, "Vary", "Accept-Encoding");
    http_add_header(rq, "ETag", f->etag);
    inm = http_header(rq, "if-none-match");
    if (inm && strstr(inm, f->etag))
        return http_reply(rq, 304, f->ctype, "", 0);
    if (takes_gzip(http_header(rq, "accept-encoding"))) {
        http_add_header(rq, "Content-Encoding", "gzip");
        return http_reply(rq, 200, f->ctype, (const char *)f->gz, f->gzlen);
    }
    return http_reply(rq, 200, f->ctype, (const char *)f->body, f->len);
}

/* A file name of the folder: letters, digits, '-', '_' and one '.' (never "..") */
static int web_file_of(struct http_req *rq, const char *dir)
{
    char path[96];
    const char *name = rq->params[0];
    size_t n = strlen(name);
    if (n == 0 || n > 48 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n ||
        name[0] == '.')
        return http_reply_error(rq, err_set(O2O_ENOTFOUND, "not_found", NULL, "no such page"));
    snprintf(path, sizeof path, "/%s/%s", dir, name);
    return web_send(rq, path);
}

int api_console_page(struct http_req *rq) { return web_send(rq, "/console/index.html"); }
int api_console_file(struct http_req *rq) { return web_file_of(rq, "console"); }
int api_member_page(struct http_req *rq) { return web_send(rq, "/m/index.html"); }
int api_member_file(struct http_req *rq) { return web_file_of(rq, "m"); }
