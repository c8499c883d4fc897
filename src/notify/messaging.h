/*
** messaging.h -- messages out through the chain's providers, as they document
** their HTTP APIs: Aliyun SMS (RPC, HMAC-SHA1 signed), Tencent Cloud SMS (API 3.0,
** TC3-HMAC-SHA256) and the WeChat Official Account (template and customer-service
** messages under an access token); and what they push back: delivery receipts and
** replies. Blocking calls, for worker threads. Configured from a JSON file (see
** docs/messaging.md); nothing here touches the database.
*/
#ifndef O2O_NOTIFY_MESSAGING_H
#define O2O_NOTIFY_MESSAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct messengers;

/* A message to send: one of the chain's templates (otp, pickup_ready, ...) with
** its parameters (a JSON object of strings), and its text for providers that take
** free text (a WeChat customer-service reply). */
struct notify_msg {
    int64_t id;               /* the outbox's: Aliyun's OutId, Tencent's SessionContext */
    const char *medium;       /* sms | wechat */
    const char *to;           /* E.164 phone, or an openid */
    const char *template_name;
    const char *params;       /* JSON object */
    const char *text;
};

enum notify_outcome {
    NOTIFY_SENT = 0,          /* the provider took it: ref names it in receipts */
    NOTIFY_RETRY = 1,         /* unreachable, throttled, busy: try again later */
    NOTIFY_FAILED = 2         /* refused for good (a bad number, no such template, not a follower) */
};

struct notify_result {
    enum notify_outcome outcome;
    char provider[16];        /* aliyun_sms | tencent_sms | wechat_oa */
    char ref[72];             /* BizId, SerialNo, msgid */
    char reason[200];         /* the provider's code and message */
    int64_t retry_after_ms;   /* a hint with NOTIFY_RETRY (0: the caller's backoff) */
    bool provider_fault;      /* with NOTIFY_RETRY: the provider's trouble (unreachable, its own fault,
                              ** its capacity, the account), not the recipient's: another may take it */
};

/* A delivery receipt or a reply a provider pushed. */
struct notify_receipt {
    char ref[72];             /* the ref notify_send gave */
    int64_t outbox_id;        /* 0 when the provider does not echo it */
    bool delivered;
    char reason[200];         /* the provider's status code and description */
    int64_t at;               /* epoch ms (0: unknown) */
};
struct notify_reply {
    char ref[72];             /* the provider's id of it (or a digest of sender, time and text) */
    char from[20];            /* E.164 */
    char text[1024];
    int64_t at;
};

/* Load the configuration (NULL path: no provider). O2O_EINVAL with a message. */
int messengers_load(const char *path, struct messengers **out);
void messengers_free(struct messengers *m);
/* Is a provider of this medium configured? */
bool messengers_has(const struct messengers *m, const char *medium);
/* Send through the medium's provider (the first configured; an SMS that cannot
** reach the first provider tries the next). 0, with the outcome in r. */
int notify_send(struct messengers *m, const struct notify_msg *msg, struct notify_result *r);

/* Is this the callback token of provider (its "callback_token")? Constant time;
** false when the provider is not configured or has none. */
bool notify_callback_ok(const struct messengers *m, const char *provider, const char *token);
/* An SMS provider's callback: 0 when provider is one (aliyun_sms, tencent_sms) and
** token its callback_token; O2O_ENOTFOUND for another name, O2O_EUNAUTH otherwise. */
int notify_sms_callback(const struct messengers *m, const char *provider, const char *token);
/* Parse a provider's pushed receipts / replies (a JSON array as it documents);
** cb once each. O2O_EINVAL for a body that is not one. */
int notify_parse_receipts(const char *provider, const char *body, size_t len,
                          int (*cb)(const struct notify_receipt *r, void *arg), void *arg);
int notify_parse_replies(const char *provider, const char *body, size_t len,
                         int (*cb)(const struct notify_reply *r, void *arg), void *arg);
/* The answer a provider expects to a callback it pushed. */
const char *notify_callback_answer(const char *provider);

/* A call the chain's call centre logs (its webhook, docs/desk.md): signed with
** HMAC-SHA256 over "TIMESTAMP\nBODY" under the "call_centre" section's secret. */
struct notify_call {
    char call_id[72];
    char direction[12];       /* inbound | outbound */
    char customer[24];        /* the customer's number: the caller, or whom the chain called */
    char recording_url[512];  /* https, "" none */
    char summary[1024];       /* the agent's note, "" none */
    char agent[65];
    int64_t started_at, duration_s;
};
/* Is this push the call centre's (its signature, a fresh timestamp)? */
bool notify_call_signed(const struct messengers *m, const char *timestamp, const char *signature, const char *body,
                        size_t len);
/* Read a call; O2O_EINVAL naming the field that is missing or wrong. */
int notify_parse_call(const char *body, size_t len, struct notify_call *out);

/* Counters since start, for /metrics: per provider, what it took, what it refused,
** what could not reach it. */
struct notify_stats {
    const char *provider;
    uint64_t sent, failed, retried;
};
size_t notify_stats(const struct messengers *m, struct notify_stats *out, size_t cap);

#endif
