/*
** delivery.c -- sending the outbox's SMS and WeChat messages: each due message is
** claimed for a minute (of several processes one sends it), checked against its
** expiry and the per-recipient rates (messages_per_recipient_hour / _day; auth
** codes are exempt), and handed to notify_send. A provider that takes it: sent,
** with its reference for the receipt. One that cannot now (unreachable,
** throttled): tried again after 5 s, doubling up to an hour (or the provider's
** hint), and after DELIVERY_MAX_ATTEMPTS moved to the fallback medium or failed.
** One that refuses it for good: the fallback at once, or failed. Every failure
** keeps the provider's reason on the message and is logged.
*/
#include "org/delivery.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "org/outbox.h"
#include "org/settings.h"

#define MODULE_NAME "org/delivery"

#define BATCH 32
#define HOLD_MS 60000
#define HOUR_MS 3600000LL

static struct {
    pthread_mutex_t mu;
    struct {
        char provider[16];
        uint64_t delivered, undelivered;
    } r[4];
    int n;
    uint64_t given_up, moved;
} counts = {PTHREAD_MUTEX_INITIALIZER, {{"", 0, 0}}, 0, 0, 0};

void delivery_count_receipt(const char *provider, bool delivered)
{
    int i;
    pthread_mutex_lock(&counts.mu);
    for (i = 0; i < counts.n && strcmp(counts.r[i].provider, provider); i++)
        ;
    if (i == counts.n && counts.n < 4)
        str_copy(counts.r[counts.n++].provider, sizeof counts.r[0].provider, provider);
    if (i < counts.n) {
        if (delivered)
            counts.r[i].delivered++;
        else
            counts.r[i].undelivered++;
    }
    pthread_mutex_unlock(&counts.mu);
}

struct due {
    struct outbox_msg m[BATCH];
    int n;
};

static int due_cb(const struct outbox_msg *m, void *arg)
{
    struct due *d = arg;
    if (d->n < BATCH)
        d->m[d->n++] = *m;
    return 0;
}

/* What to do with one message, decided outside the transaction that records it. */
struct step {
    const struct outbox_msg *m;
    int64_t now;
    enum { CLAIM, LATER, SENT, FAIL } what;
    bool move, got;
    int64_t at;
    const char *provider, *ref;
    char reason[240];
};

static int step_body(struct db_conn *c, void *arg)
{
    struct step *s = arg;
    bool moved = false;
    int rc;
    switch (s->what) {
    case CLAIM:
        return outbox_claim(c, s->m->id, s->now, HOLD_MS, &s->got);
    case LATER:
        return outbox_later(c, s->m->id, s->at, s->reason);
    case SENT:
        return outbox_sent(c, s->m->id, s->provider, s->ref, s->now);
    case FAIL:
        rc = outbox_fail(c, s->m->id, s->reason, s->now, s->move, &moved);
        s->got = moved;
        return rc;
    }
    return 0;
}

/* Over the per-recipient rate: when it may go, else 0. */
static int64_t rate_wait(struct db_conn *c, const struct outbox_msg *m, int64_t now, char *why, size_t cap)
{
    int64_t per_hour = 10, per_day = 30, n = 0;
    if (!strcmp(m->purpose, "auth"))
        return 0; /* sign-in codes have their own limit (otp_codes_per_phone) */
    if (settings_i64(c, "messages_per_recipient_hour", 10, &per_hour) ||
        settings_i64(c, "messages_per_recipient_day", 30, &per_day))
        return 0;
    if (per_hour && !outbox_sent_to(c, m->recipient, now - HOUR_MS, &n) && n >= per_hour) {
        snprintf(why, cap, "rate limit: %" PRId64 " messages an hour to one recipient", per_hour);
        return now + HOUR_MS / 4;
    }
    if (per_day && !outbox_sent_to(c, m->recipient, now - 24 * HOUR_MS, &n) && n >= per_day) {
        snprintf(why, cap, "rate limit: %" PRId64 " messages a day to one recipient", per_day);
        return now + HOUR_MS;
    }
    return 0;
}

static void record(struct delivery *d, struct step *s)
{
    if (db_txn(d->db, step_body, s))
        log_warn("outbox %" PRId64 ": %s", s->m->id, err_last()->msg);
}

