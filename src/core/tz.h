/*
** tz.h -- local time of a location from its IANA time zone name
** ("Asia/Shanghai"), with daylight saving where the zone has it. Used for local
** days (capacity, reports) and opening hours.
*/
#ifndef O2O_CORE_TZ_H
#define O2O_CORE_TZ_H

#include <stdint.h>

/* Offset of local time from UTC at instant ms, in minutes (east positive).
** An unknown zone is treated as UTC. Thread-safe; cached per zone and hour. */
int tz_offset_min(const char *tz, int64_t ms);
/* A bound of a period as a client writes it: a date "YYYY-MM-DD" is the start of
** that local day in tz (a Shanghai manager's 2017-11-25 starts at 16:00 UTC the
** day before); a time ("...T10:00:00Z", epoch-style ISO-8601) is that instant.
** 0 or O2O_EINVAL. */
int tz_parse_bound(const char *tz, const char *s, int64_t *out_ms);
/* The instant local midnight starts the date "YYYY-MM-DD" whose UTC midnight is utc_midnight. */
int64_t tz_local_midnight(const char *tz, int64_t utc_midnight);
/* The local date "YYYY-MM-DD" at instant ms. */
void tz_local_day(const char *tz, int64_t ms, char out[11]);
/* The local date and time "YYYY-MM-DD HH:MM" at instant ms (what a customer reads). */
void tz_local_time(const char *tz, int64_t ms, char out[17]);
/* Minutes since local midnight at instant ms (0..1439). */
int tz_local_minute(const char *tz, int64_t ms);

#endif
