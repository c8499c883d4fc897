/*
** httpc.c -- libcurl easy handles, one per request (gateway calls are rare
** next to the HTTP traffic the server answers; no pooling needed); and SMTP.
*/
#include "net/httpc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/netaddr.h"
#include "net/curl_int.h"

void httpc_global_init(void)
{
    (void)curl_missing();
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct httpc_resp *r = arg;
    size_t add = size * n;
    r->body = xrealloc(r->body, r->len + add + 1);
    memcpy(r->body + r->len, p, add);
    r->len += add;
    r->body[r->len] = 0;
    return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct httpc_resp *r = arg;
    size_t len = size * n, k;
    char *colon = memchr(p, ':', len);
    if (!colon || r->nheaders == HTTPC_MAX_HEADERS)
        return len;
    k = (size_t)(colon - p);
    {
        char *name = xmalloc(k + 1), *v;
        size_t vs = k + 1, ve = len;
        for (size_t i = 0; i < k; i++)
            name[i] = (char)tolower((unsigned char)p[i]);
        name[k] = 0;
        while (vs < ve && (p[vs] == ' ' || p[vs] == '\t'))
            vs++;
        while (ve > vs && (p[ve - 1] == '\r' || p[ve - 1] == '\n' || p[ve - 1] == ' '))
            ve--;
        v = xmalloc(ve - vs + 1);
        memcpy(v, p + vs, ve - vs);
        v[ve - vs] = 0;
        r->hname[r->nheaders] = name;
        r->hvalue[r->nheaders++] = v;
    }
    return len;
}

/* Where a URL from outside may connect: not to an internal address unless allowed. */
struct guard {
    struct netlist allowed;
    bool refused;             /* a connection was refused */
    char where[46];           /* the address it would have reached */
};

static curl_socket_t open_guarded(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct guard *g = arg;
    struct addr to;
    (void)purpose;
    if (addr_from_sockaddr(&to, &a->addr) || (addr_is_internal(&to) && !netlist_has(&g->allowed, &to))) {
        g->refused = true;
        addr_format(&to, g->where);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static int request(const char *method, const char *url, struct guard *g, const char *const *headers,
                   const char *body, size_t len, int timeout_ms, struct httpc_resp *out)
{
    CURL *h;
    struct curl_slist *hl = NULL;
    CURLcode cc;
    memset(out, 0, sizeof *out);
    out->body = xstrdup("");
    if (curl_missing())
        return err_set(O2O_ERETRY, "gateway_unreachable", NULL, "cannot call out: %s", curl_missing());
    h = curl_easy_init();
    if (!h)
        return err_set(O2O_ERETRY, "gateway_unreachable", NULL, "cannot start an HTTP request");
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (g) {
        /* every address the name resolves to is checked when curl connects to it:
        ** a name that resolves to an internal address later (rebinding) is caught too */
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_guarded);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, g);
    }
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (g && g->refused)
        return err_set(O2O_EFORBIDDEN, "internal_target", NULL,
                       "%.60s reaches the internal address %s (setting webhook_allowed_networks)", url, g->where);
    if (cc != CURLE_OK)
        return err_set(O2O_ERETRY, "gateway_unreachable", NULL, "%.60s: %s", url, curl_easy_strerror(cc));
    return 0;
}

int httpc_request(const char *method, const char *url, const char *const *headers, const char *body, size_t len,
                  int timeout_ms, struct httpc_resp *out)
{
    return request(method, url, NULL, headers, body, len, timeout_ms, out);
}

int httpc_request_outside(const char *method, const char *url, const char *allowed, const char *const *headers,
                          const char *body, size_t len, int timeout_ms, struct httpc_resp *out)
{
    struct guard g;
    char bad[64];
    int rc;
    memset(&g, 0, sizeof g);
    if (netlist_parse(&g.allowed, allowed, bad))
        netlist_parse(&g.allowed, "", bad);
    rc = request(method, url, &g, headers, body, len, timeout_ms, out);
    netlist_free(&g.allowed);
    return rc;
}

const char *httpc_header(const struct httpc_resp *r, const char *lname)
{
    for (int i = 0; i < r->nheaders; i++)
        if (!strcmp(r->hname[i], lname))
            return r->hvalue[i];
    return NULL;
}

void httpc_free(struct httpc_resp *r)
{
    free(r->body);
    for (int i = 0; i < r->nheaders; i++) {
        free(r->hname[i]);
        free(r->hvalue[i]);
    }
    memset(r, 0, sizeof *r);
}

/* ---- SMTP ---- */

struct upload {
    const char *p;
    size_t left;
};

static size_t on_read(char *dst, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(dst, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

int smtp_send(const char *url, const char *from, const char *to, const char *message, size_t len, int timeout_ms)
{
    CURL *h;
    struct curl_slist *rcpt = NULL;
    struct upload u = {message, len};
    CURLcode cc;
    char addr[300];
    long code = 0;
    if (curl_missing())
        return err_set(O2O_ERETRY, "mail_unreachable", NULL, "cannot send mail: %s", curl_missing());
    h = curl_easy_init();
    if (!h)
        return err_set(O2O_ERETRY, "mail_unreachable", NULL, "cannot start an SMTP session");
    snprintf(addr, sizeof addr, "<%s>", to);
    rcpt = curl_slist_append(rcpt, addr);
    snprintf(addr, sizeof addr, "<%s>", from);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK)
        return err_set(O2O_ERETRY, "mail_unreachable", NULL, "%.60s: %s (%ld)", url, curl_easy_strerror(cc), code);
    return 0;
}
