/*
** strmap.h -- a string to int64 hash map (open addressing, keys copied), for
** bulk work that must not ask the database the same question twice.
*/
#ifndef O2O_CORE_STRMAP_H
#define O2O_CORE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap {
    char **keys;
    int64_t *vals;
    size_t cap, n;
};

bool strmap_get(const struct strmap *m, const char *key, int64_t *val);
void strmap_put(struct strmap *m, const char *key, int64_t val);
void strmap_free(struct strmap *m);

#endif
