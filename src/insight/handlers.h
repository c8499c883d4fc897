/*
** handlers.h -- the HTTP handlers of insight/ for the route table (app/routes.c): tags,
** profiles, life stages, rules, attribution, recommendations and the turn that keeps
** their model.
*/
#ifndef O2O_INSIGHT_HANDLERS_H
#define O2O_INSIGHT_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_attribution(struct http_req *rq);
int api_insight_rules(struct http_req *rq);
int api_life_rules_delete(struct http_req *rq);
int api_life_rules_list(struct http_req *rq);
int api_life_rules_put(struct http_req *rq);
int api_member_profile(struct http_req *rq);
int api_member_recommendations(struct http_req *rq);
int api_member_tags(struct http_req *rq);
int api_recommend_rebuild(struct http_req *rq);
int api_relations_accept(struct http_req *rq);
int api_relations_add(struct http_req *rq);
int api_relations_list(struct http_req *rq);
int api_relations_remove(struct http_req *rq);
int api_store_core_customers(struct http_req *rq);

/* The recommendation model (insight/api_recommend.c): a turn builds it when it is due (the
** first turn, every every_ms after, or asked for) and writes the impressions
** gathered; close writes what is left and frees the model. */
void api_recommend_open(int64_t every_ms);

void api_recommend_tick(void *arg);

void api_recommend_close(void);
#endif
