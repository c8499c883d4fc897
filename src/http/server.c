/*
** server.c -- the HTTP server on libh2o's event loop: one loop per thread, each
** with its own SO_REUSEPORT listener; connections capped per process and per
** client address at accept; the request pipeline (request id, path and query
** checked as UTF-8 text, route match, body limit and the application's precheck
** before the body is read, JSON parse, authorisation hook, handler, error
** rendering); deferred answers through h2o's multithread queue; the access log.
** Connections themselves are conn.c's. Knows nothing of the domain.
*/
#include "http/declare.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"

#define MODULE_NAME "http/server"
#define LOG_FLUSH_BYTES (32 * 1024)
#define DEFAULT_MAX_CONNECTIONS 4096
#define DEFAULT_MAX_PER_CLIENT 128
#define LOOPBACK "127.0.0.0/8, ::1"
#define RCVBUF_BYTES (128 * 1024)

struct loop {
    int index;
    h2o_evloop_t *ev;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t receiver;
    h2o_socket_t *listener;
    int fd;
    struct loop_conns conns;
    struct buf log;             /* access log lines not yet written */
    h2o_timeout_t log_timeout;
    h2o_timeout_entry_t log_entry;
    pthread_t thread;
    int drained;                /* no connection was left open at shutdown */
};

struct http_pending {
    h2o_multithread_message_t super; /* must be first */
    struct req_int *rq;               /* NULL once the client has gone */
    struct loop *loop;
    int status;
    char *body;
    size_t len;
    bool replayed;
    int retry_after;                  /* seconds, for a Retry-After header, or 0 */
    const char *ctype;                /* a static string */
    char rid[24];                     /* the request's id, for errors rendered later */
};

static struct {
    const struct http_config *cfg;
    struct loop *loops;
    int nloops;
    struct route_table *table;
    volatile sig_atomic_t stop;
    int port;
    int logfd;
    _Atomic uint64_t seq;
    pthread_barrier_t ready;  /* every loop set up before the port is announced */
    int running;              /* loop threads exist */
    volatile sig_atomic_t cleanup; /* loops may tear down: the storage threads are gone */
    struct netlist trusted;   /* no per-address connection cap */
    struct netlist proxies;   /* their X-Forwarded-For names the client */
    size_t max_conns, max_per_client;
    char refusal[REFUSED_COUNT_][400]; /* canned answers to connections refused at accept */
} S;

static __thread struct loop *cur_loop;

void http_stop(void)
{
    S.stop = 1;
}

int http_bound_port(void)
{
    return S.port;
}

const struct http_config *server_config(void)
{
    return S.cfg;
}

const struct http_route *http_routes(size_t *n)
{
    *n = S.cfg ? S.cfg->nroutes : 0;
    return S.cfg ? S.cfg->routes : NULL;
}

const struct netlist *server_trusted_networks(void)
{
    return &S.trusted;
}

const struct netlist *server_trusted_proxies(void)
{
    return &S.proxies;
}

int http_check_networks(const char *list, const char *what)
{
    struct netlist l;
    char bad[64];
    if (netlist_parse(&l, list, bad))
        return err_set(O2O_EINVAL, "bad_network", what, "%s: '%s' is not an address or CIDR network", what, bad);
    netlist_free(&l);
    return 0;
}

/* ---- access log ---- */

static void log_flush(struct loop *l)
{
    if (S.logfd >= 0 && l->log.len) {
        if (write(S.logfd, l->log.p, l->log.len) < 0) {
            /* a full disk must not stop the server */
        }
    }
    buf_reset(&l->log);
}

static void on_log_timer(h2o_timeout_entry_t *e)
{
    struct loop *l = H2O_STRUCT_FROM_MEMBER(struct loop, log_entry, e);
    log_flush(l);
    h2o_timeout_link(l->ev, &l->log_timeout, &l->log_entry);
}

