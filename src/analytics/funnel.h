/*
** funnel.h -- conversion funnels over events held in compact columns, with the
** semantics of ClickHouse's windowFunnel:
**   - a user's events are taken in time order; an event matching several steps
**     counts for each of them, and events with equal timestamps are taken in
**     step order (so step 2 at the same instant as step 1 follows it);
**   - an event of step 1 starts a chain (a later one restarts it, which can only
**     help: its window ends later);
**   - an event of step k (k > 1) extends a chain that has reached step k - 1 when
**     its time is at most the chain's start + window (the window edge counts);
**   - a user reaches the furthest step of any of her chains, and counts for
**     every step up to it.
*/
#ifndef O2O_ANALYTICS_FUNNEL_H
#define O2O_ANALYTICS_FUNNEL_H

#include <stddef.h>
#include <stdint.h>

#define FUNNEL_MAX_STEPS 16

/* Events sorted by time (ties in any order). */
struct event_columns {
    size_t n;
    const uint32_t *user;     /* 0 .. nusers - 1 */
    const int64_t *ts;        /* any unit; the window is in the same unit */
    const uint16_t *name;     /* event class: its name's number, or what a query made of it */
    uint32_t nusers;
};

struct funnel_step {
    uint16_t name;            /* an event of this name matches the step */
};

/* The general form: which steps each event class matches, and optionally a group
** per event of which only one starts chains (a breakdown by the first step's
** channel, store or day is one run per group). */
struct funnel_spec {
    const uint16_t *masks;    /* 65,536 entries: class -> steps matched (bit k: step k) */
    int nsteps;
    int64_t window;
    const uint16_t *group;    /* NULL: every step-1 event starts a chain */
    uint16_t start_group;     /* else only step-1 events with group[i] == start_group */
};

/* reached[k]: users who reached step k + 1 (so reached[0] = users with a step-1
** event). threads: 1 or more (users are split between them). */
void funnel_run(const struct event_columns *ev, const struct funnel_step *steps, int nsteps, int64_t window,
                int threads, int64_t reached[FUNNEL_MAX_STEPS]);
void funnel_count(const struct event_columns *ev, const struct funnel_spec *spec, int threads,
                  int64_t reached[FUNNEL_MAX_STEPS]);

#endif
