/*
** conn.c -- one HTTP/1.1 connection on libh2o's event-loop sockets. It reads a
** request head (refused at once when malformed or ambiguous: parse.c), asks the
** server for the route and the body limit before it reads a byte of the body (an
** oversize Content-Length is refused unread; a chunked body is counted as it
** streams and stopped at the limit), hands the request over, writes the answer,
** and then reads the next request or closes. A connection that closes after an
** answer first reads and drops what the client still sends, for a moment
** (lingering close), so that the client sees the answer rather than a reset.
** Timers cut slow heads, slow bodies and answers nobody reads.
** Owns no table; knows nothing of routes (server.c). Tests: tests/e2e/test_http_limits.py
*/
#include "http/http_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/mem.h"
#include "core/util.h"

#define LINGER_MS 2000
#define LINGER_MAX_BYTES (4 << 20)   /* dropped after a refusal before the connection closes */
#define WRITE_TIMEOUT_MS 60000
#define KEEP_OUT_BYTES (64 << 10)    /* answer buffers larger than this are freed after use */
#define REFUSED_LINGER_MS 250
#define MAX_REFUSED_LINGERING 256    /* per loop: connections refused at accept still lingering */

enum cstate {
    C_HEAD,     /* waiting for a request head (or idle between requests) */
    C_CONTINUE, /* writing "100 Continue" */
    C_BODY,     /* reading a body */
    C_BUSY,     /* the server has the request */
    C_WRITING,  /* writing the answer */
    C_LINGER    /* answered for the last time; dropping input until the client closes */
};

struct conn {
    h2o_socket_t *sock;
    struct loop *loop;
    struct loop_conns *lc;
    h2o_linklist_t link;          /* in lc->list */
    h2o_timeout_entry_t timer;
    enum cstate state;
    struct addr peer;
    bool peer_counted;            /* counted in addr_conn_acquire() */
    bool refused;                 /* refused at accept: answered once, not counted as open */
    struct req_int *rq;           /* the request being read, served or answered */
    bool keep_alive;              /* read another request after this answer */
    bool body_unread;             /* rq's body is (partly) unread: the connection cannot carry another request */
    bool chunked;                 /* rq's body is chunked */
    int64_t body_left;            /* Content-Length bytes */
    struct http_chunked dec;
    struct buf body;              /* a chunked body, decoded */
    struct buf out;               /* the answer being written */
    size_t lingered;
};

static _Atomic size_t open_conns;

size_t conns_open(void)
{
    return atomic_load_explicit(&open_conns, memory_order_relaxed);
}

static void on_read(h2o_socket_t *sock, const char *err);
static void read_head(struct conn *c);
static void read_body(struct conn *c);
static void on_written(h2o_socket_t *sock, const char *err);

static void arm(struct conn *c, h2o_timeout_t *t)
{
    if (h2o_timeout_is_linked(&c->timer))
        h2o_timeout_unlink(&c->timer);
    if (t)
        h2o_timeout_link(h2o_socket_get_loop(c->sock), t, &c->timer);
}

static void conn_close(struct conn *c)
{
    arm(c, NULL);
    if (c->rq) {
        struct req_int *rq = c->rq;
        c->rq = NULL;
        rq->conn = NULL;
        if (!rq->pending)
            server_req_free(rq); /* else freed when its late answer arrives */
    }
    h2o_linklist_unlink(&c->link);
    if (c->peer_counted)
        addr_conn_release(&c->peer);
    buf_free(&c->body);
    buf_free(&c->out);
    h2o_socket_close(c->sock);
    if (c->refused) {
        c->lc->refused_lingering--;
    } else {
        atomic_fetch_sub_explicit(&open_conns, 1, memory_order_relaxed);
        metrics_conn_open(-1);
    }
    free(c);
}

static void on_timeout(h2o_timeout_entry_t *e)
{
    struct conn *c = H2O_STRUCT_FROM_MEMBER(struct conn, timer, e);
    /* an idle keep-alive connection, a head or body that does not come, an answer
    ** nobody reads, or the end of a lingering close: in every case, close */
    conn_close(c);
}

