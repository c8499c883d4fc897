/*
** outbox.c -- the outbox table. The delivery turns send it: e-mails and webhooks
** (reports/api_deliver.c), SMS and WeChat messages through the chain's providers
** (org/delivery.c); without a provider of their medium they wait (in development
** mode an SMS's text is also written to the log).
** Owns table outbox.
*/
#include "org/outbox.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"

int outbox_add(struct db_conn *c, const char *topic, const char *recipient, const char *payload)
{
    int64_t now = now_ms();
    int64_t n = db_exec(c,
                        "INSERT INTO outbox (topic, recipient, payload, status, attempts, next_at, created_at) "
                        "VALUES ($1, $2, $3, 'pending', 0, $4, $4)",
                        "ttti", topic, recipient, payload, now);
    return n < 0 ? (int)n : 0;
}

/* A JSON string of s (control characters escaped, the rest as it is: UTF-8). */
static void json_str(struct buf *b, const char *s)
{
    buf_adds(b, "\"");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_addf(b, "\\%c", *p);
        else if (*p < 0x20)
            buf_addf(b, "\\u%04x", *p);
        else
            buf_add(b, p, 1);
    }
    buf_adds(b, "\"");
}

int outbox_notice(struct db_conn *c, const struct notice *n, const struct notice_route *r, int64_t *id)
{
    struct buf params = BUF_INIT(511);
    int64_t now = now_ms(), newid = 0;
    int rc;
    buf_adds(&params, "{");
    for (int i = 0; i < n->nparams && i < NOTICE_PARAMS; i++) {
        if (i)
            buf_adds(&params, ",");
        json_str(&params, n->key[i]);
        buf_adds(&params, ":");
        json_str(&params, n->value[i]);
    }
    if (buf_adds(&params, "}")) {
        buf_free(&params);
        return err_set(O2O_EINVAL, "too_long", NULL, "a message's parameters are over 511 bytes");
    }
    rc = db_scalar_i64(c, &newid,
                       "INSERT INTO outbox (topic, recipient, payload, status, attempts, next_at, created_at, template, "
                       "params, purpose, member_id, fallback_topic, fallback_to, expires_at, reason) "
                       "VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, NULLIF(CAST($10 AS BIGINT), 0), $11, $12, "
                       "NULLIF(CAST($13 AS BIGINT), 0), $14) RETURNING id",
                       "ttttiitttittit", r->topic, r->to, n->text ? n->text : "", r->refused ? "failed" : "pending",
                      r->not_before > now ? r->not_before : now, now, n->template_name, buf_str(&params),
                      n->purpose ? n->purpose : "service", r->member_id, r->fallback_topic ? r->fallback_topic : "",
                      r->fallback_to ? r->fallback_to : "", n->expires_at,
                      r->refused ? r->refused : r->not_before > now ? "quiet hours" : "");
    buf_free(&params);
    if (id)
        *id = newid;
    return rc;
}

#define MSG_COLS                                                                                                   \
    "SELECT id, topic, recipient, payload, status, attempts, created_at, template, params, purpose, "              \
    "COALESCE(member_id, 0), fallback_topic, fallback_to, COALESCE(expires_at, 0), provider, provider_ref, "       \
    "reason, next_at, COALESCE(sent_at, 0), COALESCE(delivered_at, 0) FROM outbox "

static void read_msg(struct db_stmt *s, struct outbox_msg *m)
{
    memset(m, 0, sizeof *m);
    m->id = db_col_i64(s, 0);
    str_copy(m->topic, sizeof m->topic, db_col_text(s, 1));
    str_copy(m->recipient, sizeof m->recipient, db_col_text(s, 2));
    str_copy(m->payload, sizeof m->payload, db_col_text(s, 3));
    str_copy(m->status, sizeof m->status, db_col_text(s, 4));
    m->attempts = db_col_i64(s, 5);
    m->created_at = db_col_i64(s, 6);
    str_copy(m->template_name, sizeof m->template_name, db_col_text(s, 7));
    str_copy(m->params, sizeof m->params, db_col_text(s, 8));
    str_copy(m->purpose, sizeof m->purpose, db_col_text(s, 9));
    m->member_id = db_col_i64(s, 10);
    str_copy(m->fallback_topic, sizeof m->fallback_topic, db_col_text(s, 11));
    str_copy(m->fallback_to, sizeof m->fallback_to, db_col_text(s, 12));
    m->expires_at = db_col_i64(s, 13);
    str_copy(m->provider, sizeof m->provider, db_col_text(s, 14));
    str_copy(m->provider_ref, sizeof m->provider_ref, db_col_text(s, 15));
    str_copy(m->reason, sizeof m->reason, db_col_text(s, 16));
    m->next_at = db_col_i64(s, 17);
    m->sent_at = db_col_i64(s, 18);
    m->delivered_at = db_col_i64(s, 19);
}