static void access_log(struct req_int *rq, int status)
{
    struct loop *l = rq->loop;
    char ts[32], who[48];
    int64_t dur = mono_us() - rq->t0;
    metrics_record(rq->pub.route ? rq->pub.route_index : -1, status, dur);
    if (S.logfd < 0)
        return;
    fmt_iso8601(ts, now_ms());
    principal_tag(&rq->pub.who, who);
    buf_addf(&l->log, "%s %s %s %s %s %d %lldus %s\n", ts, rq->pub.rid, rq->pub.client, rq->pub.method,
             rq->pub.path, status, (long long)dur, who);
    if (l->log.len > LOG_FLUSH_BYTES)
        log_flush(l);
}

/* ---- replies ---- */

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return status < 400 ? "OK" : "Error";
    }
}

static int send_now(struct req_int *rq, int status, const char *ctype, const char *body, size_t len)
{
    if (rq->responded)
        return 0;
    rq->responded = 1;
    buf_addf(&rq->resp_headers, "X-Request-Id: %s\r\n", rq->pub.rid);
    access_log(rq, status);
    conn_respond(rq, status, reason_of(status), ctype, body, len);
    return 0;
}

int http_reply(struct http_req *pub, int status, const char *ctype, const char *body, size_t len)
{
    return send_now((struct req_int *)pub, status, ctype, body, len);
}

int http_reply_json(struct http_req *pub, int status, json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    int rc;
    json_decref(v);
    if (!s)
        return http_reply_error(pub, err_set(O2O_EDB, NULL, NULL, "an answer could not be rendered as JSON"));
    rc = send_now((struct req_int *)pub, status, "application/json", s, strlen(s));
    free(s);
    return rc;
}

static void add_retry_after(struct http_req *pub, int seconds)
{
    char v[16];
    if (seconds <= 0)
        return;
    snprintf(v, sizeof v, "%d", seconds);
    http_add_header(pub, "Retry-After", v);
}

int http_reply_error(struct http_req *pub, int rc)
{
    size_t len;
    char *s = http_error_body(rc, pub->rid, &len);
    int status = http_status_of(rc);
    if (err_last()->rc == rc)
        add_retry_after(pub, err_last()->retry_after);
    if (status >= 500)
        log_error("%s %s %s -> %d: %s", pub->rid, pub->method, pub->path, status, err_last()->msg);
    send_now((struct req_int *)pub, status, "application/json", s, len);
    free(s);
    return 0;
}

/* A header value the application adds: no CR, LF or NUL may split the answer. */
void http_add_header(struct http_req *pub, const char *name, const char *value)
{
    struct req_int *rq = (struct req_int *)pub;
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
        log_error("%s header %s dropped: it holds a line break", pub->rid, name);
        return;
    }
    buf_addf(&rq->resp_headers, "%s: %s\r\n", name, value);
}

/* ---- deferral ---- */

struct http_pending *http_defer(struct http_req *pub)
{
    struct req_int *rq = (struct req_int *)pub;
    struct http_pending *p = xcalloc(1, sizeof *p);
    p->rq = rq;
    p->loop = rq->loop;
    memcpy(p->rid, rq->pub.rid, sizeof p->rid);
    rq->pending = p;
    return p;
}

void http_complete(struct http_pending *p, int status, char *body, size_t len, bool replayed)
{
    http_complete_as(p, status, "application/json", body, len, replayed);
}

void http_complete_error(struct http_pending *p, int rc)
{
    size_t len;
    char *body = http_error_body(rc, p->rid, &len);
    int status = http_status_of(rc);
    if (status >= 500)
        log_error("%s -> %d: %s", p->rid, status, err_last()->msg);
    p->retry_after = err_last()->rc == rc ? err_last()->retry_after : 0;
    http_complete(p, status, body, len, false);
}

void http_complete_json(struct http_pending *p, int status, json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    if (!s) {
        err_set(O2O_EDB, NULL, NULL, "an answer could not be rendered as JSON");
        http_complete_error(p, O2O_EDB);
        return;
    }
    http_complete(p, status, s, strlen(s), false);
}

void http_complete_as(struct http_pending *p, int status, const char *ctype, char *body, size_t len, bool replayed)
{
    p->ctype = ctype;
    p->status = status;
    p->body = body;
    p->len = len;
    p->replayed = replayed;
    h2o_multithread_send_message(&p->loop->receiver, &p->super);
}

