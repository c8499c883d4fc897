/*
** api_desk_actions.c -- the commerce beside a conversation, for the agent who
** holds it (or a manager): who the customer is and her latest orders with their
** fulfilments, payments and timelines (GET .../context); and what the desk may do
** for her: say a ready pickup's code again (POST .../resend-pickup) and give a
** goodwill coupon within the chain's limits (POST .../goodwill-coupon:
** desk_goodwill_max_fen for an amount off, desk_goodwill_max_percent for a
** percentage; a manager may give twice as much). Each action is audited under the
** conversation; a resent code is on the order's timeline too.
*/
#include "api/api.h"
#include "desk/handlers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "desk/conversation.h"
#include "member/coupon.h"
#include "member/handlers.h"
#include "member/member.h"
#include "org/audit.h"
#include "org/settings.h"
#include "sales/handlers.h"
#include "sales/order.h"
#include "sales/order_list.h"

#define CONTEXT_ORDERS 5
#define GOODWILL_DAYS 30

/* The conversation's member, if `who` may act in it: its holder, or a manager. */
static int her(struct db_conn *c, const struct principal *who, int64_t conv, int64_t *member_id)
{
    struct desk_conversation x;
    int rc = desk_conversation_get(c, conv, &x);
    if (rc)
        return rc;
    if (!(who->role & ROLE_MANAGERS) && x.agent_id != who->id)
        return err_set(O2O_EFORBIDDEN, "not_your_conversation", NULL, "conversation %lld is another agent's",
                       (long long)conv);
    if ((rc = desk_conversation_member(c, conv, member_id)))
        return rc;
    if (!*member_id)
        return err_set(O2O_ECONFLICT, "not_a_member", NULL,
                       "the sender is not known as a member: link her first (POST /v1/desk/contacts/{id}/link)");
    return 0;
}

struct ids {
    int64_t id[CONTEXT_ORDERS];
    int n;
};

static int order_cb(const struct order_row *r, void *arg)
{
    struct ids *x = arg;
    if (x->n < CONTEXT_ORDERS)
        x->id[x->n++] = r->id;
    return 0;
}

int api_desk_context(struct http_req *rq)
{
    struct db_conn *c = api_reader();
    struct order_filter f;
    struct ids ids = {{0}, 0};
    struct member m;
    json_t *orders = json_array();
    int64_t conv, member_id = 0;
    bool more = false;
    int rc = api_param_id(rq, 0, "conversation", &conv);
    if (!rc)
        rc = her(c, &rq->who, conv, &member_id);
    if (!rc)
        rc = member_get(c, member_id, &m);
    memset(&f, 0, sizeof f);
    f.member_id = member_id;
    f.limit = CONTEXT_ORDERS;
    if (!rc)
        rc = order_list(c, &f, order_cb, &ids, &more);
    for (int i = 0; !rc && i < ids.n; i++) {
        json_t *ref = json_pack("{s:I}", "order_id", (json_int_t)ids.id[i]), *view = NULL;
        rc = api_order_view(c, ref, &view);
        json_decref(ref);
        if (!rc)
            json_array_append_new(orders, view);
    }
    if (rc) {
        json_decref(orders);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:I, s:o, s:o}", "conversation_id", (json_int_t)conv, "member",
                                              api_render_member(&m), "orders", orders));
}

/* ---- actions ---- */

struct act {
    int64_t conv, order_id, value;
    char kind[12], reason[129];
};

/* What the desk did for her, in the audit log under her conversation. */
static int note(struct db_conn *c, const struct principal *who, int64_t conv, const char *text)
{
    char subject[40];
    snprintf(subject, sizeof subject, "conversation:%" PRId64, conv);
    return audit_add(c, who, "desk.action", subject, text);
}

