/*
** baskets.h -- baskets of items in memory: an item dictionary (label <-> id)
** and every basket's item ids in one array. Filled from a basket file (one
** basket per line, items separated by commas, the format of R's
** read.transactions(format = "basket", sep = ",")) or item by item.
*/
#ifndef O2O_ANALYTICS_BASKETS_H
#define O2O_ANALYTICS_BASKETS_H

#include <stdint.h>

#include "core/arena.h"
#include "core/strmap.h"

struct baskets {
    int64_t n;                /* baskets */
    uint32_t *items;          /* item ids, basket after basket */
    int64_t *start;           /* basket i holds items[start[i] .. start[i + 1]) */
    uint32_t nitems;          /* distinct items */
    char **labels;            /* item id -> label */
    struct strmap ids;        /* label -> item id */
    int64_t cap_items, cap_start;
    uint32_t cap_labels;
    struct arena mem;         /* items and start live here */
};

void baskets_init(struct baskets *b);
void baskets_free(struct baskets *b);
/* The id of an item label, added to the dictionary when new. */
uint32_t baskets_item(struct baskets *b, const char *label);
/* Start a new (empty) basket; baskets_add puts an item in it (once). */
void baskets_begin(struct baskets *b);
void baskets_add(struct baskets *b, uint32_t item);
/* Read a basket file: every line is a basket (a blank line an empty one), items
** are the texts between commas, kept as they are (spaces included), an item
** repeated in a line counts once. O2O_ENOTFOUND if the file cannot be read. */
int baskets_read_file(struct baskets *b, const char *path);

#endif
