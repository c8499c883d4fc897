/*
** paths.h -- what users do right before and right after an event: for every
** occurrence of the chosen event name, the same user's previous and next
** event (within a gap, else the path starts or ends there), counted by name.
*/
#ifndef O2O_ANALYTICS_PATHS_H
#define O2O_ANALYTICS_PATHS_H

#include <stdint.h>

#include "analytics/funnel.h"

/* next[] and prev[] have nnames + 2 counters: a name's number, then
** nnames for "the path starts/ends here" (nothing within gap). Events in ev are
** taken in their order (sorted by time; ties by arrival). */
void paths_count(const struct event_columns *ev, uint16_t nnames, uint16_t target, int64_t gap, int64_t *occurrences,
                 int64_t *next, int64_t *prev);

#endif
