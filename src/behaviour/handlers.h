/*
** handlers.h -- the HTTP handlers of behaviour/ for the route table (app/routes.c): the
** event intake, funnels, paths, the web snippet.
*/
#ifndef O2O_BEHAVIOUR_HANDLERS_H
#define O2O_BEHAVIOUR_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_events_create(struct http_req *rq);
int api_funnel(struct http_req *rq);
int api_paths(struct http_req *rq);
int api_snippet(struct http_req *rq);
#endif
