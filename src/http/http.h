/*
** http.h -- the generic HTTP/1.1 JSON server of o2o on libh2o's event loop.
** It knows nothing of the domain: it is handed a route table and hooks. It
** frames requests strictly (parse.c: ambiguous framing is refused), caps open
** connections per process and per client address, matches routes (404/405),
** refuses an oversize body before reading it (413), lets the application refuse
** a request before its body is read (precheck: 401, 429), parses JSON bodies
** (400), calls the authorisation hook (401/403), runs the handler, and renders
** errors as {"error":{"code","message","field"},"request_id"}. Every path, query
** value and header the application reads is valid UTF-8. Handlers run on a loop
** thread and must not block; slow work is deferred with http_defer() and
** answered from any thread with http_complete().
*/
#ifndef O2O_HTTP_HTTP_H
#define O2O_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"

#define HTTP_MAX_PARAMS 4

struct http_req;
struct http_pending;

/* A handler returns 0 when it has replied or deferred, or a negative o2o_err
** (details in err_last()) for the server to render as the error response. */
typedef int (*http_handler)(struct http_req *rq);

enum http_route_flags {
    HTTP_IDEMPOTENT = 1 << 0, /* honours Idempotency-Key (a POST a client may retry) */
    HTTP_BIG_BODY = 1 << 1,   /* allows bodies up to max_big_body (imports, batches) */
    HTTP_RAW = 1 << 2,        /* the body is not JSON */
    HTTP_CORS = 1 << 3,       /* callable from web pages of any origin (answers CORS preflights) */
};

struct http_route {
    const char *method;       /* "GET", "POST", ... */
    const char *pattern;      /* "/v1/members/{id}/points" */
    http_handler handler;
    unsigned roles;           /* enum role bits allowed to call it */
    unsigned flags;           /* enum http_route_flags */
    const char *summary;      /* one line for /openapi.json */
    const char *limit;        /* a rate-limit class the application's precheck applies, or NULL */
    /* What it reads and answers (http/schema.h): checked before the handler runs,
    ** and the source of /openapi.json. */
    const char *query;        /* its query parameters, "from?:date, limit?:int", or NULL: none */
    const char *body;         /* its JSON body's fields, or NULL: none (HTTP_RAW: the media type) */
    const char *answer;       /* "201 Order", "200 {deleted:bool}", "200 Report; text/csv" ... */
};

struct http_req {
    const struct http_route *route;   /* the matched route */
    int route_index;                  /* its index in the table */
    const char *method;               /* NUL-terminated */
    const char *path;                 /* without the query string */
    const char *query;                /* after '?', or "" */
    const char *params[HTTP_MAX_PARAMS]; /* path parameters in pattern order */
    const char *body;                 /* request body (NUL-terminated copy), "" if none */
    size_t body_len;
    json_t *json;                     /* parsed object body, or NULL (owned by the server) */
    const char *idem_key;             /* Idempotency-Key header or NULL */
    const char *bearer;               /* token after "Bearer ", or NULL */
    char rid[24];                     /* request id (X-Request-Id) */
    char client[46];                  /* the client's address (behind a trusted proxy: the one it names) */
    bool trusted;                     /* the client is in a trusted network */
    struct principal who;             /* set by the authorisation hook */
    void *user;                       /* for the application */
};

struct http_config {
    const struct http_route *routes;
    size_t nroutes;
    const char *host;                 /* "127.0.0.1" */
    int port;
    int threads;                      /* event loops (0: one per core) */
    size_t max_body;                  /* bytes, larger bodies get 413 */
    size_t max_big_body;              /* for HTTP_BIG_BODY routes */
    const char *access_log;           /* path, "-" for stdout, NULL for none */
    size_t max_connections;           /* open connections per process (0: 4096) */
    size_t max_connections_per_client;/* per client address outside the trusted networks (0: 128) */
    const char *trusted_networks;     /* CIDR list: no per-address connection cap (NULL: loopback) */
    const char *trusted_proxies;      /* CIDR list whose X-Forwarded-For names the client (NULL: loopback) */
    int head_timeout_ms;              /* a request head must arrive within; also the keep-alive idle time (0: 10 s) */
    int body_timeout_ms;              /* a body must arrive within (0: 60 s) */
    /* Called once the route is known and before the body is read: 0, or an error
    ** (err_set) that answers now, e.g. 401 without a token, 429 over a rate limit. */
    int (*precheck)(struct http_req *rq);
    /* Authenticate rq->bearer and check rq->route->roles; fill rq->who. */
    int (*authorize)(struct http_req *rq);
    /* Called after the handler returned (replied or deferred), e.g. to end a read snapshot. */
    void (*after)(struct http_req *rq);
    /* Called once on each loop thread before it serves (e.g. to open a reader). */
    void (*on_thread_start)(int index);
    /* Called once the listeners are bound, with the actual port. */
    void (*on_listening)(int port);
    /* Extra Prometheus text appended to /metrics by the application. */
    void (*metrics_extra)(void *buf);
    /* The named schemas the routes' declarations refer to. */
    const struct http_schema_def *schemas;
    size_t nschemas;
};

