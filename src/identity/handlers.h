/*
** handlers.h -- the HTTP handlers of identity/ for the route table (app/routes.c):
** staff sign-in, sessions, API keys, one-time codes, a member identified at a till; the
** authorisation hook of every request.
*/
#ifndef O2O_IDENTITY_HANDLERS_H
#define O2O_IDENTITY_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_auth_login(struct http_req *rq);
int api_auth_logout(struct http_req *rq);
int api_auth_otp(struct http_req *rq);
int api_auth_otp_verify(struct http_req *rq);
int api_keys_create(struct http_req *rq);
int api_keys_list(struct http_req *rq);
int api_keys_revoke(struct http_req *rq);
int api_me(struct http_req *rq);
int api_member_code(struct http_req *rq);
int api_staff_create(struct http_req *rq);
int api_staff_list(struct http_req *rq);
int api_staff_update(struct http_req *rq);
int api_till_identify(struct http_req *rq);

/* The authorisation hook for http_config.authorize; it also opens the request's
** read snapshot, which api_after (http_config.after) closes. */
int api_authorize(struct http_req *rq);

void api_after(struct http_req *rq);
#endif
