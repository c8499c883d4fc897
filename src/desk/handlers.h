/*
** handlers.h -- the HTTP handlers of desk/ for the route table (app/routes.c): a
** customer's message taken in (POST /v1/desk/messages), the agent's inbox, a
** conversation with its messages, replies, resolving, an agent's availability.
*/
#ifndef O2O_DESK_HANDLERS_H
#define O2O_DESK_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_desk_agent_put(struct http_req *rq);
int api_desk_calls(struct http_req *rq);
int api_desk_context(struct http_req *rq);
int api_desk_goodwill(struct http_req *rq);
int api_desk_resend_pickup(struct http_req *rq);
int api_desk_conversation(struct http_req *rq);
int api_desk_inbox(struct http_req *rq);
int api_desk_link(struct http_req *rq);
int api_desk_receive(struct http_req *rq);
int api_desk_reply(struct http_req *rq);
int api_desk_resolve(struct http_req *rq);
int api_messaging_replies(struct http_req *rq);
int api_wechat_callback(struct http_req *rq);
int api_wechat_verify(struct http_req *rq);
#endif
