/*
** events.h -- behaviour events (views, clicks, cart changes, searches,
** purchases, custom names) from every channel, and the stitching of anonymous
** devices to members.
*/
#ifndef O2O_BEHAVIOUR_EVENTS_H
#define O2O_BEHAVIOUR_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define EVENTS_MAX_BATCH 1000

/* One event as a sender gives it (strings "" when absent). */
struct event_in {
    char key[129];            /* sender's id for the event ("" : none, no dedup) */
    char name[49];
    char channel[16];
    char device[65];
    int64_t member_id;        /* 0: anonymous */
    char store[33];           /* location code, "" none */
    char item[65], category[65];
    char element[8];          /* text | image (clicks) */
    char label[201];          /* clicked text or search words */
    char page[257];
    int64_t value;            /* fen */
    bool has_value;
    char props[1024];         /* key=value lines */
    int64_t ts;
};

/* Check one event (name, channel, element, time, who). */
int event_check(const struct event_in *e, int64_t now);

/* Store a batch (transaction body). Events already stored (same sender key) are
** skipped; an event carrying both a device and a member stitches the device to
** her. *stored: how many were new. */
int events_store(struct db_conn *c, const struct event_in *ev, int n, int64_t now, int *stored);

/* Stitch a device to a member (e.g. when she signs in on it). */
int events_link_device(struct db_conn *c, const char *device, int64_t member_id, int64_t now);

/* The member a device is stitched to (0: none). */
int events_device_member(struct db_conn *c, const char *device, int64_t *member_id);

/* An event as read back, its user resolved: the member (directly or through her
** device), else the device. Strings are borrowed for the callback's duration. */
struct event_row {
    int64_t member_id;        /* 0: anonymous */
    const char *device;       /* "" when member_id is set */
    const char *name, *channel;
    int64_t location_id;
    const char *item, *category, *element, *label, *page, *props;
    int64_t ts;
};

/* Events with from <= ts < to in time order (ties by arrival). */
int events_scan(struct db_conn *c, int64_t from, int64_t to, int (*cb)(const struct event_row *r, void *arg),
                void *arg);

/* How many events and distinct devices are stored (for import reports). */
int events_count(struct db_conn *c, int64_t *events);

/* A merge (transaction body): what belonged to member `from` becomes `to`'s. */
int events_move_member(struct db_conn *c, int64_t from, int64_t to);
#endif
