/*
** imap.c -- IMAP through libcurl: UID SEARCH UNSEEN and UID STORE as custom
** commands on the mailbox (curl selects it first), a message fetched by the
** mailbox URL's ";UID=" form.
*/
#include "net/imap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "net/curl_int.h"

#define TIMEOUT_MS 30000

struct sink {
    char *p;
    size_t len, max;
    int over;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t add = size * n, take = add;
    if (s->len + take > s->max) {
        take = s->max - s->len;
        s->over = 1;
    }
    s->p = xrealloc(s->p, s->len + take + 1);
    memcpy(s->p + s->len, p, take);
    s->len += take;
    s->p[s->len] = 0;
    return add;
}

static int run(const char *url, const char *user, const char *password, const char *command, struct sink *out)
{
    CURL *h;
    CURLcode cc;
    if (curl_missing())
        return err_set(O2O_ERETRY, "mail_unreachable", NULL, "cannot read mail: %s", curl_missing());
    if (!(h = curl_easy_init()))
        return err_set(O2O_ERETRY, "mail_unreachable", NULL, "cannot start an IMAP session");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    if (user && *user) /* else the URL's (imap://user@host/...) */
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
    if (password)
        curl_easy_setopt(h, CURLOPT_PASSWORD, password);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (command)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, command);
    cc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK)
        return err_set(O2O_ERETRY, "mail_unreachable", NULL, "%.80s: %s", url, curl_easy_strerror(cc));
    return 0;
}

int imap_unseen(const char *url, const char *user, const char *password, int64_t *uids, int cap, int *n)
{
    struct sink s = {NULL, 0, 1 << 20, 0};
    int rc = run(url, user, password, "UID SEARCH UNSEEN", &s);
    *n = 0;
    if (!rc && s.p) {
        /* "* SEARCH 4 7 9" (maybe over several lines) */
        for (char *line = strstr(s.p, "* SEARCH"); line; line = strstr(line + 1, "* SEARCH")) {
            char *p = line + 8, *end;
            while (*p == ' ' && *n < cap) {
                long long v = strtoll(p + 1, &end, 10);
                if (end == p + 1 || v <= 0)
                    break;
                uids[(*n)++] = v;
                p = end;
            }
        }
    }
    free(s.p);
    return rc;
}

int imap_fetch(const char *url, const char *user, const char *password, int64_t uid, size_t max, char **msg,
               size_t *len)
{
    struct sink s = {NULL, 0, max, 0};
    char u[600];
    int rc;
    snprintf(u, sizeof u, "%s/;UID=%lld", url, (long long)uid);
    rc = run(u, user, password, NULL, &s);
    if (rc) {
        free(s.p);
        return rc;
    }
    *msg = s.p ? s.p : xstrdup("");
    *len = s.len;
    return 0;
}

int imap_unsee(const char *url, const char *user, const char *password, int64_t uid)
{
    struct sink s = {NULL, 0, 1 << 16, 0};
    char cmd[64];
    int rc;
    snprintf(cmd, sizeof cmd, "UID STORE %lld -FLAGS (\\Seen)", (long long)uid);
    rc = run(url, user, password, cmd, &s);
    free(s.p);
    return rc;
}
