/*
** handlers.h -- the HTTP handlers of stock/ for the route table (app/routes.c): stock,
** movements, transfers, reservations, lookups by barcode and by distance.
*/
#ifndef O2O_STOCK_HANDLERS_H
#define O2O_STOCK_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_reservations_consume(struct http_req *rq);
int api_reservations_create(struct http_req *rq);
int api_reservations_expire(struct http_req *rq);
int api_reservations_get(struct http_req *rq);
int api_reservations_release(struct http_req *rq);
int api_skus_availability(struct http_req *rq);
int api_skus_lookup(struct http_req *rq);
int api_stock_get(struct http_req *rq);
int api_stock_move(struct http_req *rq);
int api_stock_movements(struct http_req *rq);
int api_stock_transfer(struct http_req *rq);
#endif
