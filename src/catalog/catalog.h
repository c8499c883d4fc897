/*
** catalog.h -- brands, a category tree, products and SKUs (size, colour,
** barcode, one list price in fen for every channel). A product is invisible to
** every channel before its launch_at and visible to all at the same instant.
*/
#ifndef O2O_CATALOG_CATALOG_H
#define O2O_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct brand {
    int64_t id;
    char code[65];
    char name[129];
};

struct category {
    int64_t id;
    char code[65];
    char name[129];
    int64_t parent_id;
    char parent_code[65];
    char path[256];
};

struct product {
    int64_t id;
    char code[65];
    char name[257];
    int64_t brand_id;
    char brand_code[65];
    int64_t category_id;
    char category_code[65];
    char description[1025];
    int64_t launch_at;        /* epoch ms; 0 = always */
    int64_t created_at;
};

struct sku {
    int64_t id;
    char code[65];
    int64_t product_id;
    char product_code[65];
    char product_name[257];
    char size[33];
    char colour[33];
    char barcode[65];
    int64_t price;            /* fen */
    int64_t launch_at;        /* the product's */
};

/* Writes (transaction bodies). */
int brand_create(struct db_conn *c, struct brand *b);
int category_create(struct db_conn *c, struct category *cat);
int product_create(struct db_conn *c, struct product *p);
/* What a change of a product sets (NULL: leaves as it is; "" brand or category: none). */
struct product_patch {
    const char *name, *description, *brand, *category;
    bool set_launch;
    int64_t launch_at;        /* 0: launched already */
};
int product_update(struct db_conn *c, const char *code, const struct product_patch *pp, struct product *out);
int sku_create(struct db_conn *c, struct sku *s);
/* Change a SKU's list price (every channel at once). */
int sku_set_price(struct db_conn *c, const char *code, int64_t price, struct sku *out);

/* An item from another system: product and SKU `code` (characters outside codes
** become '_', see catalog_code_from), named name (or the code), at price fen; the
** existing SKU's id when there is one. */
void catalog_code_from(const char *in, char out[65]);
int catalog_import_sku(struct db_conn *c, const char *code, const char *name, int64_t price, int64_t *sku_id);

/* Reads. visible_at: only products launched by then (0 = no filter, for staff). */
/* The id of a brand or category ("brand" | "category") by its code; O2O_ENOTFOUND. */
int catalog_id_by_code(struct db_conn *c, const char *what, const char *code, int64_t *id);
int brand_list(struct db_conn *c, int (*cb)(const struct brand *b, void *arg), void *arg);
int category_list(struct db_conn *c, int (*cb)(const struct category *x, void *arg), void *arg);
int product_get_by_code(struct db_conn *c, const char *code, int64_t visible_at, struct product *out);
/* Products ordered by id after after_id; filters may be "" */
int product_list(struct db_conn *c, const char *brand_code, const char *category_code, const char *q,
                 int64_t visible_at, int64_t after_id, int limit, int (*cb)(const struct product *p, void *arg), void *arg);
int product_skus(struct db_conn *c, int64_t product_id, int (*cb)(const struct sku *s, void *arg), void *arg);
int sku_get_by_code(struct db_conn *c, const char *code, int64_t visible_at, struct sku *out);
/* By id, launched or not (for staff's screens). */
int sku_get(struct db_conn *c, int64_t id, struct sku *out);
int sku_get_by_barcode(struct db_conn *c, const char *barcode, int64_t visible_at, struct sku *out);
int64_t catalog_count(struct db_conn *c, const char *what);
/* Every product's lowest SKU price, in one pass. */
int catalog_min_prices(struct db_conn *c, int (*cb)(int64_t product_id, int64_t price, void *arg), void *arg); /* "brands" | "products" | "skus" */

#endif