static struct req_int *new_req(struct conn *c)
{
    struct req_int *rq = xcalloc(1, sizeof *rq);
    rq->conn = c;
    rq->loop = c->loop;
    rq->t0 = mono_us();
    h2o_mem_init_pool(&rq->pool);
    rq->resp_headers = (struct buf)BUF_INIT(16 << 10);
    rq->pub.method = "";
    rq->pub.path = "";
    rq->pub.query = "";
    rq->pub.body = "";
    rq->peer = c->peer;
    addr_format(&c->peer, rq->pub.client);
    c->rq = rq;
    return rq;
}

void conn_start(struct loop *l, struct loop_conns *lc, h2o_socket_t *sock, const struct addr *peer, bool counted)
{
    struct conn *c = xcalloc(1, sizeof *c);
    c->sock = sock;
    c->loop = l;
    c->lc = lc;
    c->peer = *peer;
    c->peer_counted = counted;
    c->state = C_HEAD;
    c->timer.cb = on_timeout;
    c->body = (struct buf)BUF_INIT(0);
    c->out = (struct buf)BUF_INIT(SIZE_MAX / 2);
    sock->data = c;
    h2o_linklist_insert(&lc->list, &c->link);
    atomic_fetch_add_explicit(&open_conns, 1, memory_order_relaxed);
    metrics_conn_open(1);
    arm(c, &lc->head_timeout);
    h2o_socket_read_start(sock, on_read);
}

void conn_refuse(struct loop *l, struct loop_conns *lc, h2o_socket_t *sock, const char *answer)
{
    struct conn *c;
    h2o_iovec_t v;
    if (lc->refused_lingering >= MAX_REFUSED_LINGERING) {
        h2o_socket_close(sock); /* a flood: no answer */
        return;
    }
    c = xcalloc(1, sizeof *c);
    c->sock = sock;
    c->loop = l;
    c->lc = lc;
    c->refused = true;
    c->state = C_WRITING;
    c->timer.cb = on_timeout;
    c->body = (struct buf)BUF_INIT(0);
    c->out = (struct buf)BUF_INIT(0);
    sock->data = c;
    lc->refused_lingering++;
    h2o_linklist_insert(&lc->list, &c->link);
    arm(c, &lc->refused_timeout);
    /* the answer is a static string; after it, a short lingering close, so that the
    ** client reads it instead of a reset */
    v = h2o_iovec_init(answer, strlen(answer));
    h2o_socket_write(sock, &v, 1, on_written);
}

/* The body has arrived: a NUL-terminated copy goes with the request. */
static void take_body(struct conn *c, const char *body, size_t len)
{
    struct req_int *rq = c->rq;
    char *copy = h2o_mem_alloc_pool(&rq->pool, len + 1);
    memcpy(copy, body, len);
    copy[len] = 0;
    rq->pub.body = copy;
    rq->pub.body_len = len;
    c->body_unread = false;
}

/* The server takes the request. */
static void dispatch(struct conn *c)
{
    c->state = C_BUSY;
    arm(c, NULL);
    h2o_socket_read_stop(c->sock);
    server_dispatch(c->rq);
}

static void on_continue_sent(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    if (err) {
        conn_close(c);
        return;
    }
    c->state = C_BODY;
    h2o_socket_read_start(sock, on_read);
    read_body(c);
}

#define REBASE(p, from, to) ((p) = (to) + ((p) - (from)))

/* Point a head parsed from the n bytes at from onto their copy at to. */
static void rebase(struct http_head *h, const char *from, const char *to, size_t n)
{
    REBASE(h->method, from, to);
    if (h->target >= from && h->target < from + n) /* else the static "/" of an absolute-form target */
        REBASE(h->target, from, to);
    for (size_t i = 0; i < h->nfields; i++) {
        REBASE(h->fields[i].name, from, to);
        REBASE(h->fields[i].value, from, to);
    }
}

