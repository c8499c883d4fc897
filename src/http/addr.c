/*
** addr.c -- the client behind trusted proxies, and the process-wide count of
** open connections per address (a small hash table under one mutex, touched
** once when a connection opens and once when it closes). Tests: tests/unit/test_http.c
*/
#include "http/addr.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

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
