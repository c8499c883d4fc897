/*
** accounts.h -- the staff accounts and API keys as managers see them
** (accounts.c): lists within a scope, deactivating an account (its sessions end)
** and revoking a key. Creating them is auth.h's.
*/
#ifndef O2O_IDENTITY_ACCOUNTS_H
#define O2O_IDENTITY_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define ACCOUNTS_MAX 500

struct staff_row {
    int64_t id;
    char username[65], name[129], role[24], scope_kind[12];
    char scope[65];           /* the region or location code, "" for the chain */
    int64_t scope_id;
    bool active;
    int64_t created_at;
    char phone[20], email[129];   /* where alerts reach her ("" none) */
};

struct key_row {
    int64_t id;
    char prefix[16], name[129], channel[16];
    char location[65];        /* "" none */
    bool active;
    int64_t created_at;
};

/* Staff whose scope lies within location loc (0: any) or region region_id (0: any;
** its subtree), ids above after, at most limit. */
int staff_list(struct db_conn *c, int64_t loc, int64_t region_id, int64_t after, int limit,
               int (*cb)(const struct staff_row *r, void *arg), void *arg);
int staff_row_get(struct db_conn *c, int64_t id, struct staff_row *out);
/* Transaction body: her phone (E.164 already) and e-mail; NULL leaves one as it is. */
int staff_set_contact(struct db_conn *c, int64_t id, const char *phone, const char *email);
/* The active managers answerable for a store: its store managers; when it has
** none, the managers of its region (and the regions above); at most 8. */
int staff_managers_of(struct db_conn *c, int64_t location_id, int (*cb)(const struct staff_row *r, void *arg),
                      void *arg);
/* Transaction body: activate or deactivate; deactivating ends its sessions. */
int staff_set_active(struct db_conn *c, int64_t id, bool active);

/* Keys bound to location loc (0: any) or to a location of region region_id (0: any);
** a chain-wide key (no location) only when both are 0. */
int key_list(struct db_conn *c, int64_t loc, int64_t region_id, int64_t after, int limit,
             int (*cb)(const struct key_row *r, void *arg), void *arg);
/* Transaction body: the key stops working at once. O2O_ENOTFOUND when there is none. */
int key_revoke(struct db_conn *c, int64_t id, struct key_row *out);
#endif