static void read_head(struct conn *c)
{
    h2o_buffer_t *in = c->sock->input;
    struct http_head h;
    struct req_int *rq;
    char *copy;
    int64_t limit;
    int n;

    if (in->size == 0)
        return;
    n = http_parse_head(in->bytes, in->size, &h);
    if (n == 0)
        return; /* more to come, within the head timeout */
    rq = new_req(c);
    if (n < 0) {
        /* nothing after a refused head can be trusted to start a request */
        c->keep_alive = false;
        c->body_unread = true;
        server_refuse(rq, -n, h.why);
        return;
    }
    /* the head goes with the request: a copy, its pointers moved onto it */
    copy = h2o_mem_alloc_pool(&rq->pool, (size_t)n);
    memcpy(copy, in->bytes, (size_t)n);
    rq->head = h;
    rebase(&rq->head, in->bytes, copy, (size_t)n);
    h2o_buffer_consume(&c->sock->input, (size_t)n);
    c->keep_alive = rq->head.keep_alive && !c->lc->shutting_down;
    c->chunked = rq->head.chunked;
    c->body_left = rq->head.content_length > 0 ? rq->head.content_length : 0;
    c->body_unread = c->chunked || c->body_left > 0;
    c->state = C_BODY;
    limit = server_begin(rq);
    if (limit < 0)
        return; /* answered before the body (conn_respond decided what becomes of it) */
    if (!c->body_unread) {
        dispatch(c);
        return;
    }
    if (c->chunked) {
        memset(&c->dec, 0, sizeof c->dec);
        buf_free(&c->body);
        c->body = (struct buf)BUF_INIT((size_t)limit);
    }
    arm(c, &c->lc->body_timeout);
    if (rq->head.expect_continue && c->sock->input->size == 0) {
        static h2o_iovec_t cont = {"HTTP/1.1 100 Continue\r\n\r\n", 25};
        c->state = C_CONTINUE;
        h2o_socket_read_stop(c->sock);
        h2o_socket_write(c->sock, &cont, 1, on_continue_sent);
        return;
    }
    read_body(c);
}

static void read_body(struct conn *c)
{
    h2o_buffer_t *in = c->sock->input;
    if (c->chunked) {
        size_t used = 0;
        int rc = http_chunked_feed(&c->dec, in->bytes, in->size, &used, &c->body);
        h2o_buffer_consume(&c->sock->input, used);
        if (rc == 0)
            return;
        if (rc < 0) {
            c->keep_alive = false;
            server_refuse(c->rq, -rc, rc == -413 ? "request body over the limit" : "broken chunked body");
            return;
        }
        take_body(c, c->body.p ? c->body.p : "", c->body.len);
        buf_free(&c->body);
        dispatch(c);
        return;
    }
    if ((int64_t)in->size < c->body_left)
        return;
    take_body(c, in->bytes, (size_t)c->body_left);
    h2o_buffer_consume(&c->sock->input, (size_t)c->body_left);
    c->body_left = 0;
    dispatch(c);
}

static void linger(struct conn *c)
{
    h2o_buffer_t *in = c->sock->input;
    c->lingered += in->size;
    h2o_buffer_consume(&c->sock->input, in->size);
    if (c->lingered > LINGER_MAX_BYTES)
        conn_close(c);
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    if (err) {
        conn_close(c);
        return;
    }
    switch (c->state) {
    case C_HEAD: read_head(c); break;
    case C_BODY: read_body(c); break;
    case C_LINGER: linger(c); break;
    default: break; /* reading is stopped while a request is served */
    }
}

static void on_written(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    struct req_int *rq = c->rq;
    arm(c, NULL);
    c->rq = NULL;
    if (rq)
        server_req_free(rq);
    if (c->out.cap > KEEP_OUT_BYTES)
        buf_free(&c->out);
    else
        buf_reset(&c->out);
    if (err) {
        conn_close(c);
        return;
    }
    if (c->keep_alive && !c->lc->shutting_down) {
        c->state = C_HEAD;
        arm(c, &c->lc->head_timeout);
        h2o_socket_read_start(sock, on_read);
        if (sock->input->size)
            read_head(c);
        return;
    }
    /* the last answer: stop sending, drop what still comes until the client closes */
    shutdown(h2o_socket_get_fd(sock), SHUT_WR);
    c->state = C_LINGER;
    arm(c, c->refused ? &c->lc->refused_timeout : &c->lc->linger_timeout);
    h2o_socket_read_start(sock, on_read);
    linger(c);
}

