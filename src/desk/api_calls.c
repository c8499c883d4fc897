/*
** api_calls.c -- POST /v1/desk/calls: the call centre logs each call (its webhook,
** signed with HMAC-SHA256 over "TIMESTAMP\nBODY" under the call_centre secret of
** the --messaging file; docs/desk.md): the customer's number, the direction, when
** and how long, the agent's note and the recording's link. The call joins her
** conversation by the phone medium (recognised by her number), once per call id.
*/
#include "api/api.h"
#include "desk/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "desk/conversation.h"
#include "notify/messaging.h"

struct call_arg {
    struct desk_inbound in;
};

static int call_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct call_arg *a = arg;
    struct desk_intake r;
    int rc = desk_receive(c, &a->in, &r);
    (void)who;
    if (!rc)
        *out = json_pack("{s:I, s:I, s:o, s:b}", "conversation_id", (json_int_t)r.conversation_id, "message_id",
                         (json_int_t)r.message_id, "member_id", r.member_id ? json_integer(r.member_id) : json_null(),
                         "duplicate", r.duplicate);
    return rc;
}

int api_desk_calls(struct http_req *rq)
{
    struct call_arg *a;
    struct notify_call call;
    int rc;
    if (!notify_call_signed(api_app()->messengers, http_header(rq, "x-o2o-timestamp"),
                            http_header(rq, "x-o2o-signature"), rq->body ? rq->body : "", rq->body_len))
        return err_set(O2O_EUNAUTH, "bad_signature", "X-O2O-Signature", "not signed by the call centre, or stale");
    if ((rc = notify_parse_call(rq->body ? rq->body : "", rq->body_len, &call)))
        return rc;
    a = xcalloc(1, sizeof *a);
    str_copy(a->in.medium, sizeof a->in.medium, "phone");
    str_copy(a->in.id_kind, sizeof a->in.id_kind, "phone");
    str_copy(a->in.id_value, sizeof a->in.id_value, call.customer);
    snprintf(a->in.body, sizeof a->in.body, "%s call, %lld min %02lld s%s%.64s%s%.1024s%s%.512s",
             !strcmp(call.direction, "inbound") ? "Inbound" : "Outbound", (long long)(call.duration_s / 60),
             (long long)(call.duration_s % 60), call.agent[0] ? ", agent " : "", call.agent,
             call.summary[0] ? ": " : "", call.summary, call.recording_url[0] ? "\nRecording: " : "",
             call.recording_url);
    snprintf(a->in.external_ref, sizeof a->in.external_ref, "call:%.120s", call.call_id);
    a->in.at = call.started_at;
    return api_write(rq, call_body, a, 200);
}
