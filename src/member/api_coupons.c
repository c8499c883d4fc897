/*
** api_coupons.c -- /v1/coupons and /v1/members/{id}/coupons: issue a coupon (to one
** member or to anyone) and list a member's coupons.
*/
#include "api/api.h"
#include "member/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "member/access.h"
#include "member/coupon.h"
#include "member/member.h"
#include "org/location.h"

static json_t *render_coupon(const struct coupon *cp)
{
    return json_pack("{s:s, s:o, s:s, s:I, s:I, s:o, s:o, s:s, s:o, s:s}", "code", cp->code, "member_id",
                     cp->member_id ? json_integer(cp->member_id) : json_null(), "kind", cp->kind, "value",
                     (json_int_t)cp->value, "min_spend", (json_int_t)cp->min_spend, "valid_from", jtime(cp->valid_from),
                     "valid_until", jtime(cp->valid_until), "status", cp->status, "order_id",
                     cp->order_id ? json_integer(cp->order_id) : json_null(), "reason", cp->reason);
}

static int coupon_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct coupon *cp = arg;
    struct member m;
    int rc;
    (void)who;
    if (cp->member_id && member_get(c, cp->member_id, &m))
        return err_set(O2O_ENOTFOUND, "unknown_member", "member_id", "no such member");
    rc = coupon_create(c, cp);
    if (!rc)
        *out = render_coupon(cp);
    return rc;
}

int api_coupons_create(struct http_req *rq)
{
    struct coupon *cp = xcalloc(1, sizeof *cp);
    int64_t days = 30;
    bool has_from = false;
    int rc = jin_str(rq->json, "code", false, cp->code, sizeof cp->code);
    if (!rc)
        rc = jin_i64(rq->json, "member_id", false, 1, INT64_MAX, &cp->member_id, NULL);
    if (!rc)
        rc = jin_str(rq->json, "kind", true, cp->kind, sizeof cp->kind);
    if (!rc)
        rc = jin_i64(rq->json, "value", true, 1, 100000000000LL, &cp->value, NULL);
    if (!rc)
        rc = jin_i64(rq->json, "min_spend", false, 0, 100000000000LL, &cp->min_spend, NULL);
    if (!rc)
        rc = jin_time(rq->json, "valid_from", &cp->valid_from, &has_from);
    if (!rc)
        rc = jin_i64(rq->json, "valid_days", false, 1, 3650, &days, NULL);
    if (!rc)
        rc = jin_str(rq->json, "reason", false, cp->reason, sizeof cp->reason);
    if (rc) {
        free(cp);
        return rc;
    }
    if (!has_from)
        cp->valid_from = now_ms();
    cp->valid_until = cp->valid_from + days * 86400000LL;
    return api_write(rq, coupon_body, cp, 201);
}

static int coupon_cb(const struct coupon *cp, void *arg)
{
    json_array_append_new(arg, render_coupon(cp));
    return 0;
}

int api_member_coupons(struct http_req *rq)
{
    int64_t id;
    json_t *items;
    struct member m;
    int rc = api_param_id(rq, 0, "member", &id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, id, MEMBER_SEE);
    if (!rc)
        rc = member_get(api_reader(), id, &m);
    if (rc)
        return rc;
    items = json_array();
    rc = coupon_list(api_reader(), id, coupon_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}
