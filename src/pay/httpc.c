/*
** httpc.c -- libcurl easy handles, one per request (gateway calls are rare
** next to the HTTP traffic the server answers; no pooling needed).
*/
#include "pay/httpc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

void httpc_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
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

int httpc_request(const char *method, const char *url, const char *const *headers, const char *body, size_t len,
                  int timeout_ms, struct httpc_resp *out)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hl = NULL;
    CURLcode cc;
    memset(out, 0, sizeof *out);
    out->body = xstrdup("");
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
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK)
        return err_set(O2O_ERETRY, "gateway_unreachable", NULL, "%.60s: %s", url, curl_easy_strerror(cc));
    return 0;
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
