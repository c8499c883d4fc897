/*
** outbox.h -- everything that leaves the system (SMS, e-mail, webhooks) is first
** written here, in the same transaction as the change that caused it.
*/
#ifndef O2O_ORG_OUTBOX_H
#define O2O_ORG_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct outbox_msg {
    int64_t id;
    char topic[24];
    char recipient[129];
    char payload[1024];
    char status[12];
    int64_t attempts;
    int64_t created_at;
};

/* Queue a message (transaction body helper). */
int outbox_add(struct db_conn *c, const char *topic, const char *recipient, const char *payload);
/* Newest first, optionally for one recipient ("" for all), at most limit. */
int outbox_list(struct db_conn *c, const char *recipient, int limit,
                int (*cb)(const struct outbox_msg *m, void *arg), void *arg);

/* E-mails and webhooks due for delivery (oldest first). */
int outbox_due(struct db_conn *c, int64_t now, int limit, int (*cb)(const struct outbox_msg *m, void *arg), void *arg);
/* Take a message for hold_ms (one attempt more); *got false when another process has it. */
int outbox_claim(struct db_conn *c, int64_t id, int64_t now, int64_t hold_ms, bool *got);
/* Delivered, or try again at retry_at (0: give up, failed). */
int outbox_settle(struct db_conn *c, int64_t id, bool sent, int64_t retry_at);

#endif
