/*
** webfiles.h -- the files of the console (/console/) and of the member's pages
** (/m/), embedded at build time by scripts/embed-web.sh from web/ and the npm
** packages they use; served by api_web.c.
*/
#ifndef O2O_APP_WEBFILES_H
#define O2O_APP_WEBFILES_H

#include <stddef.h>

struct web_file {
    const char *path;         /* as served: "/console/till.js" */
    const char *ctype;
    const unsigned char *body;
    size_t len;
    const unsigned char *gz;  /* the same, gzipped */
    size_t gzlen;
    const char *etag;         /* quoted */
};

extern const struct web_file web_files[];
extern const size_t web_nfiles;

#endif
