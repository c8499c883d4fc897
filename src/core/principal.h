/*
** principal.h -- who is making a request: a staff member, a channel or terminal
** key, or a member; with a role and a scope. Set by authentication, read by the
** scope checks. Plain data shared by every layer.
*/
#ifndef O2O_CORE_PRINCIPAL_H
#define O2O_CORE_PRINCIPAL_H

#include <stdint.h>

/* Roles as bits, so a route can allow several. */
enum role {
    ROLE_NONE = 0,
    ROLE_OWNER = 1 << 0,
    ROLE_REGION_MANAGER = 1 << 1,
    ROLE_STORE_MANAGER = 1 << 2,
    ROLE_CLERK = 1 << 3,
    ROLE_SERVICE_AGENT = 1 << 4,
    ROLE_CHANNEL = 1 << 5,  /* a channel or terminal API key */
    ROLE_MEMBER = 1 << 6,   /* a signed-in member */
    ROLE_PUBLIC = 1 << 7    /* no credentials needed */
};
#define ROLE_MANAGERS (ROLE_OWNER | ROLE_REGION_MANAGER | ROLE_STORE_MANAGER)
#define ROLE_STAFF (ROLE_MANAGERS | ROLE_CLERK | ROLE_SERVICE_AGENT)
#define ROLE_ANY_AUTH (ROLE_STAFF | ROLE_CHANNEL | ROLE_MEMBER)
#define ROLE_COUNT 8

enum scope_kind {
    SCOPE_CHAIN = 0,     /* everything */
    SCOPE_REGION = 1,    /* the locations of one region and its sub-regions */
    SCOPE_LOCATION = 2,  /* one location */
    SCOPE_SELF = 3       /* a member: herself only */
};

struct principal {
    enum role role;           /* exactly one bit, ROLE_PUBLIC when anonymous */
    enum scope_kind scope;
    int64_t scope_id;         /* region or location id, member id for SCOPE_SELF */
    int64_t id;               /* staff id, api key id or member id */
    char channel[16];         /* channel of an API key; "" for staff and members */
    char name[64];            /* username, key name or member phone (for logs and audit) */
};

/* "staff:3", "key:7", "member:9" or "public" (for audit and idempotency scopes). */
void principal_tag(const struct principal *p, char out[48]);
/* Name of a single role bit ("owner", "channel", ...). */
const char *role_name(enum role r);

#endif
