/*
** api_members.c -- /v1/members: register by phone, read, update consents, link
** channel identities, look up by any identity, merge duplicates.
*/
#include "api/api.h"
#include "member/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "member/access.h"
#include "member/member.h"
#include "member/member_search.h"
#include "org/location.h"
#include "org/settings.h"

json_t *api_render_member(const struct member *m)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:I, s:{s:b, s:b, s:b, s:b}, s:{s:s, s:o, s:o}, s:o, s:o}",
                     "id", (json_int_t)m->id, "phone", m->phone, "name", m->name, "status", m->status, "merged_into",
                     m->merged_into ? json_integer(m->merged_into) : json_null(), "tier", m->tier, "points",
                     (json_int_t)m->points, "consent", "marketing", m->consent_marketing, "sms", m->consent_sms,
                     "email", m->consent_email, "service", m->consent_service, "reach", "prefer", m->prefer_medium,
                     "fallback", jstr_or_null(m->fallback_medium), "quiet_hours", jstr_or_null(m->quiet_hours),
                     "home_location", jstr_or_null(m->home_location_code), "created_at", jtime(m->created_at));
}

static int create_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct member *m = arg;
    int rc;
    (void)who;
    rc = member_create(c, m);
    if (!rc)
        *out = api_render_member(m);
    return rc;
}

int api_members_create(struct http_req *rq)
{
    struct member *m = xcalloc(1, sizeof *m);
    char raw[40];
    int rc = jin_str(rq->json, "phone", true, raw, sizeof raw);
    if (!rc)
        rc = member_normalize_phone(api_reader(), raw, m->phone);
    if (!rc)
        rc = jin_str(rq->json, "name", false, m->name, sizeof m->name);
    if (!rc)
        rc = jin_bool(rq->json, "consent_marketing", &m->consent_marketing, NULL);
    if (!rc)
        rc = jin_bool(rq->json, "consent_sms", &m->consent_sms, NULL);
    if (!rc)
        rc = jin_bool(rq->json, "consent_email", &m->consent_email, NULL);
    if (!rc)
        rc = jin_str(rq->json, "home_location", false, m->home_location_code, sizeof m->home_location_code);
    if (!rc && !m->home_location_code[0] && rq->who.scope == SCOPE_LOCATION) {
        /* registered at a till or by a store's staff: that store is her home */
        struct location loc;
        if (!location_get(api_reader(), rq->who.scope_id, &loc))
            str_copy(m->home_location_code, sizeof m->home_location_code, loc.code);
    }
    if (rc) {
        free(m);
        return rc;
    }
    return api_write(rq, create_body, m, 201);
}

static int identity_cb(const struct member_identity *i, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s, s:s, s:o}", "kind", i->kind, "value", i->value, "linked_at",
                                         jtime(i->created_at)));
    return 0;
}

static int reply_member(struct http_req *rq, const struct member *m)
{
    json_t *o = api_render_member(m), *ids = json_array();
    int rc = member_identities(api_reader(), m->id, identity_cb, ids);
    if (rc) {
        json_decref(o);
        json_decref(ids);
        return rc;
    }
    json_object_set_new(o, "identities", ids);
    return http_reply_json(rq, 200, o);
}

int api_members_get(struct http_req *rq)
{
    struct member m;
    int64_t id;
    int rc = api_param_id(rq, 0, "member", &id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, id, MEMBER_SEE);
    if (!rc)
        rc = member_get(api_reader(), id, &m);
    return rc ? rc : reply_member(rq, &m);
}

int api_members_lookup(struct http_req *rq)
{
    const char *phone = http_query(rq, "phone"), *kind = http_query(rq, "kind"), *value = http_query(rq, "value");
    struct member m;
    int rc;
    if (phone && *phone)
        rc = member_find_by_identity(api_reader(), "phone", phone, &m);
    else if (kind && *kind && value && *value)
        rc = member_find_by_identity(api_reader(), kind, value, &m);
    else
        rc = err_set(O2O_EINVAL, "missing_field", "phone", "give phone, or kind and value");
    if (!rc)
        rc = access_member(api_reader(), &rq->who, m.id, MEMBER_SEE);
    return rc ? rc : reply_member(rq, &m);
}

static int search_hit(const struct member *m, const char *matched, void *arg)
{
    json_t *o = api_render_member(m);
    json_object_set_new(o, "matched", json_string(matched));
    json_array_append_new(arg, o);
    return 0;
}

