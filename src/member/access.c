/*
** access.c -- who may act on a member (see access.h). Owns no table: it reads a
** member's home store (member.h) against the principal's scope (location.h), and
** a till key's grants (identify.h). Tests: tests/unit/test_location.c,
** tests/e2e/test_security.py
*/
#include "member/access.h"

#include <stddef.h>

#include "core/err.h"
#include "core/util.h"
#include "member/identify.h"
#include "member/member.h"
#include "org/location.h"

/* Roles that may give points outside the earn rule and correct balances. */
#define GIVERS (ROLE_OWNER | ROLE_REGION_MANAGER | ROLE_STORE_MANAGER | ROLE_SERVICE_AGENT)
/* Roles that may merge members and move points between them. */
#define MERGERS (ROLE_OWNER | ROLE_SERVICE_AGENT)

static const char *act_name(enum member_act act)
{
    switch (act) {
    case MEMBER_SEE: return "see";
    case MEMBER_CHANGE: return "change";
    case MEMBER_EARN: return "credit points to";
    case MEMBER_SPEND: return "spend the points of";
    case MEMBER_GIVE: return "give points to";
    case MEMBER_MERGE: return "merge";
    }
    return "act on";
}

/* Staff scoped to a region or a store act on the members whose home store is in it. */
static int home_in_scope(struct db_conn *c, const struct principal *who, int64_t member_id)
{
    struct member m;
    int rc;
    if (who->scope == SCOPE_CHAIN)
        return 0;
    rc = member_get(c, member_id, &m);
    if (rc == O2O_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (!m.home_location_id || scope_check_location(c, who, m.home_location_id))
        return err_set(O2O_EFORBIDDEN, "out_of_scope", NULL,
                       "member %lld's home store is outside your scope", (long long)member_id);
    return 0;
}

int access_member(struct db_conn *c, const struct principal *who, int64_t member_id, enum member_act act)
{
    switch (who->role) {
    case ROLE_PUBLIC:
    case ROLE_NONE:
        return err_set(O2O_EUNAUTH, NULL, NULL, "sign in first");
    case ROLE_MEMBER:
        if (who->id != member_id)
            return err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "a member may only act on herself");
        if (act == MEMBER_GIVE || act == MEMBER_MERGE)
            return err_set(O2O_EFORBIDDEN, "role_forbidden", NULL, "a member may not %s herself", act_name(act));
        return 0;
    case ROLE_CHANNEL:
        if (act == MEMBER_GIVE || act == MEMBER_MERGE)
            return err_set(O2O_EFORBIDDEN, "role_forbidden", NULL,
                           "a channel key may not %s a member: points outside the earn rule need a manager",
                           act_name(act));
        if (who->scope == SCOPE_LOCATION && act != MEMBER_EARN) {
            /* a till sees a member and spends her points once she identified herself there */
            bool yes = false;
            int rc = till_granted(c, who->id, member_id, now_ms(), &yes);
            if (rc)
                return rc;
            if (!yes)
                return err_set(O2O_EFORBIDDEN, "not_identified", NULL,
                               "member %lld has not identified herself at this till (her member code, or a code sent "
                               "to her phone: POST /v1/till/identify)",
                               (long long)member_id);
        }
        return 0;
    default:
        break;
    }
    /* staff */
    if (act == MEMBER_GIVE && !(who->role & GIVERS))
        return err_set(O2O_EFORBIDDEN, "role_forbidden", NULL,
                       "a %s may not %s a member: points outside the earn rule need a manager or a service agent",
                       role_name(who->role), act_name(act));
    if (act == MEMBER_MERGE && !(who->role & MERGERS))
        return err_set(O2O_EFORBIDDEN, "role_forbidden", NULL, "a %s may not merge members", role_name(who->role));
    if (act == MEMBER_GIVE || act == MEMBER_MERGE)
        return home_in_scope(c, who, member_id);
    return 0;
}
