/*
** handlers.h -- the HTTP handlers of org/ for the route table (app/routes.c): regions
** and locations, settings and tiers, the outbox; a location as the API shows it.
*/
#ifndef O2O_ORG_HANDLERS_H
#define O2O_ORG_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_audit_list(struct http_req *rq);
int api_locations_create(struct http_req *rq);
int api_locations_get(struct http_req *rq);
int api_locations_list(struct http_req *rq);
int api_locations_update(struct http_req *rq);
int api_messaging_receipts(struct http_req *rq);
int api_outbox_list(struct http_req *rq);
int api_regions_create(struct http_req *rq);
int api_regions_list(struct http_req *rq);
int api_settings_get(struct http_req *rq);
int api_settings_update(struct http_req *rq);
int api_tiers_list(struct http_req *rq);
int api_tiers_update(struct http_req *rq);

struct location;
json_t *api_render_location(const struct location *l);
#endif