/* GET /v1/members?q=: any part of a name or phone number, or an identity's value. */
int api_members_search(struct http_req *rq)
{
    char cc[8];
    int64_t limit;
    json_t *items;
    int rc = api_query_int(rq, "limit", 1, MEMBER_SEARCH_MAX, 20, &limit);
    if (rc)
        return rc;
    if (settings_str(api_reader(), "phone_default_cc", "86", cc, sizeof cc))
        str_copy(cc, sizeof cc, "86");
    items = json_array();
    rc = member_search(api_reader(), http_query(rq, "q") ? http_query(rq, "q") : "", cc, (int)limit, search_hit,
                       items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

struct patch_arg {
    int64_t id;
    struct member_patch p;
};

static int patch_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct patch_arg *a = arg;
    struct member m;
    int rc = access_member(c, who, a->id, MEMBER_CHANGE);
    if (!rc)
        rc = member_update(c, a->id, &a->p, &m);
    if (!rc)
        *out = api_render_member(&m);
    return rc;
}

int api_members_update(struct http_req *rq)
{
    struct patch_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "member", &a->id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, a->id, MEMBER_CHANGE);
    if (!rc)
        rc = jin_str(rq->json, "name", false, a->p.name, sizeof a->p.name);
    a->p.has_name = json_object_get(rq->json, "name") != NULL;
    if (!rc)
        rc = jin_bool(rq->json, "consent_marketing", &a->p.consent_marketing, &a->p.has_marketing);
    if (!rc)
        rc = jin_bool(rq->json, "consent_sms", &a->p.consent_sms, &a->p.has_sms);
    if (!rc)
        rc = jin_bool(rq->json, "consent_email", &a->p.consent_email, &a->p.has_email);
    if (!rc)
        rc = jin_bool(rq->json, "consent_service", &a->p.consent_service, &a->p.has_service);
    if (!rc)
        rc = jin_str(rq->json, "prefer_medium", false, a->p.prefer_medium, sizeof a->p.prefer_medium);
    a->p.has_prefer = json_object_get(rq->json, "prefer_medium") != NULL;
    if (!rc)
        rc = jin_str(rq->json, "fallback_medium", false, a->p.fallback_medium, sizeof a->p.fallback_medium);
    a->p.has_fallback = json_object_get(rq->json, "fallback_medium") != NULL;
    if (!rc)
        rc = jin_str(rq->json, "quiet_hours", false, a->p.quiet_hours, sizeof a->p.quiet_hours);
    a->p.has_quiet = json_object_get(rq->json, "quiet_hours") != NULL;
    if (!rc)
        rc = jin_str(rq->json, "home_location", false, a->p.home_location_code, sizeof a->p.home_location_code);
    a->p.has_home = json_object_get(rq->json, "home_location") != NULL;
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, patch_body, a, 200);
}

struct identity_arg {
    int64_t id;
    struct member_identity idn;
};

static int identity_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct identity_arg *a = arg;
    struct member m;
    int rc = access_member(c, who, a->id, MEMBER_CHANGE);
    /* a payer identity makes that payer's sales hers: only the chain's own app, after
    ** the provider's sign-in, asserts one here; payments she makes bind it otherwise */
    if (!rc && member_identity_is_provider(a->idn.kind) &&
        !(who->role == ROLE_CHANNEL && who->scope == SCOPE_CHAIN &&
          (!strcmp(who->channel, "app") || !strcmp(who->channel, "miniprogram"))))
        rc = err_set(O2O_EFORBIDDEN, "unverified_identity", "kind",
                     "a %s is bound when she pays with it while signed in, or by the app after the provider's "
                     "sign-in, not on anyone's word",
                     a->idn.kind);
    if (!rc)
        rc = member_link_identity(c, a->id, &a->idn);
    if (!rc)
        rc = member_get(c, a->id, &m);
    if (!rc)
        *out = json_pack("{s:I, s:s, s:s}", "member_id", (json_int_t)m.id, "kind", a->idn.kind, "value", a->idn.value);
    return rc;
}

int api_members_link(struct http_req *rq)
{
    struct identity_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "member", &a->id);
    if (!rc)
        rc = jin_str(rq->json, "kind", true, a->idn.kind, sizeof a->idn.kind);
    if (!rc)
        rc = jin_str(rq->json, "value", true, a->idn.value, sizeof a->idn.value);
    if (!rc && !member_identity_kind_ok(a->idn.kind))
        rc = err_set(O2O_EINVAL, NULL, "kind",
                     "kind must be wechat_openid, wechat_unionid, alipay_user_id, alipay_open_id, store_card or email");
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, identity_body, a, 201);
}

struct merge_arg {
    int64_t survivor, merged;
};

static int merge_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct merge_arg *a = arg;
    struct member m;
    int rc = access_member(c, who, a->survivor, MEMBER_MERGE);
    if (!rc)
        rc = access_member(c, who, a->merged, MEMBER_MERGE);
    /* her whole history moves with her: the movers app/ lists (points, orders, coupons,
    ** receipts, behaviour, presence, recommendations shown, relations, tills' grants);
    ** the order feed tells insight, which folds the survivor's orders again */
    if (!rc)
        rc = member_merge(c, who, a->survivor, a->merged, &m);
    if (!rc)
        *out = api_render_member(&m);
    return rc;
}

int api_members_merge(struct http_req *rq)
{
    struct merge_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "member", &a->survivor);
    if (!rc)
        rc = jin_i64(rq->json, "merge_id", true, 1, INT64_MAX, &a->merged, NULL);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, merge_body, a, 200);
}
