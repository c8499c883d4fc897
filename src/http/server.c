/*
** server.c -- HTTP/1.1 on libh2o's event loop: one loop per thread, each with
** its own SO_REUSEPORT listener; generic request processing (route match, body
** limit, JSON parse, authorisation hook, handler, error rendering), deferred
** answers through h2o's multithread queue, request ids and the access log.
*/
#include "http/http_int.h"

#include <errno.h>
#include <h2o.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"

#define MODULE_NAME "http/server"
#define LOG_FLUSH_BYTES (32 * 1024)

struct loop {
    int index;
    h2o_evloop_t *ev;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t receiver;
    h2o_socket_t *listener;
    int fd;
    struct buf log;             /* access log lines not yet written */
    h2o_timeout_t log_timeout;
    h2o_timeout_entry_t log_entry;
    pthread_t thread;
    int drained;                /* no connection was left open at shutdown */
};

struct req_int {
    struct http_req pub;        /* must be first */
    h2o_req_t *h;
    struct loop *loop;
    struct http_pending *pending;
    int64_t t0;
    int responded;
};

struct http_pending {
    h2o_multithread_message_t super; /* must be first */
    struct req_int *rq;               /* NULL once the client has gone */
    struct loop *loop;
    int status;
    char *body;
    size_t len;
    bool replayed;
    const char *ctype;                /* a static string */
};

static struct {
    const struct http_config *cfg;
    h2o_globalconf_t gconf;
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
    h2o_timeout_link(l->ctx.loop, &l->log_timeout, &l->log_entry);
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
    buf_addf(&l->log, "%s %s %s %s %d %lldus %s\n", ts, rq->pub.rid, rq->pub.method, rq->pub.path, status,
             (long long)dur, who);
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
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status < 400 ? "OK" : "Error";
    }
}

static int send_now(struct req_int *rq, int status, const char *ctype, const char *body, size_t len)
{
    h2o_req_t *h = rq->h;
    if (rq->responded)
        return 0;
    rq->responded = 1;
    h->res.status = status;
    h->res.reason = reason_of(status);
    h->res.content_length = len;
    h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype, strlen(ctype));
    h2o_set_header_by_str(&h->pool, &h->res.headers, H2O_STRLIT("x-request-id"), 0, rq->pub.rid,
                          strlen(rq->pub.rid), 1);
    access_log(rq, status);
    h2o_send_inline(h, body, len);
    return 0;
}

int http_reply(struct http_req *pub, int status, const char *ctype, const char *body, size_t len)
{
    return send_now((struct req_int *)pub, status, ctype, body, len);
}

int http_reply_json(struct http_req *pub, int status, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    int rc;
    json_decref(v);
    if (!s)
        return http_reply_error(pub, err_set(O2O_ENOMEM, NULL, NULL, "cannot render"));
    rc = send_now((struct req_int *)pub, status, "application/json", s, strlen(s));
    free(s);
    return rc;
}

int http_reply_error(struct http_req *pub, int rc)
{
    size_t len;
    char *s = http_error_body(rc, pub->rid, &len);
    int status = http_status_of(rc);
    if (status >= 500)
        log_error("%s %s %s -> %d: %s", pub->rid, pub->method, pub->path, status, err_last()->msg);
    send_now((struct req_int *)pub, status, "application/json", s, len);
    free(s);
    return 0;
}

void http_add_header(struct http_req *pub, const char *name, const char *value)
{
    struct req_int *rq = (struct req_int *)pub;
    h2o_iovec_t v = h2o_strdup(&rq->h->pool, value, SIZE_MAX);
    h2o_iovec_t n = h2o_strdup(&rq->h->pool, name, SIZE_MAX);
    h2o_add_header_by_str(&rq->h->pool, &rq->h->res.headers, n.base, n.len, 0, NULL, v.base, v.len);
}

/* ---- deferral ---- */

struct http_pending *http_defer(struct http_req *pub)
{
    struct req_int *rq = (struct req_int *)pub;
    struct http_pending *p = xcalloc(1, sizeof *p);
    p->rq = rq;
    p->loop = rq->loop;
    rq->pending = p;
    return p;
}

