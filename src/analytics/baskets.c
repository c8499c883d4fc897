/*
** baskets.c -- baskets of items in memory and the basket file reader.
** Tests: tests/unit/test_assoc.c
*/
#include "analytics/baskets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

void baskets_init(struct baskets *b)
{
    memset(b, 0, sizeof *b);
    arena_init(&b->mem);
    b->cap_start = 1024;
    b->start = arena_alloc(&b->mem, (size_t)b->cap_start * sizeof *b->start);
}

void baskets_free(struct baskets *b)
{
    for (uint32_t i = 0; i < b->nitems; i++)
        free(b->labels[i]);
    free(b->labels);
    arena_free(&b->mem);
    strmap_free(&b->ids);
    memset(b, 0, sizeof *b);
}

uint32_t baskets_item(struct baskets *b, const char *label)
{
    int64_t id;
    if (strmap_get(&b->ids, label, &id))
        return (uint32_t)id;
    if (b->nitems == b->cap_labels) {
        b->cap_labels = b->cap_labels ? 2 * b->cap_labels : 256;
        b->labels = xrealloc(b->labels, b->cap_labels * sizeof *b->labels);
    }
    b->labels[b->nitems] = xstrdup(label);
    strmap_put(&b->ids, label, b->nitems);
    return b->nitems++;
}

void baskets_begin(struct baskets *b)
{
    if (b->n + 2 > b->cap_start) {
        b->start = arena_grow(&b->mem, b->start, (size_t)b->cap_start * sizeof *b->start,
                              2 * (size_t)b->cap_start * sizeof *b->start);
        b->cap_start *= 2;
    }
    b->n++;
    b->start[b->n] = b->start[b->n - 1];
}

void baskets_add(struct baskets *b, uint32_t item)
{
    int64_t end = b->start[b->n];
    for (int64_t i = b->start[b->n - 1]; i < end; i++)
        if (b->items[i] == item)
            return;
    if (end == b->cap_items) {
        int64_t cap = b->cap_items ? 2 * b->cap_items : 4096;
        b->items = arena_grow(&b->mem, b->items, (size_t)b->cap_items * sizeof *b->items,
                              (size_t)cap * sizeof *b->items);
        b->cap_items = cap;
    }
    b->items[end] = item;
    b->start[b->n] = end + 1;
}

int baskets_read_file(struct baskets *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long size;
    if (!f)
        return err_set(O2O_ENOTFOUND, "no_input", "input", "cannot read %s: %s", path, strerror(errno));
    /* room for the most the file can hold (address space only: untouched pages cost nothing) */
    if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
        int64_t lines = size + 2, items = size / 2 + 2;
        if (lines > b->cap_start) {
            b->start = arena_grow(&b->mem, b->start, (size_t)(b->n + 1) * sizeof *b->start,
                                  (size_t)lines * sizeof *b->start);
            b->cap_start = lines;
        }
        if (items > b->cap_items) {
            b->items = arena_grow(&b->mem, b->items, (size_t)b->start[b->n] * sizeof *b->items,
                                  (size_t)items * sizeof *b->items);
            b->cap_items = items;
        }
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        char *p = line, *end;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        baskets_begin(b);
        if (!len)
            continue;
        for (;;) {
            end = strchr(p, ',');
            if (end)
                *end = 0;
            if (*p)
                baskets_add(b, baskets_item(b, p));
            if (!end)
                break;
            p = end + 1;
        }
    }
    free(line);
    fclose(f);
    return 0;
}
