/*
** api_sms_in.c -- POST /v1/messaging/{provider}/replies: SMS replies an SMS provider
** pushes (Aliyun's SmsUp, Tencent's reply callback) taken in by the desk as
** messages by SMS from the sender's phone: she is recognised by it, her reply
** joins her open conversation. The URL carries the provider's callback_token; a
** reply pushed twice is taken once (the provider's sequence, or a digest).
*/
#include "api/api.h"
#include "desk/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"
#include "desk/conversation.h"
#include "notify/messaging.h"

#define MODULE_NAME "desk/api_sms_in"
#define MAX_REPLIES 50

struct replies {
    struct db_job job;            /* must be first */
    struct http_pending *pending;
    char provider[16];
    int n, taken;
    struct desk_inbound in[MAX_REPLIES];
};

static int collect(const struct notify_reply *r, void *arg)
{
    struct replies *p = arg;
    struct desk_inbound *in;
    if (p->n >= MAX_REPLIES)
        return err_set(O2O_ETOOBIG, "too_many", NULL, "at most %d replies a push", MAX_REPLIES);
    in = &p->in[p->n++];
    str_copy(in->medium, sizeof in->medium, "sms");
    str_copy(in->id_kind, sizeof in->id_kind, "phone");
    str_copy(in->id_value, sizeof in->id_value, r->from);
    str_copy(in->body, sizeof in->body, r->text);
    str_copy(in->external_ref, sizeof in->external_ref, r->ref);
    in->at = r->at ? r->at : now_ms();
    return 0;
}

static int take_run(struct db_conn *c, void *arg)
{
    struct replies *p = arg;
    p->taken = 0;
    for (int i = 0; i < p->n; i++) {
        struct desk_intake out;
        int rc = desk_receive(c, &p->in[i], &out);
        if (rc == O2O_EINVAL) { /* a number or a text the desk cannot take: logged, not retried forever */
            log_warn("%s reply from %s not taken: %s", p->provider, p->in[i].id_value, err_last()->msg);
            err_clear();
            continue;
        }
        if (rc)
            return rc;
        p->taken += !out.duplicate;
    }
    return 0;
}

static void take_done(struct db_job *j)
{
    struct replies *p = (struct replies *)j;
    const char *answer = notify_callback_answer(p->provider);
    if (j->rc) {
        err_restore(&j->err);
        http_complete_error(p->pending, j->rc);
    } else {
        http_complete(p->pending, 200, xstrdup(answer), strlen(answer), false);
    }
    free(p);
}

int api_messaging_replies(struct http_req *rq)
{
    struct replies *p;
    const char *provider = rq->params[0];
    int rc = notify_sms_callback(api_app()->messengers, provider, http_query(rq, "token"));
    if (rc)
        return rc;
    p = xcalloc(1, sizeof *p);
    str_copy(p->provider, sizeof p->provider, provider);
    rc = notify_parse_replies(provider, rq->body ? rq->body : "", rq->body_len, collect, p);
    if (rc) {
        free(p);
        return rc;
    }
    api_submit(rq, &p->pending, &p->job, take_run, take_done, p);
    return 0;
}