void http_complete(struct http_pending *p, int status, char *body, size_t len, bool replayed)
{
    http_complete_as(p, status, "application/json", body, len, replayed);
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
        if (p->rq) {
            struct req_int *rq = p->rq;
            rq->pending = NULL;
            if (p->replayed)
                http_add_header(&rq->pub, "idempotent-replayed", "true");
            send_now(rq, p->status, p->ctype, p->body, p->len);
        }
        free(p->body);
        free(p);
    }
}

/* ---- inputs ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

const char *http_query(struct http_req *pub, const char *name)
{
    struct req_int *rq = (struct req_int *)pub;
    const char *q = pub->query;
    size_t nl = strlen(name);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > nl && q[nl] == '=' && !strncmp(q, name, nl)) {
            const char *v = q + nl + 1;
            size_t vl = len - nl - 1, o = 0;
            char *out = h2o_mem_alloc_pool(&rq->h->pool, vl + 1);
            for (size_t i = 0; i < vl; i++) {
                if (v[i] == '+') {
                    out[o++] = ' ';
                } else if (v[i] == '%' && i + 2 < vl + 1 && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
                    out[o++] = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
                    i += 2;
                } else {
                    out[o++] = v[i];
                }
            }
            out[o] = 0;
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
    ssize_t i = h2o_find_header_by_str(&rq->h->headers, name, strlen(name), -1);
    h2o_iovec_t v;
    if (i < 0)
        return NULL;
    v = rq->h->headers.entries[i].value;
    return h2o_strdup(&rq->h->pool, v.base, v.len).base;
}

/* ---- request processing ---- */

static void on_rq_dispose(void *p)
{
    struct req_int *rq = p;
    if (rq->pub.json)
        json_decref(rq->pub.json);
    if (rq->pending)
        rq->pending->rq = NULL; /* the answer, when it comes, is dropped */
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

static int fail(struct req_int *rq, int rc)
{
    return http_reply_error(&rq->pub, rc);
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
            http_add_header(&rq->pub, "access-control-allow-origin", "*");
            http_add_header(&rq->pub, "access-control-allow-methods", allow);
            http_add_header(&rq->pub, "access-control-allow-headers",
                            "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
            http_add_header(&rq->pub, "access-control-max-age", "86400");
            send_now(rq, 204, "text/plain", "", 0);
            return 1;
        }
    }
    return 0;
}

