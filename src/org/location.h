/*
** location.h -- regions (a tree) and locations (stores, warehouses, restaurants),
** and the one place where a principal's scope is checked.
*/
#ifndef O2O_ORG_LOCATION_H
#define O2O_ORG_LOCATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

struct region {
    int64_t id;
    char code[65];
    char name[129];
    int64_t parent_id;        /* 0 for a root */
    char parent_code[65];     /* input: the parent's code, "" for a root */
    char path[256];           /* "/1/4/" */
};

struct location {
    int64_t id;
    char code[65];
    char name[129];
    char kind[16];            /* store | warehouse | restaurant */
    int64_t region_id;
    char region_code[65];
    char address[257];
    bool has_geo;
    double lat, lon;
    char timezone[64];
    char opens_at[6];         /* "HH:MM" local time */
    char closes_at[6];
    char status[8];           /* open | closed */
    int64_t created_at;
};

/* Writes (transaction bodies). region and loc are validated; id is set on success. */
int region_create(struct db_conn *c, struct region *r);
int location_create(struct db_conn *c, struct location *loc);
/* Change name, address, geo, hours, status of an existing location (by code). */
int location_update(struct db_conn *c, struct location *loc);

/* Reads. */
int region_get_by_code(struct db_conn *c, const char *code, struct region *out);
int region_get(struct db_conn *c, int64_t id, struct region *out);
int region_list(struct db_conn *c, int (*cb)(const struct region *r, void *arg), void *arg);
int location_get(struct db_conn *c, int64_t id, struct location *out);
int location_get_by_code(struct db_conn *c, const char *code, struct location *out);
/* Locations in the principal's scope, optionally of one kind ("" for all), ordered by code. */
int location_list(struct db_conn *c, const struct principal *who, const char *kind,
                  int (*cb)(const struct location *l, void *arg), void *arg);
int64_t location_count(struct db_conn *c, const char *kind);

/* The same, from a process-wide cache of every location that is reloaded when
** older than LOCATION_CACHE_MS or after a local change; for hot read paths
** (names, codes, coordinates, status), never for scope decisions. */
#define LOCATION_CACHE_MS 5000
int location_cached(struct db_conn *c, int64_t id, struct location *out);
int location_cached_by_code(struct db_conn *c, const char *code, struct location *out);

/* Scope: 0 if the principal may act on this location, O2O_EFORBIDDEN otherwise. */
int scope_check_location(struct db_conn *c, const struct principal *who, int64_t location_id);
/* Scope over a region (region managers of it or an ancestor, owners). */
int scope_check_region(struct db_conn *c, const struct principal *who, int64_t region_id);
/* Who may act on a member: member/access.h. */

#endif