static void on_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m = H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        struct http_pending *p = (struct http_pending *)m;
        h2o_linklist_unlink(&m->link);
        if (p->rq && !p->body) {
            struct req_int *rq = p->rq;
            rq->pending = NULL;
            http_reply_error(&rq->pub, err_set(O2O_EDB, NULL, NULL, "a deferred answer had no body"));
        } else if (p->rq) {
            struct req_int *rq = p->rq;
            rq->pending = NULL;
            if (p->replayed)
                http_add_header(&rq->pub, "Idempotent-Replayed", "true");
            add_retry_after(&rq->pub, p->retry_after);
            send_now(rq, p->status, p->ctype, p->body, p->len);
        }
        free(p->body);
        free(p);
    }
}

/* ---- inputs ---- */

const char *http_query(struct http_req *pub, const char *name)
{
    struct req_int *rq = (struct req_int *)pub;
    const char *q = pub->query;
    size_t nl = strlen(name);
    declare_query_read(pub, name);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > nl && q[nl] == '=' && !strncmp(q, name, nl)) {
            char *out = h2o_mem_alloc_pool(&rq->pool, len - nl);
            /* the whole query was checked in server_begin: this decodes */
            if (http_decode_component(q + nl + 1, len - nl - 1, out) < 0)
                return NULL;
            return out;
        }
        if (len == nl && !strncmp(q, name, nl))
            return "";
        q = amp ? amp + 1 : NULL;
    }
    return NULL;
}

const char *http_header(struct http_req *pub, const char *name)
{
    struct req_int *rq = (struct req_int *)pub;
    const struct http_field *f = http_head_field(&rq->head, name);
    char *v;
    if (!f || !http_utf8_ok(f->value, f->value_len))
        return NULL;
    v = h2o_mem_alloc_pool(&rq->pool, f->value_len + 1);
    memcpy(v, f->value, f->value_len);
    v[f->value_len] = 0;
    return v;
}

/* ---- the request pipeline ---- */

void server_req_free(struct req_int *rq)
{
    if (rq->pub.json)
        json_decref(rq->pub.json);
    if (rq->pending)
        rq->pending->rq = NULL; /* the answer, when it comes, is dropped */
    buf_free(&rq->resp_headers);
    h2o_mem_clear_pool(&rq->pool);
    free(rq);
}

