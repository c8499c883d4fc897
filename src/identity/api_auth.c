/*
** api_auth.c -- authentication routes and the authorisation hook: staff login
** (password check on a worker thread, never on the event loop), logout, member
** sign-in by one-time code, staff accounts, channel API keys, /v1/me.
*/
#include "api/api.h"
#include "identity/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "behaviour/events.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "core/workq.h"
#include "identity/auth.h"
#include "member/member.h"
#include "org/audit.h"
#include "org/location.h"

void api_after(struct http_req *rq)
{
    (void)rq;
    db_snapshot_end(api_reader());
}

int api_authorize(struct http_req *rq)
{
    int rc;
    /* every read of this request sees one snapshot (ended by api_after) */
    db_snapshot_begin(api_reader());
    if (rq->route->roles & ROLE_PUBLIC) {
        /* a token on a public route is optional: a bad one leaves the caller anonymous */
        if (rq->bearer && auth_resolve(api_reader(), rq->bearer, &rq->who)) {
            memset(&rq->who, 0, sizeof rq->who);
            rq->who.role = ROLE_PUBLIC;
        }
        err_clear();
        return 0;
    }
    if (!rq->bearer) /* refused already by api_precheck, before the body */
        return err_set(O2O_EUNAUTH, "missing_token", "Authorization", "a bearer token is needed");
    rc = auth_resolve(api_reader(), rq->bearer, &rq->who);
    if (rc)
        return rc;
    if (!(rq->route->roles & rq->who.role))
        return err_set(O2O_EFORBIDDEN, "role_forbidden", NULL, "role %s may not call %s %s", role_name(rq->who.role),
                       rq->route->method, rq->route->pattern);
    return 0;
}

static json_t *render_principal(const struct principal *p)
{
    static const char *scopes[] = {"chain", "region", "location", "self"};
    return json_pack("{s:s, s:I, s:s, s:I, s:s, s:o}", "role", role_name(p->role), "id", (json_int_t)p->id, "scope",
                     scopes[p->scope], "scope_id", (json_int_t)p->scope_id, "name", p->name, "channel",
                     jstr_or_null(p->channel));
}

/* ---- login ---- */

struct login_job {
    struct http_pending *pending;
    char rid[24];
    char client[46];
    bool trusted;
    char username[65];
    char password[257];
};

struct login_step {
    struct login_job *j;
    int64_t staff_id;
    char token[80];
    int64_t expires_at;
};

static int claim_body(struct db_conn *c, void *arg)
{
    struct login_step *st = arg;
    return staff_login_claim(c, st->j->username, st->j->client, st->j->trusted);
}

static int commit_body(struct db_conn *c, void *arg)
{
    struct login_step *st = arg;
    return staff_login_commit(c, st->j->username, st->j->client, st->staff_id, st->token, &st->expires_at);
}

/* On a worker: count the attempt (refused while locked), check the password
** (slow on purpose), and only after a success open a session. */
static void login_work(void *arg)
{
    struct login_job *j = arg;
    struct login_step st;
    struct principal who;
    int rc;

    memset(&st, 0, sizeof st);
    st.j = j;
    rc = db_txn(api_app()->db, claim_body, &st);
    if (!rc)
        rc = staff_verify(api_reader(), j->username, j->password, &who);
    memset(j->password, 0, sizeof j->password);
    if (!rc) {
        st.staff_id = who.id;
        rc = db_txn(api_app()->db, commit_body, &st);
    }
    if (rc)
        http_complete_error(j->pending, rc);
    else
        http_complete_json(j->pending, 200,
                           json_pack("{s:s, s:s, s:o, s:o}", "token", st.token, "token_type", "Bearer", "expires_at",
                                     jtime(st.expires_at), "principal", render_principal(&who)));
    free(j);
}

int api_auth_login(struct http_req *rq)
{
    struct login_job *j = xcalloc(1, sizeof *j);
    int rc = jin_str(rq->json, "username", true, j->username, sizeof j->username);
    if (!rc)
        rc = jin_str(rq->json, "password", true, j->password, sizeof j->password);
    if (rc) {
        free(j);
        return rc;
    }
    str_copy(j->rid, sizeof j->rid, rq->rid);
    str_copy(j->client, sizeof j->client, rq->client);
    j->trusted = rq->trusted;
    j->pending = http_defer(rq);
    workq_submit(api_app()->work, login_work, j);
    return 0;
}

struct logout_arg {
    char token[128];
};

static int logout_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct logout_arg *a = arg;
    (void)who;
    *out = json_pack("{s:b}", "ok", 1);
    return auth_logout(c, a->token);
}

int api_auth_logout(struct http_req *rq)
{
    struct logout_arg *a = xcalloc(1, sizeof *a);
    str_copy(a->token, sizeof a->token, rq->bearer);
    return api_write(rq, logout_body, a, 200);
}

int api_me(struct http_req *rq)
{
    return http_reply_json(rq, 200, render_principal(&rq->who));
}

/* ---- member sign-in ---- */

struct otp_arg {
    char phone[20];
    char code[16];
    char device[65];          /* sign-in on this device: its anonymous events become hers */
    bool dev;
};

static int otp_request_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct otp_arg *a = arg;
    int rc = otp_request(c, a->phone, a->dev);
    (void)who;
    if (!rc)
        *out = json_pack("{s:b, s:s, s:i}", "sent", 1, "phone", a->phone, "expires_in", AUTH_OTP_TTL_MS / 1000);
    return rc;
}

