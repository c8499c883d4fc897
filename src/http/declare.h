/*
** declare.h -- inside http/: the compiled declarations of each route (declare.c)
** for the request check, the strict reads and /openapi.json.
*/
#ifndef O2O_HTTP_DECLARE_H
#define O2O_HTTP_DECLARE_H

#include "http/http.h"
#include "http/schema.h"

#define DECL_MAX_STATUS 4
#define DECL_MAX_CONTENT 6

#define DECL_MAX_GROUPS 3

/* Answers with these statuses come in these media types. */
struct answer_group {
    int nstatus;
    int status[DECL_MAX_STATUS];
    int ncontent;
    struct {
        const char *media;    /* "application/json", "text/csv" ... */
        const struct sch *json;
    } content[DECL_MAX_CONTENT];
};

struct route_decl {
    const struct sch *query;  /* NULL: no parameters */
    const struct sch *body;   /* NULL: no fields */
    const char *raw_media;    /* HTTP_RAW: the body's media type (checked by its handler, after its signature) */
    const struct sch *raw;    /* ... and its shape, for the document */
    int ngroups;              /* "200 Order / 401 {code:str}": the success, then answers of its own */
    struct answer_group group[DECL_MAX_GROUPS];
};

const struct route_decl *http_decl(int route_index);
/* The request against its route's declaration: 0 or O2O_EINVAL naming the field. */
int declare_check(struct http_req *rq);
/* The request whose handler runs on this thread (NULL after it). */
void declare_serving(const struct http_req *rq);
/* A handler reads a query parameter (test builds: it must be declared). */
void declare_query_read(const struct http_req *rq, const char *name);

#endif
