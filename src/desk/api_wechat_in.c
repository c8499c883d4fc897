/*
** api_wechat_in.c -- the WeChat Official Account's server URL
** (/v1/messaging/wechat_oa/callback): GET is WeChat's URL check (echostr back when
** signed); POST carries a follower's message or an event as WeChat's XML, plain
** or, in safe mode, encrypted (notify/wechat_callback.c verifies and opens it). A
** message is taken in by the desk as a message by WeChat from her openid (taken
** once: its MsgId); a template message's TEMPLATESENDJOBFINISH event is that
** message's delivery receipt. WeChat is answered "success" (its documented
** acknowledgement), or 401 for a request it did not sign.
*/
#include "api/api.h"
#include "desk/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"
#include "desk/conversation.h"
#include "notify/wechat_callback.h"
#include "org/delivery.h"
#include "org/outbox.h"

#define MODULE_NAME "desk/api_wechat_in"

int api_wechat_verify(struct http_req *rq)
{
    const char *echo = http_query(rq, "echostr");
    if (!wechat_cb_signed(api_app()->messengers, http_query(rq, "signature"), http_query(rq, "timestamp"),
                          http_query(rq, "nonce")))
        return err_set(O2O_EUNAUTH, "bad_signature", "signature", "not signed by WeChat with this account's token");
    return http_reply(rq, 200, "text/plain; charset=utf-8", echo ? echo : "", echo ? strlen(echo) : 0);
}

struct wx_in {
    struct db_job job;            /* must be first */
    struct http_pending *pending;
    struct wechat_push p;
    struct desk_inbound in;
    bool receipt, message, applied;
};

static int wx_run(struct db_conn *c, void *arg)
{
    struct wx_in *w = arg;
    struct desk_intake out;
    if (w->receipt)
        return outbox_receipt(c, "wechat_oa", w->p.msg_id, 0, !strcmp(w->p.status, "success"), w->p.status,
                              w->p.create_time * 1000, &w->applied);
    if (w->message)
        return desk_receive(c, &w->in, &out);
    return 0;
}

static void wx_done(struct db_job *j)
{
    struct wx_in *w = (struct wx_in *)j;
    if (j->rc) {
        err_restore(&j->err);
        http_complete_error(w->pending, j->rc);
    } else {
        if (w->receipt && w->applied)
            delivery_count_receipt("wechat_oa", !strcmp(w->p.status, "success"));
        http_complete_as(w->pending, 200, "text/plain; charset=utf-8", xstrdup("success"), 7, false);
    }
    free(w);
}

int api_wechat_callback(struct http_req *rq)
{
    struct wx_in *w = xcalloc(1, sizeof *w);
    int rc = wechat_cb_read(api_app()->messengers, rq->body ? rq->body : "", rq->body_len,
                            http_query(rq, "signature"), http_query(rq, "msg_signature"), http_query(rq, "timestamp"),
                            http_query(rq, "nonce"), &w->p);
    if (rc) {
        free(w);
        return rc;
    }
    if (!strcmp(w->p.msg_type, "event")) {
        w->receipt = !strcmp(w->p.event, "TEMPLATESENDJOBFINISH") && w->p.msg_id[0];
    } else {
        struct desk_inbound *in = &w->in;
        w->message = true;
        str_copy(in->medium, sizeof in->medium, "wechat");
        str_copy(in->id_kind, sizeof in->id_kind, "wechat_openid");
        str_copy(in->id_value, sizeof in->id_value, w->p.from);
        if (!strcmp(w->p.msg_type, "text") || (!strcmp(w->p.msg_type, "voice") && w->p.content[0]))
            str_copy(in->body, sizeof in->body, w->p.content);
        else /* a picture, a voice, a location...: what it is, and where WeChat keeps it */
            snprintf(in->body, sizeof in->body, "[%s]%s%.512s", w->p.msg_type, w->p.pic_url[0] ? " " : "",
                     w->p.pic_url);
        snprintf(in->external_ref, sizeof in->external_ref, "wx:%s", w->p.msg_id[0] ? w->p.msg_id : "");
        if (!w->p.msg_id[0]) /* WeChat numbers every message; without one, its sender and time */
            snprintf(in->external_ref, sizeof in->external_ref, "wx:%.100s:%lld", w->p.from,
                     (long long)w->p.create_time);
        in->at = w->p.create_time ? w->p.create_time * 1000 : now_ms();
    }
    api_submit(rq, &w->pending, &w->job, wx_run, wx_done, w);
    return 0;
}
