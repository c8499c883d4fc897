/*
** api_catalog.c -- /v1/brands, /v1/categories, /v1/products, /v1/skus. Members and
** channels see only launched products; staff see all. (Stock by barcode and by
** distance: lookup.c.)
*/
#include "api/api.h"
#include "catalog/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/util.h"
#include "org/location.h"

int64_t api_visible_at(const struct http_req *rq)
{
    return (rq->who.role & ROLE_STAFF) ? 0 : now_ms();
}

json_t *api_render_sku(const struct sku *k)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:s}", "id", (json_int_t)k->id, "code", k->code,
                     "product", k->product_code, "name", k->product_name, "size", k->size, "colour", k->colour,
                     "barcode", jstr_or_null(k->barcode), "price", (json_int_t)k->price, "currency", "CNY");
}

static json_t *render_product(const struct product *p)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:o}", "id", (json_int_t)p->id, "code", p->code, "name", p->name,
                     "brand", jstr_or_null(p->brand_code), "category", jstr_or_null(p->category_code), "description",
                     p->description, "launch_at", jtime(p->launch_at));
}

/* ---- brands and categories ---- */

static int brand_cb(const struct brand *b, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)b->id, "code", b->code, "name", b->name));
    return 0;
}

int api_brands_list(struct http_req *rq)
{
    json_t *items = json_array();
    int rc = brand_list(api_reader(), brand_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static int brand_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct brand *b = arg;
    int rc = brand_create(c, b);
    (void)who;
    if (!rc)
        *out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)b->id, "code", b->code, "name", b->name);
    return rc;
}

int api_brands_create(struct http_req *rq)
{
    struct brand *b = xcalloc(1, sizeof *b);
    int rc = jin_str(rq->json, "code", true, b->code, sizeof b->code);
    if (!rc)
        rc = jin_str(rq->json, "name", true, b->name, sizeof b->name);
    if (rc) {
        free(b);
        return rc;
    }
    return api_write(rq, brand_body, b, 201);
}

static json_t *render_category(const struct category *x)
{
    return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)x->id, "code", x->code, "name", x->name, "parent",
                     jstr_or_null(x->parent_code));
}

static int category_cb(const struct category *x, void *arg)
{
    json_array_append_new(arg, render_category(x));
    return 0;
}

int api_categories_list(struct http_req *rq)
{
    json_t *items = json_array();
    int rc = category_list(api_reader(), category_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static int category_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct category *x = arg;
    int rc = category_create(c, x);
    (void)who;
    if (!rc)
        *out = render_category(x);
    return rc;
}

int api_categories_create(struct http_req *rq)
{
    struct category *x = xcalloc(1, sizeof *x);
    int rc = jin_str(rq->json, "code", true, x->code, sizeof x->code);
    if (!rc)
        rc = jin_str(rq->json, "name", true, x->name, sizeof x->name);
    if (!rc)
        rc = jin_str(rq->json, "parent", false, x->parent_code, sizeof x->parent_code);
    if (rc) {
        free(x);
        return rc;
    }
    return api_write(rq, category_body, x, 201);
}

/* ---- products ---- */

struct plist {
    json_t *items;
    int64_t last_id;
};

static int product_cb(const struct product *p, void *arg)
{
    struct plist *l = arg;
    json_array_append_new(l->items, render_product(p));
    l->last_id = p->id;
    return 0;
}

int api_products_list(struct http_req *rq)
{
    const char *brand = http_query(rq, "brand"), *cat = http_query(rq, "category"), *q = http_query(rq, "q");
    int64_t limit, cursor;
    struct plist l = {json_array(), 0};
    int rc = api_query_int(rq, "limit", 1, 500, 50, &limit);
    if (!rc)
        rc = api_query_int(rq, "cursor", 0, INT64_MAX, 0, &cursor);
    if (!rc)
        rc = product_list(api_reader(), brand ? brand : "", cat ? cat : "", q, api_visible_at(rq), cursor, (int)limit,
                          product_cb, &l);
    if (rc) {
        json_decref(l.items);
        return rc;
    }
    return http_reply_json(rq, 200,
                           json_pack("{s:o, s:o}", "items", l.items, "next_cursor",
                                     (int64_t)json_array_size(l.items) == limit ? json_sprintf("%lld", (long long)l.last_id)
                                                                               : json_null()));
}

static int sku_cb(const struct sku *k, void *arg)
{
    json_array_append_new(arg, api_render_sku(k));
    return 0;
}

int api_products_get(struct http_req *rq)
{
    struct product p;
    json_t *o, *skus = json_array();
    int rc = product_get_by_code(api_reader(), rq->params[0], api_visible_at(rq), &p);
    if (!rc)
        rc = product_skus(api_reader(), p.id, sku_cb, skus);
    if (rc) {
        json_decref(skus);
        return rc;
    }
    o = render_product(&p);
    json_object_set_new(o, "skus", skus);
    return http_reply_json(rq, 200, o);
}

static int product_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct product *p = arg;
    int rc = product_create(c, p);
    (void)who;
    if (!rc)
        *out = render_product(p);
    return rc;
}

