/*
** handlers.h -- the HTTP handlers of app/ for the route table (app/routes.c): the
** routes about the process itself: landing page, health, metrics, OpenAPI; and
** the pages of the console and of the member (api_web.c).
*/
#ifndef O2O_APP_HANDLERS_H
#define O2O_APP_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_healthz(struct http_req *rq);
int api_landing(struct http_req *rq);
int api_metrics(struct http_req *rq);
int api_openapi(struct http_req *rq);
int api_console_page(struct http_req *rq);
int api_console_file(struct http_req *rq);
int api_member_page(struct http_req *rq);
int api_member_file(struct http_req *rq);
#endif
