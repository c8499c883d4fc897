/*
** api_points.c -- /v1/members/{id}/points: balance and history; earn, redeem,
** adjust and transfer as idempotent writes. Any channel may spend points
** earned in any other.
*/
#include "api/api.h"
#include "member/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "member/access.h"
#include "member/member.h"
#include "member/points.h"
#include "org/channel.h"
#include "org/location.h"
#include "org/settings.h"

static json_t *render_entry(const struct points_entry *e)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)e->id, "member_id",
                          (json_int_t)e->member_id, "kind", e->kind, "points", (json_int_t)e->points, "channel",
                          e->channel, "reason", e->reason, "ref", e->ref, "created_at", jtime(e->created_at));
    if (e->points > 0)
        json_object_set_new(o, "expires_at", jtime(e->expires_at));
    return o;
}

static int entry_cb(const struct points_entry *e, void *arg)
{
    json_array_append_new(arg, render_entry(e));
    return 0;
}

int api_points_get(struct http_req *rq)
{
    struct member m;
    int64_t id, limit, before, value_fen = 1;
    json_t *items;
    int rc = api_param_id(rq, 0, "member", &id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, id, MEMBER_SEE);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 500, 50, &limit);
    if (!rc)
        rc = api_query_int(rq, "cursor", 0, INT64_MAX, 0, &before);
    if (!rc)
        rc = member_get(api_reader(), id, &m);
    if (rc)
        return rc;
    items = json_array();
    rc = points_history(api_reader(), id, before, (int)limit, entry_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    if (settings_i64(api_reader(), "points_value_fen", 1, &value_fen))
        value_fen = 1;
    return http_reply_json(
        rq, 200,
        json_pack("{s:I, s:I, s:I, s:s, s:o, s:o}", "member_id", (json_int_t)id, "balance", (json_int_t)m.points,
                  "value", (json_int_t)(m.points * value_fen), "tier", m.tier, "items", items, "next_cursor",
                  (int64_t)json_array_size(items) == limit
                      ? json_integer(json_integer_value(json_object_get(json_array_get(items, json_array_size(items) - 1), "id")))
                      : json_null()));
}

enum pkind { P_EARN, P_REDEEM, P_ADJUST, P_TRANSFER };

struct points_arg {
    enum pkind kind;
    struct points_op op;
};

/* What an operation does to its member (and, for a transfer by staff, to the other). */
static int check_access(struct db_conn *c, const struct principal *who, const struct points_arg *a)
{
    switch (a->kind) {
    case P_EARN: /* points outside the earn rule are a gift: only those who may adjust give them */
        return access_member(c, who, a->op.member_id, a->op.points ? MEMBER_GIVE : MEMBER_EARN);
    case P_REDEEM: return access_member(c, who, a->op.member_id, MEMBER_SPEND);
    case P_ADJUST: return access_member(c, who, a->op.member_id, MEMBER_GIVE);
    case P_TRANSFER:
        if (who->role == ROLE_MEMBER)
            return access_member(c, who, a->op.member_id, MEMBER_SPEND);
        if (access_member(c, who, a->op.member_id, MEMBER_MERGE))
            return err_last()->rc;
        return a->op.to_member_id ? access_member(c, who, a->op.to_member_id, MEMBER_MERGE) : 0;
    }
    return 0;
}

static int points_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct points_arg *a = arg;
    struct points_entry e;
    int rc = check_access(c, who, a);
    if (!rc && a->op.location_id)
        rc = scope_check_location(c, who, a->op.location_id);
    if (rc)
        return rc;
    switch (a->kind) {
    case P_EARN: rc = points_earn(c, &a->op, &e); break;
    case P_REDEEM: rc = points_redeem(c, &a->op, &e); break;
    case P_ADJUST: rc = points_adjust(c, who, &a->op, &e); break;
    case P_TRANSFER: rc = points_transfer(c, &a->op, &e); break;
    }
    if (rc)
        return rc;
    *out = render_entry(&e);
    json_object_set_new(*out, "balance", json_integer(e.balance));
    if (e.replayed)
        json_object_set_new(*out, "replayed", json_true());
    return 0;
}

