/*
** api_receipts.c -- POST /v1/messaging/{provider}/receipts: delivery receipts an
** SMS provider pushes (Aliyun's SmsReport, Tencent's status callback), each
** applied once to the message it names: delivered, or failed with the
** provider's reason and moved to the member's fallback medium. The URL the chain
** gives the provider carries its callback_token (?token=...); a push without it
** is refused. A receipt for no message of ours is acknowledged and logged, so the
** provider stops pushing it.
*/
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "org/handlers.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"
#include "notify/messaging.h"
#include "org/delivery.h"
#include "org/outbox.h"

#define MODULE_NAME "org/api_receipts"
#define MAX_RECEIPTS 200

struct receipts {
    struct db_job job;            /* must be first */
    struct http_pending *pending;
    char provider[16];
    int n, applied, unknown;
    struct notify_receipt r[MAX_RECEIPTS];
    bool done[MAX_RECEIPTS];
};

static int collect(const struct notify_receipt *r, void *arg)
{
    struct receipts *p = arg;
    if (p->n >= MAX_RECEIPTS)
        return err_set(O2O_ETOOBIG, "too_many", NULL, "at most %d receipts a push", MAX_RECEIPTS);
    p->r[p->n++] = *r;
    return 0;
}

static int apply_run(struct db_conn *c, void *arg)
{
    struct receipts *p = arg;
    p->applied = p->unknown = 0;
    for (int i = 0; i < p->n; i++) {
        int rc = outbox_receipt(c, p->provider, p->r[i].ref, p->r[i].outbox_id, p->r[i].delivered, p->r[i].reason,
                                p->r[i].at, &p->done[i]);
        if (rc)
            return rc;
        p->applied += p->done[i];
    }
    return 0;
}

static void apply_done(struct db_job *j)
{
    struct receipts *p = (struct receipts *)j;
    const char *answer = notify_callback_answer(p->provider);
    if (j->rc) {
        err_restore(&j->err);
        http_complete_error(p->pending, j->rc);
        free(p);
        return;
    }
    for (int i = 0; i < p->n; i++) {
        if (p->done[i])
            delivery_count_receipt(p->provider, p->r[i].delivered);
        else
            log_info("%s receipt for %s (outbox %lld): no message waits for it (a repeat, or not ours)", p->provider,
                     p->r[i].ref, (long long)p->r[i].outbox_id);
    }
    http_complete(p->pending, 200, xstrdup(answer), strlen(answer), false);
    free(p);
}

int api_messaging_receipts(struct http_req *rq)
{
    struct receipts *p;
    const char *provider = rq->params[0];
    int rc = notify_sms_callback(api_app()->messengers, provider, http_query(rq, "token"));
    if (rc)
        return rc;
    p = xcalloc(1, sizeof *p);
    str_copy(p->provider, sizeof p->provider, provider);
    rc = notify_parse_receipts(provider, rq->body ? rq->body : "", rq->body_len, collect, p);
    if (rc) {
        free(p);
        return rc;
    }
    api_submit(rq, &p->pending, &p->job, apply_run, apply_done, p);
    return 0;
}
