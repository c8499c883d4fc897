/*
** principal.c -- names for roles and principals.
*/
#include "core/principal.h"

#include <inttypes.h>
#include <stdio.h>

void principal_tag(const struct principal *p, char out[48])
{
    switch (p->role) {
    case ROLE_CHANNEL: snprintf(out, 48, "key:%" PRId64, p->id); break;
    case ROLE_MEMBER: snprintf(out, 48, "member:%" PRId64, p->id); break;
    case ROLE_PUBLIC:
    case ROLE_NONE: snprintf(out, 48, "public"); break;
    default: snprintf(out, 48, "staff:%" PRId64, p->id); break;
    }
}

const char *role_name(enum role r)
{
    switch (r) {
    case ROLE_OWNER: return "owner";
    case ROLE_REGION_MANAGER: return "region_manager";
    case ROLE_STORE_MANAGER: return "store_manager";
    case ROLE_CLERK: return "clerk";
    case ROLE_SERVICE_AGENT: return "service_agent";
    case ROLE_CHANNEL: return "channel";
    case ROLE_MEMBER: return "member";
    case ROLE_PUBLIC: return "public";
    default: return "none";
    }
}
