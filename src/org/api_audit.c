/*
** api_audit.c -- GET /v1/audit: the audit trail for the owner, newest first (a
** kind of action, or one action; paged by a cursor).
*/
#include "api/api.h"
#include "org/handlers.h"

#include "org/audit.h"

static int audit_cb(const struct audit_entry *e, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)e->id, "actor", e->actor,
                                         "action", e->action, "subject", e->subject, "detail", e->detail, "at",
                                         jtime(e->created_at)));
    return 0;
}

int api_audit_list(struct http_req *rq)
{
    int64_t before, limit;
    const char *action = http_query(rq, "action");
    json_t *items;
    int rc = api_query_int(rq, "cursor", 0, INT64_MAX, 0, &before);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 500, 100, &limit);
    if (rc)
        return rc;
    items = json_array();
    rc = audit_list(api_reader(), action ? action : "", before, (int)limit, audit_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, api_page(items, limit));
}
