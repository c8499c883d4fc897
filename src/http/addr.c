/*
** addr.c -- client addresses: CIDR lists, the client behind trusted proxies,
** and the process-wide count of open connections per address (a small hash
** table under one mutex, touched once when a connection opens and once when it
** closes). Tests: tests/unit/test_http.c
*/
#include "http/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static void map_v4(struct addr *out, const void *v4)
{
    memset(out->b, 0, 10);
    out->b[10] = out->b[11] = 0xff;
    memcpy(out->b + 12, v4, 4);
}

static bool is_mapped_v4(const struct addr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return !memcmp(a->b, prefix, 12);
}

int addr_parse(struct addr *out, const char *s, size_t n)
{
    char tmp[64];
    struct in_addr v4;
    struct in6_addr v6;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    /* "[2001:db8::1]" as some proxies write it */
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (inet_pton(AF_INET, tmp, &v4) == 1) {
        map_v4(out, &v4);
        return 0;
    }
    if (inet_pton(AF_INET6, tmp, &v6) == 1) {
        memcpy(out->b, &v6, 16);
        return 0;
    }
    return -1;
}

int addr_from_sockaddr(struct addr *out, const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        map_v4(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return 0;
    }
    return -1;
}

void addr_format(const struct addr *a, char out[46])
{
    if (is_mapped_v4(a))
        inet_ntop(AF_INET, a->b + 12, out, 46);
    else
        inet_ntop(AF_INET6, a->b, out, 46);
}

int netlist_parse(struct netlist *l, const char *text, char bad[64])
{
    const char *p = text ? text : "";
    memset(l, 0, sizeof *l);
    bad[0] = 0;
    while (*p) {
        const char *end = strchr(p, ','), *slash;
        size_t n = end ? (size_t)(end - p) : strlen(p), alen;
        struct addr a;
        int bits = -1;
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n) {
            slash = memchr(p, '/', n);
            alen = slash ? (size_t)(slash - p) : n;
            if (addr_parse(&a, p, alen))
                goto bad;
            if (slash) {
                size_t k = alen + 1;
                bits = 0;
                if (k == n || n - k > 3)
                    goto bad;
                for (; k < n; k++) {
                    if (p[k] < '0' || p[k] > '9')
                        goto bad;
                    bits = bits * 10 + (p[k] - '0');
                }
                if (memchr(p, ':', alen) ? bits > 128 : bits > 32)
                    goto bad;
                if (!memchr(p, ':', alen))
                    bits += 96;
            } else {
                bits = 128;
            }
            l->nets = xrealloc(l->nets, (l->n + 1) * sizeof *l->nets);
            l->nets[l->n].net = a;
            l->nets[l->n].bits = bits;
            l->n++;
        }
        if (!end)
            break;
        p = end + 1;
        continue;
    bad: {
        size_t k = n < 63 ? n : 63;
        memcpy(bad, p, k);
        bad[k] = 0;
        netlist_free(l);
        return -1;
    }
    }
    return 0;
}

void netlist_free(struct netlist *l)
{
    free(l->nets);
    l->nets = NULL;
    l->n = 0;
}

static bool in_net(const struct addr *a, const struct addr *net, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a->b, net->b, (size_t)full))
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        return (a->b[full] & mask) == (net->b[full] & mask);
    }
    return true;
}

bool netlist_has(const struct netlist *l, const struct addr *a)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (in_net(a, &l->nets[i].net, l->nets[i].bits))
            return true;
    return false;
}

struct addr addr_client(const struct addr *peer, const struct netlist *proxies, const char *xff, size_t n)
{
    struct addr cur = *peer;
    if (!xff || !netlist_has(proxies, peer))
        return cur;
    /* walk from the right: each hop that is a trusted proxy vouches for the one before it */
    while (n > 0) {
        size_t s = n;
        struct addr a;
        while (s > 0 && xff[s - 1] != ',')
            s--;
        if (addr_parse(&a, xff + s, n - s))
            return cur; /* garbage: the last address we could trust */
        cur = a;
        if (!netlist_has(proxies, &a))
            return cur;
        n = s ? s - 1 : 0;
        if (s == 0)
            break;
    }
    return cur;
}

/* ---- connections per address ---- */

#define SLOTS 4096

struct node {
    struct addr a;
    size_t n;
    struct node *next;
};

static struct {
    pthread_mutex_t mu;
    struct node *slot[SLOTS];
} T = {PTHREAD_MUTEX_INITIALIZER, {0}};

static size_t hash_of(const struct addr *a)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 16; i++)
        h = (h ^ a->b[i]) * 1099511628211ULL;
    return (size_t)(h % SLOTS);
}

static struct node **find(const struct addr *a)
{
    struct node **pp = &T.slot[hash_of(a)];
    while (*pp && memcmp((*pp)->a.b, a->b, 16))
        pp = &(*pp)->next;
    return pp;
}

int addr_conn_acquire(const struct addr *a, size_t max)
{
    struct node **pp;
    int rc = 0;
    pthread_mutex_lock(&T.mu);
    pp = find(a);
    if (!*pp) {
        *pp = xcalloc(1, sizeof **pp);
        (*pp)->a = *a;
    }
    if ((*pp)->n >= max)
        rc = -1;
    else
        (*pp)->n++;
    if (!(*pp)->n) {
        struct node *gone = *pp;
        *pp = gone->next;
        free(gone);
    }
    pthread_mutex_unlock(&T.mu);
    return rc;
}

void addr_conn_release(const struct addr *a)
{
    struct node **pp;
    pthread_mutex_lock(&T.mu);
    pp = find(a);
    if (*pp && --(*pp)->n == 0) {
        struct node *gone = *pp;
        *pp = gone->next;
        free(gone);
    }
    pthread_mutex_unlock(&T.mu);
}

size_t addr_conn_count(const struct addr *a)
{
    struct node **pp;
    size_t n;
    pthread_mutex_lock(&T.mu);
    pp = find(a);
    n = *pp ? (*pp)->n : 0;
    pthread_mutex_unlock(&T.mu);
    return n;
}
