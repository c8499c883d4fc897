/*
** catalog.c -- brands, categories, products and SKUs.
** Owns tables brands, categories, products, skus. One price per SKU for every
** channel; launch_at gates visibility for every channel at once.
** No HTTP or JSON here. Tests: tests/unit/test_catalog.c
*/
#include "catalog/catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <ctype.h>
#include <string.h>

#include "core/util.h"

int brand_create(struct db_conn *c, struct brand *b)
{
    int rc;
    if (!is_code(b->code))
        return err_set(O2O_EINVAL, NULL, "code", "code must be 1-64 of A-Z a-z 0-9 _ - .");
    if (!b->name[0])
        return err_set(O2O_EINVAL, NULL, "name", "name is required");
    rc = db_scalar_i64(c, &b->id, "INSERT INTO brands (code, name, created_at) VALUES ($1, $2, $3) RETURNING id", "tti",
                       b->code, b->name, now_ms());
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "brand_exists", "code", "brand %s already exists", b->code);
    return rc;
}

int category_create(struct db_conn *c, struct category *x)
{
    char path[256] = "/";
    int64_t n;
    int rc;
    if (!is_code(x->code))
        return err_set(O2O_EINVAL, NULL, "code", "code must be 1-64 of A-Z a-z 0-9 _ - .");
    if (!x->name[0])
        return err_set(O2O_EINVAL, NULL, "name", "name is required");
    x->parent_id = 0;
    if (x->parent_code[0]) {
        struct db_stmt *s = NULL;
        rc = db_query(c, &s, "SELECT id, path FROM categories WHERE code = $1", "t", x->parent_code);
        if (rc == DB_ROW) {
            x->parent_id = db_col_i64(s, 0);
            str_copy(path, sizeof path, db_col_text(s, 1));
        }
        db_done(s);
        if (rc < 0)
            return rc;
        if (rc == DB_DONE)
            return err_set(O2O_ENOTFOUND, "unknown_category", "parent", "no category with code %s", x->parent_code);
    }
    rc = db_scalar_i64(c, &x->id,
                       "INSERT INTO categories (code, name, parent_id, path, created_at) VALUES ($1, $2, $3, '', $4) "
                       "RETURNING id",
                       "ttIi", x->code, x->name, x->parent_id, now_ms());
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "category_exists", "code", "category %s already exists", x->code);
    if (rc)
        return rc;
    {
        char full[300];
        snprintf(full, sizeof full, "%s%" PRId64 "/", path, x->id);
        if (strlen(full) >= sizeof x->path)
            return err_set(O2O_EINVAL, NULL, "parent", "category tree is too deep");
        str_copy(x->path, sizeof x->path, full);
    }
    n = db_exec(c, "UPDATE categories SET path = $2 WHERE id = $1", "it", x->id, x->path);
    return n < 0 ? (int)n : 0;
}

static int id_of(struct db_conn *c, const char *sql, const char *code, int64_t *out)
{
    return db_scalar_i64(c, out, sql, "t", code);
}

int product_create(struct db_conn *c, struct product *p)
{
    int rc;
    if (!is_code(p->code))
        return err_set(O2O_EINVAL, NULL, "code", "code must be 1-64 of A-Z a-z 0-9 _ - .");
    if (!p->name[0])
        return err_set(O2O_EINVAL, NULL, "name", "name is required");
    if (p->launch_at < 0)
        return err_set(O2O_EINVAL, NULL, "launch_at", "launch_at must be a time");
    p->brand_id = p->category_id = 0;
    if (p->brand_code[0] && id_of(c, "SELECT id FROM brands WHERE code = $1", p->brand_code, &p->brand_id))
        return err_set(O2O_ENOTFOUND, "unknown_brand", "brand", "no brand with code %s", p->brand_code);
    if (p->category_code[0] &&
        id_of(c, "SELECT id FROM categories WHERE code = $1", p->category_code, &p->category_id))
        return err_set(O2O_ENOTFOUND, "unknown_category", "category", "no category with code %s", p->category_code);
    p->created_at = now_ms();
    rc = db_scalar_i64(c, &p->id,
                       "INSERT INTO products (code, name, brand_id, category_id, description, launch_at, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                       "ttIItii", p->code, p->name, p->brand_id, p->category_id, p->description, p->launch_at,
                       p->created_at);
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "product_exists", "code", "product %s already exists", p->code);
    return rc;
}