static int points_write(struct http_req *rq, enum pkind kind)
{
    struct points_arg *a = xcalloc(1, sizeof *a);
    char loc[65] = "", to_phone[40] = "";
    int rc;
    a->kind = kind;
    rc = api_param_id(rq, 0, "member", &a->op.member_id);
    if (!rc)
        rc = jin_i64(rq->json, "points", kind != P_EARN, kind == P_ADJUST ? -100000000 : 0, 100000000, &a->op.points,
                     NULL);
    if (!rc && kind == P_EARN)
        rc = jin_i64(rq->json, "amount", false, 0, 100000000000LL, &a->op.amount, NULL);
    if (!rc)
        rc = jin_str(rq->json, "location", false, loc, sizeof loc);
    if (!rc)
        rc = jin_str(rq->json, "reason", kind == P_ADJUST, a->op.reason, sizeof a->op.reason);
    if (!rc)
        rc = jin_str(rq->json, "ref", false, a->op.ref, sizeof a->op.ref);
    if (!rc)
        rc = jin_str(rq->json, "channel", false, a->op.channel, sizeof a->op.channel);
    if (!rc && kind == P_TRANSFER) {
        rc = jin_str(rq->json, "to_phone", false, to_phone, sizeof to_phone);
        if (!rc)
            rc = jin_i64(rq->json, "to_member_id", false, 1, INT64_MAX, &a->op.to_member_id, NULL);
        if (!rc && to_phone[0]) {
            struct member to;
            rc = member_find_by_identity(api_reader(), "phone", to_phone, &to);
            if (rc)
                rc = err_set(O2O_ENOTFOUND, "unknown_member", "to_phone", "no member with phone %s", to_phone);
            else
                a->op.to_member_id = to.id;
        }
        if (!rc && !a->op.to_member_id)
            rc = err_set(O2O_EINVAL, "missing_field", "to_phone", "give to_phone or to_member_id");
    }
    if (!rc && loc[0]) {
        struct location l;
        if (location_get_by_code(api_reader(), loc, &l))
            rc = err_set(O2O_ENOTFOUND, "unknown_location", "location", "no location with code %s", loc);
        else
            a->op.location_id = l.id;
    } else if (!rc && rq->who.scope == SCOPE_LOCATION) {
        a->op.location_id = rq->who.scope_id;
    }
    if (!rc && a->op.channel[0] && !sales_channel_ok(a->op.channel))
        rc = err_set(O2O_EINVAL, NULL, "channel", "channel must be " SALES_CHANNELS_TEXT);
    /* the channel is the key's own channel; staff default to pos, members to app */
    if (rq->who.role == ROLE_CHANNEL || !a->op.channel[0])
        str_copy(a->op.channel, sizeof a->op.channel, sales_channel_default(&rq->who));
    if (rq->idem_key)
        str_copy(a->op.idem_key, sizeof a->op.idem_key, rq->idem_key);
    if (!rc)
        rc = check_access(api_reader(), &rq->who, a); /* early, from the snapshot; again in the write */
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, points_body, a, 201);
}

int api_points_earn(struct http_req *rq)
{
    return points_write(rq, P_EARN);
}
int api_points_redeem(struct http_req *rq)
{
    return points_write(rq, P_REDEEM);
}
int api_points_adjust(struct http_req *rq)
{
    return points_write(rq, P_ADJUST);
}
int api_points_transfer(struct http_req *rq)
{
    return points_write(rq, P_TRANSFER);
}

/* ---- on demand: the expiry job, now or as of a time ---- */

static int expire_points_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    int64_t n = 0;
    int rc = points_expire_due(c, *(int64_t *)arg, &n);
    (void)who;
    if (!rc)
        *out = json_pack("{s:I}", "expired_lots", (json_int_t)n);
    return rc;
}

int api_points_expire(struct http_req *rq)
{
    return api_write_as_of(rq, expire_points_body);
}
