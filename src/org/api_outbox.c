/*
** api_outbox.c -- GET /v1/outbox: what waits to leave the system and what left
** (for operators), newest first, optionally for one recipient.
*/
#include "api/api.h"
#include "org/handlers.h"

#include "org/outbox.h"

static int outbox_cb(const struct outbox_msg *m, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o}", "id", (json_int_t)m->id, "topic",
                                         m->topic, "recipient", m->recipient, "payload", m->payload, "status",
                                         m->status, "attempts", (json_int_t)m->attempts, "created_at",
                                         jtime(m->created_at)));
    return 0;
}

int api_outbox_list(struct http_req *rq)
{
    const char *to = http_query(rq, "recipient");
    int64_t limit;
    json_t *items = json_array();
    int rc = api_query_int(rq, "limit", 1, 500, 50, &limit);
    if (!rc)
        rc = outbox_list(api_reader(), to ? to : "", (int)limit, outbox_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}
