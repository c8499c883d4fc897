/*
** api_outbox.c -- GET /v1/outbox: what waits to leave the system and what left
** (for operators), newest first, optionally for one recipient or in one state:
** which provider took it, when it was delivered, why it failed or moved.
*/
#include <string.h>

#include "api/api.h"
#include "org/handlers.h"

#include "org/outbox.h"

static json_t *opt_time(int64_t ms)
{
    return ms ? jtime(ms) : json_null();
}

static int outbox_cb(const struct outbox_msg *m, void *arg)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
                          "id", (json_int_t)m->id, "topic", m->topic, "recipient", m->recipient, "payload", m->payload,
                          "status", m->status, "attempts", (json_int_t)m->attempts, "created_at", jtime(m->created_at),
                          "template", m->template_name, "purpose", m->purpose, "member_id",
                          m->member_id ? json_integer(m->member_id) : json_null(), "provider", m->provider,
                          "provider_ref", m->provider_ref, "reason", m->reason, "next_at", jtime(m->next_at),
                          "sent_at", opt_time(m->sent_at), "delivered_at", opt_time(m->delivered_at), "fallback",
                          m->fallback_topic[0] ? json_string(m->fallback_topic) : json_null());
    json_array_append_new(arg, o);
    return 0;
}

int api_outbox_list(struct http_req *rq)
{
    const char *to = http_query(rq, "recipient"), *status = http_query(rq, "status");
    int64_t limit;
    json_t *items = json_array();
    int rc = api_query_int(rq, "limit", 1, 500, 50, &limit);
    if (!rc && status && *status && strcmp(status, "pending") && strcmp(status, "sent") && strcmp(status, "failed"))
        rc = err_set(O2O_EINVAL, "bad_status", "status", "status is pending, sent or failed");
    if (!rc)
        rc = outbox_list(api_reader(), to ? to : "", status ? status : "", (int)limit, outbox_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}