static int resend_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct act *a = arg;
    struct order *o = xcalloc(1, sizeof *o);
    char actor[48], sent_to[32], text[160];
    int64_t member_id = 0;
    int rc = her(c, who, a->conv, &member_id);
    if (!rc)
        rc = order_get(c, a->order_id, o);
    if (!rc && o->member_id != member_id)
        rc = err_set(O2O_EFORBIDDEN, "not_her_order", "order_id", "order %" PRId64 " is not hers", a->order_id);
    free(o);
    principal_tag(who, actor);
    if (!rc)
        rc = order_resend_pickup(c, a->order_id, actor, sent_to);
    snprintf(text, sizeof text, "pickup code of order %" PRId64 " sent again to %s", a->order_id,
             sent_to[0] ? sent_to : "nobody");
    if (!rc)
        rc = note(c, who, a->conv, text);
    if (!rc)
        *out = json_pack("{s:I, s:o}", "order_id", (json_int_t)a->order_id, "sent_to", jstr_or_null(sent_to));
    return rc;
}

int api_desk_resend_pickup(struct http_req *rq)
{
    struct act *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "conversation", &a->conv);
    if (!rc)
        rc = jin_i64(rq->json, "order_id", true, 1, INT64_MAX, &a->order_id, NULL);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, resend_body, a, 200);
}

static int coupon_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct act *a = arg;
    struct coupon cp;
    char text[200];
    int64_t member_id = 0, max_fen = 5000, max_pct = 20, limit;
    bool pct = !strcmp(a->kind, "percent");
    int rc = her(c, who, a->conv, &member_id);
    if (!rc)
        rc = settings_i64(c, "desk_goodwill_max_fen", 5000, &max_fen);
    if (!rc)
        rc = settings_i64(c, "desk_goodwill_max_percent", 20, &max_pct);
    if (rc)
        return rc;
    limit = (pct ? max_pct : max_fen) * ((who->role & ROLE_MANAGERS) ? 2 : 1);
    if (a->value > limit)
        return err_set(O2O_EFORBIDDEN, "over_goodwill_limit", "value", "you may give at most %" PRId64 "%s", limit,
                       pct ? "%" : " fen");
    memset(&cp, 0, sizeof cp);
    cp.member_id = member_id;
    str_copy(cp.kind, sizeof cp.kind, pct ? "percent" : "amount");
    cp.value = a->value;
    cp.valid_from = now_ms();
    cp.valid_until = cp.valid_from + (int64_t)GOODWILL_DAYS * 86400000;
    snprintf(cp.reason, sizeof cp.reason, "goodwill, desk case %" PRId64 "%s%.80s", a->conv, a->reason[0] ? ": " : "",
             a->reason);
    if ((rc = coupon_create(c, &cp)))
        return rc;
    snprintf(text, sizeof text, "goodwill coupon %s: %" PRId64 "%s off, for member %" PRId64, cp.code, cp.value,
             pct ? "%" : " fen", member_id);
    if ((rc = note(c, who, a->conv, text)))
        return rc;
    *out = json_pack("{s:s, s:s, s:I, s:I, s:o}", "code", cp.code, "kind", cp.kind, "value", (json_int_t)cp.value,
                     "member_id", (json_int_t)member_id, "valid_until", jtime(cp.valid_until));
    return 0;
}

int api_desk_goodwill(struct http_req *rq)
{
    struct act *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "conversation", &a->conv);
    if (!rc)
        rc = jin_str(rq->json, "kind", true, a->kind, sizeof a->kind);
    if (!rc && strcmp(a->kind, "amount") && strcmp(a->kind, "percent"))
        rc = err_set(O2O_EINVAL, "out_of_range", "kind", "kind is amount (fen off) or percent");
    if (!rc)
        rc = jin_i64(rq->json, "value", true, 1, 100000000, &a->value, NULL);
    if (!rc && !strcmp(a->kind, "percent") && a->value > 100)
        rc = err_set(O2O_EINVAL, "out_of_range", "value", "a percentage is 1 to 100");
    if (!rc)
        rc = jin_str(rq->json, "reason", false, a->reason, sizeof a->reason);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, coupon_body, a, 201);
}