/* Hand every row of a query over MSG_COLS to cb. */
static int each_msg(struct db_stmt *s, int rc, int (*cb)(const struct outbox_msg *m, void *arg), void *arg)
{
    struct outbox_msg m;
    while (rc == DB_ROW) {
        read_msg(s, &m);
        rc = cb(&m, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int outbox_list(struct db_conn *c, const char *recipient, const char *status, int limit,
                int (*cb)(const struct outbox_msg *m, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      MSG_COLS "WHERE ($1 = '' OR recipient = $1) AND ($2 = '' OR status = $2) ORDER BY id DESC "
                               "LIMIT $3",
                      "tti", recipient ? recipient : "", status ? status : "", (int64_t)limit);
    return each_msg(s, rc, cb, arg);
}

int outbox_get(struct db_conn *c, int64_t id, struct outbox_msg *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, MSG_COLS "WHERE id = $1", "i", id);
    if (rc == DB_ROW)
        read_msg(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, NULL, "id", "no outbox message %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int outbox_due(struct db_conn *c, int64_t now, int limit, int (*cb)(const struct outbox_msg *m, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      MSG_COLS "WHERE status = 'pending' AND next_at <= $1 AND (topic = 'email' OR topic = 'webhook') "
                      "ORDER BY next_at, id LIMIT $2",
                      "ii", now, (int64_t)limit);
    return each_msg(s, rc, cb, arg);
}

int outbox_due_topic(struct db_conn *c, const char *topic, int64_t now, int limit,
                     int (*cb)(const struct outbox_msg *m, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      MSG_COLS "WHERE status = 'pending' AND next_at <= $1 AND topic = $2 ORDER BY next_at, id LIMIT $3",
                      "iti", now, topic, (int64_t)limit);
    return each_msg(s, rc, cb, arg);
}

int outbox_claim(struct db_conn *c, int64_t id, int64_t now, int64_t hold_ms, bool *got)
{
    int64_t n = db_exec(c,
                        "UPDATE outbox SET next_at = $3, attempts = attempts + 1 WHERE id = $1 AND status = 'pending' "
                        "AND next_at <= $2",
                        "iii", id, now, now + hold_ms);
    *got = n == 1;
    return n < 0 ? (int)n : 0;
}

int outbox_settle(struct db_conn *c, int64_t id, bool sent, int64_t retry_at)
{
    int64_t now = now_ms();
    int64_t n = sent ? db_exec(c, "UPDATE outbox SET status = 'sent', sent_at = $2 WHERE id = $1", "ii", id, now)
                     : retry_at ? db_exec(c, "UPDATE outbox SET next_at = $2 WHERE id = $1", "ii", id, retry_at)
                                : db_exec(c, "UPDATE outbox SET status = 'failed' WHERE id = $1", "i", id);
    return n < 0 ? (int)n : 0;
}

int outbox_sent(struct db_conn *c, int64_t id, const char *provider, const char *ref, int64_t now)
{
    int64_t n = db_exec(c,
                        "UPDATE outbox SET status = 'sent', sent_at = $2, provider = $3, provider_ref = $4 "
                        "WHERE id = $1 AND status = 'pending'",
                        "iitt", id, now, provider, ref ? ref : "");
    return n < 0 ? (int)n : 0;
}

int outbox_later(struct db_conn *c, int64_t id, int64_t at, const char *reason)
{
    int64_t n = db_exec(c, "UPDATE outbox SET next_at = $2, reason = $3 WHERE id = $1 AND status = 'pending'", "iit",
                        id, at, reason);
    return n < 0 ? (int)n : 0;
}

/* Move a message to its fallback medium, or fail it; cond is the state it must be in. */
static int fail_or_move(struct db_conn *c, int64_t id, const char *cond, const char *reason, int64_t now, bool move,
                        bool *moved, bool *applied)
{
    struct outbox_msg m;
    char why[200];
    int64_t n;
    int rc = outbox_get(c, id, &m);
    if (rc)
        return rc;
    *moved = false;
    if (move && m.fallback_topic[0] && m.fallback_to[0]) {
        snprintf(why, sizeof why, "%s: %.150s; moved to %s", m.topic, reason, m.fallback_topic);
        if (!strcmp(cond, "pending"))
            n = db_exec(c,
                        "UPDATE outbox SET topic = fallback_topic, recipient = fallback_to, fallback_topic = '', "
                        "fallback_to = '', attempts = 0, next_at = $2, provider = '', provider_ref = '', reason = $3 "
                        "WHERE id = $1 AND status = 'pending'",
                        "iit", id, now, why);
        else
            n = db_exec(c,
                        "UPDATE outbox SET topic = fallback_topic, recipient = fallback_to, fallback_topic = '', "
                        "fallback_to = '', attempts = 0, next_at = $2, provider = '', provider_ref = '', reason = $3, "
                        "status = 'pending', sent_at = NULL WHERE id = $1 AND status = 'sent' AND delivered_at IS NULL",
                        "iit", id, now, why);
        *moved = n == 1;
    } else {
        snprintf(why, sizeof why, "%.190s", reason);
        if (!strcmp(cond, "pending"))
            n = db_exec(c, "UPDATE outbox SET status = 'failed', reason = $2 WHERE id = $1 AND status = 'pending'",
                        "it", id, why);
        else
            n = db_exec(c,
                        "UPDATE outbox SET status = 'failed', reason = $2 WHERE id = $1 AND status = 'sent' AND "
                        "delivered_at IS NULL",
                        "it", id, why);
    }
    if (applied)
        *applied = n == 1;
    return n < 0 ? (int)n : 0;
}

int outbox_fail(struct db_conn *c, int64_t id, const char *reason, int64_t now, bool move, bool *moved)
{
    return fail_or_move(c, id, "pending", reason, now, move, moved, NULL);
}

int outbox_receipt(struct db_conn *c, const char *provider, const char *ref, int64_t outbox_id, bool delivered,
                   const char *reason, int64_t at, bool *applied)
{
    int64_t id = 0, n;
    int rc;
    bool moved;
    *applied = false;
    /* the message this receipt is about, while it waits for one */
    if (ref && *ref)
        rc = db_scalar_i64(c, &id,
                           "SELECT id FROM outbox WHERE provider = $1 AND provider_ref = $2 AND status = 'sent' AND "
                           "delivered_at IS NULL AND ($3 = 0 OR id = $3)",
                           "tti", provider, ref, outbox_id);
    else
        rc = db_scalar_i64(c, &id,
                           "SELECT id FROM outbox WHERE id = $1 AND provider = $2 AND status = 'sent' AND "
                           "delivered_at IS NULL",
                           "it", outbox_id, provider);
    if (rc == O2O_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (delivered) {
        n = db_exec(c, "UPDATE outbox SET delivered_at = $2 WHERE id = $1 AND status = 'sent' AND delivered_at IS NULL",
                    "ii", id, at ? at : now_ms());
        *applied = n == 1;
        return n < 0 ? (int)n : 0;
    }
    return fail_or_move(c, id, "sent", reason && *reason ? reason : "not delivered", now_ms(), true, &moved,
                        applied);
}

int outbox_sent_to(struct db_conn *c, const char *recipient, int64_t since, int64_t *n)
{
    return db_scalar_i64(c, n, "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND sent_at >= $2", "ti", recipient,
                         since);
}

int outbox_waiting(struct db_conn *c, int (*cb)(const char *topic, int64_t n, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT topic, COUNT(*) FROM outbox WHERE status = 'pending' GROUP BY topic ORDER BY topic",
                      "");
    while (rc == DB_ROW) {
        if ((rc = cb(db_col_text(s, 0), db_col_i64(s, 1), arg)))
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
