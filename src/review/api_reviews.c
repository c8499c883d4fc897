/*
** api_reviews.c -- reviews over HTTP: a member reviews a line she bought (POST
** /v1/reviews) and revises it (PATCH); staff within the store's scope list them
** with what followed a bad one, publish or reject a held one and reply in public;
** a product page reads its published reviews, its count and average, with each
** reviewer shown by her initial only.
*/
#include "api/api.h"
#include "review/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/util.h"
#include "member/member.h"
#include "org/location.h"
#include "review/review.h"

static json_t *photos_json(const char *photos)
{
    json_t *a = json_array();
    char buf[sizeof ((struct review *)0)->photos], *save = NULL;
    str_copy(buf, sizeof buf, photos);
    for (char *p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
        json_array_append_new(a, json_string(p));
    return a;
}

static json_t *review_json(struct db_conn *c, const struct review *r)
{
    struct review_recovery rec;
    json_t *o;
    if (review_recovery_get(c, r, &rec))
        memset(&rec, 0, sizeof rec);
    o = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:o, s:I, s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, "
                  "s:{s:b, s:b, s:b, s:b}}",
                  "id", (json_int_t)r->id, "member_id", (json_int_t)r->member_id, "order_id", (json_int_t)r->order_id,
                  "line", (json_int_t)r->line, "sku", r->sku, "product", r->product, "product_name",
                  r->product_name, "store", jstr_or_null(r->store), "rating", (json_int_t)r->rating, "first_rating",
                  (json_int_t)r->first_rating, "body", r->body, "photos", photos_json(r->photos), "status", r->status,
                  "alert", jstr_or_null(r->alert), "conversation_id",
                  r->conversation_id ? json_integer(r->conversation_id) : json_null(), "reply", jstr_or_null(r->reply),
                  "replied_at", r->replied_at ? jtime(r->replied_at) : json_null(), "created_at", jtime(r->created_at),
                  "updated_at", jtime(r->updated_at), "recovery", "contacted", rec.contacted, "resolved", rec.resolved,
                  "bought_again", rec.bought_again, "revised", rec.revised);
    return o;
}

/* ---- a member's review ---- */

struct write_arg {
    int64_t id;
    struct review_in in;
};

static int read_in(struct http_req *rq, struct review_in *in, bool create)
{
    json_t *photos;
    int rc = 0;
    if (create)
        rc = jin_i64(rq->json, "order_id", true, 1, INT64_MAX, &in->order_id, NULL);
    if (create && !rc)
        rc = jin_i64(rq->json, "line", true, 1, 100000, &in->line, NULL);
    if (!rc)
        rc = jin_i64(rq->json, "rating", true, 1, 5, &in->rating, NULL);
    if (!rc)
        rc = jin_str(rq->json, "body", false, in->body, sizeof in->body);
    in->has_body = json_object_get(rq->json, "body") != NULL;
    http_body_declares("photos");
    photos = json_object_get(rq->json, "photos");
    in->has_photos = photos != NULL;
    if (!rc && photos && (!json_is_array(photos) || json_array_size(photos) > REVIEW_PHOTOS_MAX))
        rc = err_set(O2O_EINVAL, json_is_array(photos) ? "out_of_range" : "wrong_type", "photos",
                     "photos is a list of at most %d https URLs", REVIEW_PHOTOS_MAX);
    for (size_t i = 0; !rc && photos && i < json_array_size(photos); i++) {
        json_t *p = json_array_get(photos, i);
        if (!json_is_string(p) || json_string_length(p) >= sizeof in->photos[0])
            rc = api_error_at(err_set(O2O_EINVAL, "wrong_type", "photos", "a photo is an https URL under 257 bytes"),
                              "photos", i);
        else
            str_copy(in->photos[in->nphotos++], sizeof in->photos[0], json_string_value(p));
    }
    return rc;
}

static int create_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct write_arg *a = arg;
    struct review r;
    int rc = review_create(c, who->id, &a->in, now_ms(), &r);
    if (!rc)
        *out = review_json(c, &r);
    return rc;
}

int api_reviews_create(struct http_req *rq)
{
    struct write_arg *a = xcalloc(1, sizeof *a);
    int rc = read_in(rq, &a->in, true);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, create_body, a, 201);
}

static int revise_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct write_arg *a = arg;
    struct review r;
    int rc = review_revise(c, who->id, a->id, &a->in, now_ms(), &r);
    if (!rc)
        *out = review_json(c, &r);
    return rc;
}

int api_reviews_revise(struct http_req *rq)
{
    struct write_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "review", &a->id);
    if (!rc)
        rc = read_in(rq, &a->in, false);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, revise_body, a, 200);
}

/* ---- staff ---- */

struct act_arg {
    int64_t id;
    char status[12];
    char text[REVIEW_BODY_MAX + 1];
};

static int moderate_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct act_arg *a = arg;
    struct review r;
    int rc = review_moderate(c, who, a->id, a->status, now_ms(), &r);
    if (!rc)
        *out = review_json(c, &r);
    return rc;
}