struct http_schema_def;

/* Compile every route's declarations (http_serve does it; a command that only
** writes /openapi.json calls it): O2O_EINVAL naming the route and the mistake. */
int http_declare(const struct http_route *routes, size_t n, const struct http_schema_def *schemas, size_t nschemas);
/* In test builds (O2O_STRICT), does the route being served declare this body field?
** (true outside a request or in other builds) */
bool http_body_declares(const char *name);

/* Serve until http_stop() or a fatal error. Blocks the calling thread; the event
** loops run on threads of their own and keep delivering late answers until
** http_cleanup(). */
int http_serve(const struct http_config *cfg);
/* Free what http_serve() left for answers still in flight: call after the
** threads that answer deferred requests (storage, workers) have stopped. */
void http_cleanup(void);
/* Ask every loop to stop (async-signal-safe). */
void http_stop(void);
/* Fill the bound port once listening (for --listen 127.0.0.1:0). */
int http_bound_port(void);

/* ---- replies (loop thread) ---- */
int http_reply(struct http_req *rq, int status, const char *ctype, const char *body, size_t len);
/* Reply with a JSON value; takes the reference. */
int http_reply_json(struct http_req *rq, int status, json_t *v);
/* Reply with the error in err_last() (or rc's default). */
int http_reply_error(struct http_req *rq, int rc);
/* Add a response header before replying. */
void http_add_header(struct http_req *rq, const char *name, const char *value);

/* ---- deferral ---- */
/* Detach rq: the handler returns 0 and the answer comes later through http_complete. */
struct http_pending *http_defer(struct http_req *rq);
/* Answer a deferred request from any thread. body is owned (malloc'd) and freed here.
** If the client has gone, the answer is dropped. replayed adds Idempotent-Replayed. */
void http_complete(struct http_pending *p, int status, char *body, size_t len, bool replayed);
/* Answer with the error rc and the current thread's error record (Retry-After
** included when the record says when to retry), under the request's id. */
void http_complete_error(struct http_pending *p, int rc);
/* Answer with a JSON value (the reference is taken). A NULL value, or one that
** cannot be written (a string that is not UTF-8), answers 500 and is logged:
** whatever jansson gives back is checked here, once for every deferred answer. */
void http_complete_json(struct http_pending *p, int status, json_t *v);
/* The same with another content type (a static string). */
void http_complete_as(struct http_pending *p, int status, const char *ctype, char *body, size_t len, bool replayed);

/* ---- inputs ---- */
/* Decoded query parameter (request-lifetime string) or NULL. */
const char *http_query(struct http_req *rq, const char *name);
/* Request header value (request-lifetime string) or NULL. */
const char *http_header(struct http_req *rq, const char *name);
/* Check a configuration's address lists: 0, or O2O_EINVAL naming the bad item. */
int http_check_networks(const char *list, const char *what);

/* ---- errors ---- */
/* HTTP status for an o2o_err. */
int http_status_of(int rc);
/* Render {"error":{...}} for rc and the error record; owned string. */
char *http_error_body(int rc, const char *rid, size_t *len);

/* ---- description ---- */
/* The OpenAPI 3 document for the route table (new reference). */
/* The route table being served (while http_serve runs; else none). */
const struct http_route *http_routes(size_t *n);

/* The OpenAPI 3.0.3 document of the routes (after http_declare); server_url: where
** clients reach the API ("/" when unknown). */
json_t *http_openapi(const struct http_route *routes, size_t n, const char *version, const char *server_url);
/* Prometheus text for the request metrics; appended to buf (a struct buf *). */
void http_metrics_text(void *buf, const struct http_route *routes, size_t n);

#endif
