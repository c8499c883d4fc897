/*
** visits.h -- store visits from sightings (a device or member seen in a zone):
** visits and dwell time per zone, hourly footfall, and routes (the zones of a
** store visit in the order they were entered).
**   - a zone visit is a run of one person's sightings in the zone, each at most
**     `gap` after the one before; its dwell is last - first sighting;
**   - a store visit is the same over all the store's zones; its route is the
**     sequence of zones seen, a zone repeated in a row counted once;
**   - footfall counts zone visits by the local hour they began.
*/
#ifndef O2O_ANALYTICS_VISITS_H
#define O2O_ANALYTICS_VISITS_H

#include <stddef.h>
#include <stdint.h>

#define VISITS_MAX_ROUTE 8    /* longer routes keep their first zones and end in "..." */

/* Sightings sorted by time. */
struct sighting_columns {
    size_t n;
    const uint32_t *person;   /* 0 .. npersons - 1 */
    const int64_t *ts;
    const uint16_t *zone;     /* 0 .. nzones - 1 */
    const uint8_t *hour;      /* local hour of each sighting, 0..23 */
    uint32_t npersons;
    uint16_t nzones;
};

struct zone_visits {
    int64_t visits, visitors, dwell_ms;
    int64_t hourly[24];       /* visits by the hour they began */
};

struct route_count {
    uint16_t zones[VISITS_MAX_ROUTE];
    int len;                  /* > VISITS_MAX_ROUTE: truncated */
    int64_t count;
};

struct visit_stats {
    int64_t store_visits, store_visitors, store_dwell_ms;
    struct zone_visits *zones;          /* nzones */
    struct route_count *routes;         /* most frequent first */
    int nroutes;
};

void visits_count(const struct sighting_columns *s, int64_t gap, struct visit_stats *out);
void visit_stats_free(struct visit_stats *v);

#endif
