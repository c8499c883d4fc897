/*
** http_int.h -- shared between the files of http/. Not for other layers.
*/
#ifndef O2O_HTTP_HTTP_INT_H
#define O2O_HTTP_HTTP_INT_H

#include <h2o.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/addr.h"
#include "http/http.h"
#include "http/parse.h"

/* router.c */
struct route_table;
struct route_table *router_build(const struct http_route *routes, size_t n);
void router_free(struct route_table *t);
/* Match method and path. Returns the route index, -1 for no path (404), -2 for a path
** that exists with other methods (405; allow gets "GET, POST"). Params point into a
** copy written to pbuf (at least strlen(path)+1 bytes). */
int router_match(const struct route_table *t, const char *method, const char *path, char *pbuf,
                 const char *params[HTTP_MAX_PARAMS], char allow[64]);

/* metrics.c */
void metrics_init(size_t nroutes);
void metrics_free(void);
void metrics_record(int route_index, int status, int64_t dur_us);
enum conn_refusal { REFUSED_SERVER_FULL, REFUSED_CLIENT_FULL, REFUSED_COUNT_ };
void metrics_conn_open(int delta);
void metrics_conn_refused(enum conn_refusal why);

/* ---- server.c and conn.c ---- */
struct loop;
struct conn;

/* One request: the public part, and what the server keeps beside it. Lives
** from its head until its answer is written (or its connection is gone). */
struct req_int {
    struct http_req pub;        /* must be first */
    struct conn *conn;          /* NULL once the connection has gone */
    struct loop *loop;
    struct http_pending *pending;
    h2o_mem_pool_t pool;        /* request-lifetime strings */
    struct http_head head;      /* points into a copy in pool */
    struct buf resp_headers;    /* "Name: value\r\n" lines added by the application */
    struct addr peer;           /* the connection's peer */
    int64_t t0;                 /* mono_us() when its head was complete */
    int responded;
};

/* The loop a connection belongs to: its timers and open connections. */
struct loop_conns {
    h2o_linklist_t list;        /* struct conn, by link */
    h2o_timeout_t head_timeout; /* waiting for a request head (also idle keep-alive) */
    h2o_timeout_t body_timeout; /* waiting for a body */
    h2o_timeout_t write_timeout;/* an answer the client does not read */
    h2o_timeout_t linger_timeout;/* reading what is left after a refusal, before closing */
    h2o_timeout_t refused_timeout;/* the same, shorter, for connections refused at accept */
    int refused_lingering;      /* connections refused at accept, still lingering */
    int shutting_down;          /* answer what is in flight, then close */
};

/* conn.c: the HTTP/1.1 connection. */
void conns_init(struct loop_conns *lc, h2o_evloop_t *ev, int head_ms, int body_ms);
void conns_dispose(struct loop_conns *lc);
/* Close idle connections and let busy ones close after their answer. */
void conns_shutdown(struct loop_conns *lc);
/* Connections open in this process. */
size_t conns_open(void);
/* Force every connection closed (teardown). */
void conns_close_all(struct loop_conns *lc);
/* Serve a new connection from peer (already counted against the limits). */
void conn_start(struct loop *l, struct loop_conns *lc, h2o_socket_t *sock, const struct addr *peer,
                bool peer_counted);
/* Answer a connection refused at accept with a static answer, then close it. */
void conn_refuse(struct loop *l, struct loop_conns *lc, h2o_socket_t *sock, const char *answer);
/* Write rq's answer (status line, headers, body) on its connection, if still there. */
void conn_respond(struct req_int *rq, int status, const char *reason, const char *ctype, const char *body,
                  size_t len);

/* server.c: what the connection asks of the server. */
/* A head has arrived: match the route, check what can be checked before the
** body. Returns the body limit in bytes, or -1 after answering the request. */
int64_t server_begin(struct req_int *rq);
/* The body (maybe empty) has arrived: parse, authorise, run the handler. */
void server_dispatch(struct req_int *rq);
/* Answer a request that is refused before it was routed (a framing error). */
void server_refuse(struct req_int *rq, int status, const char *why);
/* The request is over (answered and written, or its connection gone). */
void server_req_free(struct req_int *rq);
const struct http_config *server_config(void);
const struct netlist *server_trusted_networks(void);
const struct netlist *server_trusted_proxies(void);

#endif
