/*
** httpc.h -- a blocking HTTP client (libcurl) for calling payment gateways,
** carriers and webhooks, and an SMTP sender, from worker threads, never from an
** event loop.
*/
#ifndef O2O_NET_HTTPC_H
#define O2O_NET_HTTPC_H

#include <stddef.h>

#define HTTPC_MAX_HEADERS 16

struct httpc_resp {
    long status;              /* 0 when the request did not complete */
    char *body;               /* owned, NUL-terminated */
    size_t len;
    int nheaders;
    char *hname[HTTPC_MAX_HEADERS];   /* lower-case names, owned */
    char *hvalue[HTTPC_MAX_HEADERS];
};

/* headers: "Name: value" lines, NULL-terminated array (may be NULL). Returns 0 or
** O2O_EDB-free error O2O_ERETRY when the peer cannot be reached (err_set). */
int httpc_request(const char *method, const char *url, const char *const *headers, const char *body, size_t len,
                  int timeout_ms, struct httpc_resp *out);
/* The same for a URL that came from outside (a webhook a manager named): a
** connection to an internal address (loopback, private, link-local...: see
** core/netaddr.h) is refused unless it is in allowed (a CIDR list, "" none).
** Checked when connecting, for every address the name resolves to, so a name
** that resolves to an internal address is caught however it resolves.
** O2O_EFORBIDDEN (code internal_target) when refused. */
int httpc_request_outside(const char *method, const char *url, const char *allowed, const char *const *headers,
                          const char *body, size_t len, int timeout_ms, struct httpc_resp *out);
const char *httpc_header(const struct httpc_resp *r, const char *lname);
void httpc_free(struct httpc_resp *r);

/* Send one e-mail (message: the whole RFC 5322 text with CRLF line ends) through
** the SMTP server at url ("smtp://host:port"). O2O_ERETRY when it fails. */
int smtp_send(const char *url, const char *from, const char *to, const char *message, size_t len, int timeout_ms);

/* Once per process, before threads start. */
void httpc_global_init(void);

#endif