static void send_one(struct delivery *d, const struct outbox_msg *m)
{
    struct db_conn *rd = db_reader(d->db);
    struct step s;
    struct notify_result r;
    struct notify_msg msg = {m->id, m->topic, m->recipient, m->template_name, m->params, m->payload};
    int64_t now = now_ms(), at;
    memset(&s, 0, sizeof s);
    s.m = m;
    s.now = now;
    if (m->expires_at && now >= m->expires_at) {
        s.what = FAIL;
        snprintf(s.reason, sizeof s.reason, "expired before it could be sent%s%.150s", m->reason[0] ? " (" : "",
                 m->reason);
        if (m->reason[0])
            strncat(s.reason, ")", sizeof s.reason - strlen(s.reason) - 1);
        record(d, &s);
        log_warn("outbox %" PRId64 " (%s to %s) given up: %s", m->id, m->topic, m->recipient, s.reason);
        return;
    }
    if ((at = rate_wait(rd, m, now, s.reason, sizeof s.reason))) {
        s.what = LATER;
        s.at = at;
        record(d, &s);
        return;
    }
    s.what = CLAIM;
    if (db_txn(d->db, step_body, &s) || !s.got)
        return; /* another process has it */
    notify_send(d->messengers, &msg, &r);
    s.now = now_ms();
    s.provider = r.provider;
    s.ref = r.ref;
    if (r.outcome == NOTIFY_SENT) {
        s.what = SENT;
    } else if (r.outcome == NOTIFY_RETRY && m->attempts + 1 < DELIVERY_MAX_ATTEMPTS) {
        int64_t wait = 5000LL << (m->attempts < 10 ? m->attempts : 10);
        wait = wait < HOUR_MS ? wait : HOUR_MS;
        s.what = LATER;
        s.at = s.now + (r.retry_after_ms > wait ? r.retry_after_ms : wait);
        snprintf(s.reason, sizeof s.reason, "attempt %" PRId64 ": %.200s", m->attempts + 1, r.reason);
    } else {
        s.what = FAIL;
        s.move = true;
        if (r.outcome == NOTIFY_RETRY)
            snprintf(s.reason, sizeof s.reason, "gave up after %d attempts: %.190s", DELIVERY_MAX_ATTEMPTS, r.reason);
        else
            snprintf(s.reason, sizeof s.reason, "%s%s%.200s", r.provider, r.provider[0] ? ": " : "", r.reason);
    }
    record(d, &s);
    if (s.what == FAIL) {
        pthread_mutex_lock(&counts.mu);
        if (s.got)
            counts.moved++;
        else
            counts.given_up++;
        pthread_mutex_unlock(&counts.mu);
        log_warn("outbox %" PRId64 " (%s to %s) %s: %s", m->id, m->topic, m->recipient,
                 s.got ? "moved to its fallback" : "failed", s.reason);
    }
}

void delivery_tick(void *arg)
{
    static const char *const media[] = {"sms", "wechat"};
    struct delivery *d = arg;
    struct due due;
    for (size_t k = 0; k < sizeof media / sizeof media[0]; k++) {
        if (!messengers_has(d->messengers, media[k]))
            continue; /* kept until a server with a provider sends them */
        due.n = 0;
        if (outbox_due_topic(db_reader(d->db), media[k], now_ms(), BATCH, due_cb, &due)) {
            log_warn("outbox: %s", err_last()->msg);
            continue;
        }
        for (int i = 0; i < due.n; i++)
            send_one(d, &due.m[i]);
    }
}

static int waiting_cb(const char *topic, int64_t n, void *arg)
{
    buf_addf(arg, "o2o_outbox_waiting{topic=\"%s\"} %" PRId64 "\n", topic, n);
    return 0;
}

int delivery_metrics(struct db_conn *c, const struct messengers *m, struct buf *b)
{
    struct notify_stats st[8];
    size_t n = notify_stats(m, st, 8);
    buf_adds(b, "# HELP o2o_messages_total Messages handed to a provider, by what it answered.\n"
                "# TYPE o2o_messages_total counter\n");
    for (size_t i = 0; i < n; i++)
        buf_addf(b,
                 "o2o_messages_total{provider=\"%s\",outcome=\"sent\"} %llu\n"
                 "o2o_messages_total{provider=\"%s\",outcome=\"refused\"} %llu\n"
                 "o2o_messages_total{provider=\"%s\",outcome=\"retry\"} %llu\n",
                 st[i].provider, (unsigned long long)st[i].sent, st[i].provider, (unsigned long long)st[i].failed,
                 st[i].provider, (unsigned long long)st[i].retried);
    pthread_mutex_lock(&counts.mu);
    buf_adds(b, "# HELP o2o_message_receipts_total Delivery receipts providers pushed, by result.\n"
                "# TYPE o2o_message_receipts_total counter\n");
    for (int i = 0; i < counts.n; i++)
        buf_addf(b,
                 "o2o_message_receipts_total{provider=\"%s\",result=\"delivered\"} %llu\n"
                 "o2o_message_receipts_total{provider=\"%s\",result=\"undelivered\"} %llu\n",
                 counts.r[i].provider, (unsigned long long)counts.r[i].delivered, counts.r[i].provider,
                 (unsigned long long)counts.r[i].undelivered);
    buf_addf(b,
             "# HELP o2o_messages_given_up_total Messages failed for good (no fallback left).\n"
             "# TYPE o2o_messages_given_up_total counter\no2o_messages_given_up_total %llu\n"
             "# HELP o2o_messages_moved_total Messages moved to their fallback medium.\n"
             "# TYPE o2o_messages_moved_total counter\no2o_messages_moved_total %llu\n",
             (unsigned long long)counts.given_up, (unsigned long long)counts.moved);
    pthread_mutex_unlock(&counts.mu);
    buf_adds(b, "# HELP o2o_outbox_waiting Messages waiting in the outbox, by medium.\n"
                "# TYPE o2o_outbox_waiting gauge\n");
    return outbox_waiting(c, waiting_cb, b);
}
