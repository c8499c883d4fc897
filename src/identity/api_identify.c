/*
** api_identify.c -- GET /v1/me/member-code (the code a member's app shows as a QR
** code) and POST /v1/till/identify (the till scans it, or asks a code to be sent
** to her phone and takes it back from her): a till's key then sees her and may
** spend her points for this sale. Thin: parse, call member/identify.c, render.
*/
#include "api/api.h"
#include "identity/handlers.h"
#include "member/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "identity/auth.h"
#include "member/identify.h"
#include "member/member.h"

int api_member_code(struct http_req *rq)
{
    char code[MEMBER_CODE_MAX];
    int64_t expires = 0;
    int rc = member_code_make(api_reader(), rq->who.id, now_ms(), code, &expires);
    if (rc)
        return rc;
    return http_reply_json(rq, 200, json_pack("{s:I, s:s, s:o}", "member_id", (json_int_t)rq->who.id, "code", code,
                                              "expires_at", jtime(expires)));
}

struct identify_arg {
    int64_t member_id;        /* from a member code, known before the write */
    char phone[20];
    char code[16];
    bool send;                /* send a code to the phone */
    bool dev;
};

static int identify_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct identify_arg *a = arg;
    struct member m;
    const char *via = "member_code";
    int64_t now = now_ms();
    int rc;
    if (a->send) {
        rc = otp_request(c, a->phone, a->dev);
        if (!rc)
            *out = json_pack("{s:b, s:s}", "sent", 1, "phone", a->phone);
        return rc;
    }
    if (!a->member_id) {
        via = "phone_code";
        rc = otp_identify(c, a->phone, a->code, &a->member_id);
        if (rc)
            return rc;
        if (!a->member_id) {
            /* a wrong code: the try is counted (committed); the answer is an error */
            err_set(O2O_EUNAUTH, "wrong_code", "code", "wrong code");
            return 0;
        }
    }
    rc = member_get(c, a->member_id, &m);
    if (!rc && strcmp(m.status, "active"))
        rc = err_set(O2O_ECONFLICT, "member_merged", NULL, "member %lld was merged", (long long)m.id);
    if (!rc && who->role == ROLE_CHANNEL)
        rc = till_grant(c, who->id, m.id, via, now);
    if (rc)
        return rc;
    *out = json_pack("{s:o, s:s, s:o}", "member", api_render_member(&m), "via", via, "identified_until",
                     who->role == ROLE_CHANNEL ? jtime(now + IDENTIFY_GRANT_MS) : json_null());
    return 0;
}

int api_till_identify(struct http_req *rq)
{
    struct identify_arg *a = xcalloc(1, sizeof *a);
    char member_code[MEMBER_CODE_MAX] = "", raw[40] = "";
    int rc = 0;
    if (rq->who.role == ROLE_CHANNEL && rq->who.scope != SCOPE_LOCATION)
        rc = err_set(O2O_EFORBIDDEN, "not_a_till", NULL, "only a store's till (a pos key) identifies a member");
    if (!rc)
        rc = jin_str(rq->json, "member_code", false, member_code, sizeof member_code);
    if (!rc)
        rc = jin_str(rq->json, "phone", false, raw, sizeof raw);
    if (!rc)
        rc = jin_str(rq->json, "code", false, a->code, sizeof a->code);
    if (!rc && member_code[0])
        rc = member_code_read(api_reader(), member_code, now_ms(), &a->member_id);
    else if (!rc && raw[0]) {
        rc = member_normalize_phone(api_reader(), raw, a->phone);
        a->send = !a->code[0];
    } else if (!rc) {
        rc = err_set(O2O_EINVAL, "missing_field", "member_code",
                     "give her member_code, or her phone (a code is sent to it), then phone and code");
    }
    if (rc) {
        free(a);
        return rc;
    }
    a->dev = api_app()->dev;
    return api_write(rq, identify_body, a, a->send ? 202 : 200);
}
