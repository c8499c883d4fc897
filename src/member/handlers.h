/*
** handlers.h -- the HTTP handlers of member/ for the route table (app/routes.c):
** members, identities, consents, points, coupons, relations; a member as the API shows
** it.
*/
#ifndef O2O_MEMBER_HANDLERS_H
#define O2O_MEMBER_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_coupons_create(struct http_req *rq);
int api_member_coupons(struct http_req *rq);
int api_members_create(struct http_req *rq);
int api_members_get(struct http_req *rq);
int api_members_link(struct http_req *rq);
int api_members_lookup(struct http_req *rq);
int api_members_search(struct http_req *rq);
int api_members_merge(struct http_req *rq);
int api_members_update(struct http_req *rq);
int api_points_adjust(struct http_req *rq);
int api_points_earn(struct http_req *rq);
int api_points_expire(struct http_req *rq);
int api_points_get(struct http_req *rq);
int api_points_redeem(struct http_req *rq);
int api_points_transfer(struct http_req *rq);

struct member;
json_t *api_render_member(const struct member *m);
#endif
