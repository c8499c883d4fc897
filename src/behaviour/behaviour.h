/*
** behaviour.h -- funnels and paths over the stored events: reads them once
** into compact columns (users numbered, each event reduced to the steps it
** matches) and runs the in-memory engines of analytics/. Semantics in
** docs/behaviour.md.
*/
#ifndef O2O_BEHAVIOUR_BEHAVIOUR_H
#define O2O_BEHAVIOUR_BEHAVIOUR_H

#include <stdint.h>

#include "analytics/funnel.h"
#include "core/principal.h"
#include "db/db.h"

#define BEHAVIOUR_MAX_WHERE 4
#define BEHAVIOUR_MAX_GROUPS 100

/* A property test: key is channel, store, item, category, element, label, page
** or props.NAME; the event's value must equal value. */
struct behaviour_filter {
    char key[40];
    char value[201];
};

struct behaviour_step {
    char name[49];
    struct behaviour_filter where[BEHAVIOUR_MAX_WHERE];
    int nwhere;
};

enum behaviour_by { BY_NONE, BY_CHANNEL, BY_STORE, BY_DAY };

struct funnel_query {
    struct behaviour_step steps[FUNNEL_MAX_STEPS];
    int nsteps;
    int64_t window_ms;
    int64_t from, to;         /* chains start in [from, to); later steps may follow until to + window */
    enum behaviour_by by;     /* groups by the first step's channel, store or local day */
    char tz[64];              /* for days */
    int threads;
    struct principal who;     /* only events at stores in her scope count; role ROLE_NONE: the whole
                              ** chain's events, web and app included (the command line, chain staff) */
};

struct funnel_group {
    char key[65];             /* channel, store code ("" none) or YYYY-MM-DD */
    int64_t reached[FUNNEL_MAX_STEPS];
};

struct funnel_answer {
    int64_t events, users;    /* events read, users among them */
    int64_t reached[FUNNEL_MAX_STEPS];
    struct funnel_group *groups;   /* most step-1 users first (days in date order) */
    int ngroups, groups_left_off;
};

/* O2O_EINVAL for a bad step or filter; an unknown store in a filter is O2O_ENOTFOUND,
** one outside q->who's scope O2O_EFORBIDDEN. */
int behaviour_funnel(struct db_conn *c, const struct funnel_query *q, struct funnel_answer *out);
void funnel_answer_free(struct funnel_answer *a);

struct path_count {
    char name[49];            /* "(start)" / "(end)": nothing before / after within the gap */
    int64_t count;
};

struct path_answer {
    int64_t occurrences;      /* events of the chosen name */
    struct path_count *next, *prev;
    int nnext, nprev;
};

/* Around each event named `event` in [from, to): the event that came next and
** the one before, from the same user within gap_ms; the `limit` most frequent.
** who (NULL: the whole chain) limits the events to the stores in her scope. */
int behaviour_paths(struct db_conn *c, const struct principal *who, const char *event, int64_t from, int64_t to,
                    int64_t gap_ms, int limit, struct path_answer *out);
void path_answer_free(struct path_answer *a);

#endif
