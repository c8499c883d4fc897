/*
** declare.c -- the routes' declarations, compiled once (http_declare), and the
** check of every request against them before its handler runs: a query
** parameter the route does not declare, one given twice, a required one missing,
** a body field it does not declare, a missing or mistyped one: 400 naming it.
** In test builds (O2O_STRICT) a handler that reads a name its route does not
** declare stops the server: the declarations cannot drift from the code.
*/
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/declare.h"
#include "http/schema.h"

#define MODULE_NAME "http/declare"

static struct {
    const struct http_route *routes;
    size_t n;
    struct route_decl *d;
} D;

static __thread const struct http_req *serving; /* the request whose handler runs on this thread */

static bool is_media_type(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    if (!slash || memchr(s, '{', n) || memchr(s, '[', n))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '/' || s[i] == '.' || s[i] == '-' || s[i] == '+' || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* "200,201 Type; text/csv; ..." */
static int parse_group(const char *text, const char *whole, struct answer_group *d)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    while (*p >= '0' && *p <= '9') {
        int st = 0;
        while (*p >= '0' && *p <= '9')
            st = st * 10 + (*p++ - '0');
        if (st < 100 || st > 599 || d->nstatus == DECL_MAX_STATUS)
            return err_set(O2O_EINVAL, "bad_declaration", NULL, "a bad status in \"%.60s\"", whole);
        d->status[d->nstatus++] = st;
        if (*p == ',')
            p++;
    }
    if (!d->nstatus || *p != ' ')
        return err_set(O2O_EINVAL, "bad_declaration", NULL, "\"%.60s\": each answer starts with its status", whole);
    while (*p) {
        const char *e;
        size_t n;
        while (*p == ' ')
            p++;
        e = strchr(p, ';');
        n = e ? (size_t)(e - p) : strlen(p);
        while (n && p[n - 1] == ' ')
            n--;
        if (d->ncontent == DECL_MAX_CONTENT)
            return err_set(O2O_EINVAL, "bad_declaration", NULL, "too many answers in \"%.60s\"", whole);
        if (is_media_type(p, n)) {
            d->content[d->ncontent].media = xstrndup(p, n);
        } else {
            char *t = xstrndup(p, n);
            int rc = sch_compile(t, false, &d->content[d->ncontent].json);
            free(t);
            if (rc)
                return rc;
            d->content[d->ncontent].media = xstrdup("application/json");
        }
        d->ncontent++;
        p = e ? e + 1 : p + n;
    }
    return d->ncontent ? 0 : err_set(O2O_EINVAL, "bad_declaration", NULL, "\"%.60s\" answers nothing", whole);
}

/* Groups separated by " / " (the success, then statuses a route answers in its own shape). */
static int parse_answer(const char *text, struct route_decl *d)
{
    const char *p = text;
    while (*p) {
        const char *e = strstr(p, " / ");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *g;
        int rc;
        if (d->ngroups == DECL_MAX_GROUPS)
            return err_set(O2O_EINVAL, "bad_declaration", NULL, "more than %d answers in \"%.60s\"",
                           DECL_MAX_GROUPS, text);
        g = xstrndup(p, n);
        rc = parse_group(g, text, &d->group[d->ngroups++]);
        free(g);
        if (rc)
            return rc;
        p = e ? e + 3 : p + n;
    }
    return d->ngroups ? 0 : err_set(O2O_EINVAL, "bad_declaration", NULL, "it declares no answer");
}

/* Another table is declared (tests do): the strings of the last one go. (Compiled
** schemas stay: schema.c keeps them for the process's life.) */
static void forget(void)
{
    for (size_t i = 0; D.d && i < D.n; i++) {
        for (int g = 0; g < D.d[i].ngroups; g++)
            for (int c = 0; c < D.d[i].group[g].ncontent; c++)
                free((char *)D.d[i].group[g].content[c].media);
        free((char *)D.d[i].raw_media);
    }
    free(D.d);
    D.d = NULL;
    D.n = 0;
}

int http_declare(const struct http_route *routes, size_t n, const struct http_schema_def *schemas, size_t nschemas)
{
    int rc = sch_registry_init(schemas, nschemas);
    if (rc)
        return rc;
    if (D.d && D.routes == routes && D.n == n)
        return 0; /* once per table */
    forget();
    D.d = xcalloc(n, sizeof *D.d);
    D.n = n;
    D.routes = routes;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct http_route *r = &routes[i];
        struct route_decl *d = &D.d[i];
        if (r->query)
            rc = sch_compile(r->query, true, &d->query);
        if (!rc && r->body && !(r->flags & HTTP_RAW))
            rc = sch_compile(r->body, r->body[0] != '{', &d->body); /* a field list, or a type such as {*:int} */
        if (!rc && r->body && (r->flags & HTTP_RAW)) {
            /* "application/json {shape}": what its sender sends, verified by the handler */
            const char *sp = strchr(r->body, ' ');
            d->raw_media = sp ? xstrndup(r->body, (size_t)(sp - r->body)) : xstrdup(r->body);
            if (sp)
                rc = sch_compile(sp + 1, false, &d->raw);
        }
        if (!rc)
            rc = r->answer ? parse_answer(r->answer, d)
                           : err_set(O2O_EINVAL, "bad_declaration", NULL, "it declares no answer");
        if (rc)
            rc = err_set(O2O_EINVAL, "bad_declaration", NULL, "%s %s: %s", r->method, r->pattern, err_last()->msg);
    }
    return rc;
}

const struct route_decl *http_decl(int route_index)
{
    return D.d && route_index >= 0 && (size_t)route_index < D.n ? &D.d[route_index] : NULL;
}

int declare_check(struct http_req *rq)
{
    const struct route_decl *d = http_decl(rq->route_index);
    int rc = 0;
    if (!d)
        return 0;
    if (d->query)
        rc = sch_check_query(d->query, rq->query);
    else if (rq->query && *rq->query) {
        char name[64];
        size_t n = strcspn(rq->query, "=&");
        snprintf(name, sizeof name, "%.*s", (int)(n < 60 ? n : 60), rq->query);
        rc = err_set(O2O_EINVAL, "unknown_parameter", name, "this route takes no query parameters");
    }
    if (rc || !rq->json || (rq->route->flags & HTTP_RAW))
        return rc;
    if (d->body)
        return sch_check_body(d->body, rq->json);
    if (json_object_size(rq->json)) {
        const char *k = json_object_iter_key(json_object_iter(rq->json));
        return err_set(O2O_EINVAL, "unknown_field", k, "this route takes no body fields");
    }
    return 0;
}

void declare_serving(const struct http_req *rq)
{
    serving = rq;
}

#ifdef O2O_STRICT
static void undeclared(const char *what, const char *name)
{
    log_error("BUG: %s %s reads the %s \"%s\", which it does not declare (src/app/routes.c)", serving->method,
              serving->route->pattern, what, name);
    abort();
}
#endif

void declare_query_read(const struct http_req *rq, const char *name)
{
#ifdef O2O_STRICT
    const struct route_decl *d = rq ? http_decl(rq->route_index) : NULL;
    if (rq && rq == serving && d && !(d->query && sch_declares(d->query, name)))
        undeclared("query parameter", name);
#else
    (void)rq;
    (void)name;
#endif
}

bool http_body_declares(const char *name)
{
#ifdef O2O_STRICT
    const struct route_decl *d = serving ? http_decl(serving->route_index) : NULL;
    if (d && !(serving->route->flags & HTTP_RAW) && !(d->body && sch_declares(d->body, name)))
        undeclared("body field", name);
#else
    (void)name;
#endif
    return true;
}