int product_update(struct db_conn *c, const char *code, const struct product_patch *pp, struct product *out)
{
    struct product p;
    int64_t n;
    int rc = product_get_by_code(c, code, 0, &p);
    if (rc)
        return rc;
    if (pp->name && !pp->name[0])
        return err_set(O2O_EINVAL, NULL, "name", "name cannot be empty");
    if (pp->name)
        str_copy(p.name, sizeof p.name, pp->name);
    if (pp->description)
        str_copy(p.description, sizeof p.description, pp->description);
    if (pp->brand) {
        p.brand_id = 0;
        if (pp->brand[0] && id_of(c, "SELECT id FROM brands WHERE code = $1", pp->brand, &p.brand_id))
            return err_set(O2O_ENOTFOUND, "unknown_brand", "brand", "no brand with code %s", pp->brand);
    }
    if (pp->category) {
        p.category_id = 0;
        if (pp->category[0] && id_of(c, "SELECT id FROM categories WHERE code = $1", pp->category, &p.category_id))
            return err_set(O2O_ENOTFOUND, "unknown_category", "category", "no category with code %s", pp->category);
    }
    if (pp->set_launch) {
        if (pp->launch_at < 0)
            return err_set(O2O_EINVAL, NULL, "launch_at", "launch_at must be a time");
        p.launch_at = pp->launch_at;
    }
    n = db_exec(c,
                "UPDATE products SET name = $2, description = $3, brand_id = $4, category_id = $5, launch_at = $6 "
                "WHERE id = $1",
                "ittIIi", p.id, p.name, p.description, p.brand_id, p.category_id, p.launch_at);
    if (n < 0)
        return (int)n;
    return product_get_by_code(c, code, 0, out);
}

int sku_create(struct db_conn *c, struct sku *s)
{
    int rc;
    if (!is_code(s->code))
        return err_set(O2O_EINVAL, NULL, "code", "code must be 1-64 of A-Z a-z 0-9 _ - .");
    if (s->price < 0 || s->price > 100000000000LL)
        return err_set(O2O_EINVAL, NULL, "price", "price must be 0..100000000000 fen");
    if (s->barcode[0] && !is_code(s->barcode))
        return err_set(O2O_EINVAL, NULL, "barcode", "barcode must be 1-64 of A-Z a-z 0-9 _ - .");
    if (id_of(c, "SELECT id FROM products WHERE code = $1", s->product_code, &s->product_id))
        return err_set(O2O_ENOTFOUND, "unknown_product", "product", "no product with code %s", s->product_code);
    rc = db_scalar_i64(c, &s->id,
                       "INSERT INTO skus (code, product_id, size, colour, barcode, price, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                       "titttii", s->code, s->product_id, s->size, s->colour, s->barcode[0] ? s->barcode : NULL,
                       s->price, now_ms());
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "sku_exists", "code", "a SKU with this code or barcode already exists");
    if (rc)
        return rc;
    return sku_get_by_code(c, s->code, 0, s);
}

int sku_set_price(struct db_conn *c, const char *code, int64_t price, struct sku *out)
{
    int64_t n;
    if (price < 0 || price > 100000000000LL)
        return err_set(O2O_EINVAL, NULL, "price", "price must be 0..100000000000 fen");
    n = db_exec(c, "UPDATE skus SET price = $2 WHERE code = $1", "ti", code, price);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ENOTFOUND, "unknown_sku", NULL, "no SKU with code %s", code);
    return sku_get_by_code(c, code, 0, out);
}