static int on_req(h2o_handler_t *self, h2o_req_t *h)
{
    const struct http_config *cfg = S.cfg;
    struct req_int *rq;
    char *pbuf, allow[64];
    ssize_t hi;
    int idx, rc;
    size_t limit;
    (void)self;

    rq = h2o_mem_alloc_shared(&h->pool, sizeof *rq, on_rq_dispose);
    memset(rq, 0, sizeof *rq);
    rq->h = h;
    rq->loop = cur_loop;
    rq->t0 = mono_us();
    rq->pub.who.role = ROLE_PUBLIC;
    err_clear();

    hi = h2o_find_header_by_str(&h->headers, H2O_STRLIT("x-request-id"), -1);
    if (hi >= 0 && valid_rid(h->headers.entries[hi].value.base, h->headers.entries[hi].value.len)) {
        memcpy(rq->pub.rid, h->headers.entries[hi].value.base, h->headers.entries[hi].value.len);
    } else {
        uint64_t n = atomic_fetch_add_explicit(&S.seq, 1, memory_order_relaxed);
        snprintf(rq->pub.rid, sizeof rq->pub.rid, "r%d-%llx", rq->loop->index, (unsigned long long)n);
    }
    if (memchr(h->path_normalized.base, 0, h->path_normalized.len) || memchr(h->path.base, 0, h->path.len)) {
        rq->pub.method = "";
        rq->pub.path = "";
        rq->pub.query = "";
        return fail(rq, err_set(O2O_EINVAL, "bad_path", NULL, "the path contains a NUL character"));
    }
    rq->pub.method = h2o_strdup(&h->pool, h->method.base, h->method.len).base;
    rq->pub.path = h2o_strdup(&h->pool, h->path_normalized.base, h->path_normalized.len).base;
    rq->pub.query = h->query_at != SIZE_MAX
                        ? h2o_strdup(&h->pool, h->path.base + h->query_at + 1, h->path.len - h->query_at - 1).base
                        : "";
    rq->pub.body = "";

    pbuf = h2o_mem_alloc_pool(&h->pool, strlen(rq->pub.path) + 1);
    idx = router_match(S.table, rq->pub.method, rq->pub.path, pbuf, rq->pub.params, allow);
    if (idx == -1)
        return fail(rq, err_set(O2O_EROUTE, NULL, NULL, "no route for %s", rq->pub.path));
    if (idx == -2 && !strcmp(rq->pub.method, "OPTIONS") && cors_preflight(rq, pbuf, allow))
        return 0;
    if (idx == -2) {
        http_add_header(&rq->pub, "allow", allow);
        return fail(rq, err_set(O2O_EMETHOD, NULL, NULL, "method not allowed; allowed: %s", allow));
    }
    rq->pub.route = &cfg->routes[idx];
    rq->pub.route_index = idx;
    if (rq->pub.route->flags & HTTP_CORS)
        http_add_header(&rq->pub, "access-control-allow-origin", "*");

    limit = (rq->pub.route->flags & HTTP_BIG_BODY) ? cfg->max_big_body : cfg->max_body;
    if (h->entity.base && h->entity.len > limit) {
        char lim[32];
        snprintf(lim, sizeof lim, "%zu", limit);
        return fail(rq, err_set(O2O_ETOOBIG, NULL, NULL, "request body over the limit of %s bytes", lim));
    }
    if (h->entity.base) {
        rq->pub.body = h2o_strdup(&h->pool, h->entity.base, h->entity.len).base;
        rq->pub.body_len = h->entity.len;
    }
    /* writes take a JSON object (a DELETE may send one or nothing) */
    if (!(rq->pub.route->flags & HTTP_RAW) &&
        (!strcmp(rq->pub.method, "POST") || !strcmp(rq->pub.method, "PUT") || !strcmp(rq->pub.method, "PATCH") ||
         !strcmp(rq->pub.method, "DELETE"))) {
        json_error_t jerr;
        size_t i = 0;
        while (i < rq->pub.body_len && strchr(" \t\r\n", rq->pub.body[i]))
            i++;
        if (i == rq->pub.body_len) {
            rq->pub.json = json_object();
        } else {
            rq->pub.json = json_loadb(rq->pub.body, rq->pub.body_len, JSON_REJECT_DUPLICATES, &jerr);
            if (!rq->pub.json)
                return fail(rq, err_set(O2O_EJSON, NULL, NULL, "body is not valid JSON: %s", jerr.text));
            if (!json_is_object(rq->pub.json))
                return fail(rq, err_set(O2O_EJSON, NULL, NULL, "body must be a JSON object"));
        }
    }
    hi = h2o_find_header(&h->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (hi >= 0) {
        h2o_iovec_t v = h->headers.entries[hi].value;
        if (v.len > 7 && !strncasecmp(v.base, "Bearer ", 7))
            rq->pub.bearer = h2o_strdup(&h->pool, v.base + 7, v.len - 7).base;
    }
    hi = h2o_find_header_by_str(&h->headers, H2O_STRLIT("idempotency-key"), -1);
    if (hi >= 0)
        rq->pub.idem_key = h2o_strdup(&h->pool, h->headers.entries[hi].value.base,
                                      h->headers.entries[hi].value.len).base;

    rc = cfg->authorize ? cfg->authorize(&rq->pub) : 0;
    if (!rc)
        rc = rq->pub.route->handler(&rq->pub);
    if (cfg->after)
        cfg->after(&rq->pub);
    /* handlers copy what they need before deferring: the body's JSON goes now */
    json_decref(rq->pub.json);
    rq->pub.json = NULL;
    if (rc)
        return http_reply_error(&rq->pub, rc);
    if (!rq->responded && !rq->pending) {
        err_set(O2O_EDB, NULL, NULL, "handler %s %s gave no answer", rq->pub.method, rq->pub.route->pattern);
        return http_reply_error(&rq->pub, O2O_EDB);
    }
    return 0;
}

/* ---- listeners and loops ---- */

static void on_accept(h2o_socket_t *listener, const char *err)
{
    struct loop *l = listener->data;
    h2o_socket_t *sock;
    if (err)
        return;
    sock = h2o_evloop_socket_accept(listener);
    if (!sock)
        return;
    h2o_accept(&l->accept_ctx, sock);
}

static int listen_fd(const char *host, int port)
{
    struct sockaddr_in addr;
    int fd, on = 1;
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

    /* Stop: no new connections; answer what is in flight; idle keep-alive
    ** connections time out at once (libh2o 2.2.5 has no call to close them). */
    h2o_socket_read_stop(l->listener);
    h2o_socket_close(l->listener);
    h2o_context_request_shutdown(&l->ctx);
    l->ctx.http1.req_timeout.timeout = 0;
    deadline = mono_us() + 2000000;
    while (!h2o_linklist_is_empty(&l->ctx.http1._conns) && mono_us() < deadline)
        h2o_evloop_run(l->ev, 20);
    l->drained = h2o_linklist_is_empty(&l->ctx.http1._conns);
    /* Late answers from the storage threads still arrive here until http_cleanup(). */
    while (!S.cleanup)
        h2o_evloop_run(l->ev, 20);
    teardown_loop(l);
    return NULL;
}

static void setup_loop(struct loop *l)
{
    l->ev = h2o_evloop_create();
    h2o_context_init(&l->ctx, l->ev, &S.gconf);
    l->accept_ctx.ctx = &l->ctx;
    l->accept_ctx.hosts = S.gconf.hosts;
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
    log_flush(l);
    buf_free(&l->log);
    h2o_timeout_unlink(&l->log_entry);
    h2o_timeout_dispose(l->ev, &l->log_timeout);
    h2o_multithread_unregister_receiver(l->queue, &l->receiver);
    h2o_multithread_destroy_queue(l->queue);
    if (l->drained) {
        /* a context with a connection still open cannot be disposed (2.2.5 asserts);
        ** request_shutdown armed an HTTP/2 timer that no connection uses */
        if (h2o_timeout_is_linked(&l->ctx.http2._graceful_shutdown_timeout))
            h2o_timeout_unlink(&l->ctx.http2._graceful_shutdown_timeout);
        h2o_context_dispose(&l->ctx);
        h2o_evloop_run(l->ev, 0); /* closes deferred by the calls above */
        h2o_evloop_destroy(l->ev);
    }
}

int http_serve(const struct http_config *cfg)
{
    h2o_hostconf_t *host;
    h2o_pathconf_t *path;
    h2o_handler_t *handler;
    int n = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    int rc = 0;

    if (n < 1)
        n = 1;
    memset(&S, 0, sizeof S);
    S.cfg = cfg;
    S.logfd = -1;
    signal(SIGPIPE, SIG_IGN);
    if (cfg->access_log) {
        S.logfd = !strcmp(cfg->access_log, "-")
                      ? dup(1)
                      : open(cfg->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (S.logfd < 0)
            log_warn("cannot open access log %s: %s", cfg->access_log, strerror(errno));
    }
    S.table = router_build(cfg->routes, cfg->nroutes);
    metrics_init(cfg->nroutes);
    h2o_config_init(&S.gconf);
    S.gconf.max_request_entity_size = (cfg->max_big_body > cfg->max_body ? cfg->max_big_body : cfg->max_body) + 1;
    host = h2o_config_register_host(&S.gconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    path = h2o_config_register_path(host, "/", 0);
    handler = h2o_create_handler(path, sizeof *handler);
    handler->on_req = on_req;

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
    h2o_config_dispose(&S.gconf);
    if (S.logfd >= 0)
        close(S.logfd);
    S.logfd = -1;
}