int api_products_create(struct http_req *rq)
{
    struct product *p = xcalloc(1, sizeof *p);
    int rc = jin_str(rq->json, "code", true, p->code, sizeof p->code);
    if (!rc)
        rc = jin_str(rq->json, "name", true, p->name, sizeof p->name);
    if (!rc)
        rc = jin_str(rq->json, "brand", false, p->brand_code, sizeof p->brand_code);
    if (!rc)
        rc = jin_str(rq->json, "category", false, p->category_code, sizeof p->category_code);
    if (!rc)
        rc = jin_str(rq->json, "description", false, p->description, sizeof p->description);
    if (!rc)
        rc = jin_time(rq->json, "launch_at", &p->launch_at, NULL);
    if (rc) {
        free(p);
        return rc;
    }
    return api_write(rq, product_body, p, 201);
}

/* ---- SKUs ---- */

static int sku_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct sku *k = arg;
    int rc = sku_create(c, k);
    (void)who;
    if (!rc)
        *out = api_render_sku(k);
    return rc;
}

int api_skus_create(struct http_req *rq)
{
    struct sku *k = xcalloc(1, sizeof *k);
    int rc = jin_str(rq->json, "code", true, k->code, sizeof k->code);
    if (!rc)
        rc = jin_str(rq->json, "product", true, k->product_code, sizeof k->product_code);
    if (!rc)
        rc = jin_str(rq->json, "size", false, k->size, sizeof k->size);
    if (!rc)
        rc = jin_str(rq->json, "colour", false, k->colour, sizeof k->colour);
    if (!rc)
        rc = jin_str(rq->json, "barcode", false, k->barcode, sizeof k->barcode);
    if (!rc)
        rc = jin_i64(rq->json, "price", true, 0, 100000000000LL, &k->price, NULL);
    if (rc) {
        free(k);
        return rc;
    }
    return api_write(rq, sku_body, k, 201);
}

int api_skus_get(struct http_req *rq)
{
    struct sku k;
    int rc = sku_get_by_code(api_reader(), rq->params[0], api_visible_at(rq), &k);
    if (rc)
        return rc;
    return http_reply_json(rq, 200, api_render_sku(&k));
}

struct price_arg {
    char code[65];
    int64_t price;
};

static int price_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct price_arg *a = arg;
    struct sku k;
    int rc = sku_set_price(c, a->code, a->price, &k);
    (void)who;
    if (!rc)
        *out = api_render_sku(&k);
    return rc;
}

int api_skus_update(struct http_req *rq)
{
    struct price_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_i64(rq->json, "price", true, 0, 100000000000LL, &a->price, NULL);
    if (rc) {
        free(a);
        return rc;
    }
    str_copy(a->code, sizeof a->code, rq->params[0]);
    return api_write(rq, price_body, a, 200);
}

struct product_arg {
    char code[65], name[257], description[1025], brand[65], category[65];
    bool has_name, has_description, has_brand, has_category;
    struct product_patch p;
};

static int product_update_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct product_arg *a = arg;
    struct product p;
    int rc;
    (void)who;
    a->p.name = a->has_name ? a->name : NULL;
    a->p.description = a->has_description ? a->description : NULL;
    a->p.brand = a->has_brand ? a->brand : NULL;
    a->p.category = a->has_category ? a->category : NULL;
    rc = product_update(c, a->code, &a->p, &p);
    if (!rc)
        *out = render_product(&p);
    return rc;
}

/* A text field that may be absent (left as it is), a string, or null ("" for brand and category: none). */
static int patch_text(json_t *body, const char *key, char *out, size_t cap, bool *has)
{
    json_t *v = json_object_get(body, key);
    *has = v != NULL;
    if (!v || json_is_null(v))
        return 0;
    return jin_str(body, key, false, out, cap);
}

/* PATCH /v1/products/{code}: name, description, brand, category, launch time (null: launched now). */
int api_products_update(struct http_req *rq)
{
    struct product_arg *a = xcalloc(1, sizeof *a);
    json_t *launch = json_object_get(rq->json, "launch_at");
    int rc = patch_text(rq->json, "name", a->name, sizeof a->name, &a->has_name);
    if (!rc)
        rc = patch_text(rq->json, "description", a->description, sizeof a->description, &a->has_description);
    if (!rc)
        rc = patch_text(rq->json, "brand", a->brand, sizeof a->brand, &a->has_brand);
    if (!rc)
        rc = patch_text(rq->json, "category", a->category, sizeof a->category, &a->has_category);
    if (!rc && launch) {
        a->p.set_launch = true;
        if (!json_is_null(launch))
            rc = jin_time(rq->json, "launch_at", &a->p.launch_at, NULL);
    }
    if (rc) {
        free(a);
        return rc;
    }
    str_copy(a->code, sizeof a->code, rq->params[0]);
    return api_write(rq, product_update_body, a, 200);
}