int api_auth_otp(struct http_req *rq)
{
    struct otp_arg *a = xcalloc(1, sizeof *a);
    char raw[40];
    int rc = jin_str(rq->json, "phone", true, raw, sizeof raw);
    if (!rc)
        rc = member_normalize_phone(api_reader(), raw, a->phone);
    if (rc) {
        free(a);
        return rc;
    }
    a->dev = api_app()->dev;
    return api_write(rq, otp_request_body, a, 202);
}

static int otp_verify_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct otp_arg *a = arg;
    char token[80];
    int64_t member_id = 0, expires = 0;
    int rc = otp_verify(c, a->phone, a->code, token, &member_id, &expires);
    (void)who;
    if (rc)
        return rc;
    if (!member_id) {
        /* a wrong code: the attempt is counted (committed); the answer is an error */
        err_set(O2O_EUNAUTH, "wrong_code", "code", "wrong code");
        return 0;
    }
    if (a->device[0] && (rc = events_link_device(c, a->device, member_id, now_ms())))
        return rc;
    *out = json_pack("{s:s, s:s, s:o, s:I}", "token", token, "token_type", "Bearer", "expires_at", jtime(expires),
                     "member_id", (json_int_t)member_id);
    return 0;
}

int api_auth_otp_verify(struct http_req *rq)
{
    struct otp_arg *a = xcalloc(1, sizeof *a);
    char raw[40];
    int rc = jin_str(rq->json, "phone", true, raw, sizeof raw);
    if (!rc)
        rc = member_normalize_phone(api_reader(), raw, a->phone);
    if (!rc)
        rc = jin_str(rq->json, "code", true, a->code, sizeof a->code);
    if (!rc)
        rc = jin_str(rq->json, "device_id", false, a->device, sizeof a->device);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, otp_verify_body, a, 200);
}

/* ---- staff accounts ---- */

struct staff_arg {
    struct staff s;
    char hash[128];
};

static int staff_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct staff_arg *a = arg;
    int rc = staff_may_create(who, role_parse(a->s.role));
    if (!rc)
        rc = staff_create(c, &a->s, a->hash);
    if (rc)
        return rc;
    if (!strcmp(a->s.scope_kind, "region"))
        rc = scope_check_region(c, who, a->s.scope_id);
    else if (!strcmp(a->s.scope_kind, "location"))
        rc = scope_check_location(c, who, a->s.scope_id);
    else if (who->scope != SCOPE_CHAIN)
        rc = err_set(O2O_EFORBIDDEN, "out_of_scope", "scope_kind", "only the whole chain's staff can grant it");
    if (!rc) {
        char subject[40], detail[200];
        snprintf(subject, sizeof subject, "staff:%lld", (long long)a->s.id);
        snprintf(detail, sizeof detail, "%.64s %.23s %.64s", a->s.username, a->s.role, a->s.scope_code);
        rc = audit_add(c, who, "staff.create", subject, detail);
    }
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)a->s.id, "username", a->s.username, "name",
                     a->s.name, "role", a->s.role, "scope_kind", a->s.scope_kind, "scope_id",
                     (json_int_t)a->s.scope_id);
    return 0;
}

int api_staff_create(struct http_req *rq)
{
    struct staff_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_str(rq->json, "username", true, a->s.username, sizeof a->s.username);
    if (!rc)
        rc = jin_str(rq->json, "name", false, a->s.name, sizeof a->s.name);
    if (!rc)
        rc = jin_str(rq->json, "password", true, a->s.password, sizeof a->s.password);
    if (!rc)
        rc = jin_str(rq->json, "role", true, a->s.role, sizeof a->s.role);
    if (!rc)
        rc = jin_str(rq->json, "scope_kind", false, a->s.scope_kind, sizeof a->s.scope_kind);
    if (!rc)
        rc = jin_str(rq->json, "scope", false, a->s.scope_code, sizeof a->s.scope_code);
    if (!rc && strlen(a->s.password) < 10)
        rc = err_set(O2O_EINVAL, "weak_password", "password", "password must have at least 10 characters");
    if (!rc && role_parse(a->s.role) == ROLE_NONE)
        rc = err_set(O2O_EINVAL, NULL, "role", "role must be owner, region_manager, store_manager, clerk or service_agent");
    if (!rc && role_parse(a->s.role) != ROLE_OWNER && strcmp(a->s.scope_kind, "chain") && !a->s.scope_code[0])
        rc = err_set(O2O_EINVAL, "missing_field", "scope", "scope (a region or location code) is required");
    if (!rc)
        rc = auth_hash_password(a->s.password, a->hash);
    memset(a->s.password, 0, sizeof a->s.password);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, staff_body, a, 201);
}

/* ---- API keys ---- */

static int key_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct api_key *k = arg;
    char subject[40], detail[200];
    int rc = api_key_create(c, k);
    if (!rc) {
        snprintf(subject, sizeof subject, "key:%lld", (long long)k->id);
        snprintf(detail, sizeof detail, "%.15s %.64s %.100s", k->channel, k->location_code, k->name);
        rc = audit_add(c, who, "key.create", subject, detail);
    }
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)k->id, "key", k->key, "name", k->name,
                     "channel", k->channel, "location", jstr_or_null(k->location_code), "note",
                     "the key is shown once; store it now");
    return 0;
}

int api_keys_create(struct http_req *rq)
{
    struct api_key *k = xcalloc(1, sizeof *k);
    int rc = jin_str(rq->json, "channel", true, k->channel, sizeof k->channel);
    if (!rc)
        rc = jin_str(rq->json, "name", false, k->name, sizeof k->name);
    if (!rc)
        rc = jin_str(rq->json, "location", false, k->location_code, sizeof k->location_code);
    if (rc) {
        free(k);
        return rc;
    }
    return api_write(rq, key_body, k, 201);
}