static bool valid_rid(const char *s, size_t n)
{
    if (n == 0 || n > 23)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static void set_rid(struct req_int *rq)
{
    const struct http_field *f = rq->head.nfields ? http_head_field(&rq->head, "x-request-id") : NULL;
    if (f && valid_rid(f->value, f->value_len)) {
        memcpy(rq->pub.rid, f->value, f->value_len);
        rq->pub.rid[f->value_len] = 0;
    } else {
        uint64_t n = atomic_fetch_add_explicit(&S.seq, 1, memory_order_relaxed);
        snprintf(rq->pub.rid, sizeof rq->pub.rid, "r%d-%llx", rq->loop->index, (unsigned long long)n);
    }
}

static int64_t fail(struct req_int *rq, int rc)
{
    http_reply_error(&rq->pub, rc);
    return -1;
}

void server_refuse(struct req_int *rq, int status, const char *why)
{
    const char *code;
    char *body;
    json_t *o;
    switch (status) {
    case 413: code = "body_too_large"; break;
    case 414: code = "target_too_long"; break;
    case 417: code = "expectation_failed"; break;
    case 431: code = "header_too_large"; break;
    case 501: code = "transfer_coding_not_implemented"; break;
    case 505: code = "http_version_not_supported"; break;
    default: code = "bad_request"; status = 400; break;
    }
    if (!rq->pub.rid[0])
        set_rid(rq);
    o = json_pack("{s:{s:s, s:s, s:n}, s:s}", "error", "code", code, "message", why ? why : code, "field",
                  "request_id", rq->pub.rid);
    body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    send_now(rq, status, "application/json", body ? body : "{}", body ? strlen(body) : 2);
    free(body);
}

/* A browser asks whether a page of another origin may call a route: yes for
** the routes flagged HTTP_CORS (with any of their methods), no for others. */
static int cors_preflight(struct req_int *rq, char *pbuf, const char *allow)
{
    const char *params[HTTP_MAX_PARAMS];
    char other[64];
    static const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        int idx = router_match(S.table, methods[i], rq->pub.path, pbuf, params, other);
        if (idx >= 0 && (S.cfg->routes[idx].flags & HTTP_CORS)) {
            http_add_header(&rq->pub, "Access-Control-Allow-Origin", "*");
            http_add_header(&rq->pub, "Access-Control-Allow-Methods", allow);
            http_add_header(&rq->pub, "Access-Control-Allow-Headers",
                            "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
            http_add_header(&rq->pub, "Access-Control-Max-Age", "86400");
            send_now(rq, 204, "text/plain", "", 0);
            return 1;
        }
    }
    return 0;
}

static char *pool_str(struct req_int *rq, const char *s, size_t n)
{
    char *v = h2o_mem_alloc_pool(&rq->pool, n + 1);
    memcpy(v, s, n);
    v[n] = 0;
    return v;
}

/* The client: the peer, or behind a trusted proxy the address it forwards for. */
static void set_client(struct req_int *rq)
{
    const struct http_field *f = http_head_field(&rq->head, "x-forwarded-for");
    struct addr a = addr_client(&rq->peer, &S.proxies, f ? f->value : NULL, f ? f->value_len : 0);
    addr_format(&a, rq->pub.client);
    rq->pub.trusted = netlist_has(&S.trusted, &a);
}

int64_t server_begin(struct req_int *rq)
{
    const struct http_config *cfg = S.cfg;
    const struct http_head *h = &rq->head;
    const struct http_field *f;
    const char *q;
    char *pbuf, *path, allow[64], bad[64];
    size_t plen;
    ssize_t n;
    int idx, rc;
    int64_t limit;

    rq->pub.who.role = ROLE_PUBLIC;
    err_clear();
    set_rid(rq);
    set_client(rq);
    rq->pub.method = pool_str(rq, h->method, h->method_len);
    q = memchr(h->target, '?', h->target_len);
    plen = q ? (size_t)(q - h->target) : h->target_len;
    path = h2o_mem_alloc_pool(&rq->pool, plen + 2);
    n = http_normalize_path(h->target, plen, path);
    if (n < 0) {
        rq->pub.path = pool_str(rq, h->target, plen);
        return fail(rq, err_set(O2O_EINVAL, "bad_path", NULL, "the path is not valid UTF-8 text"));
    }
    rq->pub.path = path;
    rq->pub.query = q ? pool_str(rq, q + 1, h->target_len - plen - 1) : "";
    if (q && http_check_query(rq->pub.query, strlen(rq->pub.query), bad))
        return fail(rq, err_set(O2O_EINVAL, "bad_query", bad, "query parameter %s is not valid UTF-8 text", bad));

    pbuf = h2o_mem_alloc_pool(&rq->pool, strlen(rq->pub.path) + 1);
    idx = router_match(S.table, rq->pub.method, rq->pub.path, pbuf, rq->pub.params, allow);
    if (idx == -1)
        return fail(rq, err_set(O2O_EROUTE, NULL, NULL, "no route for %s", rq->pub.path));
    if (idx == -2 && !strcmp(rq->pub.method, "OPTIONS") && cors_preflight(rq, pbuf, allow))
        return -1;
    if (idx == -2) {
        http_add_header(&rq->pub, "Allow", allow);
        return fail(rq, err_set(O2O_EMETHOD, NULL, NULL, "method not allowed; allowed: %s", allow));
    }
    rq->pub.route = &cfg->routes[idx];
    rq->pub.route_index = idx;
    if (rq->pub.route->flags & HTTP_CORS)
        http_add_header(&rq->pub, "Access-Control-Allow-Origin", "*");

    limit = (int64_t)((rq->pub.route->flags & HTTP_BIG_BODY) ? cfg->max_big_body : cfg->max_body);
    if (h->content_length > limit)
        return fail(rq, err_set(O2O_ETOOBIG, NULL, NULL, "request body over the limit of %lld bytes",
                                (long long)limit));
    f = http_head_field(h, "authorization");
    if (f && f->value_len > 7 && !strncasecmp(f->value, "Bearer ", 7))
        rq->pub.bearer = pool_str(rq, f->value + 7, f->value_len - 7);
    f = http_head_field(h, "idempotency-key");
    if (f) {
        for (size_t i = 0; i < f->value_len; i++)
            if ((unsigned char)f->value[i] < 0x20 || (unsigned char)f->value[i] > 0x7e)
                return fail(rq, err_set(O2O_EINVAL, "bad_idempotency_key", "Idempotency-Key",
                                        "Idempotency-Key must be 1..128 printable ASCII characters"));
        rq->pub.idem_key = pool_str(rq, f->value, f->value_len);
    }
    rc = cfg->precheck ? cfg->precheck(&rq->pub) : 0;
    if (rc)
        return fail(rq, rc);
    return limit;
}

static bool is_write(const char *m)
{
    return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH") || !strcmp(m, "DELETE");
}

void server_dispatch(struct req_int *rq)
{
    const struct http_config *cfg = S.cfg;
    int rc = 0;
    err_clear();
    /* writes take a JSON object (a DELETE may send one or nothing) */
    if (!(rq->pub.route->flags & HTTP_RAW) && is_write(rq->pub.method)) {
        json_error_t jerr;
        size_t i = 0;
        while (i < rq->pub.body_len && strchr(" \t\r\n", rq->pub.body[i]))
            i++;
        if (i == rq->pub.body_len) {
            rq->pub.json = json_object();
        } else {
            rq->pub.json = json_loadb(rq->pub.body, rq->pub.body_len, JSON_REJECT_DUPLICATES, &jerr);
            if (!rq->pub.json)
                rc = err_set(O2O_EJSON, NULL, NULL, "body is not valid JSON: %s", jerr.text);
            else if (!json_is_object(rq->pub.json))
                rc = err_set(O2O_EJSON, NULL, NULL, "body must be a JSON object");
        }
    }
    if (!rc)
        rc = cfg->authorize ? cfg->authorize(&rq->pub) : 0;
    if (!rc)
        rc = declare_check(&rq->pub); /* what the route declares, nothing else (http/declare.c) */
    if (!rc) {
        declare_serving(&rq->pub);
        rc = rq->pub.route->handler(&rq->pub);
        declare_serving(NULL);
    }
    if (cfg->after)
        cfg->after(&rq->pub);
    /* handlers copy what they need before deferring: the body's JSON goes now */
    json_decref(rq->pub.json);
    rq->pub.json = NULL;
    if (rc) {
        http_reply_error(&rq->pub, rc);
        return;
    }
    if (!rq->responded && !rq->pending) {
        err_set(O2O_EDB, NULL, NULL, "handler %s %s gave no answer", rq->pub.method, rq->pub.route->pattern);
        http_reply_error(&rq->pub, O2O_EDB);
    }
}

/* ---- listeners and loops ---- */

/* Refused at accept: one short answer, then the socket closes. */
static void refuse_conn(struct loop *l, h2o_socket_t *sock, enum conn_refusal why)
{
    metrics_conn_refused(why);
    conn_refuse(l, &l->conns, sock, S.refusal[why]);
}

/* The answers of refuse_conn(), made once. */
static void make_refusals(void)
{
    static const char *what[REFUSED_COUNT_][2] = {
        [REFUSED_SERVER_FULL] = {"server_busy", "too many open connections; retry in a moment"},
        [REFUSED_CLIENT_FULL] = {"too_many_connections", "too many open connections from your address"},
    };
    for (int i = 0; i < REFUSED_COUNT_; i++) {
        char body[200];
        int n = snprintf(body, sizeof body,
                         "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"field\":null},\"request_id\":\"\"}",
                         what[i][0], what[i][1]);
        snprintf(S.refusal[i], sizeof S.refusal[i],
                 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                 "Connection: close\r\nContent-Length: %d\r\n\r\n%s",
                 n, body);
    }
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    struct loop *l = listener->data;
    if (err)
        return;
    for (int i = 0; i < 16; i++) {
        struct sockaddr_storage ss;
        struct addr peer;
        bool trusted, counted = false;
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (!sock)
            return;
        memset(&ss, 0, sizeof ss);
        if (!h2o_socket_getpeername(sock, (struct sockaddr *)&ss) ||
            addr_from_sockaddr(&peer, (struct sockaddr *)&ss)) {
            h2o_socket_close(sock);
            continue;
        }
        trusted = netlist_has(&S.trusted, &peer) || netlist_has(&S.proxies, &peer);
        if (conns_open() >= S.max_conns) {
            refuse_conn(l, sock, REFUSED_SERVER_FULL);
            continue;
        }
        if (!trusted) {
            if (addr_conn_acquire(&peer, S.max_per_client)) {
                refuse_conn(l, sock, REFUSED_CLIENT_FULL);
                continue;
            }
            counted = true;
        }
        conn_start(l, &l->conns, sock, &peer, counted);
    }
}

static int listen_fd(const char *host, int port)
{
    struct sockaddr_in addr;
    int fd, on = 1, rcvbuf = RCVBUF_BYTES;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return err_set(O2O_EINVAL, NULL, "listen", "bad listen address %s", host);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_set(O2O_EDB, NULL, NULL, "socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    /* A fixed receive buffer (inherited by accepted sockets): the kernel would
    ** grow it to megabytes per connection, and libh2o drains it whole into the
    ** connection's input on each read, before any limit of ours can look. */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, SOMAXCONN)) {
        int e = errno;
        close(fd);
        return err_set(O2O_EINVAL, "listen_failed", "listen", "cannot listen on %s:%d: %s", host, port,
                       strerror(e));
    }
    return fd;
}

static void setup_loop(struct loop *l);
static void teardown_loop(struct loop *l);

/* Each loop lives on a thread of its own from setup to teardown: libh2o's socket
** buffers point at the creating thread's (thread-local) buffer recycler, so a
** socket made or freed on another thread corrupts it. */
static void *loop_main(void *arg)
{
    struct loop *l = arg;
    int64_t deadline;
    thread_name("o2o-loop");
    cur_loop = l;
    setup_loop(l);
    if (S.cfg->on_thread_start)
        S.cfg->on_thread_start(l->index);
    pthread_barrier_wait(&S.ready);
    while (!S.stop)
        h2o_evloop_run(l->ev, 200);

    /* Stop: no new connections; idle ones close now, busy ones after their answer. */
    h2o_socket_read_stop(l->listener);
    h2o_socket_close(l->listener);
    conns_shutdown(&l->conns);
    deadline = mono_us() + 2000000;
    while (!h2o_linklist_is_empty(&l->conns.list) && mono_us() < deadline)
        h2o_evloop_run(l->ev, 20);
    l->drained = h2o_linklist_is_empty(&l->conns.list);
    /* Late answers from the storage threads still arrive here until http_cleanup(). */
    while (!S.cleanup)
        h2o_evloop_run(l->ev, 20);
    teardown_loop(l);
    return NULL;
}

static void setup_loop(struct loop *l)
{
    const struct http_config *cfg = S.cfg;
    l->ev = h2o_evloop_create();
    conns_init(&l->conns, l->ev, cfg->head_timeout_ms > 0 ? cfg->head_timeout_ms : 10000,
               cfg->body_timeout_ms > 0 ? cfg->body_timeout_ms : 60000);
    l->queue = h2o_multithread_create_queue(l->ev);
    h2o_multithread_register_receiver(l->queue, &l->receiver, on_messages);
    l->log = (struct buf)BUF_INIT(1 << 22);
    h2o_timeout_init(l->ev, &l->log_timeout, 1000);
    l->log_entry.cb = on_log_timer;
    h2o_timeout_link(l->ev, &l->log_timeout, &l->log_entry);
    l->listener = h2o_evloop_socket_create(l->ev, l->fd, H2O_SOCKET_FLAG_DONT_READ);
    l->listener->data = l;
    h2o_socket_read_start(l->listener, on_accept);
}

/* On the loop's own thread, after the storage threads have stopped. */
static void teardown_loop(struct loop *l)
{
    h2o_evloop_run(l->ev, 0); /* the last answers */
    conns_close_all(&l->conns);
    log_flush(l);
    buf_free(&l->log);
    h2o_timeout_unlink(&l->log_entry);
    h2o_multithread_unregister_receiver(l->queue, &l->receiver);
    h2o_multithread_destroy_queue(l->queue);
    h2o_evloop_run(l->ev, 0); /* closes deferred by the calls above */
    h2o_timeout_dispose(l->ev, &l->log_timeout);
    h2o_timeout_dispose(l->ev, &l->conns.head_timeout);
    h2o_timeout_dispose(l->ev, &l->conns.body_timeout);
    h2o_timeout_dispose(l->ev, &l->conns.write_timeout);
    h2o_timeout_dispose(l->ev, &l->conns.linger_timeout);
    h2o_timeout_dispose(l->ev, &l->conns.refused_timeout);
    h2o_evloop_destroy(l->ev);
}

/* Open connections may not pass what the process may hold open. */
static size_t fd_budget(size_t want)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY && r.rlim_cur > 128 &&
        want > (size_t)r.rlim_cur - 96)
        return (size_t)r.rlim_cur - 96;
    return want;
}

