/*
** presence.h -- in-store positioning: zones of a store, sightings of devices
** and members in them (Wi-Fi probes, beacons), what they add up to (visits,
** dwell, routes, footfall, the online-to-offline funnel), and place-and-time
** messages with frequency caps and quiet hours.
*/
#ifndef O2O_PRESENCE_PRESENCE_H
#define O2O_PRESENCE_PRESENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "analytics/visits.h"
#include "db/db.h"

#define PRESENCE_MAX_BATCH 1000

struct zone {
    int64_t id, location_id;
    char code[33], name[129];
    char brand[65], category[65];   /* codes, "" none */
};

/* Create or change a store's zone (by store and code). */
int zone_put(struct db_conn *c, struct zone *z);
int zone_list(struct db_conn *c, int64_t location_id, int (*cb)(const struct zone *z, void *arg), void *arg);

struct sighting_in {
    char device[65];          /* or */
    int64_t member_id;
    char store[33], zone[33];
    int64_t rssi;             /* dBm */
    char source[8];           /* wifi | beacon | app */
    int64_t ts;
};

struct presence_result {
    int stored, duplicates;
    int messages_sent, messages_held;   /* held: a cap, quiet hours or no consent */
};

/* Store a batch (transaction body); a member entering a zone may trigger rules. */
int presence_store(struct db_conn *c, const struct sighting_in *s, int n, int64_t now, struct presence_result *r);

struct presence_rule {
    char name[65];
    char tag[97];
    char store[33], zone[33];
    int64_t from_hour, to_hour;       /* store's local time, [from, to) */
    char message[481];
    int64_t per_day;
    bool active;
    int64_t sent, held;               /* outcomes so far (lists) */
};

/* Create or replace a rule by name (active again if it was deleted). */
int presence_rule_put(struct db_conn *c, struct presence_rule *r);
int presence_rule_delete(struct db_conn *c, const char *name);
int presence_rules_list(struct db_conn *c, int (*cb)(const struct presence_rule *r, void *arg), void *arg);

struct zone_report {
    struct zone zone;
    struct zone_visits v;
};

struct route_report {
    char path[VISITS_MAX_ROUTE * 34 + 8];   /* zone codes joined by '>' */
    int64_t count;
};

struct presence_report {
    int64_t sightings, store_visits, store_visitors, store_dwell_ms;
    struct zone_report *zones;
    int nzones;
    struct route_report *routes;
    int nroutes;
    /* online to offline: members active online -> seen in the store -> bought there */
    int64_t o2o[3];
    int64_t identified_visitors, visitors_who_bought;  /* the same day, at this store */
};

/* What the sightings at a store in [from, to) add up to; routes: at most max_routes. */
int presence_report(struct db_conn *c, int64_t location_id, int64_t from, int64_t to, int64_t o2o_window_ms,
                    int max_routes, struct presence_report *out);
void presence_report_free(struct presence_report *r);

/* A merge (transaction body): what belonged to member `from` becomes `to`'s. */
int presence_move_member(struct db_conn *c, int64_t from, int64_t to);
#endif
