/*
** router.c -- matches a method and a path against the route table.
** Patterns are split into segments once; "{name}" segments capture.
** Tests: tests/unit/test_http.c
*/
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define MAX_SEGS 12

struct croute {
    const struct http_route *r;
    int nseg;
    char *seg[MAX_SEGS];      /* literal segment, or NULL for a parameter */
};

struct route_table {
    size_t n;
    struct croute *c;
};

struct route_table *router_build(const struct http_route *routes, size_t n)
{
    struct route_table *t = xcalloc(1, sizeof *t);
    t->n = n;
    t->c = xcalloc(n, sizeof *t->c);
    for (size_t i = 0; i < n; i++) {
        const char *p = routes[i].pattern;
        struct croute *c = &t->c[i];
        c->r = &routes[i];
        while (*p == '/')
            p++;
        while (*p && c->nseg < MAX_SEGS) {
            const char *e = strchr(p, '/');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            c->seg[c->nseg++] = p[0] == '{' ? NULL : xstrndup(p, len);
            p += len;
            while (*p == '/')
                p++;
        }
    }
    return t;
}

void router_free(struct route_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < t->c[i].nseg; k++)
            free(t->c[i].seg[k]);
    free(t->c);
    free(t);
}

int router_match(const struct route_table *t, const char *method, const char *path, char *pbuf,
                 const char *params[HTTP_MAX_PARAMS], char allow[64])
{
    char *seg[MAX_SEGS + 1];
    int nseg = 0, found = -1;
    char *p;

    memcpy(pbuf, path, strlen(path) + 1); /* pbuf is strlen(path)+1 bytes by contract */
    p = pbuf;
    while (*p == '/')
        p++;
    while (*p) {
        if (nseg > MAX_SEGS)
            return -1;
        seg[nseg++] = p;
        while (*p && *p != '/')
            p++;
        if (*p) {
            *p++ = 0;
            while (*p == '/')
                p++;
        }
    }
    allow[0] = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct croute *c = &t->c[i];
        int np = 0, k;
        if (c->nseg != nseg)
            continue;
        for (k = 0; k < nseg; k++) {
            if (c->seg[k] && strcmp(c->seg[k], seg[k]))
                break;
            if (!c->seg[k] && !*seg[k])
                break;
        }
        if (k < nseg)
            continue;
        if (strcmp(c->r->method, method)) {
            size_t al = strlen(allow), ml = strlen(c->r->method);
            if (!strstr(allow, c->r->method) && al + ml + 3 < 64) {
                if (al) {
                    memcpy(allow + al, ", ", 2);
                    al += 2;
                }
                memcpy(allow + al, c->r->method, ml + 1);
            }
            if (found == -1)
                found = -2;
            continue;
        }
        for (k = 0; k < nseg && np < HTTP_MAX_PARAMS; k++)
            if (!c->seg[k])
                params[np++] = seg[k];
        return (int)i;
    }
    return found;
}
