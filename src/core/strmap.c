/*
** strmap.c -- FNV-1a hashing, linear probing, doubling at half full.
*/
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

bool strmap_get(const struct strmap *m, const char *key, int64_t *val)
{
    if (!m->cap)
        return false;
    for (size_t i = hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (!strcmp(m->keys[i], key)) {
            *val = m->vals[i];
            return true;
        }
    return false;
}

static void insert(struct strmap *m, char *key, int64_t val)
{
    size_t i = hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key))
        i = (i + 1) & (m->cap - 1);
    if (m->keys[i]) {
        free(key);
    } else {
        m->keys[i] = key;
        m->n++;
    }
    m->vals[i] = val;
}

void strmap_put(struct strmap *m, const char *key, int64_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct strmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->keys = xcalloc(m->cap, sizeof *m->keys);
        m->vals = xcalloc(m->cap, sizeof *m->vals);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                insert(m, old.keys[i], old.vals[i]);
        free(old.keys);
        free(old.vals);
    }
    insert(m, xstrdup(key), val);
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