int brand_list(struct db_conn *c, int (*cb)(const struct brand *b, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct brand b;
    int rc = db_query(c, &s, "SELECT id, code, name FROM brands ORDER BY code", NULL);
    while (rc == DB_ROW) {
        memset(&b, 0, sizeof b);
        b.id = db_col_i64(s, 0);
        str_copy(b.code, sizeof b.code, db_col_text(s, 1));
        str_copy(b.name, sizeof b.name, db_col_text(s, 2));
        rc = cb(&b, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int category_list(struct db_conn *c, int (*cb)(const struct category *x, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct category x;
    int rc = db_query(c, &s,
                      "SELECT c.id, c.code, c.name, c.parent_id, p.code, c.path FROM categories c "
                      "LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.path",
                      NULL);
    while (rc == DB_ROW) {
        memset(&x, 0, sizeof x);
        x.id = db_col_i64(s, 0);
        str_copy(x.code, sizeof x.code, db_col_text(s, 1));
        str_copy(x.name, sizeof x.name, db_col_text(s, 2));
        x.parent_id = db_col_i64(s, 3);
        str_copy(x.parent_code, sizeof x.parent_code, db_col_text(s, 4));
        str_copy(x.path, sizeof x.path, db_col_text(s, 5));
        rc = cb(&x, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

#define PRODUCT_COLS                                                                                        \
    "p.id, p.code, p.name, p.brand_id, b.code, p.category_id, c.code, p.description, p.launch_at, "         \
    "p.created_at FROM products p LEFT JOIN brands b ON b.id = p.brand_id LEFT JOIN categories c ON c.id = " \
    "p.category_id"

static void read_product(struct db_stmt *s, struct product *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_col_i64(s, 0);
    str_copy(p->code, sizeof p->code, db_col_text(s, 1));
    str_copy(p->name, sizeof p->name, db_col_text(s, 2));
    p->brand_id = db_col_i64(s, 3);
    str_copy(p->brand_code, sizeof p->brand_code, db_col_text(s, 4));
    p->category_id = db_col_i64(s, 5);
    str_copy(p->category_code, sizeof p->category_code, db_col_text(s, 6));
    str_copy(p->description, sizeof p->description, db_col_text(s, 7));
    p->launch_at = db_col_i64(s, 8);
    p->created_at = db_col_i64(s, 9);
}

int product_get_by_code(struct db_conn *c, const char *code, int64_t visible_at, struct product *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " PRODUCT_COLS " WHERE p.code = $1 AND (p.launch_at <= $2 OR $2 = 0)", "ti", code,
                      visible_at);
    if (rc == DB_ROW)
        read_product(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_product", NULL, "no product with code %s", code);
    return rc < 0 ? rc : 0;
}

int product_list(struct db_conn *c, const char *brand_code, const char *category_code, const char *q,
                 int64_t visible_at, int64_t after_id, int limit, int (*cb)(const struct product *p, void *arg),
                 void *arg)
{
    struct db_stmt *s = NULL;
    struct product p;
    char pattern[160] = "";
    size_t n = 0;
    int rc;
    /* q: any part of the code or the name ('%q%', LIKE's wildcards taken out) */
    if (q && *q) {
        pattern[n++] = '%';
        for (const char *x = q; *x && n < sizeof pattern - 2; x++)
            if (*x != '%' && *x != '_' && *x != '\\')
                pattern[n++] = (char)tolower((unsigned char)*x);
        pattern[n++] = '%';
        pattern[n] = 0;
    }
    rc = db_query(c, &s,
                  "SELECT " PRODUCT_COLS " WHERE p.id > $1 AND (p.launch_at <= $2 OR $2 = 0) "
                  "AND ($3 = '' OR b.code = $3) AND ($4 = '' OR c.path LIKE "
                  "(SELECT path FROM categories WHERE code = $4) || '%') "
                  "AND ($6 = '' OR lower(p.code) LIKE $6 OR lower(p.name) LIKE $6) ORDER BY p.id LIMIT $5",
                  "iittit", after_id, visible_at, brand_code ? brand_code : "", category_code ? category_code : "",
                  (int64_t)limit, pattern);
    while (rc == DB_ROW) {
        read_product(s, &p);
        rc = cb(&p, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

#define SKU_COLS                                                                                      \
    "s.id, s.code, s.product_id, p.code, p.name, s.size, s.colour, s.barcode, s.price, p.launch_at " \
    "FROM skus s JOIN products p ON p.id = s.product_id"

static void read_sku(struct db_stmt *s, struct sku *k)
{
    memset(k, 0, sizeof *k);
    k->id = db_col_i64(s, 0);
    str_copy(k->code, sizeof k->code, db_col_text(s, 1));
    k->product_id = db_col_i64(s, 2);
    str_copy(k->product_code, sizeof k->product_code, db_col_text(s, 3));
    str_copy(k->product_name, sizeof k->product_name, db_col_text(s, 4));
    str_copy(k->size, sizeof k->size, db_col_text(s, 5));
    str_copy(k->colour, sizeof k->colour, db_col_text(s, 6));
    str_copy(k->barcode, sizeof k->barcode, db_col_text(s, 7));
    k->price = db_col_i64(s, 8);
    k->launch_at = db_col_i64(s, 9);
}

int product_skus(struct db_conn *c, int64_t product_id, int (*cb)(const struct sku *s, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct sku k;
    int rc = db_query(c, &s, "SELECT " SKU_COLS " WHERE s.product_id = $1 ORDER BY s.code", "i", product_id);
    while (rc == DB_ROW) {
        read_sku(s, &k);
        rc = cb(&k, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int sku_get_by_code(struct db_conn *c, const char *code, int64_t visible_at, struct sku *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " SKU_COLS " WHERE s.code = $1 AND (p.launch_at <= $2 OR $2 = 0)", "ti", code,
                      visible_at);
    if (rc == DB_ROW)
        read_sku(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_sku", NULL, "no SKU with code %s", code);
    return rc < 0 ? rc : 0;
}

int sku_get(struct db_conn *c, int64_t id, struct sku *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " SKU_COLS " WHERE s.id = $1", "i", id);
    if (rc == DB_ROW)
        read_sku(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_sku", NULL, "no SKU %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int sku_get_by_barcode(struct db_conn *c, const char *barcode, int64_t visible_at, struct sku *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " SKU_COLS " WHERE s.barcode = $1 AND (p.launch_at <= $2 OR $2 = 0)", "ti",
                      barcode, visible_at);
    if (rc == DB_ROW)
        read_sku(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_barcode", "barcode", "no SKU with barcode %s", barcode);
    return rc < 0 ? rc : 0;
}

int64_t catalog_count(struct db_conn *c, const char *what)
{
    int64_t n = 0;
    const char *sql = !strcmp(what, "brands")     ? "SELECT COUNT(*) FROM brands"
                      : !strcmp(what, "products") ? "SELECT COUNT(*) FROM products"
                                                  : "SELECT COUNT(*) FROM skus";
    if (db_scalar_i64(c, &n, sql, NULL))
        return 0;
    return n;
}

void catalog_code_from(const char *in, char out[65])
{
    size_t o = 0;
    for (; *in && o < 64; in++) {
        char ch = *in;
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                  ch == '-' || ch == '.';
        out[o++] = ok ? ch : '_';
    }
    out[o] = 0;
}

int catalog_import_sku(struct db_conn *c, const char *code_in, const char *name, int64_t price, int64_t *sku_id)
{
    struct product p;
    struct sku k;
    char code[65];
    int rc;
    catalog_code_from(code_in, code);
    rc = db_scalar_i64(c, sku_id, "SELECT id FROM skus WHERE code = $1", "t", code);
    if (rc != O2O_ENOTFOUND)
        return rc;
    err_clear();
    memset(&p, 0, sizeof p);
    str_copy(p.code, sizeof p.code, code);
    str_copy(p.name, sizeof p.name, name && *name ? name : code);
    rc = db_scalar_i64(c, &p.id, "SELECT id FROM products WHERE code = $1", "t", code);
    if (rc == O2O_ENOTFOUND) {
        err_clear();
        rc = product_create(c, &p);
    }
    if (rc)
        return rc;
    memset(&k, 0, sizeof k);
    str_copy(k.code, sizeof k.code, code);
    str_copy(k.product_code, sizeof k.product_code, code);
    k.price = price;
    rc = sku_create(c, &k);
    if (!rc)
        *sku_id = k.id;
    return rc;
}

int catalog_min_prices(struct db_conn *c, int (*cb)(int64_t product_id, int64_t price, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT product_id, MIN(price) FROM skus GROUP BY product_id", NULL);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_i64(s, 1), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int catalog_id_by_code(struct db_conn *c, const char *what, const char *code, int64_t *id)
{
    int rc;
    *id = 0;
    if (!strcmp(what, "brand"))
        rc = db_scalar_i64(c, id, "SELECT id FROM brands WHERE code = $1", "t", code);
    else
        rc = db_scalar_i64(c, id, "SELECT id FROM categories WHERE code = $1", "t", code);
    if (rc == O2O_ENOTFOUND || (!rc && !*id))
        return err_set(O2O_ENOTFOUND, !strcmp(what, "brand") ? "unknown_brand" : "unknown_category", what,
                       "no %s %s", what, code);
    return rc;
}
