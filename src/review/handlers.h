/*
** handlers.h -- the HTTP handlers of review/ for the route table (app/routes.c):
** a member's review and its revision, the staff's list, moderation and reply,
** and a product's published reviews.
*/
#ifndef O2O_REVIEW_HANDLERS_H
#define O2O_REVIEW_HANDLERS_H

#include "api/api.h"
#include "http/http.h"

int api_product_reviews(struct http_req *rq);
int api_reviews_create(struct http_req *rq);
int api_reviews_list(struct http_req *rq);
int api_reviews_moderate(struct http_req *rq);
int api_reviews_reply(struct http_req *rq);
int api_reviews_revise(struct http_req *rq);
#endif
