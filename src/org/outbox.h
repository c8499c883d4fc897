/*
** outbox.h -- everything that leaves the system (SMS, WeChat and e-mail messages,
** webhooks) is first written here, in the same transaction as the change that
** caused it; and what became of it: sent by which provider, delivered or failed
** with the provider's reason, moved to its fallback medium.
*/
#ifndef O2O_ORG_OUTBOX_H
#define O2O_ORG_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct outbox_msg {
    int64_t id;
    char topic[24];           /* the medium: sms | wechat | email | webhook */
    char recipient[129];
    char payload[1024];       /* the text (or "report:ID") */
    char status[12];          /* pending | sent | failed */
    int64_t attempts;
    int64_t created_at;
    char template_name[32];   /* the chain's template ("" for a plain text or a report) */
    char params[512];         /* its parameters, a JSON object */
    char purpose[12];         /* auth | service | marketing */
    int64_t member_id;        /* 0: none */
    char fallback_topic[12], fallback_to[129];
    int64_t expires_at;       /* 0: worth sending however late */
    char provider[16], provider_ref[72];
    char reason[200];         /* why it waits, failed or moved */
    int64_t next_at, sent_at, delivered_at;
};

/* Queue a message (transaction body helper). */
int outbox_add(struct db_conn *c, const char *topic, const char *recipient, const char *payload);

/* A message of the chain's: a template with its parameters (names and values,
** at most NOTICE_PARAMS), its rendered text, and why it is sent. */
#define NOTICE_PARAMS 8
struct notice {
    const char *template_name;   /* otp | pickup_ready | reward_coupon | presence | desk_reply */
    const char *purpose;         /* auth | service | marketing */
    const char *text;
    int nparams;
    const char *key[NOTICE_PARAMS], *value[NOTICE_PARAMS];
    int64_t expires_at;          /* 0: none */
};
/* Where it goes: a medium and an address, the fallback ("" none), and when it may
** leave (quiet hours); refused: it is not to be sent at all (no_consent), and is
** kept as failed with that reason so that nobody wonders where it went. */
struct notice_route {
    const char *topic, *to, *fallback_topic, *fallback_to;
    int64_t member_id, not_before;
    const char *refused;
};
int outbox_notice(struct db_conn *c, const struct notice *n, const struct notice_route *r, int64_t *id);

/* Newest first, optionally for one recipient and one status ("" for all), at most limit. */
int outbox_list(struct db_conn *c, const char *recipient, const char *status, int limit,
                int (*cb)(const struct outbox_msg *m, void *arg), void *arg);
int outbox_get(struct db_conn *c, int64_t id, struct outbox_msg *out);

/* E-mails and webhooks due for delivery (oldest first). */
int outbox_due(struct db_conn *c, int64_t now, int limit, int (*cb)(const struct outbox_msg *m, void *arg), void *arg);
/* Messages of one medium (sms, wechat) due for delivery (oldest first). */
int outbox_due_topic(struct db_conn *c, const char *topic, int64_t now, int limit,
                     int (*cb)(const struct outbox_msg *m, void *arg), void *arg);
/* Take a message for hold_ms (one attempt more); *got false when another process has it. */
int outbox_claim(struct db_conn *c, int64_t id, int64_t now, int64_t hold_ms, bool *got);
/* Delivered, or try again at retry_at (0: give up, failed). */
int outbox_settle(struct db_conn *c, int64_t id, bool sent, int64_t retry_at);
/* A provider took it (ref names it in its receipts); the reason stays: how it got there. */
int outbox_sent(struct db_conn *c, int64_t id, const char *provider, const char *ref, int64_t now);
/* Not now: try again at `at` with this reason (a retry, a rate limit, quiet hours). */
int outbox_later(struct db_conn *c, int64_t id, int64_t at, const char *reason);
/* It cannot go by its medium: on to its fallback when it has one and move is
** set (*moved), else failed with the reason. */
int outbox_fail(struct db_conn *c, int64_t id, const char *reason, int64_t now, bool move, bool *moved);
/* A provider's receipt for its ref (or, when the provider echoes it, the outbox
** id): delivered, or failed with its reason (then on to the fallback). Applied
** once: *applied false for a repeated or unknown receipt. */
int outbox_receipt(struct db_conn *c, const char *provider, const char *ref, int64_t outbox_id, bool delivered,
                   const char *reason, int64_t at, bool *applied);
/* Messages sent to a recipient since `since` (the per-recipient rate). */
int outbox_sent_to(struct db_conn *c, const char *recipient, int64_t since, int64_t *n);
/* Messages waiting, per medium: cb(topic, n). */
int outbox_waiting(struct db_conn *c, int (*cb)(const char *topic, int64_t n, void *arg), void *arg);

#endif
