/*
** handlers.h -- the HTTP handlers of catalog/ for the route table (app/routes.c):
** brands, categories, products and SKUs; a SKU as the API shows it, and the time a
** request sees launches by.
*/
#ifndef O2O_CATALOG_HANDLERS_H
#define O2O_CATALOG_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_brands_create(struct http_req *rq);
int api_brands_list(struct http_req *rq);
int api_categories_create(struct http_req *rq);
int api_categories_list(struct http_req *rq);
int api_products_create(struct http_req *rq);
int api_products_get(struct http_req *rq);
int api_products_list(struct http_req *rq);
int api_products_update(struct http_req *rq);
int api_skus_create(struct http_req *rq);
int api_skus_get(struct http_req *rq);
int api_skus_update(struct http_req *rq);

/* The catalog's handlers (catalog.c) for those that show a SKU: a SKU as the API
** shows it; the time a request sees products launched by (staff see them before
** their launch: 0). */
struct sku;
json_t *api_render_sku(const struct sku *k);

int64_t api_visible_at(const struct http_req *rq);
#endif
