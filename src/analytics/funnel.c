/*
** funnel.c -- windowFunnel over event columns (see funnel.h). One pass over
** the events in time order with a small state per user (the start of the
** chain that reached each step); threads split the users by number and each
** scans all events, touching only its own users' state.
** Tests: tests/unit/test_funnel.c; speed: bench/funnel.sh.
*/
#include "analytics/funnel.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct part {
    const struct event_columns *ev;
    const struct funnel_spec *spec;
    int nsteps, threads, index;
    int64_t window;
    int64_t reached[FUNNEL_MAX_STEPS];
};

/* One thread's users, with chain starts of type T: 32-bit offsets from the first
** event when the events span less than 4 billion units (half the memory, so more
** of the users' state stays in cache), else 64-bit times. */
#define DEFINE_RUN(NAME, T, NONE, OFF)                                                                          \
    static inline void NAME##_step(T *start, uint8_t *level, int k, T t, T window)                            \
    {                                                                                                           \
        if (k == 0) {                                                                                           \
            start[0] = t;                                                                                       \
            if (*level < 1)                                                                                     \
                *level = 1;                                                                                     \
        } else if (start[k - 1] != NONE && t <= start[k - 1] + window) {                                       \
            start[k] = start[k - 1];                                                                            \
            if (*level < k + 1)                                                                                 \
                *level = (uint8_t)(k + 1);                                                                      \
        }                                                                                                       \
    }                                                                                                           \
    static void NAME(struct part *p, const int8_t *match, const int8_t *match2, int multi)                     \
    {                                                                                                           \
        const struct event_columns *ev = p->ev;                                                                 \
        const uint16_t *masks = p->spec->masks, *grp = p->spec->group, g = p->spec->start_group;               \
        int ns = p->nsteps, th = p->threads, me = p->index;                                                     \
        uint32_t mine = (ev->nusers + (uint32_t)th - 1 - (uint32_t)me) / (uint32_t)th;                         \
        T *start = xmalloc(((size_t)mine + 1) * (size_t)ns * sizeof *start);                                   \
        uint8_t *level = xcalloc((size_t)mine + 1, 1);                                                          \
        int64_t base = ev->ts[0];                                                                               \
        T window = (T)p->window;                                                                                \
        (void)base;                                                                                             \
        for (size_t i = 0; i < ((size_t)mine + 1) * (size_t)ns; i++)                                            \
            start[i] = NONE;                                                                                    \
        for (size_t i = 0; i < ev->n;) {                                                                        \
            size_t j = i + 1;                                                                                   \
            int64_t t = ev->ts[i];                                                                              \
            int repeat = 0;                                                                                     \
            while (j < ev->n && ev->ts[j] == t)                                                                 \
                j++;                                                                                            \
            /* the order within an instant matters only for a user with several events in it */               \
            if (j - i > 1) {                                                                                    \
                if (j - i > 16 || multi)                                                                        \
                    repeat = 1;                                                                                 \
                for (size_t a = i; a < j && !repeat; a++)                                                       \
                    for (size_t b = a + 1; b < j && !repeat; b++)                                               \
                        repeat = ev->user[a] == ev->user[b];                                                    \
            }                                                                                                   \
            if (!repeat) {                                                                                      \
                for (size_t x = i; x < j; x++) {                                                                \
                    uint32_t u = ev->user[x];                                                                   \
                    int k = match[ev->name[x]];                                                                 \
                    if (k == 0 && grp && grp[x] != g)                                                           \
                        k = match2[ev->name[x]];                                                                \
                    if (k >= 0 && (int)(u % (uint32_t)th) == me)                                                \
                        NAME##_step(start + (size_t)(u / (uint32_t)th) * (size_t)ns, &level[u / (uint32_t)th], \
                                    k, (T)OFF(t), window);                                                      \
                }                                                                                               \
            } else {                                                                                            \
                /* events at one instant: step by step, in step order */                                        \
                for (int k = 0; k < ns; k++)                                                                    \
                    for (size_t x = i; x < j; x++) {                                                            \
                        uint32_t u = ev->user[x];                                                               \
                        if (!(masks[ev->name[x]] >> k & 1) || (int)(u % (uint32_t)th) != me)                    \
                            continue;                                                                           \
                        if (k == 0 && grp && grp[x] != g)                                                       \
                            continue;                                                                           \
                        NAME##_step(start + (size_t)(u / (uint32_t)th) * (size_t)ns, &level[u / (uint32_t)th], \
                                    k, (T)OFF(t), window);                                                      \
                    }                                                                                           \
            }                                                                                                   \
            i = j;                                                                                              \
        }                                                                                                       \
        memset(p->reached, 0, sizeof p->reached);                                                               \
        for (uint32_t u = 0; u < mine; u++)                                                                     \
            for (int k = 0; k < level[u]; k++)                                                                  \
                p->reached[k]++;                                                                                \
        free(start);                                                                                            \
        free(level);                                                                                            \
    }

