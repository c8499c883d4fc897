/*
** api_accounts.c -- staff accounts and API keys for managers: the lists within
** their scope (GET /v1/staff, GET /v1/api-keys), deactivating an account
** (PATCH /v1/staff/{id}; its sessions end) and revoking a key (DELETE
** /v1/api-keys/{id}); each change lands in the audit log.
*/
#include "api/api.h"
#include "identity/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "identity/accounts.h"
#include "identity/auth.h"
#include "member/member.h"
#include "org/audit.h"
#include "org/location.h"

/* A manager's reach: her store, her region, or everything. */
static void reach(const struct principal *who, int64_t *loc, int64_t *region)
{
    *loc = who->scope == SCOPE_LOCATION ? who->scope_id : 0;
    *region = who->scope == SCOPE_REGION ? who->scope_id : 0;
}

static json_t *staff_json(const struct staff_row *r)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:o}", "id", (json_int_t)r->id, "username",
                     r->username, "name", r->name, "role", r->role, "scope_kind", r->scope_kind, "scope",
                     jstr_or_null(r->scope), "active", r->active, "created_at", jtime(r->created_at), "phone",
                     jstr_or_null(r->phone), "email", jstr_or_null(r->email));
}

static int staff_cb(const struct staff_row *r, void *arg)
{
    json_array_append_new(arg, staff_json(r));
    return 0;
}

static int list_staff(int64_t loc, int64_t region, int64_t after, int limit, json_t *items)
{
    return staff_list(api_reader(), loc, region, after, limit, staff_cb, items);
}

/* A list within her reach, paged by id. */
static int reply_list(struct http_req *rq, int (*list)(int64_t loc, int64_t region, int64_t after, int limit,
                                                      json_t *items))
{
    int64_t loc, region, after, limit;
    json_t *items;
    int rc = api_query_int(rq, "cursor", 0, INT64_MAX, 0, &after);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, ACCOUNTS_MAX, 100, &limit);
    if (rc)
        return rc;
    reach(&rq->who, &loc, &region);
    items = json_array();
    if ((rc = list(loc, region, after, (int)limit, items))) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, api_page(items, limit));
}

int api_staff_list(struct http_req *rq)
{
    return reply_list(rq, list_staff);
}

struct active_arg {
    int64_t id;
    bool active, has_active, has_phone, has_email;
    char phone[40], email[129];
};

/* Within her scope, a role she may grant, and never herself. */
static int may_manage(struct db_conn *c, const struct principal *who, const struct staff_row *r)
{
    int rc;
    if (r->id == who->id)
        return err_set(O2O_EFORBIDDEN, "own_account", "id", "nobody deactivates her own account");
    if ((rc = staff_may_create(who, role_parse(r->role))))
        return rc;
    if (!strcmp(r->scope_kind, "location"))
        return scope_check_location(c, who, r->scope_id);
    if (!strcmp(r->scope_kind, "region"))
        return scope_check_region(c, who, r->scope_id);
    return who->scope == SCOPE_CHAIN ? 0
                                     : err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "a chain-wide account is not yours");
}

static int active_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct active_arg *a = arg;
    struct staff_row r;
    char subject[80];
    int rc = staff_row_get(c, a->id, &r);
    /* her own phone and e-mail she may keep up herself; the rest is her managers' */
    if (!rc && !(r.id == who->id && !a->has_active))
        rc = may_manage(c, who, &r);
    if (!rc && a->has_phone && a->phone[0]) {
        char norm[20];
        if (!(rc = member_normalize_phone(c, a->phone, norm)))
            str_copy(a->phone, sizeof a->phone, norm);
    }
    if (!rc && a->has_email && a->email[0] && (!strchr(a->email, '@') || strpbrk(a->email, " <>\"(),;:")))
        rc = err_set(O2O_EINVAL, "invalid_email", "email", "'%.60s' is not an e-mail address", a->email);
    if (!rc && (a->has_phone || a->has_email))
        rc = staff_set_contact(c, a->id, a->has_phone ? a->phone : NULL, a->has_email ? a->email : NULL);
    if (!rc && a->has_active)
        rc = staff_set_active(c, a->id, a->active);
    snprintf(subject, sizeof subject, "staff:%lld", (long long)a->id);
    if (!rc && a->has_active)
        rc = audit_add(c, who, a->active ? "staff.activate" : "staff.deactivate", subject, r.username);
    if (!rc && (a->has_phone || a->has_email))
        rc = audit_add(c, who, "staff.contact", subject, r.username);
    if (!rc)
        rc = staff_row_get(c, a->id, &r);
    if (!rc)
        *out = staff_json(&r);
    return rc;
}

int api_staff_update(struct http_req *rq)
{
    struct active_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "staff account", &a->id);
    if (!rc)
        rc = jin_bool(rq->json, "active", &a->active, &a->has_active);
    if (!rc)
        rc = jin_str(rq->json, "phone", false, a->phone, 21);
    a->has_phone = json_object_get(rq->json, "phone") != NULL;
    if (!rc)
        rc = jin_str(rq->json, "email", false, a->email, sizeof a->email);
    a->has_email = json_object_get(rq->json, "email") != NULL;
    if (!rc && !a->has_active && !a->has_phone && !a->has_email)
        rc = err_set(O2O_EINVAL, "missing_field", "active", "say active, phone or email");
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, active_body, a, 200);
}

static json_t *key_json(const struct key_row *r)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o}", "id", (json_int_t)r->id, "prefix", r->prefix, "name",
                     r->name, "channel", r->channel, "location", jstr_or_null(r->location), "active", r->active,
                     "created_at", jtime(r->created_at));
}

static int key_cb(const struct key_row *r, void *arg)
{
    json_array_append_new(arg, key_json(r));
    return 0;
}

static int list_keys(int64_t loc, int64_t region, int64_t after, int limit, json_t *items)
{
    return key_list(api_reader(), loc, region, after, limit, key_cb, items);
}

int api_keys_list(struct http_req *rq)
{
    return reply_list(rq, list_keys);
}

static int revoke_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    int64_t id = *(int64_t *)arg;
    struct key_row r;
    char subject[40];
    int rc = key_revoke(c, id, &r);
    snprintf(subject, sizeof subject, "key:%lld", (long long)id);
    if (!rc)
        rc = audit_add(c, who, "key.revoke", subject, r.name);
    if (!rc)
        *out = key_json(&r);
    return rc;
}

int api_keys_revoke(struct http_req *rq)
{
    int64_t *id = xcalloc(1, sizeof *id);
    int rc = api_param_id(rq, 0, "API key", id);
    if (rc) {
        free(id);
        return rc;
    }
    return api_write(rq, revoke_body, id, 200);
}