int http_serve(const struct http_config *cfg)
{
    char bad[64];
    int n = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    int rc = 0;

    if (n < 1)
        n = 1;
    memset(&S, 0, sizeof S);
    S.cfg = cfg;
    S.logfd = -1;
    signal(SIGPIPE, SIG_IGN);
    if (netlist_parse(&S.trusted, cfg->trusted_networks ? cfg->trusted_networks : LOOPBACK, bad) ||
        netlist_parse(&S.proxies, cfg->trusted_proxies ? cfg->trusted_proxies : LOOPBACK, bad))
        return err_set(O2O_EINVAL, "bad_network", NULL, "'%s' is not an address or CIDR network", bad);
    S.max_conns = fd_budget(cfg->max_connections ? cfg->max_connections : DEFAULT_MAX_CONNECTIONS);
    S.max_per_client = cfg->max_connections_per_client ? cfg->max_connections_per_client : DEFAULT_MAX_PER_CLIENT;
    make_refusals();
    if (cfg->access_log) {
        S.logfd = !strcmp(cfg->access_log, "-")
                      ? dup(1)
                      : open(cfg->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (S.logfd < 0)
            log_warn("cannot open access log %s: %s", cfg->access_log, strerror(errno));
    }
    rc = http_declare(cfg->routes, cfg->nroutes, cfg->schemas, cfg->nschemas);
    if (rc)
        return rc;
    S.table = router_build(cfg->routes, cfg->nroutes);
    metrics_init(cfg->nroutes);

    S.nloops = n;
    S.loops = xcalloc((size_t)n, sizeof *S.loops);
    S.port = cfg->port;
    for (int i = 0; i < n; i++) {
        int fd = listen_fd(cfg->host, S.port);
        if (fd < 0) {
            rc = fd;
            for (int k = 0; k < i; k++)
                close(S.loops[k].fd);
            goto out;
        }
        S.loops[i].fd = fd;
        if (S.port == 0) {
            struct sockaddr_in a;
            socklen_t al = sizeof a;
            getsockname(fd, (struct sockaddr *)&a, &al);
            S.port = ntohs(a.sin_port);
        }
    }
    pthread_barrier_init(&S.ready, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        S.loops[i].index = i;
        pthread_create(&S.loops[i].thread, NULL, loop_main, &S.loops[i]);
    }
    pthread_barrier_wait(&S.ready);
    pthread_barrier_destroy(&S.ready);
    S.running = 1;
    if (cfg->on_listening)
        cfg->on_listening(S.port);
    while (!S.stop)
        usleep(50 * 1000);
    return 0;
out:
    http_cleanup();
    return rc;
}

void http_cleanup(void)
{
    S.cleanup = 1;
    if (S.running)
        for (int i = 0; i < S.nloops; i++)
            pthread_join(S.loops[i].thread, NULL);
    S.running = 0;
    free(S.loops);
    S.loops = NULL;
    router_free(S.table);
    S.table = NULL;
    metrics_free();
    netlist_free(&S.trusted);
    netlist_free(&S.proxies);
    if (S.logfd >= 0)
        close(S.logfd);
    S.logfd = -1;
}