#define OFF32(t) ((t) - base)
#define OFF64(t) (t)
DEFINE_RUN(run32, uint32_t, UINT32_MAX, OFF32)
DEFINE_RUN(run64, int64_t, INT64_MIN, OFF64)

static void *run_part(void *arg)
{
    struct part *p = arg;
    const struct event_columns *ev = p->ev;
    const uint16_t *masks = p->spec->masks;
    int8_t match[1 << 16];    /* class -> first step it matches, -1 none */
    int8_t match2[1 << 16];   /* class -> second step it matches, -1 none */
    int multi = 0;            /* does a class match several steps? */
    for (size_t c = 0; c < 1 << 16; c++) {
        unsigned m = masks[c] & ((1u << p->nsteps) - 1);
        match[c] = match2[c] = -1;
        if (m) {
            match[c] = (int8_t)__builtin_ctz(m);
            m &= m - 1;
            if (m) {
                multi = 1;
                match2[c] = (int8_t)__builtin_ctz(m);
            }
        }
    }
    /* 32 bits when every time and time + window fits below the "none" mark */
    if (p->window >= 0 && ev->ts[ev->n - 1] - ev->ts[0] < (int64_t)UINT32_MAX / 2 &&
        p->window < (int64_t)UINT32_MAX / 2)
        run32(p, match, match2, multi);
    else
        run64(p, match, match2, multi);
    return NULL;
}

void funnel_run(const struct event_columns *ev, const struct funnel_step *steps, int nsteps, int64_t window,
                int threads, int64_t reached[FUNNEL_MAX_STEPS])
{
    struct funnel_spec sp;
    uint16_t *masks = xcalloc(1 << 16, sizeof *masks);
    memset(&sp, 0, sizeof sp);
    for (int k = 0; k < nsteps && k < FUNNEL_MAX_STEPS; k++)
        masks[steps[k].name] |= (uint16_t)(1u << k);
    sp.masks = masks;
    sp.nsteps = nsteps;
    sp.window = window;
    funnel_count(ev, &sp, threads, reached);
    free(masks);
}

void funnel_count(const struct event_columns *ev, const struct funnel_spec *spec, int threads,
                  int64_t reached[FUNNEL_MAX_STEPS])
{
    struct part parts[16];
    pthread_t tid[16];
    int started[16] = {0}, nsteps = spec->nsteps;
    int64_t window = spec->window;
    memset(reached, 0, FUNNEL_MAX_STEPS * sizeof *reached);
    if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS || !ev->n)
        return;
    if (threads < 1)
        threads = 1;
    if (threads > 16)
        threads = 16;
    for (int i = 0; i < threads; i++) {
        parts[i].ev = ev;
        parts[i].spec = spec;
        parts[i].nsteps = nsteps;
        parts[i].threads = threads;
        parts[i].index = i;
        parts[i].window = window;
        if (i)
            started[i] = pthread_create(&tid[i], NULL, run_part, &parts[i]) == 0;
        if (i && !started[i])
            run_part(&parts[i]);
    }
    run_part(&parts[0]);
    for (int i = 1; i < threads; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
    for (int i = 0; i < threads; i++)
        for (int k = 0; k < nsteps; k++)
            reached[k] += parts[i].reached[k];
}