int api_reviews_moderate(struct http_req *rq)
{
    struct act_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "review", &a->id);
    if (!rc)
        rc = jin_str(rq->json, "status", true, a->status, sizeof a->status);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, moderate_body, a, 200);
}

static int reply_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct act_arg *a = arg;
    struct review r;
    int rc = review_reply(c, who, a->id, a->text, now_ms(), &r);
    if (!rc)
        *out = review_json(c, &r);
    return rc;
}

int api_reviews_reply(struct http_req *rq)
{
    struct act_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "review", &a->id);
    if (!rc)
        rc = jin_str(rq->json, "text", true, a->text, sizeof a->text);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, reply_body, a, 200);
}

struct list_ctx {
    struct db_conn *c;
    const struct principal *who;
    json_t *items;
};

static int list_cb(const struct review *r, void *arg)
{
    struct list_ctx *x = arg;
    if (review_in_scope(x->c, x->who, r)) { /* another region's store: not hers to see */
        err_clear();
        return 0;
    }
    json_array_append_new(x->items, review_json(x->c, r));
    return 0;
}

int api_reviews_list(struct http_req *rq)
{
    struct db_conn *c = api_reader();
    const char *status = http_query(rq, "status"), *store = http_query(rq, "store"), *product = http_query(rq, "product");
    struct list_ctx x = {c, &rq->who, json_array()};
    int64_t loc = 0, prod = 0, max_rating, before, limit;
    int rc = api_query_int(rq, "max_rating", 0, 5, 0, &max_rating);
    if (!rc)
        rc = api_query_int(rq, "cursor", 0, INT64_MAX, 0, &before);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 200, 50, &limit);
    if (!rc && status && *status && strcmp(status, "published") && strcmp(status, "held") && strcmp(status, "rejected"))
        rc = err_set(O2O_EINVAL, "out_of_range", "status", "status is published, held or rejected");
    if (!rc && store && *store) {
        struct location l;
        if (location_cached_by_code(c, store, &l))
            rc = err_set(O2O_ENOTFOUND, "unknown_location", "store", "no store %.64s", store);
        else
            loc = l.id;
    }
    if (!rc && rq->who.scope == SCOPE_LOCATION)
        loc = loc && loc != rq->who.scope_id ? -1 : rq->who.scope_id; /* her store's, only */
    if (!rc && product && *product) {
        struct product p;
        if (product_get_by_code(c, product, 0, &p))
            rc = err_set(O2O_ENOTFOUND, "unknown_product", "product", "no product %.64s", product);
        else
            prod = p.id;
    }
    if (!rc)
        rc = review_list(c, status ? status : "", loc, prod, max_rating, before, (int)limit, list_cb, &x);
    if (rc) {
        json_decref(x.items);
        return rc;
    }
    return http_reply_json(rq, 200, api_page(x.items, limit));
}

/* ---- the product page ---- */

struct public_ctx {
    struct db_conn *c;
    json_t *items;
};

static int public_cb(const struct review *r, void *arg)
{
    struct public_ctx *x = arg;
    struct member m;
    char who[16] = "";
    /* her initial only: a reviewer is not named to the world */
    if (!member_get(x->c, r->member_id, &m) && m.name[0]) {
        size_t n = 1;
        while (m.name[n] && ((unsigned char)m.name[n] & 0xc0) == 0x80)
            n++;
        snprintf(who, sizeof who, "%.*s***", (int)n, m.name);
    }
    json_array_append_new(x->items,
                          json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "id", (json_int_t)r->id, "rating",
                                    (json_int_t)r->rating, "sku", r->sku, "body", r->body, "photos",
                                    photos_json(r->photos), "reply", jstr_or_null(r->reply), "reviewer",
                                    jstr_or_null(who), "created_at", jtime(r->created_at), "verified_buyer", 1));
    return 0;
}

int api_product_reviews(struct http_req *rq)
{
    struct db_conn *c = api_reader();
    struct product p;
    struct public_ctx x = {c, json_array()};
    int64_t before, limit, count = 0, avg = 0;
    int rc = api_query_int(rq, "cursor", 0, INT64_MAX, 0, &before);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 100, 20, &limit);
    if (!rc && product_get_by_code(c, rq->params[0], now_ms(), &p))
        rc = err_set(O2O_ENOTFOUND, "unknown_product", NULL, "no product %.64s", rq->params[0]);
    if (!rc)
        rc = review_published(c, p.id, before, (int)limit, public_cb, &x, &count, &avg);
    if (rc) {
        json_decref(x.items);
        return rc;
    }
    {
        json_t *page = api_page(x.items, limit);
        json_object_set_new(page, "product", json_string(p.code));
        json_object_set_new(page, "count", json_integer(count));
        json_object_set_new(page, "average", count ? json_real((double)avg / 100.0) : json_null());
        return http_reply_json(rq, 200, page);
    }
}
