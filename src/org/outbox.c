/*
** outbox.c -- the outbox table. The delivery thread (reports/api_deliver.c) sends its
** e-mails and webhooks; SMS have no provider yet (in development mode their text
** is also written to the log).
** Owns table outbox.
*/
#include "org/outbox.h"

#include <string.h>

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

#define MSG_COLS "SELECT id, topic, recipient, payload, status, attempts, created_at FROM outbox "

/* Hand every row of a query over MSG_COLS to cb. */
static int each_msg(struct db_stmt *s, int rc, int (*cb)(const struct outbox_msg *m, void *arg), void *arg)
{
    struct outbox_msg m;
    while (rc == DB_ROW) {
        memset(&m, 0, sizeof m);
        m.id = db_col_i64(s, 0);
        str_copy(m.topic, sizeof m.topic, db_col_text(s, 1));
        str_copy(m.recipient, sizeof m.recipient, db_col_text(s, 2));
        str_copy(m.payload, sizeof m.payload, db_col_text(s, 3));
        str_copy(m.status, sizeof m.status, db_col_text(s, 4));
        m.attempts = db_col_i64(s, 5);
        m.created_at = db_col_i64(s, 6);
        rc = cb(&m, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int outbox_list(struct db_conn *c, const char *recipient, int limit,
                int (*cb)(const struct outbox_msg *m, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s,
                      MSG_COLS "WHERE $1 = '' OR recipient = $1 ORDER BY id DESC LIMIT $2",
                      "ti", recipient ? recipient : "", (int64_t)limit);
    return each_msg(s, rc, cb, arg);
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
    int64_t n = sent ? db_exec(c, "UPDATE outbox SET status = 'sent' WHERE id = $1", "i", id)
                     : retry_at ? db_exec(c, "UPDATE outbox SET next_at = $2 WHERE id = $1", "ii", id, retry_at)
                                : db_exec(c, "UPDATE outbox SET status = 'failed' WHERE id = $1", "i", id);
    return n < 0 ? (int)n : 0;
}
