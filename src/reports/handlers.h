/*
** handlers.h -- the HTTP handlers of reports/ for the route table (app/routes.c): daily
** and monthly reports, the today board, subscriptions, demand, and the turns that build reports at
** closing time and deliver the outbox.
*/
#ifndef O2O_REPORTS_HANDLERS_H
#define O2O_REPORTS_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/http.h"

int api_board(struct http_req *rq);
int api_demand(struct http_req *rq);
int api_report_subscribe(struct http_req *rq);
int api_report_subscriptions(struct http_req *rq);
int api_report_unsubscribe(struct http_req *rq);
int api_reports_daily(struct http_req *rq);
int api_reports_monthly(struct http_req *rq);
int api_reports_run(struct http_req *rq);

/* A turn builds the reports due at each store's closing time (reports/api_reports.c). */
void api_reports_tick(void *arg);

/* The outbox's e-mails (SMTP at smtp, "" for none) and webhooks (signed with secret
** when given) (reports/api_deliver.c): a turn delivers what is due. */
void api_deliver_configure(const char *smtp, const char *from, const char *secret);

void api_deliver_tick(void *arg);
#endif
