/*
** handlers.h -- the HTTP handlers of presence/ for the route table (app/routes.c):
** zones, sightings, a store's presence, place-and-time rules.
*/
#ifndef O2O_PRESENCE_HANDLERS_H
#define O2O_PRESENCE_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_presence_create(struct http_req *rq);
int api_presence_rules_delete(struct http_req *rq);
int api_presence_rules_list(struct http_req *rq);
int api_presence_rules_put(struct http_req *rq);
int api_store_presence(struct http_req *rq);
int api_zones_list(struct http_req *rq);
int api_zones_put(struct http_req *rq);
#endif
