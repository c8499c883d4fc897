/*
** paths.c -- next and previous events around an event (see paths.h): one pass
** in time order with each user's last event. Tests: tests/unit/test_funnel.c.
*/
#include "analytics/paths.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void paths_count(const struct event_columns *ev, uint16_t nnames, uint16_t target, int64_t gap, int64_t *occurrences,
                 int64_t *next, int64_t *prev)
{
    int32_t *last = xmalloc(((size_t)ev->nusers + 1) * sizeof *last);
    int64_t *last_ts = xmalloc(((size_t)ev->nusers + 1) * sizeof *last_ts);
    int64_t occ = 0;
    const int edge = nnames; /* "(start)" in prev[], "(end)" in next[] */
    memset(next, 0, ((size_t)nnames + 2) * sizeof *next);
    memset(prev, 0, ((size_t)nnames + 2) * sizeof *prev);
    for (uint32_t u = 0; u < ev->nusers; u++)
        last[u] = -1;
    for (size_t i = 0; i < ev->n; i++) {
        uint32_t u = ev->user[i];
        uint16_t nm = ev->name[i];
        int64_t t = ev->ts[i];
        int close = last[u] >= 0 && t - last_ts[u] <= gap;
        if (last[u] == target)
            next[close ? nm : edge]++;
        if (nm == target) {
            occ++;
            prev[close ? last[u] : edge]++;
        }
        last[u] = nm;
        last_ts[u] = t;
    }
    for (uint32_t u = 0; u < ev->nusers; u++)
        if (last[u] == target)
            next[edge]++;
    *occurrences = occ;
    free(last);
    free(last_ts);
}
