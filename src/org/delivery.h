/*
** delivery.h -- the turn that sends the outbox's SMS and WeChat messages through
** the chain's providers (notify/), run by a thread of app/: per-recipient rates,
** retries with backoff, giving up (reported, never silent), the fallback medium;
** and the counters /metrics shows.
*/
#ifndef O2O_ORG_DELIVERY_H
#define O2O_ORG_DELIVERY_H

#include <stdbool.h>

#include "core/buf.h"
#include "db/db.h"
#include "notify/messaging.h"

struct delivery {
    struct db *db;
    struct messengers *messengers;
};

#define DELIVERY_MAX_ATTEMPTS 8

/* One turn (arg: struct delivery *). */
void delivery_tick(void *arg);
/* A receipt a provider pushed was applied (for the counters). */
void delivery_count_receipt(const char *provider, bool delivered);
/* The counters and the waiting messages, as Prometheus text. */
int delivery_metrics(struct db_conn *c, const struct messengers *m, struct buf *b);

#endif