/* Decimal digits of v into out (no NUL); their count. */
static size_t fmt_u64(char out[24], uint64_t v)
{
    char tmp[24];
    size_t n = 0, k = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[k++] = tmp[--n];
    return k;
}

void conn_respond(struct req_int *rq, int status, const char *reason, const char *ctype, const char *body,
                  size_t len)
{
    struct conn *c = rq->conn;
    h2o_iovec_t v;
    if (!c) {
        server_req_free(rq); /* the client has gone */
        return;
    }
    if (c->state == C_HEAD || c->state == C_BODY || c->state == C_CONTINUE) {
        /* answered before its body was read: a body already here is read past,
        ** otherwise the connection cannot carry another request */
        if (c->body_unread && !c->chunked && (int64_t)c->sock->input->size >= c->body_left) {
            h2o_buffer_consume(&c->sock->input, (size_t)c->body_left);
            c->body_unread = false;
        }
        if (c->body_unread)
            c->keep_alive = false;
    }
    if (c->lc->shutting_down)
        c->keep_alive = false;
    h2o_socket_read_stop(c->sock);
    {
        char num[24];
        buf_add(&c->out, "HTTP/1.1 ", 9);
        buf_add(&c->out, num, fmt_u64(num, (uint64_t)status));
        buf_add(&c->out, " ", 1);
        buf_adds(&c->out, reason);
        if (ctype) {
            buf_add(&c->out, "\r\nContent-Type: ", 16);
            buf_adds(&c->out, ctype);
        }
        if (status != 204 && status != 304) {
            buf_add(&c->out, "\r\nContent-Length: ", 18);
            buf_add(&c->out, num, fmt_u64(num, len));
        }
        buf_add(&c->out, "\r\n", 2);
    }
    if (rq->resp_headers.len)
        buf_add(&c->out, rq->resp_headers.p, rq->resp_headers.len);
    if (!c->keep_alive)
        buf_adds(&c->out, "Connection: close\r\n");
    else if (rq->head.minor == 0)
        buf_adds(&c->out, "Connection: keep-alive\r\n");
    buf_adds(&c->out, "\r\n");
    if (status != 204 && status != 304)
        buf_add(&c->out, body, len);
    c->state = C_WRITING;
    arm(c, &c->lc->write_timeout);
    v = h2o_iovec_init(c->out.p, c->out.len);
    h2o_socket_write(c->sock, &v, 1, on_written);
}

void conns_init(struct loop_conns *lc, h2o_evloop_t *ev, int head_ms, int body_ms)
{
    memset(lc, 0, sizeof *lc);
    h2o_linklist_init_anchor(&lc->list);
    h2o_timeout_init(ev, &lc->head_timeout, (uint64_t)head_ms);
    h2o_timeout_init(ev, &lc->body_timeout, (uint64_t)body_ms);
    h2o_timeout_init(ev, &lc->write_timeout, WRITE_TIMEOUT_MS);
    h2o_timeout_init(ev, &lc->linger_timeout, LINGER_MS);
    h2o_timeout_init(ev, &lc->refused_timeout, REFUSED_LINGER_MS);
}

void conns_dispose(struct loop_conns *lc)
{
    (void)lc;
}

void conns_shutdown(struct loop_conns *lc)
{
    h2o_linklist_t *n, *next;
    lc->shutting_down = 1;
    for (n = lc->list.next; n != &lc->list; n = next) {
        struct conn *c = H2O_STRUCT_FROM_MEMBER(struct conn, link, n);
        next = n->next;
        if (c->state == C_HEAD || c->state == C_LINGER)
            conn_close(c); /* idle, or a head that has not come: nothing is in flight */
    }
}

void conns_close_all(struct loop_conns *lc)
{
    while (!h2o_linklist_is_empty(&lc->list))
        conn_close(H2O_STRUCT_FROM_MEMBER(struct conn, link, lc->list.next));
}
